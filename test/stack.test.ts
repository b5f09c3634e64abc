/** The Pulumi program for clusters/dev.yaml under mocks that refuse anything unexpected: no test can reach a cloud. */
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockCloudState } from '../infra/plan/mock-state';
import { base64, kubeconfigYaml, recordingMocks, settle, type Recorded } from './helpers/pulumi-mocks';

const CA = {
  'cluster-1': readFileSync(join(__dirname, 'fixtures', 'foo.com.pem'), 'utf8'),
  'cluster-2': readFileSync(join(__dirname, 'fixtures', 'bar.com.pem'), 'utf8'),
} as const;
const SERVER = { 'cluster-1': 'https://34.1.1.1', 'cluster-2': 'https://34.2.2.2' } as const;

// The token controller fills in the reader token Secret of each cluster.
const recorded = recordingMocks('dev', (args) => {
  const cloud = mockCloudState(args, { rootPems: { 'foo.com': CA['cluster-1'], 'bar.com': CA['cluster-2'] } });
  if (cloud) return cloud;
  if (args.type !== 'kubernetes:core/v1:Secret' || args.inputs.metadata?.name !== 'meshfed-istio-reader-token') return undefined;
  const cluster = /::(cluster-\d)-k8s::/.exec(args.provider ?? '')?.[1];
  return { data: { token: base64(`token-of-${cluster}`) } };
});

beforeAll(() => {
  pulumi.runtime.setAllConfig({
    'meshfed:kubeconfigs': JSON.stringify({
      'cluster-1': kubeconfigYaml('cluster-1', SERVER['cluster-1'], CA['cluster-1']),
      'cluster-2': kubeconfigYaml('cluster-2', SERVER['cluster-2'], CA['cluster-2']),
    }),
  }, ['meshfed:kubeconfigs']);
});

const all = (): Recorded[] => [...recorded.values()];
const named = (name: string): Recorded => {
  const r = recorded.get(name);
  if (!r) throw new Error(`no resource ${name}; have ${[...recorded.keys()].join(', ')}`);
  return r;
};
const ofType = (type: string, prefix: string): Recorded[] => all().filter((r) => r.type === type && r.name.startsWith(prefix));
const RELEASE = 'kubernetes:helm.sh/v3:Release';
const GROUP = 'kubernetes:yaml/v2:ConfigGroup';
const SECRET = 'kubernetes:core/v1:Secret';

