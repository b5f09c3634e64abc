/** VPC peering between EKS clusters: one connection per pair, routes both ways in every route table. */
import fc from 'fast-check';
import type { ClusterSpec } from '../clusters/model';
import { routeTableKeys } from '../clusters/aws-subnets';
import { cidrsOverlap, parseCidr, type Ipv4Cidr } from '../clusters/cidr';
import { eksOptions } from '../infra/aws/options';
import { peeringPairs, peeringRoutes } from '../infra/aws/peering';
import { THREE_EKS, MIXED, randomMeshYaml, topologyOf } from './helpers/aws-topologies';

const TABLES = ['public', 'private-a', 'private-b', 'private-c'];

describe('peeringPairs', () => {
  it('peers three EKS clusters with three connections, requester first in file order, cross-region flagged', () => {
    expect(peeringPairs(topologyOf(THREE_EKS)).map((p) => [p.name, p.requester, p.accepter, p.crossRegion, p.accepterRegion])).toEqual([
      ['a-to-b', 'a', 'b', false, 'eu-west-1'],
      ['a-to-c', 'a', 'c', true, 'eu-central-1'],
      ['b-to-c', 'b', 'c', true, 'eu-central-1'],
    ]);
  });

  it('never peers a GKE cluster', () => {
    expect(peeringPairs(topologyOf(MIXED))).toEqual([]);
  });

  const clustersArb = fc
    .array(fc.record({ provider: fc.constantFrom('eks', 'gke'), region: fc.constantFrom('us-east-1', 'eu-west-1') }), { minLength: 0, maxLength: 8 })
    .map((specs) => specs.map((s, i) => ({ name: `c${i}`, provider: s.provider, region: s.region, cidr: `10.${i}.0.0/16` }) as unknown as ClusterSpec));

  it('has n(n-1)/2 connections for n EKS clusters, each unordered pair once, deterministic names', () => {
    fc.assert(
      fc.property(clustersArb, (clusters) => {
        const eks = clusters.filter((c) => c.provider === 'eks');
        const pairs = peeringPairs({ clusters });
        expect(pairs).toHaveLength((eks.length * (eks.length - 1)) / 2);
        const keys = pairs.map((p) => [p.requester, p.accepter].sort().join('+'));
        expect(new Set(keys).size).toBe(pairs.length);
        for (const p of pairs) {
          expect(eks.findIndex((c) => c.name === p.requester)).toBeLessThan(eks.findIndex((c) => c.name === p.accepter));
          expect(p.name).toBe(`${p.requester}-to-${p.accepter}`);
          expect(p.crossRegion).toBe(p.requesterRegion !== p.accepterRegion);
        }
        expect(peeringPairs({ clusters })).toEqual(pairs);
      }),
    );
  });

  it('routes to the peer range from every route table on both sides, and nothing else', () => {
    fc.assert(
      fc.property(clustersArb, (clusters) => {
        const pairs = peeringPairs({ clusters });
        const routes = peeringRoutes(pairs, () => TABLES);
        expect(routes).toHaveLength(pairs.length * 2 * TABLES.length);
        expect(new Set(routes.map((r) => r.name)).size).toBe(routes.length);
        const cidrOf = (name: string) => clusters.find((c) => c.name === name)!.cidr;
        for (const p of pairs) {
          for (const [side, other] of [[p.requester, p.accepter], [p.accepter, p.requester]]) {
            const mine = routes.filter((r) => r.peering === p.name && r.cluster === side);
            expect(mine.map((r) => r.routeTable).sort()).toEqual([...TABLES].sort());
            expect(new Set(mine.map((r) => r.destinationCidr))).toEqual(new Set([cidrOf(other)]));
          }
        }
      }),
    );
  });

  it('over random EKS and mixed topologies: every EKS pair peered once, each VPC routes to exactly its EKS peers from every one of its route tables', () => {
    fc.assert(
      fc.property(randomMeshYaml, (yaml) => {
        const topology = topologyOf(yaml);
        const eks = topology.clusters.filter((c) => c.provider === 'eks');
        const tablesOf = (name: string) => routeTableKeys(eksOptions(topology.clusters.find((c) => c.name === name)!, topology.environment).availabilityZones);
        const pairs = peeringPairs(topology);
        const routes = peeringRoutes(pairs, tablesOf);
        expect(new Set(routes.map((r) => r.name)).size).toBe(routes.length);
        for (const c of eks) {
          const peers = eks.filter((p) => p.name !== c.name);
          expect(pairs.filter((p) => p.requester === c.name || p.accepter === c.name)).toHaveLength(peers.length);
          for (const table of tablesOf(c.name)) {
            const destinations = routes.filter((r) => r.cluster === c.name && r.routeTable === table).map((r) => r.destinationCidr).sort();
            expect(destinations).toEqual(peers.map((p) => p.cidr).sort());
            // Never a route into the own VPC or towards another cloud's range (cross-cloud goes through load balancers).
            for (const d of destinations) expect(cidrsOverlap(parseCidr(d) as Ipv4Cidr, parseCidr(c.cidr) as Ipv4Cidr)).toBe(false);
          }
          expect(routes.filter((r) => r.cluster === c.name).every((r) => tablesOf(c.name).includes(r.routeTable))).toBe(true);
        }
        const gke = new Set(topology.clusters.filter((c) => c.provider === 'gke').map((c) => c.cidr));
        expect(routes.filter((r) => gke.has(r.destinationCidr))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
