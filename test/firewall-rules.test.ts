/** The mesh's firewall rule set: one pure function of the topology, exactly as open as the mesh needs. */
import fc from 'fast-check';
import { cidrsOverlap, parseCidr, type Ipv4Cidr } from '../clusters/cidr';
import { loadTopology } from '../clusters/load';
import { federatedTrustDomains, nestedChildren } from '../clusters/model';
import { clusterRanges } from '../infra/address-ranges';
import { firewallRules, GOOGLE_HEALTH_CHECK_RANGES } from '../infra/firewall-rules';
import { topologyArb } from './helpers/topologies';

const cidr = (text: string): Ipv4Cidr => parseCidr(text) as Ipv4Cidr;

describe('firewallRules (properties)', () => {
  it('never opens a mesh port to 0.0.0.0/0 or any range wider than a cluster\'s or Google\'s health checks', () => {
    fc.assert(fc.property(topologyArb, (t) => {
      const ranges = clusterRanges(t);
      const allowed = new Set([...ranges.flatMap((r) => [r.nodes, r.pods, r.controlPlane]), ...GOOGLE_HEALTH_CHECK_RANGES]);
      for (const rule of firewallRules(t, ranges)) {
        expect(rule.sources.length).toBeGreaterThan(0);
        for (const s of rule.sources) {
          expect(s).not.toBe('0.0.0.0/0');
          expect(allowed.has(s)).toBe(true);
        }
      }
    }), { numRuns: 100 });
  });

  it('opens a cluster only to the others, except its own control plane for webhooks', () => {
    fc.assert(fc.property(topologyArb, (t) => {
      const ranges = clusterRanges(t);
      for (const rule of firewallRules(t, ranges)) {
        const own = ranges.find((r) => r.cluster === rule.target)!;
        const ownRanges = rule.purpose === 'webhooks' ? [own.nodes, own.pods] : [own.nodes, own.pods, own.controlPlane];
        for (const s of rule.sources) for (const o of ownRanges) expect(cidrsOverlap(cidr(s), cidr(o))).toBe(false);
        if (rule.purpose === 'webhooks') expect(rule.sources).toEqual([own.controlPlane]);
      }
    }), { numRuns: 100 });
  });

  it('has exactly the rules the topology implies', () => {
    fc.assert(fc.property(topologyArb, (t) => {
      const rules = firewallRules(t, clusterRanges(t));
      const expected = t.clusters.flatMap((c) => [
        ...(t.clusters.length > 1 ? [`${c.name}-eastwest`] : []),
        ...(c.nestedUnder === undefined && federatedTrustDomains(t, c.name).length > 0 ? [`${c.name}-bundle-endpoint`] : []),
        ...(nestedChildren(t, c.name).length > 0 ? [`${c.name}-nested-server`] : []),
        `${c.name}-webhooks`,
      ]);
      expect(rules.map((r) => r.name).sort()).toEqual(expected.sort());
      // Federation peers, and only they, reach the bundle endpoint.
      for (const rule of rules.filter((r) => r.purpose === 'bundle-endpoint')) {
        const peers = new Set(federatedTrustDomains(t, rule.target));
        const ranges = clusterRanges(t);
        const peerSources = t.clusters.filter((c) => peers.has(c.trustDomain)).flatMap((c) => { const r = ranges.find((x) => x.cluster === c.name)!; return [r.nodes, r.pods]; });
        expect(rule.sources).toEqual([...new Set(peerSources)].sort());
      }
    }), { numRuns: 100 });
  });
});

describe('firewallRules (dev)', () => {
  const dev = loadTopology('environment: dev\nclusters:\n- {name: cluster-1, provider: gke, region: us-central1, trustDomain: foo.com, cidr: 10.10.0.0/16}\n- {name: cluster-2, provider: gke, region: us-central1, trustDomain: bar.com, cidr: 10.20.0.0/16}\n');
  it('gives each cluster east-west, bundle endpoint and webhook rules with these ports and sources', () => {
    expect(firewallRules(dev, clusterRanges(dev)).map((r) => [r.name, r.ports, r.sources])).toEqual([
      ['cluster-1-bundle-endpoint', [8443], ['10.20.0.0/16', '10.253.0.0/16']],
      ['cluster-1-eastwest', [15021, 15443], ['10.20.0.0/16', '10.253.0.0/16', '130.211.0.0/22', '35.191.0.0/16']],
      ['cluster-1-webhooks', [9443, 10250, 15017], ['172.16.0.0/28']],
      ['cluster-2-bundle-endpoint', [8443], ['10.10.0.0/16', '10.255.0.0/16']],
      ['cluster-2-eastwest', [15021, 15443], ['10.10.0.0/16', '10.255.0.0/16', '130.211.0.0/22', '35.191.0.0/16']],
      ['cluster-2-webhooks', [9443, 10250, 15017], ['172.16.0.16/28']],
    ]);
  });

  it('opens the parent\'s SPIRE server port to nested children only', () => {
    const t = loadTopology('environment: x\nclusters:\n- {name: p, provider: gke, region: us-central1, trustDomain: p.com, cidr: 10.10.0.0/16, serverEndpoint: {port: 9081}}\n- {name: c, provider: gke, region: us-central1, nestedUnder: p, cidr: 10.20.0.0/16}\n- {name: o, provider: gke, region: us-central1, trustDomain: o.com, cidr: 10.30.0.0/16}\nfederation: none\n');
    const nested = firewallRules(t, clusterRanges(t)).filter((r) => r.purpose === 'nested-server');
    expect(nested.map((r) => [r.name, r.ports, r.sources])).toEqual([['p-nested-server', [8081, 9081], ['10.20.0.0/16', '10.253.0.0/16']]]);
  });
});

describe('firewallRules across clouds', () => {
  const mixed = loadTopology(`environment: prod
clusters:
  - { name: gke-1, provider: gke, region: us-central1, trustDomain: g.example, cidr: 10.60.0.0/16 }
  - { name: eks-1, provider: eks, region: us-east-1, trustDomain: e.example, cidr: 10.70.0.0/16 }
`, '<test>', { baseDir: '/nonexistent' });
  const rules = firewallRules(mixed, clusterRanges(mixed));

  it('names the other cloud\'s peer for its NAT egress instead of admitting its private range', () => {
    const gke = rules.filter((r) => r.target === 'gke-1' && r.purpose !== 'webhooks');
    expect(gke.map((r) => [r.purpose, r.peerEgress])).toEqual([['bundle-endpoint', ['eks-1']], ['eastwest', ['eks-1']]]);
    for (const r of gke) for (const s of r.sources) expect(s.startsWith('10.70.')).toBe(false);
    // Google's health checkers only for GKE targets.
    expect(rules.find((r) => r.name === 'gke-1-eastwest')!.sources).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
    expect(rules.find((r) => r.name === 'eks-1-eastwest')).toMatchObject({ sources: [], peerEgress: ['gke-1'] });
  });
});
