/**
 * SPIRE's server KeyManager and the server's cloud identity, from construct props to server.conf and the
 * ServiceAccount; the topology key spire.keyManager through synth (no cloud values: disk and a NOTE) and
 * through the stack's checks. Upstream facts (spiffe/spire v1.15.3): gcp_kms takes key_ring (a full
 * resource id; there is no project_id/location key), aws_kms takes region; both need exactly one of
 * key_identifier_file / key_identifier_value and accept key_policy_file
 * (pkg/server/plugin/keymanager/{gcpkms/gcpkms.go,awskms/awskms.go} Config and buildConfig).
 */
import { App, Chart } from 'cdk8s';
import { loadTopology } from '../clusters/load';
import { CloudIdentity, DataStore, KEY_IDENTIFIER_FILE, KeyManager, PropsError, SpireServer } from '../constructs';
import { deployMesh } from '../infra/mesh-program';
import { configOf, find, problemsOf, synthTopologyText, twoClusters } from './helpers/synth';

function server(props: Partial<ConstructorParameters<typeof SpireServer>[2]> = {}): { conf: any; objects: any[] } {
  const chart = new Chart(new App(), 'test');
  const s = new SpireServer(chart, 'Server', { trustDomain: 'foo.com', clusterName: 'c1', ...props });
  return { conf: s.config, objects: chart.toJson() };
}
const serviceAccount = (objects: any[]) => objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'spire-server');
const statefulSet = (objects: any[]) => objects.find((o) => o.kind === 'StatefulSet');

describe('KeyManager rendering', () => {
  it('defaults to disk: keys.json on the server\'s own volume, no annotation, no policy ConfigMap', () => {
    const { conf, objects } = server();
    expect(conf.plugins.KeyManager).toEqual({ disk: { plugin_data: { keys_path: '/run/spire/data/keys.json' } } });
    expect(serviceAccount(objects).metadata.annotations).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name).sort()).toEqual(['spire-bundle', 'spire-server']);
  });

  it('gcp_kms: key_ring and a key_identifier_file on the data volume; the plugin\'s default key policy unless one is given', () => {
    const { conf, objects } = server({ keyManager: KeyManager.gcpKms({ keyRing: 'projects/my-proj/locations/europe-west1/keyRings/spire' }) });
    expect(conf.plugins.KeyManager).toEqual({
      gcp_kms: { plugin_data: { key_ring: 'projects/my-proj/locations/europe-west1/keyRings/spire', key_identifier_file: '/run/spire/data/kms-server-id' } },
    });
    expect(objects.find((o) => o.metadata.name === 'spire-server-kms-key-policy')).toBeUndefined();
  });

  it('aws_kms: region, key_identifier_file and the key policy as a mounted ConfigMap', () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const { conf, objects } = server({ keyManager: KeyManager.awsKms({ region: 'eu-west-1', keyPolicy: policy }) });
    expect(conf.plugins.KeyManager).toEqual({
      aws_kms: { plugin_data: { region: 'eu-west-1', key_identifier_file: '/run/spire/data/kms-server-id', key_policy_file: '/run/spire/kms/key-policy.json' } },
    });
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'spire-server-kms-key-policy');
    expect(cm.metadata.namespace).toBe('spire-server');
    expect(cm.data).toEqual({ 'key-policy.json': policy });
    const pod = statefulSet(objects).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'spire-kms-key-policy', configMap: { name: 'spire-server-kms-key-policy' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'spire-kms-key-policy', mountPath: '/run/spire/kms', readOnly: true });
  });

  it('gives every replica of an HA server its own KMS server id: the identifier file lives on the per-replica claim', () => {
    const { conf, objects } = server({ replicas: 3, dataStore: DataStore.postgres({ name: 'db', key: 'dsn' }), keyManager: KeyManager.awsKms({ region: 'us-east-1' }) });
    const sts = statefulSet(objects);
    const data = sts.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.name === 'spire-data');
    expect(KEY_IDENTIFIER_FILE.startsWith(`${data.mountPath}/`)).toBe(true);
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['spire-data']);
    // Not key_identifier_value: one value in the shared ConfigMap would be the same id for all replicas.
    expect(conf.plugins.KeyManager.aws_kms.plugin_data).not.toHaveProperty('key_identifier_value');
  });

  it('annotates the ServiceAccount with the cloud identity (GKE Workload Identity, EKS IRSA)', () => {
    expect(serviceAccount(server({ cloudIdentity: CloudIdentity.gcpServiceAccount('prod-c1-spire@my-proj.iam.gserviceaccount.com') }).objects).metadata.annotations)
      .toEqual({ 'iam.gke.io/gcp-service-account': 'prod-c1-spire@my-proj.iam.gserviceaccount.com' });
    expect(serviceAccount(server({ cloudIdentity: CloudIdentity.awsRole('arn:aws:iam::123456789012:role/spire') }).objects).metadata.annotations)
      .toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/spire' });
  });

  it('renders the server volume claim with the given StorageClass', () => {
    expect(statefulSet(server({ storageClassName: 'meshfed-gp3-encrypted' }).objects).spec.volumeClaimTemplates[0].spec.storageClassName).toBe('meshfed-gp3-encrypted');
  });
});

