/** Cross-field rules of a topology that the structural schema cannot express. */
import { cidrsOverlap, formatCidr, parseCidr, type Ipv4Cidr } from './cidr';
import { formatPath, formatValue, type Problem } from './problems';
import { durationSeconds, resolveCaTtl } from './ca-ttl';
import { registrarDeployment } from './model';
import type { ClusterParsed, TopologyParsed } from './schema';
import { HOST_RULE, hostProblem } from './host';
import { TRUST_DOMAIN_RULE, trustDomainProblem } from './trust-domain';
import { eksProblems } from './eks-rules';
import { cloudNameProblems } from './cloud-names';

export function topologyProblems(t: TopologyParsed): Problem[] {
  return [
    ...uniqueNames(t.clusters),
    ...nesting(t.clusters),
    ...trustDomains(t.clusters),
    ...cidrs(t.clusters),
    ...extraRanges(t.clusters),
    ...cloudSettings(t.clusters),
    ...federationPairs(t),
    ...t.clusters.flatMap(spireAndRegistrar),
    ...rootOnlyKeys(t.clusters),
    ...istioSettings(t),
    ...nestedCaTtls(t.clusters),
    ...eksProblems(t),
    ...cloudNameProblems(t),
  ];
}

/** A nested server's CA is signed by its parent's and cannot outlive it (clusters/ca-ttl.ts). */
function nestedCaTtls(clusters: readonly ClusterParsed[]): Problem[] {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const problems: Problem[] = [];
  clusters.forEach((c, i) => {
    const parent = c.nestedUnder === undefined ? undefined : byName.get(c.nestedUnder);
    if (parent === undefined || c.spire.caTtl === undefined) return;
    const parentTtl = resolveCaTtl(parent, byName);
    if (durationSeconds(c.spire.caTtl) >= durationSeconds(parentTtl)) {
      problems.push({
        path: at(i, 'spire', 'caTtl'),
        message: `${formatValue(c.spire.caTtl)} must be shorter than the caTtl of ${parent.name} (${parentTtl}): a nested server's CA is signed by its parent's and never outlives it (leave it unset for half the parent's)`,
      });
    }
  });
  return problems;
}

/** Istio keys whose validity depends on other fields. */
function istioSettings(t: TopologyParsed): Problem[] {
  const problems: Problem[] = [];
  const { min, max } = t.istio.gatewayReplicas;
  if (max < min) {
    problems.push({ path: ['istio', 'gatewayReplicas', 'max'], message: `${max} is less than min ${min}; the gateways' autoscaler needs min <= max` });
  }
  t.clusters.forEach((c, i) => {
    problems.push(...sourceRangeProblems(c.istio.eastWestGateway?.loadBalancerSourceRanges, at(i, 'istio', 'eastWestGateway', 'loadBalancerSourceRanges')));
    problems.push(...sourceRangeProblems(c.bundleEndpoint?.loadBalancerSourceRanges, at(i, 'bundleEndpoint', 'loadBalancerSourceRanges')));
    problems.push(...sourceRangeProblems(c.serverEndpoint?.loadBalancerSourceRanges, at(i, 'serverEndpoint', 'loadBalancerSourceRanges')));
    const ewAddress = c.istio.eastWestGateway?.address;
    if (ewAddress !== undefined && typeof parseCidr(`${ewAddress}/32`) === 'string') {
      problems.push({ path: at(i, 'istio', 'eastWestGateway', 'address'), message: `${formatValue(ewAddress)} must be an IPv4 address (it is pinned as the Service's loadBalancerIP)` });
    }
    const minor = Number(c.kubernetesVersion.split('.')[1]);
    if (c.istio.nativeSidecars === true && minor < 29) {
      problems.push({
        path: at(i, 'istio', 'nativeSidecars'),
        message: `true needs Kubernetes 1.29 or later (sidecar containers); ${c.name} runs ${c.kubernetesVersion}`,
      });
    }
  });
  return problems;
}

