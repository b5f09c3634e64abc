/** The per-cluster `eks` topology keys: load-time rules with exact messages, and their defaults. */
import { eksOptions } from '../infra/aws/options';
import { isDevLike } from '../infra/cluster-infra';
import { problemsOf } from './helpers/synth';
import { topologyOf } from './helpers/aws-topologies';

const one = (cluster: string, extra = '') => `environment: prod
clusters:
  - name: c1
    provider: eks
    region: eu-west-1
    trustDomain: c1.example.org
${cluster}
${extra}`;

describe('eks topology keys', () => {
  it('defaults: three zones, NAT per zone, no access entries, KMS or RDS, protection outside dev-like environments', () => {
    const t = topologyOf(one('    cidr: 10.1.0.0/16'));
    expect(eksOptions(t.clusters[0], 'prod')).toEqual({
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      natGateways: 'one-per-zone',
      accessEntries: false,
      kms: false,
      deletionProtection: true,
    });
    expect(eksOptions(t.clusters[0], 'dev').deletionProtection).toBe(false);
    expect([isDevLike('dev'), isDevLike('dev-alice'), isDevLike('ci'), isDevLike('devops'), isDevLike('prod')]).toEqual([true, true, true, false, false]);
  });

  it('resolves a managed datastore with its defaults', () => {
    const t = topologyOf(one('    cidr: 10.1.0.0/16\n    spire: { datastore: postgres }\n    eks: { managedDatastore: {} }'));
    expect(eksOptions(t.clusters[0], 'prod').managedDatastore).toEqual({ instanceClass: 'db.t4g.medium', auth: 'password' });
  });

  it('rejects bad eks settings naming path, value and rule', () => {
    expect(problemsOf(one(`    cidr: 10.1.0.0/24
    eks:
      availabilityZones: [eu-west-1a, us-east-1b, eu-west-1a, eu-west-1c]
      apiAccessCidrs: [0.0.0.0/0, 10.0.0.1/8]
      managedDatastore: {}`))).toEqual([
      'env.yaml:9: clusters[0].eks.availabilityZones[1]: "us-east-1b" is not a zone of region eu-west-1 (expected eu-west-1 followed by one letter, e.g. "eu-west-1a")',
      'env.yaml:9: clusters[0].eks.availabilityZones[2]: "eu-west-1a" is listed twice',
      "env.yaml:9: clusters[0].eks.availabilityZones: 10.1.0.0/24 is too small for 4 availability zones (public subnets would be /30; AWS's smallest subnet is a /28); an EKS VPC gets one private and one public subnet per availability zone",
      'env.yaml:10: clusters[0].eks.apiAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to everyone; omit apiAccessCidrs for the AWS default or list the ranges that deploy and read this cluster',
      'env.yaml:10: clusters[0].eks.apiAccessCidrs[1]: "10.0.0.1/8" has host bits set (the network address is 10.0.0.0/8)',
      'env.yaml:11: clusters[0].eks.managedDatastore: needs spire.datastore: postgres (it is sqlite); the managed datastore is RDS for PostgreSQL',
    ]);
  });

  it('rejects eks settings on a GKE cluster and unknown eks keys', () => {
    expect(problemsOf(one('    cidr: 10.1.0.0/16', `  - name: g1
    provider: gke
    region: us-central1
    trustDomain: g1.example.org
    cidr: 10.2.0.0/16
    eks: { accessEntries: true }`))).toEqual(['env.yaml:13: clusters[1].eks: applies only to provider eks; g1 is gke']);
    expect(problemsOf(one('    cidr: 10.1.0.0/16\n    eks: { zones: 2 }'))).toEqual([
      'env.yaml:8: clusters[0].eks.zones: unknown key (allowed here: availabilityZones, natGateways, apiAccessCidrs, accessEntries, managedDatastore)',
    ]);
  });

  it('rejects spire.managedDatastore (the gke switch) on an eks cluster, naming the eks key', () => {
    expect(problemsOf(one('    cidr: 10.1.0.0/16\n    spire: { datastore: postgres, managedDatastore: true }'))).toEqual([
      'env.yaml:8: clusters[0].spire.managedDatastore: true is for gke clusters (Cloud SQL); c1 is eks, whose managed datastore (RDS for PostgreSQL) is eks.managedDatastore: {}',
    ]);
  });

  it('tells a topology written with eks.kms where the key moved', () => {
    expect(problemsOf(one('    cidr: 10.1.0.0/16\n    eks: { kms: true }'))).toEqual([
      'env.yaml:8: clusters[0].eks.kms: moved: use spire.keyManager: kms (one key for both clouds: Cloud KMS on gke, AWS KMS on eks)',
    ]);
  });
});
