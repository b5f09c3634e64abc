/** Remote secrets: which clusters discover which, and the Secret istiod reads. */
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { discoveryPairs, trustRelations } from '../clusters/federation';
import { IstioRemoteSecret, istioRemoteSecretManifest } from '../constructs/istio/remote-secret';
import { validateObject, type K8sObject } from './helpers/schema-validation';
import { synthTopologyText } from './helpers/synth';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** One root cluster; `rendered` gives it the bundle endpoint address and root its peers need to federate. */
function root(name: string, td: string, cidr: string, rendered: boolean, provider = 'gke'): string {
  return `  - name: ${name}
    provider: ${provider}
    region: ${provider === 'gke' ? 'us-central1' : 'eu-west-1'}
    trustDomain: ${td}
    cidr: ${cidr}
${rendered ? `    rootCa:\n      certificateFile: ../test/fixtures/${td}.pem\n    bundleEndpoint:\n      address: bundle.${td}\n` : ''}`;
}

/** a, b, c: federation fully rendered unless listed in `unrendered`. */
function topology(federation: string, extra = '', unrendered: readonly string[] = []): string {
  return `environment: t
clusters:
${root('a', 'foo.com', '10.10.0.0/16', !unrendered.includes('a'))}${root('b', 'bar.com', '10.20.0.0/16', !unrendered.includes('b'))}${root('c', 'baz.org', '10.30.0.0/16', !unrendered.includes('c'), 'eks')}${extra}federation: ${federation}
`;
}

const pairsOf = (text: string) => discoveryPairs(synthTopologyText(text).topology).map((p) => `${p.cluster}->${p.peer}`);

describe('discoveryPairs', () => {
  it('pairs every cluster with every other in a full mesh whose federation is rendered', () => {
    expect(pairsOf(topology('full-mesh'))).toEqual(['a->b', 'a->c', 'b->a', 'b->c', 'c->a', 'c->b']);
  });

  it('never pairs clusters whose trust domains are not federated', () => {
    expect(pairsOf(topology('[[a, b]]'))).toEqual(['a->b', 'b->a']);
    expect(pairsOf(topology('none'))).toEqual([]);
  });

  // Issue #10 point 6: the topology federates c, but without its address and root no peer holds c's bundle
  // (and c federates with no one), so neither side could verify the other's certificates.
  it('pairs only clusters whose federation is rendered in both directions (address and root known)', () => {
    expect(pairsOf(topology('full-mesh', '', ['c']))).toEqual(['a->b', 'b->a']);
    expect(pairsOf(topology('full-mesh', '', ['a', 'b', 'c']))).toEqual([]);
    const relations = trustRelations(synthTopologyText(topology('full-mesh', '', ['c'])).topology);
    expect(relations.federatesWith('a')).toEqual(['bar.com']);
    expect(relations.federatesWith('c')).toEqual(['bar.com', 'foo.com']);
    expect(relations.authenticates('a', 'c')).toBe(false);
  });

  it("pairs a nested cluster with its root (same trust domain) and with its root's federated peers", () => {
    const pairs = pairsOf(topology('[[a, b]]', `  - name: d
    provider: gke
    region: us-central1
    nestedUnder: a
    cidr: 10.40.0.0/16
`));
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