/** Each range must be a valid IPv4 network (octets, prefix, no host bits), as the cloud firewall takes it. */
function sourceRangeProblems(ranges: readonly string[] | undefined, path: Problem['path']): Problem[] {
  return (ranges ?? []).flatMap((r, j) => {
    const result = parseCidr(r);
    return typeof result === 'string' ? [{ path: [...path, j], message: `${formatValue(r)} ${result}` }] : [];
  });
}

/** rootCa and bundleEndpoint describe a trust domain's root; serverEndpoint a server that has nested children. */
function rootOnlyKeys(clusters: readonly ClusterParsed[]): Problem[] {
  const problems: Problem[] = [];
  clusters.forEach((c, i) => {
    for (const key of ['rootCa', 'bundleEndpoint'] as const) {
      if (c[key] !== undefined && c.nestedUnder !== undefined) {
        problems.push({
          path: at(i, key),
          message: `applies only to root clusters; ${c.name} is nested under ${c.nestedUnder}, set it there`,
        });
      }
    }
    if (c.serverEndpoint !== undefined && !clusters.some((x) => x.nestedUnder === c.name)) {
      problems.push({ path: at(i, 'serverEndpoint'), message: `is only used by nested clusters and no cluster is nestedUnder ${c.name}` });
    }
    for (const key of ['bundleEndpoint', 'serverEndpoint'] as const) {
      const address = c[key]?.address;
      if (address === undefined) continue;
      const reason = hostProblem(address);
      if (reason !== undefined) {
        problems.push({ path: at(i, key, 'address'), message: `${formatValue(address)} ${reason} (${HOST_RULE})` });
      }
    }
  });
  return problems;
}

const at = (i: number, ...rest: (string | number)[]) => ['clusters', i, ...rest];
const label = (c: ClusterParsed, i: number) => `${formatPath(at(i))} (${c.name})`;

function uniqueNames(clusters: readonly ClusterParsed[]): Problem[] {
  const problems: Problem[] = [];
  clusters.forEach((c, i) => {
    const first = clusters.findIndex((other) => other.name === c.name);
    if (first < i) {
      problems.push({
        path: at(i, 'name'),
        message: `${formatValue(c.name)} is already the name of ${formatPath(at(first))}; cluster names must be unique`,
      });
    }
  });
  return problems;
}

function nesting(clusters: readonly ClusterParsed[]): Problem[] {
  const names = clusters.map((c) => c.name);
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const problems: Problem[] = [];
  clusters.forEach((c, i) => {
    if (c.nestedUnder === undefined) return;
    if (!byName.has(c.nestedUnder)) {
      problems.push({
        path: at(i, 'nestedUnder'),
        message: `${formatValue(c.nestedUnder)} is not a cluster of this file (clusters: ${names.join(', ')})`,
      });
      return;
    }
    const chain = [c.name];
    let current: ClusterParsed | undefined = byName.get(c.nestedUnder);
    while (current) {
      chain.push(current.name);
      if (current.name === c.name) {
        problems.push({
          path: at(i, 'nestedUnder'),
          message: `${formatValue(c.nestedUnder)} forms a nesting cycle (${chain.join(' -> ')}); a chain of nestedUnder must end at a cluster with its own trustDomain`,
        });
        return;
      }
      if (chain.length > clusters.length + 1) return; // another cluster's cycle; reported there
      current = current.nestedUnder === undefined ? undefined : byName.get(current.nestedUnder);
    }
  });
  return problems;
}

/** The root of a cluster's nesting chain, or undefined when the chain is broken (reported by nesting()). */
function rootOf(c: ClusterParsed, clusters: readonly ClusterParsed[]): ClusterParsed | undefined {
  const byName = new Map(clusters.map((x) => [x.name, x]));
  const seen = new Set<string>();
  let current: ClusterParsed | undefined = c;
  while (current && current.nestedUnder !== undefined) {
    if (seen.has(current.name)) return undefined;
    seen.add(current.name);
    current = byName.get(current.nestedUnder);
  }
  return current;
}

