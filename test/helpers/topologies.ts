/** Topology generators for property tests: valid topologies only (loader rules applied). */
import fc from 'fast-check';
import { resolveTopology, type Topology } from '../../clusters/model';
import { topologyProblems } from '../../clusters/rules';
import { TOPOLOGY } from '../../clusters/schema';

/** Node ranges: /16../24 networks in places that collide with the derivation pools' first picks too. */
const cidrArb = fc.tuple(fc.constantFrom(10, 172, 192), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 24 })).map(([a, b, p]) => {
  if (a === 172) return `172.${16 + (b % 16)}.0.0/${p}`;
  if (a === 192) return `192.168.${b}.0/24`;
  return `10.${b}.0.0/${p}`;
});

/** 1..6 clusters with disjoint ranges, some nested under an earlier root, federation full-mesh or none. */
export const topologyArb: fc.Arbitrary<Topology> = fc
  .record({
    cidrs: fc.uniqueArray(cidrArb, { minLength: 1, maxLength: 6, selector: (c) => c.split('/')[0] }),
    nesting: fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 6, maxLength: 6 }),
    federation: fc.constantFrom('full-mesh', 'none'),
    pinnedPods: fc.boolean(),
  })
  .map(({ cidrs, nesting, federation, pinnedPods }) => ({
    environment: 'prop',
    federation,
    clusters: cidrs.map((cidr, i) => {
      const parent = nesting[i] >= 0 && nesting[i] < i ? nesting[i] : undefined;
      return {
        name: `c${i}`,
        provider: 'gke',
        region: 'us-central1',
        cidr,
        ...(parent === undefined ? { trustDomain: `td${i}.example` } : { nestedUnder: `c${parent}` }),
        ...(pinnedPods && i === 0 ? { podCidr: '10.255.0.0/16' } : {}),
      };
    }),
  }))
  .map((input) => TOPOLOGY.safeParse(input))
  .filter((r) => r.success && topologyProblems(r.data).length === 0)
  .map((r) => resolveTopology(r.data!));
