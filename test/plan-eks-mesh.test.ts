/**
 * The deploy layer of a 3-EKS federated mesh and of a nested EKS tree, through the real program under the
 * offline plan's mocks (the AwsEnvironment-level tests aws-eks-three / aws-eks-nested stop at the cloud):
 * complete federation, one remote secret per trusting pair, each cluster deployed exactly once.
 */
import { discoveryPairs } from '../clusters/federation';
import { runPlan } from '../infra/plan/plan';
import { NESTED_EKS, THREE_EKS, topologyOf, TWO_EKS } from './helpers/aws-topologies';
import { revealed } from './helpers/pulumi-mocks';

interface Seen { readonly type: string; readonly name: string; readonly inputs: Readonly<Record<string, any>> }

async function planOf(yaml: string, existingClusters: readonly string[] = []): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  await runPlan(topologyOf(yaml), { existingClusters, onResource: (r) => seen.set(r.name, r) });
  return seen;
}

const runs: Record<string, Map<string, Seen>> = {};
beforeAll(async () => {
  runs.three = await planOf(THREE_EKS);
  runs.nested = await planOf(NESTED_EKS);
  runs.existing = await planOf(TWO_EKS, ['east', 'west']);
}, 180000);

const ofType = (run: string, type: string): Seen[] => [...runs[run].values()].filter((r) => r.type === type);
const objs = (run: string, group: string): any[] => {
  const g = runs[run].get(group);
  if (!g) throw new Error(`no ConfigGroup ${group}`);
  return g.inputs.objs;
};
const remoteSecrets = (run: string): string[] => ofType(run, 'kubernetes:core/v1:Secret').map((s) => s.name).filter((n) => n.startsWith('remote-secrets-')).sort();

/** Each cluster's deploy layer exactly once: one Kubernetes provider, one istiod, one ConfigGroup per manifest file. */
function expectDeployedOnce(run: string, clusters: readonly string[]): void {
  for (const c of clusters) {
    expect([c, ofType(run, 'kubernetes:helm.sh/v3:Release').filter((r) => r.name === `${c}-istio-istiod`).length]).toEqual([c, 1]);
    expect([c, ofType(run, 'kubernetes:helm.sh/v3:Release').filter((r) => r.name === `${c}-aws-load-balancer-controller`).length]).toEqual([c, 1]);
    expect([c, ofType(run, 'kubernetes:yaml/v2:ConfigGroup').filter((g) => g.name === `${c}-20-spire-server`).length]).toEqual([c, 1]);
  }
}

