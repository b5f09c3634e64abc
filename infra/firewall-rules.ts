/**
 * The ingress rules the mesh needs on each cluster's nodes, as one pure function of the topology and the
 * clusters' ranges: exactly as open as the mesh needs, never from 0.0.0.0/0. Cloud components turn each
 * rule into their firewall's resource (GCP firewall rule, AWS security group rule); the rule set itself
 * is provider-agnostic.
 */
import { federatedTrustDomains, findCluster, nestedChildren, type ClusterSpec, type Topology } from '../clusters/model';
import { BUNDLE_ENDPOINT_PORT } from '../constructs/spire/federation';
import { EASTWEST_TLS_PORT, GATEWAY_STATUS_PORT } from '../constructs/istio/model';
import { CONTROLLER_MANAGER_WEBHOOK_PORT, SERVER_API_PORT } from '../constructs/core/names';
import type { ClusterRanges } from './address-ranges';

/**
 * istiod's injection/validation webhook port: the istiod Service's 443 targets 15017
 * (istio/istio manifests/charts/istio-control/istio-discovery/templates/service.yaml, 1.30).
 */
export const ISTIOD_WEBHOOK_PORT = 15017;
/**
 * cert-manager's webhook securePort: 10250 by default in the chart (cert-manager/cert-manager
 * deploy/charts/cert-manager/values.yaml `webhook.securePort`, v1.16; chosen upstream because GKE private
 * clusters already allow the control plane to reach nodes on 443 and 10250).
 */
export const CERT_MANAGER_WEBHOOK_PORT = 10250;
/**
 * Google's load balancer health checkers (and the passthrough load balancers' probe sources): documented
 * by Google Cloud for health checks (cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges).
 */
export const GOOGLE_HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'] as const;

export type RulePurpose = 'eastwest' | 'bundle-endpoint' | 'nested-server' | 'webhooks';

export interface FirewallRule {
  /** `<cluster>-<purpose>`: unique within the environment. */
  readonly name: string;
  /** The cluster whose nodes the rule opens. */
  readonly target: string;
  readonly purpose: RulePurpose;
  /** TCP ports, sorted. */
  readonly ports: readonly number[];
  /** Source CIDRs, sorted, without duplicates (a rule with neither these nor peerEgress is not emitted). */
  readonly sources: readonly string[];
  /**
   * Peers in another cloud (sorted names) whose traffic arrives from their NAT egress addresses, not from
   * their private ranges (no peering across clouds): the cloud component adds those addresses (Outputs of
   * the stack's reserved NAT addresses) as sources.
   */
  readonly peerEgress: readonly string[];
  readonly description: string;
}

/** Where traffic of a cluster comes from when it crosses to a peer: its nodes and (VPC-native) pods. */
function egressRanges(ranges: ClusterRanges): string[] {
  return [ranges.nodes, ranges.pods];
}

const uniqueSorted = <T extends string | number>(values: readonly T[]): T[] =>
  [...new Set(values)].sort((a, b) => (typeof a === 'number' ? (a as number) - (b as number) : String(a).localeCompare(String(b))));

/**
 * The rules, sorted by target then purpose:
 * - eastwest: 15443 (mTLS passthrough) and 15021 (gateway status) from every other cluster of the mesh and
 *   Google's health-check ranges;
 * - bundle-endpoint (roots with federation peers): the bundle endpoint port from every cluster of the peer
 *   trust domains (nested clusters of a peer run servers that fetch the bundle too);
 * - nested-server (parents): the SPIRE server API port from the nested children;
 * - webhooks: istiod 15017, cert-manager 10250 and (with spire-controller-manager) 9443 from the cluster's
 *   own control plane range.
 */
export function firewallRules(topology: Topology, ranges: readonly ClusterRanges[]): FirewallRule[] {
  const rangesOf = (cluster: string): ClusterRanges => {
    const r = ranges.find((x) => x.cluster === cluster);
    if (!r) throw new Error(`internal: no address ranges for cluster ${cluster}`);
    return r;
  };
  const rules: FirewallRule[] = [];
  const add = (rule: Omit<FirewallRule, 'name' | 'ports' | 'sources' | 'peerEgress'> & { ports: number[]; peers: readonly ClusterSpec[]; extra?: readonly string[] }): void => {
    const target = findCluster(topology, rule.target);
    // Same cloud: the peer's private ranges (peered or one network); another cloud: its NAT egress.
    const sameCloud = rule.peers.filter((p) => p.provider === target.provider);
    const sources = [...sameCloud.flatMap((p) => egressRanges(rangesOf(p.name))), ...(rule.extra ?? [])];
    const peerEgress = uniqueSorted(rule.peers.filter((p) => p.provider !== target.provider).map((p) => p.name));
    if (sources.length === 0 && peerEgress.length === 0) return;
    const { peers: _peers, extra: _extra, ...rest } = rule;
    rules.push({ ...rest, name: `${rule.target}-${rule.purpose}`, ports: uniqueSorted(rule.ports), sources: uniqueSorted(sources), peerEgress });
  };

  for (const cluster of topology.clusters) {
    const others = topology.clusters.filter((c) => c.name !== cluster.name);
    if (others.length > 0) {
      add({
        target: cluster.name,
        purpose: 'eastwest',
        ports: [EASTWEST_TLS_PORT, GATEWAY_STATUS_PORT],
        peers: others,
        // Google's health checkers probe GKE's passthrough load balancers; AWS NLBs probe from inside the VPC.
        extra: cluster.provider === 'gke' ? GOOGLE_HEALTH_CHECK_RANGES : [],
        description: `Istio east-west gateway of ${cluster.name} from the other clusters of mesh ${topology.meshId}${cluster.provider === 'gke' ? ' and Google health checks' : ''}`,
      });
    }
    if (cluster.nestedUnder === undefined) {
      const peerDomains = new Set(federatedTrustDomains(topology, cluster.name));
      const peerClusters = topology.clusters.filter((c) => peerDomains.has(c.trustDomain));
      const port = cluster.bundleEndpoint?.port ?? BUNDLE_ENDPOINT_PORT;
      add({
        target: cluster.name,
        purpose: 'bundle-endpoint',
        // The Service port (load balancer traffic) and the pod port (direct pod traffic) when they differ.
        ports: [port, BUNDLE_ENDPOINT_PORT],
        peers: peerClusters,
        description: `SPIRE bundle endpoint of ${cluster.trustDomain} from the clusters of its federated trust domains`,
      });
    }
    const children = nestedChildren(topology, cluster.name);
    add({
      target: cluster.name,
      purpose: 'nested-server',
      ports: [cluster.serverEndpoint?.port ?? SERVER_API_PORT, SERVER_API_PORT],
      peers: children,
      description: `SPIRE server API of ${cluster.name} from its nested clusters' upstream agents and servers`,
    });
    add({
      target: cluster.name,
      purpose: 'webhooks',
      ports: [ISTIOD_WEBHOOK_PORT, CERT_MANAGER_WEBHOOK_PORT, ...(cluster.registrar.kind === 'controller-manager' ? [CONTROLLER_MANAGER_WEBHOOK_PORT] : [])],
      peers: [],
      extra: [rangesOf(cluster.name).controlPlane],
      description: `Admission webhooks (istiod, cert-manager, spire-controller-manager) on ${cluster.name}'s nodes from its control plane`,
    });
  }
  return rules.sort((a, b) => a.target.localeCompare(b.target) || a.purpose.localeCompare(b.purpose));
}
