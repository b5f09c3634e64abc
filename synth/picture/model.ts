/**
 * What the topology picture shows, as plain data computed once from the resolved topology: clusters
 * grouped by cloud and region, and the cross-cluster edges (federation, nesting, east-west) with their
 * labels. Both renderings (SVG and Mermaid) read only this, so they cannot disagree.
 */
import { federationPeers, trustRelations, upstreamServerOf, type FederationPeer } from '../../clusters/federation';
import { hostPort } from '../../clusters/host';
import { federatedTrustDomains, rootClusters, type ClusterSpec, type Provider, type Topology } from '../../clusters/model';
import { BUNDLE_ENDPOINT_PORT } from '../../constructs/spire/federation';
import { EASTWEST_TLS_PORT } from '../../constructs/istio/model';
import { SERVER_API_PORT } from '../../constructs/core/names';

export type PictureEdgeKind = 'federation' | 'nesting' | 'eastwest';

export interface PictureCluster {
  readonly name: string;
  readonly provider: Provider;
  readonly region: string;
  readonly trustDomain: string;
  readonly network: string;
  /** Set for nested clusters: the cluster whose SPIRE server this one's is nested under. */
  readonly nestedUnder?: string;
}

export interface PictureRegion {
  readonly region: string;
  /** In topology file order. */
  readonly clusters: readonly PictureCluster[];
}

export interface PictureCloud {
  readonly provider: Provider;
  readonly title: string;
  /** In order of first appearance in the topology file. */
  readonly regions: readonly PictureRegion[];
}

export interface PictureEdge {
  readonly kind: PictureEdgeKind;
  /** Cluster names (or MESH_HUB). Federation and east-west edges are symmetric: `from` comes first in the file. */
  readonly from: string;
  readonly to: string;
  /** Both directions carry traffic (federation: each side fetches the other's bundle). */
  readonly bidirectional: boolean;
  /** Label lines; none for east-west links (the legend gives their port, labels on every pair would crowd the picture). */
  readonly label: readonly string[];
  /** A value the edge needs is not in the topology (an address or a root CA): drawn dashed. */
  readonly missing: boolean;
}

/** The node east-west links meet at when they are drawn as a star (see eastWest). */
export const MESH_HUB = '#mesh';

export interface PictureHub {
  readonly meshId: string;
  readonly label: readonly string[];
}

export interface PictureModel {
  readonly title: string;
  /** Set when east-west links are drawn as a star: their edges then end at MESH_HUB. */
  readonly hub?: PictureHub;
  readonly clouds: readonly PictureCloud[];
  readonly edges: readonly PictureEdge[];
}

export const CLOUD_TITLES: Readonly<Record<Provider, string>> = {
  gke: 'Google Cloud (GKE)',
  eks: 'AWS (EKS)',
};

export const PORT_LEGEND: Readonly<Record<PictureEdgeKind, string>> = {
  federation: `SPIFFE federation: bundle endpoint, TCP ${BUNDLE_ENDPOINT_PORT}`,
  nesting: `nested SPIRE: parent server API, TCP ${SERVER_API_PORT}`,
  eastwest: `Istio east-west mTLS: gateway, TCP ${EASTWEST_TLS_PORT}`,
};

/** How Mermaid (which has no legend) names an east-west link. */
export const EASTWEST_LINK_TEXT = `east-west mTLS :${EASTWEST_TLS_PORT}`;

export function pictureModel(topology: Topology): PictureModel {
  const eastWestLinks = eastWest(topology);
  return {
    title: `meshfed environment ${topology.environment} (mesh ${topology.meshId})`,
    clouds: groupByCloud(topology.clusters),
    ...(eastWestLinks.hub !== undefined ? { hub: eastWestLinks.hub } : {}),
    edges: [...federationEdges(topology), ...nestingEdges(topology), ...eastWestLinks.edges],
  };
}

function groupByCloud(clusters: readonly ClusterSpec[]): PictureCloud[] {
  const clouds = new Map<Provider, Map<string, PictureCluster[]>>();
  for (const c of clusters) {
    const regions = clouds.get(c.provider) ?? new Map<string, PictureCluster[]>();
    clouds.set(c.provider, regions);
    const inRegion = regions.get(c.region) ?? [];
    regions.set(c.region, inRegion);
    inRegion.push({
      name: c.name, provider: c.provider, region: c.region, trustDomain: c.trustDomain, network: c.network,
      ...(c.nestedUnder !== undefined ? { nestedUnder: c.nestedUnder } : {}),
    });
  }
  return [...clouds].map(([provider, regions]) => ({
    provider,
    title: CLOUD_TITLES[provider],
    regions: [...regions].map(([region, inRegion]) => ({ region, clusters: inRegion })),
  }));
}

