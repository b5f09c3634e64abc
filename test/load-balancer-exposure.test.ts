/** Issue #10 point 13: who may reach the load balancers peers dial, internal where they share a network, pinned addresses. */
import { istioClusterValues } from '../clusters/istio-values';
import { istioHelmValues } from '../constructs/istio/helm-values';
import { EASTWEST_GATEWAY, istioModel } from '../constructs/istio/model';
import { istioOperatorSpec } from '../constructs/istio/operator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nlbAddressPin } from '../clusters/aws-subnets';
import { find, problemsOf, synthTopologyText, twoClusters } from './helpers/synth';

type Obj = Record<string, any>;

/** Two roots with rendered federation (address + root), on the given networks and providers. */
function pair(opts: { net2?: string; provider2?: string; extra1?: string; extra2?: string } = {}): string {
  return `environment: lb
clusters:
  - name: one
    provider: gke
    region: us-central1
    trustDomain: foo.com
    network: shared
    cidr: 10.10.0.0/16
    rootCa:
      certificateFile: ../test/fixtures/foo.com.pem
    bundleEndpoint:
      address: 10.10.0.50
${opts.extra1 ?? ''}  - name: two
    provider: ${opts.provider2 ?? 'gke'}
    region: ${opts.provider2 === 'eks' ? 'eu-west-1' : 'us-central1'}
    trustDomain: bar.com
    network: ${opts.net2 ?? 'shared'}
    cidr: 10.20.0.0/16
    rootCa:
      certificateFile: ../test/fixtures/bar.com.pem
    bundleEndpoint:
      address: bundle.bar.com
${opts.extra2 ?? ''}federation: full-mesh
`;
}

const eastWestOf = (text: string, cluster: string) => {
  const { topology } = synthTopologyText(text);
  const model = istioModel(istioClusterValues(topology, cluster));
  return {
    iop: (istioOperatorSpec(model).components as Obj).ingressGateways.find((g: Obj) => g.name === EASTWEST_GATEWAY),
    helm: (istioHelmValues(model).gateways as Obj)[EASTWEST_GATEWAY],
  };
};