describe('3-EKS federated mesh, deploy layer', () => {
  const CLUSTERS = ['a', 'b', 'c'];
  const TD: Record<string, string> = { a: 'a.example.org', b: 'b.example.org', c: 'c.example.org' };
  const bundleService = (c: string) => objs('three', `${c}-35-federation`).find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint');

  it('gives each cluster one ClusterFederatedTrustDomain per peer, at the peer\'s pinned NLB address, with the peer\'s bootstrap bundle', () => {
    /** The bundle peers bootstrap a trust domain with: its generated root, identical in every cluster that federates with it. */
    const bootstrapOf = (peer: string): string => {
      const all = CLUSTERS.filter((x) => x !== peer).flatMap((x) => objs('three', `${x}-35-federation`))
        .filter((o) => o.kind === 'ClusterFederatedTrustDomain' && o.spec.trustDomain === TD[peer]).map((o) => o.spec.trustDomainBundle);
      expect([peer, all.length, new Set(all).size]).toEqual([peer, 2, 1]);
      return all[0];
    };
    for (const c of CLUSTERS) {
      const peers = CLUSTERS.filter((p) => p !== c);
      const cftds = objs('three', `${c}-35-federation`).filter((o) => o.kind === 'ClusterFederatedTrustDomain');
      expect(cftds.map((o) => o.spec.trustDomain).sort()).toEqual(peers.map((p) => TD[p]));
      for (const o of cftds) {
        const peer = peers.find((p) => TD[p] === o.spec.trustDomain)!;
        expect(o.spec.bundleEndpointURL).toBe(`https://${bundleService(peer).spec.loadBalancerIP}:8443`);
        expect(o.spec.bundleEndpointProfile).toEqual({ type: 'https_spiffe', endpointSPIFFEID: `spiffe://${TD[peer]}/spire/server` });
        const keys = JSON.parse(o.spec.trustDomainBundle).keys;
        expect(keys.length).toBeGreaterThan(0);
        expect(keys.every((k: any) => k.use === 'x509-svid' && k.x5c.length > 0)).toBe(true);
        expect(o.spec.trustDomainBundle).toBe(bootstrapOf(peer));
      }
    }
    // Internal NLBs (every peer is peered): the bundle endpoint's first private address per VPC.
    expect(CLUSTERS.map((c) => bundleService(c).spec.loadBalancerIP)).toEqual(['10.11.0.10', '10.12.0.10', '10.13.0.10']);
  });

  it('creates one remote secret per ordered pair in istio-system and deploys each cluster once', () => {
    // Every istiod reads both peers (the stack's generated roots make every pair trust each other).
    const ordered = CLUSTERS.flatMap((c) => CLUSTERS.filter((p) => p !== c).map((p) => `remote-secrets-${c}-istio-remote-secret-${p}`));
    expect(remoteSecrets('three')).toEqual(ordered.sort());
    for (const name of ordered) expect([name, runs.three.get(name)!.inputs.metadata.namespace]).toEqual([name, 'istio-system']);
    expectDeployedOnce('three', CLUSTERS);
  });
});

describe('nested EKS tree, deploy layer', () => {
  const CLUSTERS = ['root', 'child-a', 'child-b'];

  it('has no federation (one trust domain) and a remote secret per pair of the tree', () => {
    for (const c of CLUSTERS) expect(runs.nested.has(`${c}-35-federation`)).toBe(false);
    const pairs = discoveryPairs(topologyOf(NESTED_EKS));
    expect(pairs).toHaveLength(6);
    expect(remoteSecrets('nested')).toEqual(pairs.map((p) => `remote-secrets-${p.cluster}-istio-remote-secret-${p.peer}`).sort());
  });

  it('points both children\'s upstream at the root\'s pinned server address and gives the root their kubeconfigs', () => {
    const groups = (cluster: string): any[] => [...runs.nested.values()].filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name.startsWith(`${cluster}-`)).flatMap((g) => g.inputs.objs);
    const serverApi = groups('root').filter((o) => o.kind === 'Service' && o.spec?.type === 'LoadBalancer' && o.spec.ports.some((p: any) => p.port === 8081));
    expect(serverApi).toHaveLength(1);
    const address = serverApi[0].spec.loadBalancerIP;
    expect(address).toBe('10.50.0.12');
    for (const child of ['child-a', 'child-b']) {
      expect([child, JSON.stringify(groups(child)).includes(address)]).toEqual([child, true]);
    }
    expect(Object.keys(revealed(runs.nested.get('root-spire-nested-kubeconfigs')!.inputs.stringData)).sort()).toEqual(['child-a', 'child-b']);
    expectDeployedOnce('nested', CLUSTERS);
  });
});

describe('existing EKS clusters (meshfed:kubeconfigs)', () => {
  it('get the deploy layer but no AWS resource and no Load Balancer Controller: the user installs it (README, NOTES.md)', () => {
    const types = new Set([...runs.existing.values()].map((r) => r.type));
    expect([...types].filter((t) => t.startsWith('aws:'))).toEqual([]);
    expect(ofType('existing', 'kubernetes:helm.sh/v3:Release').filter((r) => r.inputs.chart === 'aws-load-balancer-controller')).toEqual([]);
    for (const c of ['east', 'west']) expect([c, ofType('existing', 'kubernetes:helm.sh/v3:Release').filter((r) => r.name === `${c}-istio-istiod`).length]).toEqual([c, 1]);
  });
});
