/** A 3-GKE-cluster full mesh in a production-like environment, created and federated in one run. */
import { join } from 'node:path';
import type { Topology } from '../clusters/model';
import { renderTopology } from '../synth/synthesize';
import { fixturePem, objsOf, registrationsInsideApply, stackProgram, x5c } from './helpers/stack-run';

// The topology the program completes with its generated roots, reserved addresses and firewall sources: what
// mesh-program's apply passes through withStackValues (stackShape's own placeholder call stays inside the module).
const mockCompleted: Topology[] = [];
jest.mock('../infra/stack-values', () => {
  const actual = jest.requireActual<typeof import('../infra/stack-values')>('../infra/stack-values');
  return { ...actual, withStackValues: (...args: Parameters<typeof actual.withStackValues>) => { const t = actual.withStackValues(...args); mockCompleted.push(t); return t; } };
});

const PEM: Record<string, string> = { 'east.example': fixturePem('foo.com'), 'west.example': fixturePem('bar.com'), 'central.example': fixturePem('baz.org') };
const CLUSTERS = ['east', 'west', 'central'] as const;
const TD = { east: 'east.example', west: 'west.example', central: 'central.example' } as const;
const run = stackProgram('prod', {
  'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'mesh3.yaml'),
  'gcp:project': 'meshfed-prod',
  'meshfed:apiAccessCidrs': '["192.0.2.0/28"]',
}, { state: { project: 'meshfed-prod', rootPems: PEM }, remoteSecrets: 6 });
const objs = objsOf(run);

