/**
 * spire.keyManager kms through the shared Pulumi program on both clouds (stacks/index.ts under mocks):
 * GKE gets a key ring, a Google service account bound to spire-server/spire-server and a custom role with
 * exactly SPIRE's permissions; EKS reuses the aws_kms IRSA role and hands the key policy to the server;
 * both render the plugin and the ServiceAccount annotation into the deployed server manifests. EKS
 * servers' volume claims use the encrypted gp3 StorageClass the stack applies first.
 */
import { join } from 'node:path';
import { isWildcardAction, policyActions, spireKmsKeyPolicy } from '../infra/aws/iam-policies';
import { SPIRE_GCP_KMS_PERMISSIONS } from '../infra/gcp/spire-kms';
import { settle } from './helpers/pulumi-mocks';
import { startStack } from './helpers/stack-run';

const CLUSTERS = ['gke-kms', 'gke-scratch', 'gke-disk', 'eks-kms'];
const run = startStack('prod', {
  'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'kms.yaml'),
  'gcp:project': 'meshfed-prod',
  'meshfed:apiAccessCidrs': '["192.0.2.0/28"]',
}, [], { project: 'meshfed-prod' });
const serverObjects = (cluster: string): any[] => run.named(`${cluster}-20-spire-server`).inputs.objs;
const find = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const serverConf = (cluster: string) => JSON.parse(find(serverObjects(cluster), 'ConfigMap', 'spire-server').data['server.conf']);

beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  run.stack = require('../stacks/index');
  // A bound, not a timing assertion: four clusters' programs on a shared 2-core machine.
  await settle(() => CLUSTERS.every((c) => run.recorded.get(`${c}-20-spire-server`)?.inputs.objs !== undefined), 170000);
}, 180000);

