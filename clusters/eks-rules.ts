/** Cross-field rules of the per-cluster `eks` settings and of EKS clusters' ranges. */
import { parseCidr } from './cidr';
import { formatValue, type Problem } from './problems';
import type { TopologyParsed } from './schema';
import { defaultZones, subnetLayoutProblem } from './aws-subnets';

export function eksProblems(t: TopologyParsed): Problem[] {
  const problems: Problem[] = [];
  t.clusters.forEach((c, i) => {
    const at = (...rest: (string | number)[]) => ['clusters', i, ...rest];
    const eks = c.eks;
    if (c.provider !== 'eks') {
      if (eks !== undefined) problems.push({ path: at('eks'), message: `applies only to provider eks; ${c.name} is ${c.provider}` });
      return;
    }
    // spire.managedDatastore is the gke switch (Cloud SQL, infra/gcp); on eks nothing would create the database.
    if (c.spire.managedDatastore) {
      problems.push({ path: at('spire', 'managedDatastore'), message: `true is for gke clusters (Cloud SQL); ${c.name} is eks, whose managed datastore (RDS for PostgreSQL) is eks.managedDatastore: {}` });
    }
    if (typeof parseCidr(c.cidr) === 'string') return; // reported by the cidr rule
    const zones = eks?.availabilityZones ?? defaultZones(c.region);
    eks?.availabilityZones?.forEach((zone, z) => {
      if (!zone.startsWith(c.region) || !/^[a-z]$/.test(zone.slice(c.region.length))) {
        problems.push({ path: at('eks', 'availabilityZones', z), message: `${formatValue(zone)} is not a zone of region ${c.region} (expected ${c.region} followed by one letter, e.g. "${c.region}a")` });
      } else if (eks.availabilityZones!.indexOf(zone) < z) {
        problems.push({ path: at('eks', 'availabilityZones', z), message: `${formatValue(zone)} is listed twice` });
      }
    });
    const layout = subnetLayoutProblem(c.cidr, zones.length);
    if (layout !== undefined) {
      problems.push({ path: eks?.availabilityZones ? at('eks', 'availabilityZones') : at('cidr'), message: `${layout}; an EKS VPC gets one private and one public subnet per availability zone` });
    }
    eks?.apiAccessCidrs?.forEach((cidr, n) => {
      const parsed = parseCidr(cidr);
      if (typeof parsed === 'string') problems.push({ path: at('eks', 'apiAccessCidrs', n), message: `${formatValue(cidr)} ${parsed}` });
      else if (parsed.prefixLength === 0) problems.push({ path: at('eks', 'apiAccessCidrs', n), message: `${formatValue(cidr)} opens the API endpoint to everyone; omit apiAccessCidrs for the AWS default or list the ranges that deploy and read this cluster` });
    });
    if (eks?.managedDatastore !== undefined && c.spire.datastore !== 'postgres') {
      problems.push({ path: at('eks', 'managedDatastore'), message: `needs spire.datastore: postgres (it is ${c.spire.datastore}); the managed datastore is RDS for PostgreSQL` });
    }
  });
  return problems;
}
