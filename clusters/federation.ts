/**
 * The federation graph resolved to what each SPIRE server needs: per peer trust domain, the bundle
 * endpoint URL (when its address is known) and the root certificate (when supplied). Pure.
 */
import { hostPort } from './host';
import { federatedTrustDomains, findCluster, rootClusters, type ClusterSpec, type Topology } from './model';

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
  const roots = rootClusters(topology);
  return federatedTrustDomains(topology, clusterName).map((td) => {
    const root = roots.find((r) => r.trustDomain === td)!;
    return {
      trustDomain: td,
      rootCluster: root.name,
      rootIndex: topology.clusters.indexOf(root),
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