describe('stack dev', () => {
  let stack: { clusters: Record<string, unknown>; remoteSecrets: string[] };
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    stack = require('../stacks/index');
    // dev renders no federation yet (no bundle endpoint addresses or roots), so no remote secrets: settle
    // on the last per-cluster resources instead.
    await settle(() => all().filter((r) => r.type === SECRET && r.inputs.metadata?.name === 'meshfed-istio-reader-token').length === 2
      && all().filter((r) => r.type === GROUP && r.name.endsWith('-70-samples')).length === 2);
  });

  it('deploys every cluster of clusters/dev.yaml with its own provider', () => {
    expect(Object.keys(stack.clusters)).toEqual(['cluster-1', 'cluster-2']);
    expect(all().filter((c) => c.type === 'pulumi:providers:kubernetes').map((c) => c.name).sort()).toEqual(['cluster-1-k8s', 'cluster-2-k8s']);
  });

  it('installs the pinned prerequisites and Istio through their Helm charts', () => {
    // Registration order is asynchronous; the order that matters is the dependencies' (tested below).
    const releases = ofType(RELEASE, 'cluster-1-').sort((a, b) => a.name.localeCompare(b.name));
    expect(releases.map((r) => [r.name, r.inputs.name ?? null, r.inputs.chart, r.inputs.version, r.inputs.namespace, r.inputs.repositoryOpts.repo])).toEqual([
      ['cluster-1-cert-manager', null, 'cert-manager', 'v1.16.5', 'cert-manager', 'https://charts.jetstack.io'],
      ['cluster-1-istio-base', 'istio-base', 'base', '1.30.3', 'istio-system', 'https://istio-release.storage.googleapis.com/charts'],
      // GKE admits system-node-critical pods only in kube-system.
      ['cluster-1-istio-cni', 'istio-cni', 'cni', '1.30.3', 'kube-system', 'https://istio-release.storage.googleapis.com/charts'],
      ['cluster-1-istio-istio-eastwestgateway', 'istio-eastwestgateway', 'gateway', '1.30.3', 'istio-system', 'https://istio-release.storage.googleapis.com/charts'],
      ['cluster-1-istio-istio-ingressgateway', 'istio-ingressgateway', 'gateway', '1.30.3', 'istio-system', 'https://istio-release.storage.googleapis.com/charts'],
      ['cluster-1-istio-istiod', 'istiod', 'istiod', '1.30.3', 'istio-system', 'https://istio-release.storage.googleapis.com/charts'],
      ['cluster-1-spire-crds', null, 'spire-crds', '0.6.0', 'spire-server', 'https://spiffe.github.io/helm-charts-hardened/'],
    ]);
    // meshfed's 65-istio-mesh / 00-namespaces own istio-system (with its network label), not Helm.
    const istio = releases.filter((r) => r.name.startsWith('cluster-1-istio-'));
    expect(istio.map((r) => r.inputs.createNamespace ?? false)).toEqual([false, false, false, false, false]);
  });

  it('passes the IstioModel values of each cluster', () => {
    expect(named('cluster-1-istio-istiod').inputs.values.meshConfig.trustDomain).toBe('foo.com');
    expect(named('cluster-2-istio-istiod').inputs.values.meshConfig.trustDomain).toBe('bar.com');
    expect(named('cluster-1-istio-istiod').inputs.values.global.multiCluster.clusterName).toBe('cluster-1');
    expect(named('cluster-1-istio-istiod').inputs.values.global.network).toBe('network1');
    expect(named('cluster-1-istio-cni').inputs.values.global.platform).toBe('gke');
    // The network view and label are set directly, never through the chart's networkGateway value.
    expect(named('cluster-1-istio-istio-eastwestgateway').inputs.values.env.ISTIO_META_REQUESTED_NETWORK_VIEW).toBe('network1');
    expect(named('cluster-2-istio-istio-eastwestgateway').inputs.values.labels['topology.istio.io/network']).toBe('network2');
    for (const r of ofType(RELEASE, 'cluster-')) expect(r.inputs.values?.networkGateway).toBeUndefined();
  });

  it('orders groups before 60 -> base -> cni -> istiod -> gateways -> 65-istio-mesh', () => {
    // Step order only: every group also depends on the generated roots' certificates (its objects are rendered from them).
    const deps = (name: string): string[] => [...named(name).dependsOn].filter((d) => !d.includes('-root-ca-')).sort();
    expect(deps('cluster-1-00-namespaces')).toEqual(['cluster-1-cert-manager', 'cluster-1-spire-crds']);
    // The generated root's key pair is written as its Secret between the namespaces and the CA Issuer.
    expect(deps('cluster-1-10-cert-manager-ca')).toEqual(['cluster-1-00-namespaces', 'cluster-1-spire-root-ca']);
    expect(deps('cluster-1-spire-root-ca')).toEqual(['cluster-1-00-namespaces']);
    expect(deps('cluster-1-20-spire-server')).toEqual(['cluster-1-10-cert-manager-ca']);
    const lastBefore = ofType(GROUP, 'cluster-1-').map((g) => g.name).sort().filter((n) => n < 'cluster-1-60').pop()!;
    expect(lastBefore).toBe('cluster-1-40-workload-identity');
    expect(deps('cluster-1-istio-base')).toEqual([lastBefore]);
    expect(deps('cluster-1-istio-cni')).toEqual(['cluster-1-istio-base']);
    expect(deps('cluster-1-istio-istiod')).toEqual(['cluster-1-istio-cni']);
    expect(deps('cluster-1-istio-istio-ingressgateway')).toEqual(['cluster-1-istio-istiod']);
    expect(deps('cluster-1-istio-istio-eastwestgateway')).toEqual(['cluster-1-istio-istiod']);
    expect(deps('cluster-1-65-istio-mesh')).toEqual(['cluster-1-istio-istio-eastwestgateway', 'cluster-1-istio-istio-ingressgateway']);
  });

  it('applies each other synthesized file as one ConfigGroup, in file order, never the IstioOperator', () => {
    const groups = ofType(GROUP, 'cluster-1-').map((g) => g.name).sort();
    expect(groups).toEqual([
      'cluster-1-00-namespaces', 'cluster-1-10-cert-manager-ca', 'cluster-1-20-spire-server', 'cluster-1-30-spire-agent',
      'cluster-1-35-federation', 'cluster-1-40-workload-identity', 'cluster-1-65-istio-mesh', 'cluster-1-70-samples',
    ]);
    const stepDeps = (n: string) => named(n).dependsOn.filter((d) => !d.includes('-root-ca-'));
    expect(stepDeps('cluster-1-35-federation')).toEqual(['cluster-1-30-spire-agent']);
    expect(stepDeps('cluster-1-40-workload-identity')).toEqual(['cluster-1-35-federation']);
    expect(all().filter((r) => r.name.includes('60-istio-operator'))).toEqual([]);
    expect(all().flatMap((r) => (r.type === GROUP ? r.inputs.objs : [])).filter((o: any) => o.kind === 'IstioOperator')).toEqual([]);
    const server = named('cluster-1-20-spire-server');
    expect(server.inputs.objs.some((o: any) => o.kind === 'StatefulSet' && o.metadata.name === 'spire-server')).toBe(true);
  });

  it('writes its generated roots instead of self-signed root Certificates, and awaits no Issuer or StatefulSet', () => {
    // The stack generates each trust domain's root (RootCa) and writes the CA Issuer's Secret itself, so dev's
    // groups hold no Certificate at all (a topology's own Certificates are awaited: deployment-plan.test.ts).
    const certificates = all().flatMap((r) => (r.type === GROUP ? r.inputs.objs : [])).filter((o: any) => o.apiVersion === 'cert-manager.io/v1' && o.kind === 'Certificate');
    expect(certificates).toEqual([]);
    for (const c of ['cluster-1', 'cluster-2']) expect(named(`${c}-10-cert-manager-ca`).dependsOn).toContain(`${c}-spire-root-ca`);
    const others = all().flatMap((r) => (r.type === GROUP ? r.inputs.objs : [])).filter((o: any) => o.kind === 'Issuer' || o.kind === 'StatefulSet');
    expect(others.filter((o: any) => o.metadata.annotations?.['pulumi.com/waitFor'] !== undefined)).toEqual([]);
  });

  it("creates each cluster's reader token Secret itself, awaited until the token is filled in, and reads nothing", () => {
    expect(all().filter((r) => r.read)).toEqual([]);
    const tokens = all().filter((r) => r.type === SECRET && r.inputs.metadata?.name === 'meshfed-istio-reader-token');
    expect(tokens.map((t) => [t.name, t.provider, t.dependsOn]).sort()).toEqual([
      ['cluster-1-meshfed-istio-reader-token', 'cluster-1-k8s', ['cluster-1-65-istio-mesh']],
      ['cluster-2-meshfed-istio-reader-token', 'cluster-2-k8s', ['cluster-2-65-istio-mesh']],
    ]);
    for (const t of tokens) {
      expect(t.inputs.type).toBe('kubernetes.io/service-account-token');
      expect(t.inputs.metadata.annotations).toEqual({ 'pulumi.com/waitFor': 'jsonpath={.data.token}', 'kubernetes.io/service-account.name': 'meshfed-istio-reader' });
    }
    // The 65 group no longer holds it, so it is created exactly once.
    const mesh = named('cluster-1-65-istio-mesh').inputs.objs as any[];
    expect(mesh.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(mesh.map((o) => o.kind)).toContain('ServiceAccount');
  });

  // Remote secrets follow the federation synth renders: dev's clusters federate in the topology, but
  // without bundle endpoint addresses and roots their workloads cannot verify each other, so no istiod
  // may route to the other's endpoints.
  it('creates no remote secret while the clusters cannot authenticate each other (federation not rendered)', () => {
    expect(stack.remoteSecrets).toEqual([]);
    expect(all().filter((r) => r.type === SECRET && r.name.startsWith('remote-secrets-'))).toEqual([]);
  });

});
