/** The test validator itself must catch what the API server would reject, or the schema tests prove nothing. */
import { validateObject, type K8sObject } from './helpers/schema-validation';

const obj = (o: Record<string, unknown>) => o as unknown as K8sObject;

describe('validateObject', () => {
  it('rejects an unknown field in a custom resource', () => {
    const errors = validateObject(obj({
      apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterSPIFFEID', metadata: { name: 'x' },
      spec: { spiffeIDTemplate: 'spiffe://x/y', federateWith: ['a.org'] },
    }));
    expect(errors.join()).toMatch(/additional/);
  });

  it('rejects a missing required field in a custom resource', () => {
    expect(validateObject(obj({ apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterSPIFFEID', metadata: { name: 'x' }, spec: {} }))).not.toEqual([]);
  });

  it('rejects a namespace on a cluster-scoped custom resource', () => {
    expect(validateObject(obj({
      apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterSPIFFEID', metadata: { name: 'x', namespace: 'y' }, spec: { spiffeIDTemplate: 't' },
    }))).toContain('cluster-scoped object has metadata.namespace');
  });

  it('rejects a wrongly typed field in a built-in kind', () => {
    expect(validateObject(obj({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } }))).not.toEqual([]);
  });

  it('rejects an unknown kind', () => {
    expect(validateObject(obj({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }))).toEqual(['no schema for example.com/v1 Widget']);
  });

  it('accepts a valid cert-manager Certificate', () => {
    expect(validateObject(obj({
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'n' },
      spec: { secretName: 's', isCA: true, commonName: 'x', issuerRef: { name: 'i' } },
    }))).toEqual([]);
  });
});