describe('KeyManager and CloudIdentity bad input', () => {
  it('names the prop, the value and the rule', () => {
    expect(() => KeyManager.gcpKms({ keyRing: 'spire' })).toThrow(new PropsError('KeyManager.gcpKms.keyRing: "spire" must be a key ring resource id "projects/<project>/locations/<location>/keyRings/<name>"'));
    expect(() => KeyManager.awsKms({ region: 'us-central1' })).toThrow(new PropsError('KeyManager.awsKms.region: "us-central1" must be an AWS region such as "us-east-1"'));
    expect(() => KeyManager.awsKms({ region: 'us-east-1', keyPolicy: 'kms:*' })).toThrow(new PropsError('KeyManager.awsKms.keyPolicy: "kms:*"... is not JSON (a policy document is a JSON object)'));
    expect(() => KeyManager.gcpKms({ keyRing: 'projects/my-proj/locations/us/keyRings/r', keyPolicy: '[]' })).toThrow(new PropsError('KeyManager.gcpKms.keyPolicy: "[]" is not a JSON object (a policy document is a JSON object)'));
    expect(() => CloudIdentity.gcpServiceAccount('spire@example.com')).toThrow(new PropsError('CloudIdentity.gcpServiceAccount: "spire@example.com" must be a Google service account email "<id>@<project>.iam.gserviceaccount.com"'));
    expect(() => CloudIdentity.awsRole('arn:aws:iam::123:user/x')).toThrow(new PropsError('CloudIdentity.awsRole: "arn:aws:iam::123:user/x" must be an IAM role ARN "arn:aws:iam::<account>:role/<name>"'));
  });
});

describe('topology spire.keyManager', () => {
  it('defaults to disk and accepts kms', () => {
    expect(loadTopology(twoClusters(), 'env.yaml').clusters[0].spire.keyManager).toBe('disk');
    expect(loadTopology(twoClusters('    spire: { keyManager: kms }'), 'env.yaml').clusters[0].spire.keyManager).toBe('kms');
  });

  it('rejects other values with the field path and the allowed ones', () => {
    expect(problemsOf(twoClusters('    spire: { keyManager: vault }'))).toEqual(['env.yaml:9: clusters[0].spire.keyManager: "vault" is not allowed (one of: disk | kms)']);
  });

  it('synth without the stack keeps KeyManager disk and says in a NOTE what the stack adds', () => {
    const { result, clusters } = synthTopologyText(twoClusters('    spire: { keyManager: kms }'));
    expect(configOf(clusters.get('cluster-1')!.objects, 'spire-server', 'spire-server', 'server.conf').plugins.KeyManager).toHaveProperty('disk');
    expect(find(clusters.get('cluster-1')!.objects, 'ServiceAccount', 'spire-server', 'spire-server').metadata).not.toHaveProperty('annotations');
    const notes = result.notes.filter((n) => n.text.startsWith('spire.keyManager kms'));
    expect(notes.map((n) => n.cluster)).toEqual(['cluster-1']);
    expect(notes[0].text).toContain('clusters[0].spire.keyManager');
    expect(notes[0].text).toContain('a Cloud KMS key ring and a Google service account for spire-server (Workload Identity)');
  });

  it('the stack refuses kms on a cluster it does not create, before registering anything', () => {
    const topology = loadTopology(twoClusters('    spire: { keyManager: kms }'), 'env.yaml');
    expect(() => deployMesh({ topology, existingClusters: ['cluster-1', 'cluster-2'] })).toThrow(
      'spire.keyManager kms is only for clusters the stack creates (it creates the key ring or IAM role and the server\'s cloud identity with the cluster); cluster-1 is given in meshfed:kubeconfigs (use keyManager disk there)',
    );
  });
});
