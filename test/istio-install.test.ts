/**
 * IstioInstall and its place in ClusterDeployment, for a GKE and an EKS cluster, under mocks that refuse
 * anything unexpected. The manifests are fixtures: a Certificate for istiod's plug-in CA and a file after
 * the mesh (70-samples) check that the stack handles objects and files it has never seen by name.
 */
import * as pulumi from '@pulumi/pulumi';
import { ClusterDeployment } from '../infra/cluster-deployment';
import { istioReleases } from '../infra/istio-releases';
import { kubeconfigYaml, recordingMocks, settle } from './helpers/pulumi-mocks';
import { synthTopologyText } from './helpers/synth';

const recorded = recordingMocks('istio-install');

const TOPOLOGY = `environment: t
clusters:
  - name: g
    provider: gke
    region: us-central1
    trustDomain: g.example
    network: net-g
    cidr: 10.10.0.0/16
  - name: e
    provider: eks
    region: eu-west-1
    trustDomain: e.example
    network: net-e
    cidr: 10.20.0.0/16
`;
const { topology } = synthTopologyText(TOPOLOGY);

describe('istioReleases', () => {
  it('installs base, cni, istiod, then one gateway release per gateway, with the model values', () => {
    const releases = istioReleases(topology, 'g');
    expect(releases.map((r) => [r.part, r.releaseName, r.chart, r.namespace, r.step])).toEqual([
      ['base', 'istio-base', 'base', 'istio-system', 0],
      ['cni', 'istio-cni', 'cni', 'kube-system', 1],
      ['istiod', 'istiod', 'istiod', 'istio-system', 2],
      ['istio-ingressgateway', 'istio-ingressgateway', 'gateway', 'istio-system', 3],
      ['istio-eastwestgateway', 'istio-eastwestgateway', 'gateway', 'istio-system', 3],
    ]);
    expect((releases[2].values as any).meshConfig.trustDomain).toBe('g.example');
    expect((releases[4].values as any).networkGateway).toBeUndefined();
    expect((releases[4].values as any).env.ISTIO_META_REQUESTED_NETWORK_VIEW).toBe('net-g');
  });

  // Issue #10 point 2: istio-system enforces "restricted"; the CNI node agent needs root and host paths.
  it('puts the CNI in kube-system on EKS too, without the GKE profile\'s ResourceQuota', () => {
    const releases = istioReleases(topology, 'e');
    expect(releases.find((r) => r.part === 'cni')!.namespace).toBe('kube-system');
    expect((releases.find((r) => r.part === 'cni')!.values as any).global).toEqual({});
    for (const c of ['g', 'e']) expect((istioReleases(topology, c).find((r) => r.part === 'cni')!.values as any).resourceQuotas).toEqual({ enabled: false });
  });
});

describe('ClusterDeployment with Istio', () => {
  const certificate = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'istiod-cacerts', namespace: 'istio-system' },
    spec: { secretName: 'cacerts', isCA: true, commonName: 'istiod', issuerRef: { name: 'spire-ca', kind: 'Issuer' } },
  };
  const manifests = [
    { name: '00-namespaces.yaml', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'net-e' } } }] },
    { name: '10-cert-manager-ca.yaml', objects: [certificate] },
    { name: '60-istio-operator.yaml', objects: [{ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'x', namespace: 'istio-system' } }] },
    { name: '65-istio-mesh.yaml', objects: [{ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'meshfed-istio-reader-token', namespace: 'istio-system' } }] },
    { name: '70-samples.yaml', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sleep' } }] },
  ];
  let deployment: ClusterDeployment;

  beforeAll(async () => {
    deployment = new ClusterDeployment('e', { kubeconfig: pulumi.secret(kubeconfigYaml('e', 'https://e.example', 'unused')), topology, cluster: 'e', manifests });
    await settle(() => recorded.get('e-70-samples')?.inputs.objs !== undefined);
  });

  const deps = (name: string): string[] => [...recorded.get(name)!.dependsOn].sort();

  it('starts Istio only after every earlier file (its CA Certificate awaited) and applies later files after the gateways', () => {
    expect(deps('e-10-cert-manager-ca')).toEqual(['e-00-namespaces']);
    expect(recorded.get('e-10-cert-manager-ca')!.inputs.objs[0].metadata.annotations).toEqual({ 'pulumi.com/waitFor': 'condition=Ready' });
    expect(deps('e-istio-base')).toEqual(['e-10-cert-manager-ca']);
    expect(deps('e-istio-cni')).toEqual(['e-istio-base']);
    expect(deps('e-istio-istiod')).toEqual(['e-istio-cni']);
    expect(deps('e-65-istio-mesh')).toEqual(['e-istio-istio-eastwestgateway', 'e-istio-istio-ingressgateway']);
    expect(deps('e-70-samples')).toEqual(['e-65-istio-mesh', 'e-meshfed-istio-reader-token']);
    // The reader token Secret is its own resource after the rest of its file, awaited until it holds a token.
    expect(deps('e-meshfed-istio-reader-token')).toEqual(['e-65-istio-mesh']);
    expect(recorded.get('e-meshfed-istio-reader-token')!.inputs.metadata.annotations).toEqual({ 'pulumi.com/waitFor': 'jsonpath={.data.token}' });
    expect(recorded.get('e-istio-cni')!.inputs.namespace).toBe('kube-system');
  });

  // Resources are compared by identity (a failing toEqual on Pulumi resources would print their whole graph).
  it('never applies the IstioOperator, and exposes the reader token Secret and the last step', () => {
    expect([...recorded.keys()].filter((n) => n.includes('60-istio-operator'))).toEqual([]);
    expect(Object.keys(deployment.groups)).toEqual(['00-namespaces.yaml', '10-cert-manager-ca.yaml', '65-istio-mesh.yaml', '70-samples.yaml']);
    expect(recorded.get('e-65-istio-mesh')!.inputs.objs).toEqual([]);
    expect(deployment.readerToken === undefined).toBe(false);
    expect(deployment.ready.length === 1 && deployment.ready[0] === deployment.groups['70-samples.yaml']).toBe(true);
    const gateways = [deployment.istio.releases['istio-ingressgateway'], deployment.istio.releases['istio-eastwestgateway']];
    expect(deployment.istio.ready.length === 2 && deployment.istio.ready.every((r, i) => r === gateways[i])).toBe(true);
  });

  it('uses the cluster provider for every child', () => {
    const children = [...recorded.values()].filter((r) => r.name.startsWith('e-') && r.type !== 'pulumi:providers:kubernetes' && r.type.startsWith('kubernetes:'));
    expect(children.length).toBe(12);
    expect(children.filter((r) => r.provider !== 'e-k8s').map((r) => r.name)).toEqual([]);
    expect(recorded.get('e-istio')!.type).toBe('meshfed:k8s:IstioInstall');
  });
});
