/** Which Google APIs the stack enables for the gke clusters it creates (infra/gcp/apis.ts). */
import fc from 'fast-check';
import { GCP_APIS, requiredGcpApis } from '../infra/gcp/apis';

type Spire = Parameters<typeof requiredGcpApis>[0][number]['spire'];
const cluster = (spire: Partial<Pick<Spire, 'keyManager' | 'managedDatastore'>>) =>
  ({ spire: { keyManager: 'disk', managedDatastore: false, ...spire } as Spire });

describe('requiredGcpApis', () => {
  it('needs nothing when no gke cluster is created', () => {
    expect(requiredGcpApis([])).toEqual([]);
  });

  it('needs Compute Engine, GKE and IAM for any created cluster; KMS and SQL APIs only when the topology asks', () => {
    expect(requiredGcpApis([cluster({})])).toEqual(['compute', 'container', 'iam']);
    expect(requiredGcpApis([cluster({}), cluster({ keyManager: 'kms' })])).toEqual(['compute', 'container', 'iam', 'cloudkms', 'iamcredentials']);
    expect(requiredGcpApis([cluster({ managedDatastore: true })])).toEqual(['compute', 'container', 'iam', 'servicenetworking', 'sqladmin']);
    expect(GCP_APIS.sqladmin).toBe('sqladmin.googleapis.com');
  });

  it('is the union of what each cluster needs, whatever the order (property)', () => {
    const spec = fc.record({ keyManager: fc.constantFrom<'disk' | 'kms'>('disk', 'kms'), managedDatastore: fc.boolean() }).map(cluster);
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), (clusters) => {
      const all = requiredGcpApis(clusters);
      const union = new Set(clusters.flatMap((c) => requiredGcpApis([c])));
      expect(new Set(all)).toEqual(union);
      expect(requiredGcpApis([...clusters].reverse())).toEqual(all);
      expect(new Set(all).size).toBe(all.length);
    }));
  });
});