describe('GKE: Cloud KMS for spire.keyManager kms', () => {
  it('creates a key ring, a server account and its bindings only for the clusters that ask', () => {
    expect(run.ofType('gcp:kms/keyRing:KeyRing').map((k) => [k.name, k.inputs.location, k.inputs.project]).sort()).toEqual([
      ['gke-kms-spire-kms-key-ring', 'europe-west1', 'meshfed-prod'],
      ['gke-scratch-spire-kms-key-ring', 'us-central1', 'meshfed-prod'],
    ]);
    expect(run.named('gke-kms-spire-kms-key-ring').inputs.name).toMatch(/^prod-gke-kms-spire-[0-9a-f]{6}$/);
    expect(run.all().filter((r) => r.name.startsWith('gke-disk-spire-kms') || r.name.startsWith('eks-') && r.type.startsWith('gcp:'))).toEqual([]);
    // SPIRE creates its own CryptoKeys in the ring (gcpkms.go createKey): the stack creates none.
    expect(run.ofType('gcp:kms/cryptoKey:CryptoKey')).toEqual([]);
  });

  it('grants a custom role with exactly the permissions the gcp_kms doc lists, on the key ring only, to the server account only', () => {
    const roles = run.ofType('gcp:projects/iAMCustomRole:IAMCustomRole');
    expect(roles.map((r) => [r.name, r.inputs.roleId])).toEqual([['prod-spire-kms', 'meshfed.spireKms.prod']]);
    // spiffe/spire v1.15.3 doc/plugin_server_keymanager_gcp_kms.md "Required permissions": these 11, nothing more.
    expect([...roles[0].inputs.permissions].sort()).toEqual([
      'cloudkms.cryptoKeyVersions.create', 'cloudkms.cryptoKeyVersions.destroy', 'cloudkms.cryptoKeyVersions.get', 'cloudkms.cryptoKeyVersions.list',
      'cloudkms.cryptoKeyVersions.useToSign', 'cloudkms.cryptoKeyVersions.viewPublicKey', 'cloudkms.cryptoKeys.create', 'cloudkms.cryptoKeys.getIamPolicy',
      'cloudkms.cryptoKeys.list', 'cloudkms.cryptoKeys.setIamPolicy', 'cloudkms.cryptoKeys.update',
    ]);
    expect(SPIRE_GCP_KMS_PERMISSIONS).toHaveLength(11);
    const grant = run.named('gke-kms-spire-kms-key-ring-spire');
    expect(grant.type).toBe('gcp:kms/keyRingIAMMember:KeyRingIAMMember');
    expect(grant.inputs.role).toBe('projects/meshfed-prod/roles/meshfed.spireKms.prod');
    expect(grant.inputs.member).toBe('serviceAccount:prod-gke-kms-spire@meshfed-prod.iam.gserviceaccount.com');
    expect(grant.inputs.keyRingId).toBe(`projects/meshfed-prod/locations/europe-west1/keyRings/${run.named('gke-kms-spire-kms-key-ring').inputs.name}`);
    // No project-level grant to the server account: its only role is on its key ring.
    expect(run.ofType('gcp:projects/iAMMember:IAMMember').filter((m) => String(m.inputs.member).includes('-spire@'))).toEqual([]);
  });

  it('enables Cloud KMS and IAM Service Account Credentials once, before the key rings and the kms servers\' deployments', () => {
    const services = run.ofType('gcp:projects/service:Service');
    expect(services.map((s) => s.inputs.service).sort()).toEqual(['cloudkms.googleapis.com', 'compute.googleapis.com', 'container.googleapis.com', 'iam.googleapis.com', 'iamcredentials.googleapis.com']);
    for (const s of services) expect([s.inputs.disableOnDestroy, s.inputs.disableDependentServices]).toEqual([false, false]);
    for (const c of ['gke-kms', 'gke-scratch']) {
      expect(run.named(`${c}-spire-kms-key-ring`).dependsOn).toContain('prod-api-cloudkms');
      expect(run.named(`${c}-k8s`).dependsOn).toContain('prod-api-iamcredentials');
    }
    expect(run.named('gke-disk-k8s').dependsOn).not.toContain('prod-api-iamcredentials');
    expect(run.named('prod-spire-kms').dependsOn).toContain('prod-api-iam');
  });

  it('lets exactly the spire-server ServiceAccount act as the Google service account (Workload Identity)', () => {
    const wi = run.named('gke-kms-spire-kms-workload-identity');
    expect(wi.type).toBe('gcp:serviceaccount/iAMMember:IAMMember');
    expect([wi.inputs.serviceAccountId, wi.inputs.role, wi.inputs.member]).toEqual([
      'projects/meshfed-prod/serviceAccounts/prod-gke-kms-spire@meshfed-prod.iam.gserviceaccount.com',
      'roles/iam.workloadIdentityUser',
      'serviceAccount:meshfed-prod.svc.id.goog[spire-server/spire-server]',
    ]);
  });

  it('protects the key ring and its name suffix outside dev-like environments, unless deletion protection is off', () => {
    expect([run.named('gke-kms-spire-kms-key-ring').protect, run.named('gke-kms-spire-kms-key-ring-suffix').protect]).toEqual([true, true]);
    expect([run.named('gke-scratch-spire-kms-key-ring').protect, run.named('gke-scratch-spire-kms-key-ring-suffix').protect]).toEqual([false, false]);
  });

  it('deploys the server with KeyManager gcp_kms on that key ring and the Workload Identity annotation', () => {
    const ring = run.named('gke-kms-spire-kms-key-ring').inputs.name;
    expect(serverConf('gke-kms').plugins.KeyManager).toEqual({
      gcp_kms: { plugin_data: { key_ring: `projects/meshfed-prod/locations/europe-west1/keyRings/${ring}`, key_identifier_file: '/run/spire/data/kms-server-id' } },
    });
    expect(find(serverObjects('gke-kms'), 'ServiceAccount', 'spire-server').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'prod-gke-kms-spire@meshfed-prod.iam.gserviceaccount.com',
    });
    // Two replicas, each with its own claim: each keeps its own KMS server id (and so its own keys).
    const sts = find(serverObjects('gke-kms'), 'StatefulSet', 'spire-server');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['spire-data']);
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
  });

  it('keeps KeyManager disk and no annotation where the topology does not ask', () => {
    expect(serverConf('gke-disk').plugins.KeyManager).toEqual({ disk: { plugin_data: { keys_path: '/run/spire/data/keys.json' } } });
    expect(find(serverObjects('gke-disk'), 'ServiceAccount', 'spire-server').metadata.annotations).toBeUndefined();
  });
});

