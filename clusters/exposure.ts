/**
 * Who may reach each load balancer a cluster exposes to other clusters (east-west gateway 15443, SPIRE
 * bundle endpoint 8443, a parent's nested SPIRE server API 8081), as a pure function of the topology and
 * the rendered trust relations. Used by synth and the Istio model so both renderings agree.
 */
import type { TrustRelations } from './federation';
import { nestedChildren, topologyIndex, type ClusterSpec, type Topology } from './model';

export interface LoadBalancerExposure {
  /** Clusters that dial this load balancer, in topology order. */
  readonly consumers: readonly string[];
  /** Every consumer shares this cluster's Istio network (private reachability): an internal load balancer. */
  readonly internal: boolean;
  /** Service.spec.loadBalancerSourceRanges; empty means open to every source. */
  readonly sourceRanges: readonly string[];
  /** Where sourceRanges came from: the topology key, the consumers' `cidr`s, or nowhere (open). */
  readonly rangesFrom: 'topology' | 'consumer-cidrs' | 'none';
  /** Address to pin on the Service (loadBalancerIP), when the topology gives an IPv4 literal. */
  readonly pinnedIp?: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function exposure(self: ClusterSpec, consumers: readonly ClusterSpec[], given: { address?: string; loadBalancerSourceRanges?: readonly string[] } | undefined): LoadBalancerExposure {
  const internal = consumers.length > 0 && consumers.every((c) => c.network === self.network);
  const explicit = given?.loadBalancerSourceRanges;
  const sourceRanges = explicit ?? (internal ? [...new Set(consumers.map((c) => c.cidr))].sort() : []);
  return {
    consumers: consumers.map((c) => c.name),
    internal,
    sourceRanges,
    rangesFrom: explicit ? 'topology' : sourceRanges.length > 0 ? 'consumer-cidrs' : 'none',
    ...(given?.address !== undefined && IPV4.test(given.address) ? { pinnedIp: given.address } : {}),
  };
}

/** The east-west gateway: dialled by the clusters that discover this one's endpoints. */
export function eastWestExposure(cluster: ClusterSpec, relations: TrustRelations): LoadBalancerExposure {
  return exposure(cluster, relations.discoverersOf(cluster.name), cluster.istio.eastWestGateway);
}

/** A root's SPIRE bundle endpoint: fetched by the SPIRE servers of every federated trust domain's clusters. */
export function bundleEndpointExposure(topology: Topology, cluster: ClusterSpec): LoadBalancerExposure {
  const consumers = (topologyIndex(topology).federatingWith.get(cluster.trustDomain) ?? []).filter((c) => c.trustDomain !== cluster.trustDomain);
  return exposure(cluster, consumers, cluster.bundleEndpoint);
}

/** A parent's SPIRE server API: dialled by its nested children's upstream agents and servers. */
export function serverEndpointExposure(topology: Topology, cluster: ClusterSpec): LoadBalancerExposure {
  return exposure(cluster, nestedChildren(topology, cluster.name), cluster.serverEndpoint);
}