function trustDomains(clusters: readonly ClusterParsed[]): Problem[] {
  const problems: Problem[] = [];
  const ownerOf = new Map<string, number>();
  clusters.forEach((c, i) => {
    const td = c.trustDomain;
    if (td === undefined) {
      if (c.nestedUnder === undefined) {
        problems.push({ path: at(i, 'trustDomain'), message: 'is required unless nestedUnder is set' });
      }
      return;
    }
    const reason = trustDomainProblem(td);
    if (reason !== undefined) {
      problems.push({
        path: at(i, 'trustDomain'),
        message: `${formatValue(td)} is not a valid SPIFFE trust domain: it ${reason} (${TRUST_DOMAIN_RULE})`,
      });
      return;
    }
    if (c.nestedUnder !== undefined) {
      const root = rootOf(c, clusters);
      if (root?.trustDomain !== undefined && root.trustDomain !== td) {
        problems.push({
          path: at(i, 'trustDomain'),
          message: `${formatValue(td)} differs from ${formatValue(root.trustDomain)} of its nesting root ${root.name}; a nested cluster joins its root's trust domain, so omit trustDomain or repeat the root's`,
        });
      }
      return;
    }
    const owner = ownerOf.get(td);
    if (owner !== undefined) {
      problems.push({
        path: at(i, 'trustDomain'),
        message: `${formatValue(td)} is already the trust domain of ${label(clusters[owner], owner)}; clusters share a trust domain only through nestedUnder (nested SPIRE), otherwise each needs its own`,
      });
    } else {
      ownerOf.set(td, i);
    }
  });
  return problems;
}

function cidrs(clusters: readonly ClusterParsed[]): Problem[] {
  const problems: Problem[] = [];
  const parsed: { index: number; cidr: Ipv4Cidr }[] = [];
  clusters.forEach((c, i) => {
    const result = parseCidr(c.cidr);
    if (typeof result === 'string') {
      problems.push({ path: at(i, 'cidr'), message: `${formatValue(c.cidr)} ${result}` });
      return;
    }
    if (result.prefixLength > 24 || result.prefixLength < 8) {
      problems.push({
        path: at(i, 'cidr'),
        message: `${formatValue(c.cidr)} must have a prefix length from /8 to /24 (the range holds the cluster's node, pod and service subnets)`,
      });
      return;
    }
    const clash = parsed.find((p) => cidrsOverlap(p.cidr, result));
    if (clash) {
      problems.push({
        path: at(i, 'cidr'),
        message: `${formatValue(c.cidr)} overlaps ${formatPath(at(clash.index, 'cidr'))} ${formatValue(formatCidr(clash.cidr))} (${clusters[clash.index].name}); cluster ranges must be disjoint so their networks can be peered`,
      });
    }
    parsed.push({ index: i, cidr: result });
  });
  return problems;
}

/**
 * podCidr, serviceCidr and cloud.controlPlaneCidr, where given: valid, and disjoint from every cluster's
 * cidr and from each other (ranges left out are derived disjoint by infra/address-ranges.ts).
 */
