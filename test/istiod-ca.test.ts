/** IstiodCa: istiod's plug-in CA Certificate, and the errors its props produce. */
import { Chart, Testing } from 'cdk8s';
import { IstiodCa, type IstiodCaProps } from '../constructs/istio/istiod-ca';
import { validateObject, type K8sObject } from './helpers/schema-validation';

const base: IstiodCaProps = { trustDomain: 'foo.com', clusterName: 'cluster-1', issuerName: 'spire-ca' };

function render(props: IstiodCaProps): K8sObject[] {
  const chart = new Chart(Testing.app(), 'test');
  new IstiodCa(chart, 'Ca', props);
  return chart.toJson() as K8sObject[];
}

describe('IstiodCa', () => {
  it('renders one valid Certificate named for the cluster, with 90-day intermediates renewed 30 days early', () => {
    const [cert, ...rest] = render(base) as Array<K8sObject & Record<string, any>>;
    expect(rest).toEqual([]);
    expect(validateObject(cert)).toEqual([]);
    expect(cert.metadata).toMatchObject({ name: 'istiod-cacerts', namespace: 'istio-system' });
    expect(cert.spec).toMatchObject({ commonName: 'istiod cluster-1 intermediate CA', duration: '2160h', renewBefore: '720h', subject: { organizations: ['foo.com'] } });
  });

  it('takes another namespace and lifetime', () => {
    const [cert] = render({ ...base, namespace: 'istio-canary', duration: '720h', renewBefore: '90m' }) as Array<K8sObject & Record<string, any>>;
    expect(cert.metadata.namespace).toBe('istio-canary');
    expect(cert.spec).toMatchObject({ duration: '720h', renewBefore: '90m' });
  });

  it.each([
    [{ trustDomain: 'Foo.com' }, 'IstiodCa.trustDomain: "Foo.com" is not a valid SPIFFE trust domain'],
    [{ clusterName: 'Cluster_1' }, 'IstiodCa.clusterName: "Cluster_1" must be a DNS label'],
    [{ issuerName: '' }, 'IstiodCa.issuerName: "" must be a DNS label'],
    [{ duration: '90d' }, 'IstiodCa.duration: "90d" is not a Go duration'],
    [{ duration: '24h', renewBefore: '1440m' }, 'IstiodCa.renewBefore: "1440m" must be shorter than duration "24h"'],
  ] as Array<[Partial<IstiodCaProps>, string]>)('rejects %j', (override, message) => {
    expect(() => render({ ...base, ...override })).toThrow(message);
  });
});
