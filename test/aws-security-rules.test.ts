/** Node security group rules of EKS clusters: each mesh port only from the peers that need it. */
import fc from 'fast-check';
import { LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT } from '../infra/aws/load-balancer-controller';
import { CONTROL_PLANE_CALLS, meshIngressRules, MESH_PORTS, webhookPorts, type IngressRule } from '../infra/aws/security-rules';
import { MIXED, NESTED_EKS, randomMeshYaml, THREE_EKS, TWO_EKS, topologyOf } from './helpers/aws-topologies';

const noEgress = () => {
  throw new Error('no cross-cloud peer expected');
};
const summary = (rules: IngressRule<string>[]) =>
  rules.map((r) => `${r.port} ${r.source.kind === 'cidr' ? r.source.cidr : 'control-plane'}`);

describe('meshIngressRules', () => {
  it('opens east-west, status and bundle endpoint to the federated peer VPC only, webhooks to the control plane', () => {
    expect(summary(meshIngressRules(topologyOf(TWO_EKS), 'east', { egressOf: noEgress }))).toEqual([
      '15443 10.2.0.0/16',
      '15021 10.2.0.0/16',
      '15443 10.1.0.0/16',
      '15021 10.1.0.0/16',
      '8443 10.2.0.0/16',
      '8443 10.1.0.0/16',
      '15017 control-plane',
      '15012 control-plane',
      '9443 control-plane',
      '10250 control-plane',
    ]);
  });

  it('opens the SPIRE server API of a parent to its nested children only; children expose no server port', () => {
    const topology = topologyOf(NESTED_EKS);
    const root = meshIngressRules(topology, 'root', { egressOf: noEgress });
    expect(root.filter((r) => r.port === 8081 && r.purpose === 'server-api').map((r) => r.source)).toEqual([
      { kind: 'cidr', cidr: '10.51.0.0/16', peer: 'child-a' },
      { kind: 'cidr', cidr: '10.52.0.0/16', peer: 'child-b' },
    ]);
    // federation: none, so no bundle endpoint rules anywhere.
    expect(root.filter((r) => r.port === 8443)).toEqual([]);
    expect(meshIngressRules(topology, 'child-a', { egressOf: noEgress }).filter((r) => r.port === 8081)).toEqual([]);
  });

  it('takes a GKE peer\'s NAT egress addresses as sources, one rule per address', () => {
    const rules = meshIngressRules(topologyOf(MIXED), 'eks-1', { egressOf: (peer) => (peer.name === 'gke-1' ? ['34.1.1.1/32', '34.1.1.2/32'] : []) });
    expect(rules.filter((r) => r.port === 15443).map((r) => [r.name, r.source.kind === 'cidr' ? r.source.cidr : ''])).toEqual([
      ['eks-1-east-west-15443-gke-1-0', '34.1.1.1/32'],
      ['eks-1-east-west-15443-gke-1-1', '34.1.1.2/32'],
      ['eks-1-lb-health-check-15443', '10.70.0.0/16'],
    ]);
    expect(() => meshIngressRules(topologyOf(MIXED), 'eks-1', { egressOf: () => [] })).toThrow(
      'internal: no egress addresses for gke cluster gke-1, which must reach eks-1 on 15443',
    );
  });

  it('for any EKS mesh: only mesh ports, never 0.0.0.0/0, unique names, sources are peer or own ranges', () => {
    const yamls = [TWO_EKS, THREE_EKS, NESTED_EKS];
    fc.assert(
      fc.property(fc.constantFrom(...yamls), (yaml) => {
        const topology = topologyOf(yaml);
        const ranges = new Set(topology.clusters.map((c) => c.cidr));
        for (const c of topology.clusters) {
          const rules = meshIngressRules(topology, c.name, { egressOf: noEgress });
          expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
          for (const r of rules) {
            expect(MESH_PORTS).toContain(r.port);
            if (r.source.kind === 'cidr') {
              expect(r.source.cidr).not.toBe('0.0.0.0/0');
              expect(ranges.has(r.source.cidr as string)).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('refuses a GKE cluster (its firewall rules are the GCP side\'s)', () => {
    expect(() => meshIngressRules(topologyOf(MIXED), 'gke-1', { egressOf: noEgress })).toThrow('internal: meshIngressRules is for eks clusters; gke-1 is gke');
  });
});

describe('meshIngressRules over random meshes', () => {
  // Up to five clusters, each EKS or GKE, roots or nested under an earlier root, federated full-mesh.
  const meshArb = fc
    .array(fc.record({ eks: fc.boolean(), nestUnder: fc.option(fc.nat(4), { nil: undefined }) }), { minLength: 2, maxLength: 5 })
    .map((specs) => {
      const lines = ['environment: prop', 'clusters:'];
      const roots: number[] = [];
      specs.forEach((s, i) => {
        const parent = s.nestUnder !== undefined && roots.length > 0 ? roots[s.nestUnder % roots.length] : undefined;
        const base = `  - { name: c${i}, provider: ${s.eks ? 'eks' : 'gke'}, region: ${s.eks ? 'us-east-1' : 'us-central1'}, cidr: 10.${i}.0.0/16`;
        if (parent === undefined) {
          roots.push(i);
          lines.push(`${base}, trustDomain: t${i}.example.org }`);
        } else {
          lines.push(`${base}, nestedUnder: c${parent} }`);
        }
      });
      return `${lines.join('\n')}\n`;
    });
  const egress = (name: string) => [`34.0.${name.slice(1)}.1/32`, `34.0.${name.slice(1)}.2/32`];

  it('admits exactly the peers each port needs, from their ranges or egress addresses, never 0.0.0.0/0', () => {
    fc.assert(
      fc.property(meshArb, (yaml) => {
        const topology = topologyOf(yaml);
        const sourcesOf = (names: string[]) =>
          names.flatMap((n) => (topology.clusters.find((c) => c.name === n)!.provider === 'eks' ? [topology.clusters.find((c) => c.name === n)!.cidr] : egress(n))).sort();
        for (const c of topology.clusters.filter((x) => x.provider === 'eks')) {
          const rules = meshIngressRules(topology, c.name, { egressOf: (peer) => egress(peer.name) });
          const peerSources = (port: number) =>
            rules.filter((r) => r.port === port && r.purpose !== 'lb-health-check').map((r) => (r.source.kind === 'cidr' ? r.source.cidr : 'control-plane')).sort();
          const others = topology.clusters.filter((o) => o.name !== c.name).map((o) => o.name);
          expect(peerSources(15443)).toEqual(sourcesOf(others));
          expect(peerSources(15021)).toEqual(sourcesOf(others));
          const children = topology.clusters.filter((o) => o.nestedUnder === c.name).map((o) => o.name);
          expect(peerSources(8081)).toEqual(sourcesOf(children));
          const fetchers = c.nestedUnder === undefined ? topology.clusters.filter((o) => o.trustDomain !== c.trustDomain).map((o) => o.name) : [];
          expect(peerSources(8443)).toEqual(sourcesOf(fetchers));
          expect(rules.filter((r) => r.source.kind === 'control-plane').map((r) => r.port)).toEqual([15017, 15012, 9443, 10250]);
          for (const r of rules) {
            if (r.source.kind === 'cidr') expect(r.source.cidr).not.toBe('0.0.0.0/0');
            if (r.purpose === 'lb-health-check') expect(r.source).toEqual({ kind: 'cidr', cidr: c.cidr, peer: c.name });
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('control plane -> node webhook rules', () => {
  it('opens the AWS Load Balancer Controller webhook (9443, shared with spire-controller-manager) from the control plane only, in one rule', () => {
    expect(LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT).toBe(9443);
    const rules = meshIngressRules(topologyOf(TWO_EKS), 'east', { egressOf: noEgress }).filter((r) => r.port === LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT);
    expect(rules).toEqual([{
      name: 'east-webhook-9443-control-plane',
      purpose: 'webhook',
      protocol: 'tcp',
      port: 9443,
      source: { kind: 'control-plane' },
      description: 'spire-controller-manager webhook, AWS Load Balancer Controller webhook from the EKS control plane',
    }]);
  });

  it('webhookPorts: one entry per distinct port, first-seen order, naming every caller of it', () => {
    const call = fc.record({ port: fc.integer({ min: 1024, max: 1040 }), what: fc.stringMatching(/^[a-z]{1,8}$/) });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 12 }), (calls) => {
        const grouped = webhookPorts(calls);
        expect(grouped.map(([p]) => p)).toEqual([...new Set(calls.map((c) => c.port))]);
        for (const [port, what] of grouped) expect(what).toBe(calls.filter((c) => c.port === port).map((c) => c.what).join(', '));
      }),
    );
    expect(webhookPorts().map(([p]) => p)).toEqual([...new Set(CONTROL_PLANE_CALLS.map((c) => c.port))]);
  });
});

describe('meshIngressRules over random EKS and mixed topologies', () => {
  const egress = (name: string) => [`34.0.${name.slice(1)}.1/32`, `34.0.${name.slice(1)}.2/32`];
  // What AWS accepts in a security group rule description (EC2 API: up to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*).
  const DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

  it('never two rules for the same port and source (AWS refuses duplicates), every webhook port once from the control plane, valid descriptions', () => {
    fc.assert(
      fc.property(randomMeshYaml, (yaml) => {
        const topology = topologyOf(yaml);
        for (const c of topology.clusters.filter((x) => x.provider === 'eks')) {
          const rules = meshIngressRules(topology, c.name, { egressOf: (peer) => egress(peer.name) });
          const keys = rules.map((r) => `${r.port}/${r.source.kind === 'cidr' ? r.source.cidr : 'control-plane'}`);
          expect(new Set(keys).size).toBe(keys.length);
          expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
          const fromControlPlane = rules.filter((r) => r.source.kind === 'control-plane');
          expect(fromControlPlane.map((r) => r.port).sort()).toEqual([...new Set(CONTROL_PLANE_CALLS.map((x) => x.port))].sort());
          expect(fromControlPlane.every((r) => r.purpose === 'webhook')).toBe(true);
          expect(rules.filter((r) => r.purpose === 'webhook').every((r) => r.source.kind === 'control-plane')).toBe(true);
          for (const r of rules) expect(r.description).toMatch(DESCRIPTION);
        }
      }),
      { numRuns: 60 },
    );
  });
});