function extraRanges(clusters: readonly ClusterParsed[]): Problem[] {
  const problems: Problem[] = [];
  const taken: { path: (string | number)[]; cidr: Ipv4Cidr; text: string }[] = [];
  clusters.forEach((c, i) => {
    const cidr = parseCidr(c.cidr);
    if (typeof cidr !== 'string') taken.push({ path: at(i, 'cidr'), cidr, text: c.cidr });
  });
  const keys = [['podCidr', 8, 21], ['serviceCidr', 8, 27], ['cloud.controlPlaneCidr', 28, 28]] as const;
  clusters.forEach((c, i) => {
    for (const [key, min, max] of keys) {
      const text = key === 'cloud.controlPlaneCidr' ? c.cloud.controlPlaneCidr : c[key];
      if (text === undefined) continue;
      const path = key === 'cloud.controlPlaneCidr' ? at(i, 'cloud', 'controlPlaneCidr') : at(i, key);
      const result = parseCidr(text);
      if (typeof result === 'string') {
        problems.push({ path, message: `${formatValue(text)} ${result}` });
        continue;
      }
      if (result.prefixLength < min || result.prefixLength > max) {
        problems.push({ path, message: `${formatValue(text)} must have a prefix length ${min === max ? `of /${min}` : `from /${min} to /${max}`}` });
        continue;
      }
      const clash = taken.find((x) => cidrsOverlap(x.cidr, result));
      if (clash) {
        problems.push({ path, message: `${formatValue(text)} overlaps ${formatPath(clash.path)} ${formatValue(clash.text)}; pod, service and control plane ranges must be disjoint from every cluster's ranges` });
        continue;
      }
      taken.push({ path, cidr: result, text });
    }
  });
  return problems;
}

/** A zonal cluster's zone lies in its region. */
function cloudSettings(clusters: readonly ClusterParsed[]): Problem[] {
  const problems: Problem[] = [];
  clusters.forEach((c, i) => {
    const zone = c.cloud.zone;
    if (zone !== undefined && !zone.startsWith(`${c.region}-`)) {
      problems.push({ path: at(i, 'cloud', 'zone'), message: `${formatValue(zone)} is not a zone of region ${c.region}` });
    }
  });
  return problems;
}

function federationPairs(t: TopologyParsed): Problem[] {
  if (!Array.isArray(t.federation)) return [];
  const byName = new Map(t.clusters.map((c) => [c.name, c]));
  const names = t.clusters.map((c) => c.name).join(', ');
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  t.federation.forEach((pair, p) => {
    let valid = true;
    pair.forEach((name, side) => {
      const cluster = byName.get(name);
      if (!cluster) {
        problems.push({
          path: ['federation', p, side],
          message: `${formatValue(name)} is not a cluster of this file (clusters: ${names})`,
        });
        valid = false;
      } else if (cluster.nestedUnder !== undefined) {
        const root = rootOf(cluster, t.clusters);
        problems.push({
          path: ['federation', p, side],
          message: `${formatValue(name)} is nested under ${cluster.nestedUnder}; federation pairs name root clusters (use ${formatValue(root?.name ?? cluster.nestedUnder)}: its trust domain covers its nested clusters)`,
        });
        valid = false;
      }
    });
    if (!valid) return;
    const [a, b] = pair;
    if (a === b) {
      problems.push({ path: ['federation', p], message: `${formatValue(pair)} pairs a cluster with itself` });
      return;
    }
    const key = [a, b].sort().join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ path: ['federation', p], message: `${formatValue(pair)} repeats federation[${first}]` });
    } else {
      seen.set(key, p);
    }
  });
  return problems;
}

function spireAndRegistrar(c: ClusterParsed, i: number): Problem[] {
  const problems: Problem[] = [];
  if (c.spire.replicas > 1 && c.spire.datastore === 'sqlite') {
    problems.push({
      path: at(i, 'spire', 'replicas'),
      message: `${c.spire.replicas} requires spire.datastore postgres or mysql: each sqlite replica would keep its own registrations and CA state`,
    });
  }
  if (c.spire.managedDatastore && c.spire.datastore !== 'postgres') {
    problems.push({ path: at(i, 'spire', 'managedDatastore'), message: `true needs spire.datastore postgres (it is ${c.spire.datastore}); the stack creates PostgreSQL databases only` });
  }
  if (c.registrar.kind === 'controller-manager' && c.registrar.mode !== undefined) {
    problems.push({
      path: at(i, 'registrar', 'mode'),
      message: `${formatValue(c.registrar.mode)} applies only to kind k8s-workload-registrar; remove it or set registrar.kind: k8s-workload-registrar`,
    });
  }
  problems.push(...registrarProblems(c, i));
  if (c.nodePool.minNodes > c.nodePool.maxNodes) {
    problems.push({
      path: at(i, 'nodePool', 'minNodes'),
      message: `${c.nodePool.minNodes} is above nodePool.maxNodes ${c.nodePool.maxNodes}`,
    });
  }
  return problems;
}