describe('EKS: AWS KMS for spire.keyManager kms, and the servers\' storage', () => {
  const roleArn = 'arn:aws:iam::123456789012:role/eks-kms-spire-kms-irsa-role';

  it('deploys the server with KeyManager aws_kms, the key policy file and the IRSA annotation of the aws_kms role', () => {
    expect(serverConf('eks-kms').plugins.KeyManager).toEqual({
      aws_kms: { plugin_data: { region: 'us-east-1', key_identifier_file: '/run/spire/data/kms-server-id', key_policy_file: '/run/spire/kms/key-policy.json' } },
    });
    expect(find(serverObjects('eks-kms'), 'ServiceAccount', 'spire-server').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': roleArn });
    const policy = JSON.parse(find(serverObjects('eks-kms'), 'ConfigMap', 'spire-server-kms-key-policy').data['key-policy.json']);
    expect(policy).toEqual(spireKmsKeyPolicy({ partition: 'aws', region: 'us-east-1', accountId: '123456789012' }, roleArn));
    const mounts = find(serverObjects('eks-kms'), 'StatefulSet', 'spire-server').spec.template.spec.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: 'spire-kms-key-policy', mountPath: '/run/spire/kms', readOnly: true });
  });

  it('gives the server one role: the IAM-authenticated datastore adds rds-db:connect to the aws_kms role instead of a second role', () => {
    expect(run.recorded.has('eks-kms-datastore-iam-irsa')).toBe(false);
    const connect = run.named('eks-kms-datastore-iam-connect');
    expect(connect.type).toBe('aws:iam/rolePolicy:RolePolicy');
    expect(connect.inputs.role).toBe('eks-kms-spire-kms-irsa-role');
    expect(policyActions(JSON.parse(connect.inputs.policy))).toEqual(['rds-db:connect']);
    const trust = JSON.parse(run.named('eks-kms-spire-kms-irsa-role').inputs.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain('system:serviceaccount:spire-server:spire-server');
  });

  it('grants no wildcard action in the role\'s policies or in the key policy handed to SPIRE', () => {
    const documents = [
      ...run.ofType('aws:iam/rolePolicy:RolePolicy').filter((p) => p.name.startsWith('eks-kms-')).map((p) => JSON.parse(p.inputs.policy)),
      JSON.parse(find(serverObjects('eks-kms'), 'ConfigMap', 'spire-server-kms-key-policy').data['key-policy.json']),
    ];
    expect(documents.length).toBeGreaterThanOrEqual(3);
    for (const d of documents) expect(policyActions(d).filter(isWildcardAction)).toEqual([]);
  });

  it('applies the encrypted gp3 StorageClass once per EKS cluster, before the server, whose claims name it', () => {
    const classes = run.all().filter((r) => r.name.endsWith('-storage-class'));
    expect(classes.map((r) => r.name)).toEqual(['eks-kms-storage-class']);
    for (const cluster of ['eks-kms']) {
      const sc = run.named(`${cluster}-storage-class`);
      expect(sc.inputs.objs).toEqual([expect.objectContaining({ kind: 'StorageClass', metadata: expect.objectContaining({ name: 'meshfed-gp3-encrypted' }), provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true' } })]);
      expect(sc.provider).toBe(`${cluster}-k8s`);
      expect(run.named(`${cluster}-20-spire-server`).dependsOn).toContain(`${cluster}-storage-class`);
      const claim = find(serverObjects(cluster), 'StatefulSet', 'spire-server').spec.volumeClaimTemplates[0];
      expect(claim.spec.storageClassName).toBe('meshfed-gp3-encrypted');
    }
    // GKE clusters keep their default StorageClass.
    expect(find(serverObjects('gke-disk'), 'StatefulSet', 'spire-server').spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
  });
});
