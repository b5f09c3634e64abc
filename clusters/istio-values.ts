/**
 * What one cluster's Istio installation takes from the rest of the topology, resolved to plain values:
 * its mesh and network, its federated peers and their roots, who reaches its east-west gateway, and the
 * topology's Istio choices. The Istio model (constructs/istio/model.ts) is built from these alone, so it
 * never reads the topology or computes a relation between clusters itself.
 */
import { eastWestExposure, type LoadBalancerExposure } from './exposure';
import { federationPeers, trustRelations, type TrustRelations } from './federation';
import { eastWestServiceAnnotations, findCluster, type Provider, type Topology } from './model';

export interface IstioClusterValues {
  /** Topology name of the cluster; istiod's cluster ID. */
  readonly clusterName: string;
  readonly provider: Provider;
  /** Kubernetes version of the cluster ("1.33"), which decides native sidecars unless `nativeSidecars` is set. */
  readonly kubernetesVersion: string;
  readonly meshId: string;
  readonly network: string;
  readonly trustDomain: string;
  /** Trust domains the cluster's trust domain federates with (the topology's `federation:`), sorted. */
  readonly peerTrustDomains: readonly string[];
  /** Root certificate PEM of each peer trust domain whose root cluster supplies one (rootCa.certificateFile). */
  readonly peerRootPems: Readonly<Record<string, string>>;
  /** Who dials the east-west gateway (the clusters that discover this one's endpoints), internal or not. */
  readonly eastWestExposure: LoadBalancerExposure;
  /** The east-west gateway Service's annotations (eastWestServiceAnnotations), over meshfed's own. */
  readonly eastWestAnnotations?: Readonly<Record<string, string>>;
  /** How istiod accepts the peers' identities (topology `istio.trustDomainAcceptance`). */
  readonly trustDomainAcceptance: 'aliases' | 'caCertificates';
  /** Ingress and east-west gateway replicas (topology `istio.gatewayReplicas`). */
  readonly gatewayReplicas: { readonly min: number; readonly max: number };
  /** The cluster's `istio.nativeSidecars`; undefined: decided by the Kubernetes version. */
  readonly nativeSidecars?: boolean;
}

/** @param relations trustRelations(topology), when the caller has it already. */
export function istioClusterValues(topology: Topology, clusterName: string, relations: TrustRelations = trustRelations(topology)): IstioClusterValues {
  const cluster = findCluster(topology, clusterName);
  const peers = federationPeers(topology, clusterName);
  const eastWestAnnotations = eastWestServiceAnnotations(cluster);
  return {
    clusterName: cluster.name,
    provider: cluster.provider,
    kubernetesVersion: cluster.kubernetesVersion,
    meshId: topology.meshId,
    network: cluster.network,
    trustDomain: cluster.trustDomain,
    peerTrustDomains: peers.map((p) => p.trustDomain),
    peerRootPems: Object.fromEntries(peers.filter((p) => p.rootPem !== undefined).map((p) => [p.trustDomain, p.rootPem!])),
    eastWestExposure: eastWestExposure(cluster, relations),
    ...(Object.keys(eastWestAnnotations).length > 0 ? { eastWestAnnotations: { ...eastWestAnnotations } } : {}),
    trustDomainAcceptance: topology.istio.trustDomainAcceptance,
    gatewayReplicas: topology.istio.gatewayReplicas,
    ...(cluster.istio.nativeSidecars !== undefined ? { nativeSidecars: cluster.istio.nativeSidecars } : {}),
  };
}
