/** The install plan of one cluster and the awaits the stack adds, as pure functions of the files. */
import { deploymentPlan, type ManifestFile, takeObject, waitForExpression, withAwaitAnnotations } from '../infra/deployment-plan';

const file = (name: string, objects: Record<string, unknown>[] = []): ManifestFile => ({ name, objects });
const stepNames = (files: ManifestFile[]): string[] => deploymentPlan(files).steps.map((s) => (s.kind === 'istio' ? '<istio>' : s.file.name));

describe('deploymentPlan', () => {
  it('puts Istio at the IstioOperator file, skips that file, and keeps file order on both sides', () => {
    const files = ['70-samples.yaml', '00-namespaces.yaml', '65-istio-mesh.yaml', '60-istio-operator.yaml', '10-cert-manager-ca.yaml', '40-workload-identity.yaml', '35-federation.yaml'].map((n) => file(n));
    expect(stepNames(files)).toEqual([
      '00-namespaces.yaml', '10-cert-manager-ca.yaml', '35-federation.yaml', '40-workload-identity.yaml',
      '<istio>',
      '65-istio-mesh.yaml', '70-samples.yaml',
    ]);
    expect(deploymentPlan(files).skipped).toEqual(['60-istio-operator.yaml']);
  });

  it('places files by name alone, so a new file lands on the right side of Istio', () => {
    expect(stepNames([file('59-late-prereq.yaml'), file('61-after-istio.yaml'), file('00-namespaces.yaml')])).toEqual(['00-namespaces.yaml', '59-late-prereq.yaml', '<istio>', '61-after-istio.yaml']);
    // Without any file before or after, Istio is still installed exactly once.
    expect(stepNames([])).toEqual(['<istio>']);
    expect(stepNames([file('65-istio-mesh.yaml')])).toEqual(['<istio>', '65-istio-mesh.yaml']);
  });
});

describe('await annotations', () => {
  const certificate = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'istiod-cacerts', namespace: 'istio-system', labels: { a: 'b' } },
    spec: { secretName: 'cacerts', isCA: true, issuerRef: { name: 'spire-ca', kind: 'ClusterIssuer' } },
  };

  it('makes the stack wait for every cert-manager Certificate to be Ready', () => {
    const out = withAwaitAnnotations(certificate) as any;
    expect(out.metadata).toEqual({ name: 'istiod-cacerts', namespace: 'istio-system', labels: { a: 'b' }, annotations: { 'pulumi.com/waitFor': 'condition=Ready' } });
    expect(out.spec).toEqual(certificate.spec);
    // The synthesized object is not changed.
    expect((certificate.metadata as any).annotations).toBeUndefined();
  });

  it('waits for the token of service-account token Secrets (the remote secrets read it)', () => {
    expect(waitForExpression({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 't' } })).toBe('jsonpath={.data.token}');
    expect(waitForExpression({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 't' } })).toBeUndefined();
  });

  it('leaves other objects alone and keeps an annotation already set', () => {
    for (const o of [
      { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'i' } },
      { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: 'r' } },
      { apiVersion: 'example.com/v1', kind: 'Certificate', metadata: { name: 'other-group' } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'spire-server' } },
    ]) expect(withAwaitAnnotations(o)).toEqual(o);
    const custom = { ...certificate, metadata: { name: 'c', annotations: { 'pulumi.com/waitFor': 'condition=Issuing=False', x: 'y' } } };
    expect((withAwaitAnnotations(custom) as any).metadata.annotations).toEqual({ 'pulumi.com/waitFor': 'condition=Issuing=False', x: 'y' });
  });

  it('takes one object out of a file by apiVersion, kind, namespace and name, keeping the rest in order', () => {
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'r', namespace: 'istio-system' } };
    const token = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'r', namespace: 'istio-system' } };
    const other = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'r', namespace: 'default' } };
    const file: ManifestFile = { name: '65-x.yaml', objects: [sa, token, other] };
    const ref = { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'r' };
    expect(takeObject(file, ref)).toEqual({ object: token, rest: { name: '65-x.yaml', objects: [sa, other] } });
    expect(takeObject({ name: 'a.yaml', objects: [sa] }, ref)).toEqual({ rest: { name: 'a.yaml', objects: [sa] } });
  });
});