const REGISTRAR_ONLY_KEYS = [
  'deployment', 'replicas', 'leaderElection', 'identity', 'podLabel', 'podAnnotation', 'logLevel',
  'insecureSkipClientVerification', 'acknowledgeInsecureSkipClientVerification', 'resources',
] as const;

function registrarProblems(c: ClusterParsed, i: number): Problem[] {
  const r = c.registrar;
  const problems: Problem[] = [];
  const path = (key: string) => at(i, 'registrar', key);
  if (r.kind !== 'k8s-workload-registrar') {
    for (const key of REGISTRAR_ONLY_KEYS) {
      if (r[key] !== undefined) {
        problems.push({ path: path(key), message: `${formatValue(r[key])} applies only to kind k8s-workload-registrar; remove it or set registrar.kind: k8s-workload-registrar` });
      }
    }
    return problems;
  }
  const mode = r.mode ?? 'reconcile';
  if (r.replicas !== undefined && registrarDeployment(r) === 'sidecar') {
    problems.push({ path: path('replicas'), message: `${r.replicas} applies only to registrar.deployment: standalone; a sidecar runs once per SPIRE server replica (spire.replicas)` });
  }
  const running = registrarDeployment(r) === 'standalone' ? r.replicas ?? 1 : c.spire.replicas;
  if (mode !== 'webhook' && running > 1 && r.leaderElection === false) {
    problems.push({ path: path('leaderElection'), message: `false is not allowed with ${running} registrar replicas in mode ${mode}: without leader election they fight over the same entries` });
  }
  if (mode === 'webhook' && r.leaderElection !== undefined) {
    problems.push({ path: path('leaderElection'), message: `${formatValue(r.leaderElection)} applies only to modes reconcile and crd (webhook mode has no leader election)` });
  }
  const identity = r.identity ?? 'service-account';
  if (r.podLabel !== undefined && identity !== 'pod-label') {
    problems.push({ path: path('podLabel'), message: `${formatValue(r.podLabel)} applies only to registrar.identity: pod-label (identity is ${identity})` });
  }
  if (r.podAnnotation !== undefined && identity !== 'pod-annotation') {
    problems.push({ path: path('podAnnotation'), message: `${formatValue(r.podAnnotation)} applies only to registrar.identity: pod-annotation (identity is ${identity})` });
  }
  if (r.insecureSkipClientVerification !== undefined && mode !== 'webhook') {
    problems.push({ path: path('insecureSkipClientVerification'), message: `${formatValue(r.insecureSkipClientVerification)} applies only to mode webhook (mode is ${mode})` });
  }
  if (mode === 'webhook' && r.deployment === 'sidecar') {
    problems.push({ path: path('deployment'), message: '"sidecar" is not allowed in mode webhook: a webhook registrar that cannot verify its callers exits, and as a sidecar it would take the SPIRE server pod\'s readiness with it; use deployment: standalone (the default in webhook mode)' });
  }
  if (mode === 'webhook' && r.insecureSkipClientVerification !== true) {
    problems.push({
      path: path('mode'),
      message: `"webhook" cannot work on ${c.provider}: the registrar verifies the API server's admission client certificate, which a managed control plane cannot be configured to present; use mode reconcile or crd (or, accepting unauthenticated callers, insecureSkipClientVerification: true with acknowledgeInsecureSkipClientVerification: true)`,
    });
  }
  if (r.insecureSkipClientVerification === true && r.acknowledgeInsecureSkipClientVerification !== true) {
    problems.push({ path: path('insecureSkipClientVerification'), message: 'true lets anyone who can reach the webhook create and delete registration entries; also set acknowledgeInsecureSkipClientVerification: true to accept that' });
  }
  return problems;
}
