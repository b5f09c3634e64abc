/**
 * Cloud KMS for SPIRE's gcp_kms KeyManager (topology: spire.keyManager kms on a gke cluster): per cluster a
 * key ring in the cluster's region and a Google service account the spire-server ServiceAccount acts as
 * through Workload Identity, granted a custom role on that key ring only. SPIRE creates (and rotates,
 * and prunes) the CryptoKeys inside the ring itself, so the stack creates no key
 * (spiffe/spire v1.15.3 pkg/server/plugin/keymanager/gcpkms/gcpkms.go createKey: CreateCryptoKey in key_ring).
 *
 * Key rings cannot be deleted from GCP (the provider only forgets them, @pulumi/gcp kms.KeyRing docs): the
 * name carries a random suffix so a destroyed dev environment can be created again in the same project,
 * and outside dev-like environments the ring and its suffix are protected.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { ClusterSpec } from '../../clusters/model';
import { SPIRE_SERVER, SPIRE_SERVER_NAMESPACE } from '../../constructs/core/names';
import { gcpNames } from '../../clusters/cloud-names';
import type { GcpApis } from './apis';

/**
 * Exactly the permissions SPIRE's gcp_kms plugin requires on its key ring (spiffe/spire v1.15.3
 * doc/plugin_server_keymanager_gcp_kms.md, "Required permissions"). No predefined role fits: the narrowest
 * that create keys (roles/cloudkms.admin) cannot sign and can also manage key rings and import jobs, and
 * roles/cloudkms.signerVerifier cannot create keys or set their IAM policy.
 */
export const SPIRE_GCP_KMS_PERMISSIONS = [
  'cloudkms.cryptoKeys.create',
  'cloudkms.cryptoKeys.getIamPolicy',
  'cloudkms.cryptoKeys.list',
  'cloudkms.cryptoKeys.setIamPolicy',
  'cloudkms.cryptoKeys.update',
  'cloudkms.cryptoKeyVersions.create',
  'cloudkms.cryptoKeyVersions.destroy',
  'cloudkms.cryptoKeyVersions.get',
  'cloudkms.cryptoKeyVersions.list',
  'cloudkms.cryptoKeyVersions.useToSign',
  'cloudkms.cryptoKeyVersions.viewPublicKey',
] as const;

/** The Kubernetes principal allowed to impersonate the Google service account: exactly spire-server/spire-server. */
export function workloadIdentityMember(project: string): string {
  return `serviceAccount:${project}.svc.id.goog[${SPIRE_SERVER_NAMESPACE}/${SPIRE_SERVER}]`;
}

export interface SpireKmsArgs {
  readonly environment: string;
  readonly cluster: ClusterSpec;
  readonly project: string;
  /** `projects/<project>/roles/<id>` of the custom role with SPIRE_GCP_KMS_PERMISSIONS. */
  readonly role: pulumi.Input<string>;
  /** Pulumi `protect` on the key ring (deletionProtection of the cluster). */
  readonly protect: boolean;
  /** The environment's enabled APIs (IAM, Cloud KMS, IAM Service Account Credentials). */
  readonly apis: GcpApis;
}

export class SpireKms extends pulumi.ComponentResource {
  readonly keyRing: gcp.kms.KeyRing;
  /** `projects/<project>/locations/<region>/keyRings/<name>`: the plugin's key_ring. */
  readonly keyRingId: pulumi.Output<string>;
  readonly serviceAccount: gcp.serviceaccount.Account;

  constructor(name: string, args: SpireKmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:gcp:SpireKms', name, {}, opts);
    const { cluster, project, environment } = args;
    const child = { parent: this };
    const stateful = { parent: this, ...(args.protect ? { protect: true } : {}) };

    this.serviceAccount = new gcp.serviceaccount.Account(`${name}-server`, {
      accountId: gcpNames.serviceAccountId(environment, cluster.name, 'spire'),
      displayName: `meshfed ${environment}/${cluster.name} SPIRE server (Cloud KMS)`,
    }, { ...child, dependsOn: args.apis.needs('iam') });
    new gcp.serviceaccount.IAMMember(`${name}-workload-identity`, {
      serviceAccountId: pulumi.interpolate`projects/${project}/serviceAccounts/${this.serviceAccount.email}`,
      role: 'roles/iam.workloadIdentityUser',
      member: workloadIdentityMember(project),
    }, { ...child, dependsOn: args.apis.needs('iamcredentials') });

    const suffix = new random.RandomId(`${name}-key-ring-suffix`, { byteLength: 3 }, stateful);
    this.keyRing = new gcp.kms.KeyRing(`${name}-key-ring`, {
      project,
      location: cluster.region,
      name: pulumi.interpolate`${gcpNames.spireKeyRingBase(environment, cluster.name)}-${suffix.hex}`,
    }, { ...stateful, dependsOn: args.apis.needs('cloudkms') });
    this.keyRingId = pulumi.interpolate`projects/${project}/locations/${cluster.region}/keyRings/${this.keyRing.name}`;
    new gcp.kms.KeyRingIAMMember(`${name}-key-ring-spire`, {
      keyRingId: this.keyRingId,
      role: args.role,
      member: pulumi.interpolate`serviceAccount:${this.serviceAccount.email}`,
    }, child);
    this.registerOutputs({ keyRingId: this.keyRingId });
  }
}
