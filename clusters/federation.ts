/**
 * The federation graph resolved to what each SPIRE server needs: per peer trust domain, the bundle
 * endpoint URL (when its address is known) and the root certificate (when supplied). Pure.
 */
import { hostPort } from './host';
import { federatedTrustDomains, findCluster, memoizedPerTopology, rootClusters, topologyIndex, type ClusterSpec, type Topology } from './model';

export const SPIRE_SERVER_PATH = '/spire/server';

export interface FederationPeer {
  readonly trustDomain: string;
  /** The root cluster of the peer trust domain (the one that exposes its bundle endpoint). */
  readonly rootCluster: string;
  /** Index of the root cluster in the topology file, for messages that name the missing key. */
  readonly rootIndex: number;
  /** `https://<address>:<port>`; undefined until the peer's bundleEndpoint.address is known. */
  readonly bundleEndpointUrl?: string;
  /** SPIFFE ID the peer's bundle endpoint presents (https_spiffe profile). */
  readonly endpointSpiffeId: string;
  /** PEM root certificate(s) of the peer, when supplied through rootCa.certificateFile. */
  readonly rootPem?: string;
}

/** The peers of `clusterName`'s trust domain, sorted by trust domain. Nested clusters get their root's peers. */
export function federationPeers(topology: Topology, clusterName: string): FederationPeer[] {
  const index = topologyIndex(topology);
  return federatedTrustDomains(topology, clusterName).map((td) => {
    const root = index.rootByTrustDomain.get(td)!;
    return {
      trustDomain: td,
      rootCluster: root.name,
      rootIndex: index.positions.get(root.name)!,
      ...(root.bundleEndpoint?.address !== undefined
        ? { bundleEndpointUrl: `https://${hostPort(root.bundleEndpoint.address, root.bundleEndpoint.port)}` }
        : {}),
      endpointSpiffeId: `spiffe://${td}${SPIRE_SERVER_PATH}`,
      ...(root.rootCa !== undefined ? { rootPem: root.rootCa.certificatePem } : {}),
    };
  });
}

/** Whether this root cluster's server must expose a bundle endpoint (it has at least one peer). */
export function exposesBundleEndpoint(topology: Topology, cluster: ClusterSpec): boolean {
  return cluster.nestedUnder === undefined && federatedTrustDomains(topology, cluster.name).length > 0;
}

/** The root a nested cluster's upstream agent and server dial. */
export function upstreamServerOf(topology: Topology, cluster: ClusterSpec): ClusterSpec | undefined {
  return cluster.nestedUnder === undefined ? undefined : findCluster(topology, cluster.nestedUnder);
}

/** An ordered pair (cluster, peer): cluster's istiod discovers peer's endpoints through a remote secret. */
export interface DiscoveryPair {
  /** The cluster whose istiod gets the remote secret. */
  readonly cluster: string;
  /** The cluster whose endpoints it discovers. */
  readonly peer: string;
}

/**
 * Trust as synth actually renders it, not as the topology's `federation:` key wishes it: a cluster's
 * workloads federate with a peer trust domain only when the peer's bundle endpoint address and root
 * certificate are both known (trust-charts.ts renders the relationship and federatesWith only then).
 * Computed once per topology (trustRelations) and shared by synth, the RUNBOOK and the Pulumi stack.
 */
export interface TrustRelations {
  /** Peer trust domains the cluster's workloads federate with (rendered), sorted. */
  federatesWith(clusterName: string): readonly string[];
  /** Whether workloads of the two clusters can verify each other's certificates, in both directions. */
  authenticates(a: string, b: string): boolean;
  /** Ordered pairs, in topology order, of clusters that authenticate each other. */
  readonly discoveryPairs: readonly DiscoveryPair[];
  /** Clusters that discover `peer` (their istiods route to its east-west gateway), in topology order. */
  discoverersOf(peer: string): readonly ClusterSpec[];
  /** Clusters whose endpoints `cluster` discovers (its remote secrets), in topology order. */
  discoveredBy(cluster: string): readonly ClusterSpec[];
}

/** Whether a federation peer's trust is rendered: its bundle endpoint URL and bootstrap root are known. */
export function isRenderedPeer(peer: FederationPeer): boolean {
  return peer.bundleEndpointUrl !== undefined && peer.rootPem !== undefined;
}

/** Builds a topology's trust relations; an object so a test can count builds (jest.spyOn(trustRelationsBuilder, 'build')). */
export const trustRelationsBuilder = { build: buildTrustRelations };

/** The rendered trust relations of a topology: built once per topology object (see buildTrustRelations), then reused. */
export const trustRelations: (topology: Topology) => TrustRelations = memoizedPerTopology((t) => trustRelationsBuilder.build(t));

/**
 * Ordered pairs (cluster, peer) whose workloads authenticate each other as rendered: same trust domain
 * (nested clusters share their root's) or a federation whose bundle endpoint and root are both known
 * (trustRelations). A pair the topology federates but synth cannot render yet gets no remote secret, so
 * no istiod routes to endpoints whose certificates its proxies cannot verify. In topology order.
 */
export function discoveryPairs(topology: Topology, relations: TrustRelations = trustRelations(topology)): readonly DiscoveryPair[] {
  return relations.discoveryPairs;
}

/** The rendered trust relations of a topology, computed in one pass (one federationPeers call per root cluster). */
function buildTrustRelations(topology: Topology): TrustRelations {
  const byName = new Map(topology.clusters.map((c) => [c.name, c]));
  // Federation is per trust domain, and a nested cluster has its root's peers: compute per root only.
  const renderedByRoot = new Map<string, ReadonlySet<string>>();
  for (const root of rootClusters(topology)) {
    renderedByRoot.set(root.name, new Set(federationPeers(topology, root.name).filter(isRenderedPeer).map((p) => p.trustDomain)));
  }
  const cluster = (name: string): ClusterSpec => {
    const c = byName.get(name);
    if (!c) throw new Error(`internal: no cluster named ${name} in environment ${topology.environment}`);
    return c;
  };
  const rendered = (c: ClusterSpec): ReadonlySet<string> => renderedByRoot.get(c.root)!;
  const mutual = (a: ClusterSpec, b: ClusterSpec): boolean =>
    a.trustDomain === b.trustDomain || (rendered(a).has(b.trustDomain) && rendered(b).has(a.trustDomain));
  const pairs: DiscoveryPair[] = [];
  const discoverers = new Map<string, ClusterSpec[]>(topology.clusters.map((c) => [c.name, []]));
  const discovered = new Map<string, ClusterSpec[]>(topology.clusters.map((c) => [c.name, []]));
  for (const a of topology.clusters) {
    for (const b of topology.clusters) {
      if (a.name !== b.name && mutual(a, b)) {
        pairs.push({ cluster: a.name, peer: b.name });
        discoverers.get(b.name)!.push(a);
        discovered.get(a.name)!.push(b);
      }
    }
  }
  return {
    federatesWith: (name) => [...rendered(cluster(name))].sort(),
    authenticates: (a, b) => mutual(cluster(a), cluster(b)),
    discoveryPairs: pairs,
    discoverersOf: (peer) => discoverers.get(cluster(peer).name)!,
    discoveredBy: (name) => discovered.get(cluster(name).name)!,
  };
}