describe('load balancers peers dial', () => {
  it('makes them internal and limited to the peers\' cidrs when every consumer shares the network', () => {
    const { iop, helm } = eastWestOf(pair(), 'one');
    expect(iop.k8s.service.loadBalancerSourceRanges).toEqual(['10.20.0.0/16']);
    expect(iop.k8s.serviceAnnotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    expect(helm.service.loadBalancerSourceRanges).toEqual(['10.20.0.0/16']);
    const { clusters } = synthTopologyText(pair());
    const bundle = find(clusters.get('one')!.objects, 'Service', 'spire-server-bundle-endpoint') as Obj;
    expect(bundle.spec.loadBalancerSourceRanges).toEqual(['10.20.0.0/16']);
    expect(bundle.metadata.annotations['networking.gke.io/load-balancer-type']).toBe('Internal');
    // The bundle endpoint's IPv4 address is pinned; a DNS name cannot be.
    expect(bundle.spec.loadBalancerIP).toBe('10.10.0.50');
    expect((find(clusters.get('two')!.objects, 'Service', 'spire-server-bundle-endpoint') as Obj).spec.loadBalancerIP).toBeUndefined();
  });

  it('leaves them open with a note naming the key when consumers come over another network, and uses the key when given', () => {
    const open = synthTopologyText(pair({ net2: 'other' }));
    const { iop } = eastWestOf(pair({ net2: 'other' }), 'one');
    expect(iop.k8s.service.loadBalancerSourceRanges).toBeUndefined();
    expect(iop.k8s.serviceAnnotations).toEqual({ 'cloud.google.com/l4-rbs': 'enabled' });
    expect(open.result.notes.map((n) => n.text)).toContainEqual(expect.stringContaining('Set clusters[0].istio.eastWestGateway.loadBalancerSourceRanges'));
    const given = pair({ net2: 'other', extra1: '    istio:\n      eastWestGateway:\n        address: 198.51.100.7\n        loadBalancerSourceRanges: [203.0.113.0/24]\n' });
    const { iop: pinned, helm } = eastWestOf(given, 'one');
    expect(pinned.k8s.service).toMatchObject({ loadBalancerIP: '198.51.100.7', loadBalancerSourceRanges: ['203.0.113.0/24'] });
    expect(helm.service).toMatchObject({ loadBalancerIP: '198.51.100.7', loadBalancerSourceRanges: ['203.0.113.0/24'] });
  });

  it('uses in-tree NLB annotations on EKS and says that AWS does not pin loadBalancerIP (an internal NLB takes private addresses, not Elastic IPs)', () => {
    const text = pair({ provider2: 'eks', extra2: '    istio:\n      eastWestGateway:\n        address: 198.51.100.8\n' });
    const { iop } = eastWestOf(text, 'two');
    expect(iop.k8s.serviceAnnotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb', 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' });
    expect(synthTopologyText(text).result.notes.map((n) => n.text).filter((t) => t.includes('AWS ignores loadBalancerIP'))).toEqual([
      'Service istio-system/istio-eastwestgateway (east-west gateway): AWS ignores loadBalancerIP, so 198.51.100.8 is not pinned by it; serve it with the AWS Load Balancer Controller '
      + '(service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip, service.beta.kubernetes.io/aws-load-balancer-scheme: internal) and list 198.51.100.8 first in the annotation service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses '
      + '(one private address per subnet of service.beta.kubernetes.io/aws-load-balancer-subnets) through clusters[1].istio.eastWestGateway.annotations.',
    ]);
  });

  it('takes the note\'s advice: istio.eastWestGateway.annotations reach the gateway Service (IstioOperator and Helm values) over meshfed\'s own, and the note goes', () => {
    const annotations = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-subnets': 'subnet-a,subnet-b',
      'service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses': '10.20.0.8,10.20.16.8',
    };
    const yamlAnnotations = Object.entries(annotations).map(([k, v]) => `          ${k}: "${v}"\n`).join('');
    const text = pair({ provider2: 'eks', extra2: `    istio:\n      eastWestGateway:\n        address: 10.20.0.8\n        annotations:\n${yamlAnnotations}` });
    const { iop, helm } = eastWestOf(text, 'two');
    const expected = { ...annotations, 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' };
    expect(iop.k8s.serviceAnnotations).toEqual(expected);
    expect(helm.service.annotations).toEqual(expected);
    const { result, clusters } = synthTopologyText(text);
    expect(result.notes.filter((n) => n.text.includes('AWS ignores loadBalancerIP'))).toEqual([]);
    // The controller serves it with IP targets: istio-system gets the pod readiness gate label.
    const ns = find(clusters.get('two')!.objects, 'Namespace', 'istio-system') as Obj;
    expect(ns.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
  });

  it('rejects bad ranges and addresses with the field path', () => {
    expect(problemsOf(twoClusters('    istio:\n      eastWestGateway:\n        address: gw.example.com\n        loadBalancerSourceRanges: [10.0.0.1/8]\n'))).toEqual([
      'env.yaml:12: clusters[0].istio.eastWestGateway.loadBalancerSourceRanges[0]: "10.0.0.1/8" has host bits set (the network address is 10.0.0.0/8)',
      'env.yaml:11: clusters[0].istio.eastWestGateway.address: "gw.example.com" must be an IPv4 address (it is pinned as the Service\'s loadBalancerIP)',
    ]);
  });
});

describe('AWS addresses pinned by annotations, not loadBalancerIP', () => {
  const PRIVATE = 'service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses';
  const SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
  const ignored = (notes: readonly { cluster: string; text: string }[]) => notes.filter((n) => n.text.includes('AWS ignores loadBalancerIP'));

  it('tells nothing about clusters/eks.yaml\'s internal NLB, whose private-ipv4-addresses annotation pins the address peers dial', () => {
    const eks = synthTopologyText(readFileSync(join(__dirname, '..', 'clusters', 'eks.yaml'), 'utf8'));
    const nested = find(eks.clusters.get('root')!.objects, 'Service', 'spire-server-nested') as Obj;
    expect(nested.spec.loadBalancerIP).toBe('10.100.0.10');
    expect(nested.metadata.annotations[PRIVATE].split(',')[0]).toBe('10.100.0.10');
    expect(ignored(eks.result.notes)).toEqual([]);
  });

  it('still tells when the internal NLB\'s private addresses miss the one peers dial, and says to list it there rather than allocate Elastic IPs', () => {
    const text = readFileSync(join(__dirname, '..', 'clusters', 'eks.yaml'), 'utf8').replace('address: 10.100.0.10', 'address: 10.100.0.20');
    expect(ignored(synthTopologyText(text).result.notes)).toEqual([{
      cluster: 'root',
      text: 'Service spire-server/spire-server-nested (the SPIRE server API for nested children): AWS ignores loadBalancerIP, so 10.100.0.20 is not pinned by it; '
        + `list 10.100.0.20 first in the annotation ${PRIVATE} (one private address per subnet of service.beta.kubernetes.io/aws-load-balancer-subnets) through clusters[0].serverEndpoint.annotations.`,
    }]);
  });

  it('counts an internal NLB listing the address, or an internet-facing one on Elastic IP allocations, as pinned, when the controller serves it', () => {
    const controller = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' };
    expect(nlbAddressPin({ ...controller, [SCHEME]: 'internal', [PRIVATE]: '10.0.0.10, 10.0.64.10' }, '10.0.64.10')).toBe('private-ipv4');
    expect(nlbAddressPin({ ...controller, [SCHEME]: 'internal', [PRIVATE]: '10.0.0.10' }, '10.0.0.11')).toBe('none');
    expect(nlbAddressPin({ ...controller, [SCHEME]: 'internet-facing', 'service.beta.kubernetes.io/aws-load-balancer-eip-allocations': 'eipalloc-a,eipalloc-b' }, '198.51.100.1')).toBe('eip');
    // Elastic IPs do not apply to an internal NLB (controller docs: internet-facing only).
    expect(nlbAddressPin({ ...controller, [SCHEME]: 'internal', 'service.beta.kubernetes.io/aws-load-balancer-eip-allocations': 'eipalloc-a' }, '10.0.0.10')).toBe('none');
    expect(nlbAddressPin(undefined, '10.0.0.10')).toBe('none');
    // The same annotations on an in-tree `nlb` Service pin nothing: the controller never sees it.
    expect(nlbAddressPin({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb', [SCHEME]: 'internal', [PRIVATE]: '10.0.0.10' }, '10.0.0.10')).toBe('none');
  });

  it('keeps the note when only the scheme and addresses are added to the in-tree east-west NLB, naming the controller annotations still missing', () => {
    const text = pair({ provider2: 'eks', extra2: `    istio:\n      eastWestGateway:\n        address: 10.20.0.8\n        annotations:\n          ${SCHEME}: internal\n          ${PRIVATE}: "10.20.0.8,10.20.16.8"\n` });
    expect(synthTopologyText(text).result.notes.filter((n) => n.text.includes('AWS ignores loadBalancerIP')).map((n) => n.text)).toEqual([
      expect.stringContaining('serve it with the AWS Load Balancer Controller (service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip'),
    ]);
  });
});
