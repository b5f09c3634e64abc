/** Remote secrets: which clusters discover which, and the Secret istiod reads. */
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { discoveryPairs, IstioRemoteSecret, istioRemoteSecretManifest } from '../constructs/istio-remote-secret';
import { validateObject, type K8sObject } from './helpers/schema-validation';
import { synthTopologyText } from './helpers/synth';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function topology(federation: string, extra = ''): string {
  return `environment: t
clusters:
  - name: a
    provider: gke
    region: us-central1
    trustDomain: a.example
    cidr: 10.10.0.0/16
  - name: b
    provider: gke
    region: us-central1
    trustDomain: b.example
    cidr: 10.20.0.0/16
  - name: c
    provider: eks
    region: eu-west-1
    trustDomain: c.example
    cidr: 10.30.0.0/16
${extra}federation: ${federation}
`;
}

describe('discoveryPairs', () => {
  it('pairs every cluster with every other in a full mesh', () => {
    const { topology: t } = synthTopologyText(topology('full-mesh'));
    expect(discoveryPairs(t).map((p) => `${p.cluster}->${p.peer}`)).toEqual(['a->b', 'a->c', 'b->a', 'b->c', 'c->a', 'c->b']);
  });

  it('never pairs clusters whose trust domains are not federated', () => {
    const { topology: t } = synthTopologyText(topology('[[a, b]]'));
    expect(discoveryPairs(t).map((p) => `${p.cluster}->${p.peer}`)).toEqual(['a->b', 'b->a']);
    const { topology: none } = synthTopologyText(topology('none'));
    expect(discoveryPairs(none)).toEqual([]);
  });

  it("pairs a nested cluster with its root (same trust domain) and with its root's federated peers", () => {
    const { topology: t } = synthTopologyText(topology('[[a, b]]', `  - name: d
    provider: gke
    region: us-central1
    nestedUnder: a
    cidr: 10.40.0.0/16
`));
    const pairs = discoveryPairs(t).map((p) => `${p.cluster}->${p.peer}`);
    expect(pairs).toEqual(['a->b', 'a->d', 'b->a', 'b->d', 'd->a', 'd->b']);
  });

  it('only notes remote secrets for discovery pairs in synth output', () => {
    const { result } = synthTopologyText(topology('[[a, b]]'));
    const notes = result.notes.filter((n) => n.text.includes('istio-remote-secret'));
    expect(notes.map((n) => n.cluster)).toEqual(['a', 'b']);
    expect(notes[0].text).toContain('istio-remote-secret-b');
    expect(notes[0].text).toContain('istioctl create-remote-secret --context=b --name=b');
  });
});

describe('IstioRemoteSecret', () => {
  function render(props: Partial<ConstructorParameters<typeof IstioRemoteSecret>[2]> = {}): Record<string, any> {
    const chart = new Chart(new App(), 'c');
    new IstioRemoteSecret(chart, 'Remote', { peerCluster: 'cluster-2', server: 'https://34.1.2.3', caPem: PEM, token: 'tok', ...props });
    return chart.toJson()[0];
  }

  it('renders the Secret istiod watches, with the kubeconfig under the peer name', () => {
    const secret = render();
    expect(secret.metadata).toEqual({
      name: 'istio-remote-secret-cluster-2',
      namespace: 'istio-system',
      labels: { 'istio/multiCluster': 'true' },
      annotations: { 'networking.istio.io/cluster': 'cluster-2' },
    });
    expect(Object.keys(secret.stringData)).toEqual(['cluster-2']);
    const kubeconfig = parse(secret.stringData['cluster-2']);
    expect(kubeconfig['current-context']).toBe('cluster-2');
    expect(kubeconfig.clusters).toEqual([{ name: 'cluster-2', cluster: { server: 'https://34.1.2.3', 'certificate-authority-data': Buffer.from(PEM).toString('base64') } }]);
    expect(kubeconfig.users).toEqual([{ name: 'meshfed-istio-reader', user: { token: 'tok' } }]);
    expect(kubeconfig.contexts).toEqual([{ name: 'cluster-2', context: { cluster: 'cluster-2', user: 'meshfed-istio-reader' } }]);
    expect(validateObject(secret as K8sObject)).toEqual([]);
  });

  it('rejects unusable inputs with one message each', () => {
    expect(() => render({ server: 'http://x' })).toThrow('IstioRemoteSecret.server: "http://x" must be an https:// URL');
    expect(() => render({ caPem: 'nope' })).toThrow('IstioRemoteSecret.caPem: must be a PEM certificate');
    expect(() => render({ token: '' })).toThrow('IstioRemoteSecret.token: must not be empty');
    expect(() => render({ peerCluster: 'Bad' })).toThrow('IstioRemoteSecret.peerCluster');
  });

  it('renders exactly the object istioRemoteSecretManifest() gives the Pulumi stack', () => {
    const props = { peerCluster: 'cluster-2', server: 'https://34.1.2.3', caPem: PEM, token: 'tok' };
    expect(render()).toEqual(istioRemoteSecretManifest(props));
    expect(() => istioRemoteSecretManifest({ ...props, token: '' })).toThrow('IstioRemoteSecret.token: must not be empty');
  });
});
