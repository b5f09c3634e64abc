/**
 * VPC peering between every pair of EKS clusters of an environment, and the routes each side needs
 * (pure, property-tested). Peering is not transitive, so a full mesh of VPCs needs one connection per
 * pair; GKE clusters are never peered (cross-cloud traffic goes through load balancers).
 */
import type { ClusterSpec, Topology } from '../../clusters/model';

export interface PeeringPair {
  /** Deterministic resource name, "<requester>-to-<accepter>". */
  readonly name: string;
  /** The cluster listed first in the topology; its region's provider creates the connection. */
  readonly requester: string;
  /** The later cluster; its region's provider accepts (same account). */
  readonly accepter: string;
  readonly requesterRegion: string;
  readonly accepterRegion: string;
  readonly requesterCidr: string;
  readonly accepterCidr: string;
  /** Different regions: the request names peerRegion and the accepter is a separate resource in that region. */
  readonly crossRegion: boolean;
}

export function eksClusters(topology: Pick<Topology, 'clusters'>): ClusterSpec[] {
  return topology.clusters.filter((c) => c.provider === 'eks');
}

/** One pair per unordered pair of EKS clusters, requester = earlier in file order. */
export function peeringPairs(topology: Pick<Topology, 'clusters'>): PeeringPair[] {
  const eks = eksClusters(topology);
  const pairs: PeeringPair[] = [];
  eks.forEach((a, i) => {
    for (const b of eks.slice(i + 1)) {
      pairs.push({
        name: `${a.name}-to-${b.name}`,
        requester: a.name,
        accepter: b.name,
        requesterRegion: a.region,
        accepterRegion: b.region,
        requesterCidr: a.cidr,
        accepterCidr: b.cidr,
        crossRegion: a.region !== b.region,
      });
    }
  });
  return pairs;
}

export interface PeeringRoute {
  /** Deterministic resource name, "<peering>-<cluster>-<routeTable>". */
  readonly name: string;
  readonly peering: string;
  /** The cluster whose route table gets the route. */
  readonly cluster: string;
  /** Key of the route table inside that cluster's VPC (see Vpc.routeTables). */
  readonly routeTable: string;
  /** The other side's VPC range. */
  readonly destinationCidr: string;
}

/**
 * A route to the peer's range in every route table of both sides: nodes in any subnet (and NAT'd
 * replies) must find the peering connection, or traffic works from one zone and not another.
 * @param routeTablesOf the route table keys of a cluster's VPC
 */
export function peeringRoutes(pairs: readonly PeeringPair[], routeTablesOf: (cluster: string) => readonly string[]): PeeringRoute[] {
  const routes: PeeringRoute[] = [];
  for (const pair of pairs) {
    const sides = [
      { cluster: pair.requester, destinationCidr: pair.accepterCidr },
      { cluster: pair.accepter, destinationCidr: pair.requesterCidr },
    ];
    for (const side of sides) {
      for (const routeTable of routeTablesOf(side.cluster)) {
        routes.push({ name: `${pair.name}-${side.cluster}-${routeTable}`, peering: pair.name, cluster: side.cluster, routeTable, destinationCidr: side.destinationCidr });
      }
    }
  }
  return routes;
}
