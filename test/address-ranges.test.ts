/** Pod, service and control plane ranges: derived disjoint from everything, deterministic, stable under appends. */
import fc from 'fast-check';
import { cidrsOverlap, parseCidr, type Ipv4Cidr } from '../clusters/cidr';
import { loadTopology } from '../clusters/load';
import { allRanges, clusterRanges } from '../infra/address-ranges';
import { topologyArb } from './helpers/topologies';

describe('clusterRanges', () => {
  it('never overlaps any range of any cluster (property)', () => {
    fc.assert(fc.property(topologyArb, (t) => {
      const all = allRanges(clusterRanges(t));
      expect(all).toHaveLength(4 * t.clusters.length);
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          if (cidrsOverlap(all[i].cidr, all[j].cidr)) throw new Error(`${all[i].cluster}.${all[i].kind} overlaps ${all[j].cluster}.${all[j].kind}`);
        }
      }
    }), { numRuns: 300 });
  });

  it('is deterministic and keeps given ranges and node ranges as written (property)', () => {
    fc.assert(fc.property(topologyArb, (t) => {
      const ranges = clusterRanges(t);
      expect(clusterRanges(t)).toEqual(ranges);
      t.clusters.forEach((c, i) => {
        expect(ranges[i].nodes).toBe(c.cidr);
        if (c.podCidr) expect(ranges[i].pods).toBe(c.podCidr);
        expect(parseCidr(ranges[i].controlPlane)).toMatchObject({ prefixLength: 28 });
      });
    }));
  });

  it('does not move existing clusters\' ranges when a cluster whose range they do not touch is appended (property)', () => {
    fc.assert(fc.property(topologyArb.filter((t) => t.clusters.length > 1), (t) => {
      const fewer = { ...t, clusters: t.clusters.slice(0, -1) };
      const before = clusterRanges(fewer);
      const added = parseCidr(t.clusters[t.clusters.length - 1].cidr) as Ipv4Cidr;
      fc.pre(allRanges(before).every((r) => !cidrsOverlap(r.cidr, added)));
      expect(clusterRanges(t).slice(0, -1)).toEqual(before);
    }));
  });

  it('derives dev\'s ranges from the top of 10.0.0.0/8 and control planes from 172.16.0.0/12', () => {
    const dev = loadTopology('environment: dev\nclusters:\n- {name: a, provider: gke, region: us-central1, trustDomain: a.com, cidr: 10.10.0.0/16}\n- {name: b, provider: gke, region: us-central1, trustDomain: b.com, cidr: 10.20.0.0/16}\n');
    expect(clusterRanges(dev)).toEqual([
      { cluster: 'a', nodes: '10.10.0.0/16', pods: '10.255.0.0/16', services: '10.254.240.0/20', controlPlane: '172.16.0.0/28' },
      { cluster: 'b', nodes: '10.20.0.0/16', pods: '10.253.0.0/16', services: '10.254.224.0/20', controlPlane: '172.16.0.16/28' },
    ]);
  });
});

describe('podCidr / serviceCidr / cloud.controlPlaneCidr load-time rules', () => {
  const load = (extra: string) => () => loadTopology(`environment: dev\nclusters:\n- {name: a, provider: gke, region: us-central1, trustDomain: a.com, cidr: 10.10.0.0/16${extra}}\n- {name: b, provider: gke, region: us-central1, trustDomain: b.com, cidr: 10.20.0.0/16}\n`, 'dev.yaml');
  it.each([
    [', podCidr: 10.20.0.0/16', 'dev.yaml:3: clusters[0].podCidr: "10.20.0.0/16" overlaps clusters[1].cidr "10.20.0.0/16"; pod, service and control plane ranges must be disjoint from every cluster\'s ranges'],
    [', podCidr: 10.30.0.0/24', 'dev.yaml:3: clusters[0].podCidr: "10.30.0.0/24" must have a prefix length from /8 to /21'],
    [', serviceCidr: 10.30.0.1/20', 'dev.yaml:3: clusters[0].serviceCidr: "10.30.0.1/20" has host bits set (the network address is 10.30.0.0/20)'],
    [', podCidr: 10.40.0.0/16, serviceCidr: 10.40.0.0/20', 'dev.yaml:3: clusters[0].serviceCidr: "10.40.0.0/20" overlaps clusters[0].podCidr "10.40.0.0/16"; pod, service and control plane ranges must be disjoint from every cluster\'s ranges'],
    [', cloud: {controlPlaneCidr: 172.16.0.0/24}', 'dev.yaml:3: clusters[0].cloud.controlPlaneCidr: "172.16.0.0/24" must have a prefix length of /28'],
    [', cloud: {zone: europe-west1-b}', 'dev.yaml:3: clusters[0].cloud.zone: "europe-west1-b" is not a zone of region us-central1'],
    // One key pins an address: bundleEndpoint.address (an IPv4 literal becomes spec.loadBalancerIP).
    [', bundleEndpoint: {loadBalancerIP: 10.0.0.1}', 'dev.yaml:3: clusters[0].bundleEndpoint.loadBalancerIP: unknown key (allowed here: address, port, serviceType, annotations, loadBalancerSourceRanges)'],
  ])('%s', (extra, message) => {
    expect(load(extra)).toThrow(message);
    try { load(extra)(); } catch (e) { expect((e as Error).message).toBe(message); }
  });
});