/** One edge per federated pair of root clusters; labelled with each side's bundle endpoint. */
function federationEdges(topology: Topology): PictureEdge[] {
  const roots = rootClusters(topology);
  const edges: PictureEdge[] = [];
  roots.forEach((a, i) => {
    const peersOfA = federationPeers(topology, a.name);
    for (const b of roots.slice(i + 1)) {
      const bSeenFromA = peersOfA.find((p) => p.rootCluster === b.name);
      const aSeenFromB = federationPeers(topology, b.name).find((p) => p.rootCluster === a.name);
      if (bSeenFromA === undefined || aSeenFromB === undefined) continue;
      edges.push({
        kind: 'federation',
        from: a.name,
        to: b.name,
        bidirectional: true,
        label: [bundleEndpointLine(aSeenFromB, a), bundleEndpointLine(bSeenFromA, b)],
        missing: [aSeenFromB, bSeenFromA].some((p) => p.bundleEndpointUrl === undefined || p.rootPem === undefined),
      });
    }
  });
  return edges;
}

function bundleEndpointLine(peer: FederationPeer, root: ClusterSpec): string {
  const missing = [
    ...(peer.bundleEndpointUrl === undefined ? ['address'] : []),
    ...(peer.rootPem === undefined ? ['root CA'] : []),
  ];
  const where = peer.bundleEndpointUrl ?? `:${root.bundleEndpoint?.port ?? BUNDLE_ENDPOINT_PORT}`;
  return `${peer.trustDomain} ${where}${missing.length > 0 ? ` (no ${missing.join(', no ')})` : ''}`;
}

/** Parent -> child, labelled with the parent's server API address the child dials. */
function nestingEdges(topology: Topology): PictureEdge[] {
  return topology.clusters.flatMap((child): PictureEdge[] => {
    const parent = upstreamServerOf(topology, child);
    if (parent === undefined) return [];
    const port = parent.serverEndpoint?.port ?? SERVER_API_PORT;
    const address = parent.serverEndpoint?.address;
    return [{
      kind: 'nesting',
      from: parent.name,
      to: child.name,
      bidirectional: false,
      label: [address !== undefined ? `server API ${hostPort(address, port)}` : `server API :${port} (no address)`],
      missing: address === undefined,
    }];
  });
}

/**
 * Clusters on different networks whose workloads are meant to trust each other (same trust domain, or
 * federated by the topology) talk through east-west gateways. A link is dashed while that trust is not
 * rendered yet (a bundle endpoint address or root is missing), since no remote secret or route exists then.
 * When every such cluster reaches every other one on another network (the usual full mesh), the links
 * are drawn as a star through one mesh node (n lines instead of n(n-1)/2); otherwise pair by pair.
 */
function eastWest(topology: Topology): { hub?: PictureHub; edges: PictureEdge[] } {
  const relations = trustRelations(topology);
  const peersOf = new Map(topology.clusters.map((c) => [c.name, new Set(federatedTrustDomains(topology, c.name))]));
  const intended = (a: ClusterSpec, b: ClusterSpec) => a.trustDomain === b.trustDomain || peersOf.get(a.name)!.has(b.trustDomain);
  const pairs = topology.clusters.flatMap((a, i) => topology.clusters.slice(i + 1)
    .filter((b) => a.network !== b.network && intended(a, b))
    .map((b) => ({ cluster: a.name, peer: b.name, missing: !relations.authenticates(a.name, b.name) })));
  const linked = topology.clusters.filter((c) => pairs.some((p) => p.cluster === c.name || p.peer === c.name));
  const possible = linked.flatMap((a, i) => linked.slice(i + 1).filter((b) => a.network !== b.network)).length;
  const edge = (from: string, to: string, missing: boolean): PictureEdge => ({ kind: 'eastwest', from, to, bidirectional: true, label: [], missing });
  if (linked.length > 2 && pairs.length === possible) {
    const missing = (c: ClusterSpec) => pairs.some((p) => p.missing && (p.cluster === c.name || p.peer === c.name));
    return { hub: { meshId: topology.meshId, label: [`Istio mesh ${topology.meshId}`, EASTWEST_LINK_TEXT] }, edges: linked.map((c) => edge(c.name, MESH_HUB, missing(c))) };
  }
  return { edges: pairs.map((p) => edge(p.cluster, p.peer, p.missing)) };
}