describe('3-cluster full mesh (prod)', () => {
  it('gives every cluster one ClusterFederatedTrustDomain per peer, with the reserved bundle endpoint and the peer\'s generated root', () => {
    const bundleAddress = (c: string) => objs(`${c}-35-federation`).find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint').spec.loadBalancerIP;
    for (const cluster of CLUSTERS) {
      const peers = CLUSTERS.filter((p) => p !== cluster);
      const cftds = objs(`${cluster}-35-federation`).filter((o) => o.kind === 'ClusterFederatedTrustDomain');
      expect(cftds.map((o) => [o.spec.trustDomain, o.spec.bundleEndpointURL, JSON.parse(o.spec.trustDomainBundle).keys[0].x5c[0]]).sort()).toEqual(
        peers.map((p) => [TD[p], `https://${bundleAddress(p)}:8443`, x5c(PEM[TD[p]])]).sort(),
      );
      expect(objs(`${cluster}-40-workload-identity`).find((o) => o.kind === 'ClusterSPIFFEID').spec.federatesWith).toEqual(peers.map((p) => TD[p]).sort());
    }
    // Three distinct reserved addresses.
    expect(new Set(CLUSTERS.map(bundleAddress)).size).toBe(3);
  });

  it('creates one remote secret per ordered pair of trusting clusters', () => {
    const secrets = run.all().filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.name.startsWith('remote-secrets-')).map((r) => [r.name, r.provider]).sort();
    expect(secrets).toEqual(CLUSTERS.flatMap((c) => CLUSTERS.filter((p) => p !== c).map((p) => [`remote-secrets-${c}-istio-remote-secret-${p}`, `${c}-k8s`])).sort());
  });

  it('creates one root CA per trust domain, protected outside dev-like environments, and the GKE clusters with deletion protection', () => {
    const certs = run.ofType('tls:index/selfSignedCert:SelfSignedCert');
    expect(certs.map((c) => c.inputs.subject.commonName).sort()).toEqual(['central.example root CA', 'east.example root CA', 'west.example root CA']);
    for (const r of [...certs, ...run.ofType('tls:index/privateKey:PrivateKey')]) expect(r.protect).toBe(true);
    for (const c of CLUSTERS) expect(run.named(c).inputs.deletionProtection).toBe(true);
    for (const a of run.ofType('gcp:compute/address:Address').filter((a) => !a.name.includes('-nat'))) expect(a.retainOnDelete).toBe(true);
  });

  it('honours the topology\'s zone, pod range and node pool', () => {
    expect(run.named('west').inputs.location).toBe('us-west1-b');
    expect(run.named('east').inputs.location).toBe('us-east1');
    expect(run.named('central-subnet').inputs.secondaryIpRanges[0]).toEqual({ rangeName: 'pods', ipCidrRange: '10.128.0.0/14' });
    expect(run.named('central-pool').inputs.nodeConfig.machineType).toBe('n2-standard-8');
    expect(run.named('central-pool').inputs.autoscaling).toEqual({ minNodeCount: 2, maxNodeCount: 9 });
    // One NAT per region; each API server admits the NAT egress of the two peers' regions.
    expect(run.ofType('gcp:compute/routerNat:RouterNat').map((n) => n.name).sort()).toEqual(['prod-net-us-central1-nat', 'prod-net-us-east1-nat', 'prod-net-us-west1-nat']);
    expect(run.named('east').inputs.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.displayName)).toEqual(['meshfed deployer', 'meshfed NAT us-central1', 'meshfed NAT us-west1']);
  });

  it('opens east-west and bundle endpoint ports to both peers\' ranges, never 0.0.0.0/0', () => {
    const rules = run.ofType('gcp:compute/firewall:Firewall');
    expect(rules).toHaveLength(9);
    expect(run.named('prod-net-east-bundle-endpoint').inputs.sourceRanges).toEqual(['10.128.0.0/14', '10.20.0.0/16', '10.253.0.0/16', '10.30.0.0/16']);
    for (const r of rules) expect(r.inputs.sourceRanges).not.toContain('0.0.0.0/0');
  });

  it('leaves no load balancer open to every source (synth\'s only notes for it): each admits exactly its firewall rule\'s sources', () => {
    for (const c of CLUSTERS) {
      const sources = (rule: string) => [...run.named(`prod-net-${c}-${rule}`).inputs.sourceRanges].sort();
      const bundle = objs(`${c}-35-federation`).find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint');
      expect([...bundle.spec.loadBalancerSourceRanges].sort()).toEqual(sources('bundle-endpoint'));
      expect([...run.named(`${c}-istio-istio-eastwestgateway`).inputs.values.service.loadBalancerSourceRanges].sort()).toEqual(sources('eastwest'));
    }
  });

  it('installs pinned Helm releases in order after the node pool', () => {
    for (const c of CLUSTERS) {
      const releases = run.ofType('kubernetes:helm.sh/v3:Release').filter((r) => r.provider === `${c}-k8s`);
      expect(releases).toHaveLength(7);
      for (const r of releases) expect(r.inputs.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      const deps = run.named(`${c}-istio-istiod`).dependsOn;
      expect(deps.filter((d) => d.startsWith(`${c}-istio-`))).toEqual([`${c}-istio-cni`]);
      // The others are its values' inputs (the values come from the topology completed with generated roots and reserved addresses).
      expect(deps.filter((d) => !d.startsWith(`${c}-istio-`) && !/-root-ca-cert$|-bundle-endpoint$|-east-west-gateway$/.test(d))).toEqual([]);
      expect(run.named(`${c}-k8s`).dependsOn).toEqual(expect.arrayContaining([`${c}-pool`, c]));
    }
  });

  it('constructs no resource inside an Output\'s apply callback', () => {
    expect(registrationsInsideApply(run)).toEqual({ insideApply: [], untracked: [] });
    expect(run.registrations.length).toBeGreaterThan(50);
  });

  it('leaves nothing in NOTES for the user to do by hand: only guidance and what the stack does itself', () => {
    expect(mockCompleted).toHaveLength(1);
    const notes = renderTopology(mockCompleted[0], '/unused').notes;
    // The sqlite note is guidance for a node failure, not an install step.
    const steps = notes.filter((n) => !n.text.startsWith('SPIRE datastore (sqlite, one server):'));
    expect(notes.length - steps.length).toBe(3);
    // The remote secrets synth asks for are exactly the ones the stack creates (RemoteSecrets); nothing else
    // (bundle endpoint address, root CA, load balancer sources, federation) is left to set by hand.
    const remoteSecretNotes = steps.map((n) => [n.cluster, /^create the remote secrets (\S+(?:, \S+)*) in istio-system /.exec(n.text)?.[1]]);
    expect(remoteSecretNotes).toEqual(CLUSTERS.map((c) => [c, CLUSTERS.filter((p) => p !== c).map((p) => `istio-remote-secret-${p}`).join(', ')]));
    for (const [cluster, names] of remoteSecretNotes) {
      for (const name of names!.split(', ')) expect(run.named(`remote-secrets-${cluster}-${name}`).provider).toBe(`${cluster}-k8s`);
    }
  });
});
