/**
 * Istio rules that need the resolved federation graph (which trust domains each cluster federates with),
 * so they run on the resolved topology.
 */
import { federationPeers } from './federation';
import type { Topology } from './model';
import type { Problem } from './problems';

export function resolvedIstioProblems(topology: Topology): Problem[] {
  if (topology.istio.trustDomainAcceptance !== 'caCertificates') return [];
  // Each peer's roots go into meshConfig.caCertificates as PEM: its https_spiffe bundle endpoint presents an
  // SVID, not a web-PKI certificate, so istiod could not fetch it as a spiffeBundleUrl.
  const missing = new Map<number, { cluster: string; trustDomain: string }>();
  for (const c of topology.clusters) {
    for (const peer of federationPeers(topology, c.name)) {
      if (peer.rootPem === undefined) missing.set(peer.rootIndex, { cluster: peer.rootCluster, trustDomain: peer.trustDomain });
    }
  }
  return [...missing].sort(([a], [b]) => a - b).map(([index, peer]) => ({
    path: ['clusters', index, 'rootCa', 'certificateFile'],
    message: `is required by istio.trustDomainAcceptance "caCertificates": ${peer.cluster} roots the federated trust domain ${peer.trustDomain}, and its peers' istiod can only scope its roots to it from the PEM`,
  }));
}
