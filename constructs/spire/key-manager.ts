/**
 * SPIRE's server KeyManager: where the server's CA and JWT signing keys live. Facts from spiffe/spire
 * v1.15.3 (doc/plugin_server_keymanager_{disk,gcp_kms,aws_kms}.md, pkg/server/plugin/keymanager/*):
 *  - gcp_kms keys: key_ring (required, `projects/<p>/locations/<l>/keyRings/<r>`), key_identifier_file or
 *    key_identifier_value (exactly one), key_policy_file, service_account_file. There is no project_id or
 *    location key: both are part of key_ring.
 *  - aws_kms keys: region (required), key_identifier_file or key_identifier_value (exactly one),
 *    key_policy_file, access_key_id/secret_access_key (unused here: credentials come from the pod's role).
 *  - Both plugins create their own keys (gcp: one CryptoKey `spire-key-<server id>-<key id>` per SPIRE key,
 *    a new CryptoKeyVersion per rotation; aws: CreateKey per rotation behind the alias
 *    `alias/SPIRE_SERVER/<trust domain>/<server id>/<key id>`), and dispose of keys in their trust domain
 *    that another server id has not refreshed for two weeks.
 *  - The server id comes from key_identifier_file: read if present, else a random UUID is written there
 *    (gcpkms.go/awskms.go getOrCreateServerID). Losing the file means new keys, not an outage.
 */
import { PATHS } from '../core/names';
import { PropsError } from '../core/props-error';

/**
 * Where each server keeps its KMS server id: on its own data volume (one claim per StatefulSet replica),
 * so every replica of an HA (postgres) server has its own id and its own keys, as SPIRE servers sharing a
 * datastore each run their own CA; and the id survives restarts. key_identifier_value (one value in the
 * ConfigMap all replicas share) would give every replica, and every nested cluster of the same trust
 * domain, the same id: they would sign with, rotate and prune each other's keys.
 */
export const KEY_IDENTIFIER_FILE = `${PATHS.serverDataDir}/kms-server-id`;
/** Where a key policy ConfigMap is mounted in the server container. */
export const KEY_POLICY_DIR = '/run/spire/kms';
export const KEY_POLICY_FILE_NAME = 'key-policy.json';

/** `projects/*\/locations/*\/keyRings/*` (gcpkms.go Config.KeyRing). */
const GCP_KEY_RING = /^projects\/[^/\s]+\/locations\/[a-z0-9-]+\/keyRings\/[a-zA-Z0-9_-]{1,63}$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface GcpKmsProps {
  /** Resource id of the key ring SPIRE creates its CryptoKeys in, `projects/<project>/locations/<location>/keyRings/<name>`. */
  readonly keyRing: string;
  /**
   * IAM policy (v3, JSON) set on each CryptoKey SPIRE creates.
   * @default - SPIRE's default: roles/cloudkms.signerVerifier for the Google service account the server authenticates as
   */
  readonly keyPolicy?: string;
}

export interface AwsKmsProps {
  /** Region of the keys, e.g. "us-east-1". */
  readonly region: string;
  /**
   * Key policy (JSON) of each key SPIRE creates.
   * @default - SPIRE's default: kms:* on the key for the server's assumed role (pass a narrower one)
   */
  readonly keyPolicy?: string;
}

export type KeyManagerPlugin = 'disk' | 'gcp_kms' | 'aws_kms';

export class KeyManager {
  /** Keys in a JSON file on the server's volume: a restarted server keeps its CA instead of minting a new one. */
  static disk(): KeyManager {
    return new KeyManager('disk', { keys_path: `${PATHS.serverDataDir}/keys.json` }, undefined);
  }

  /** Google Cloud KMS: private keys never leave KMS; the server authenticates with Application Default Credentials. */
  static gcpKms(props: GcpKmsProps): KeyManager {
    if (!GCP_KEY_RING.test(props.keyRing)) {
      throw new PropsError(`KeyManager.gcpKms.keyRing: ${JSON.stringify(props.keyRing)} must be a key ring resource id "projects/<project>/locations/<location>/keyRings/<name>"`);
    }
    const policy = KeyManager.checkedPolicy('KeyManager.gcpKms.keyPolicy', props.keyPolicy);
    return new KeyManager('gcp_kms', {
      key_ring: props.keyRing,
      key_identifier_file: KEY_IDENTIFIER_FILE,
      ...(policy ? { key_policy_file: `${KEY_POLICY_DIR}/${KEY_POLICY_FILE_NAME}` } : {}),
    }, policy);
  }

  /** AWS KMS: private keys never leave KMS; the server authenticates as its pod's IAM role (IRSA). */
  static awsKms(props: AwsKmsProps): KeyManager {
    if (!AWS_REGION.test(props.region)) {
      throw new PropsError(`KeyManager.awsKms.region: ${JSON.stringify(props.region)} must be an AWS region such as "us-east-1"`);
    }
    const policy = KeyManager.checkedPolicy('KeyManager.awsKms.keyPolicy', props.keyPolicy);
    return new KeyManager('aws_kms', {
      region: props.region,
      key_identifier_file: KEY_IDENTIFIER_FILE,
      ...(policy ? { key_policy_file: `${KEY_POLICY_DIR}/${KEY_POLICY_FILE_NAME}` } : {}),
    }, policy);
  }

  private static checkedPolicy(where: string, policy: string | undefined): string | undefined {
    if (policy === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw new PropsError(`${where}: ${JSON.stringify(policy.slice(0, 40))}... is not JSON (a policy document is a JSON object)`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new PropsError(`${where}: ${JSON.stringify(policy.slice(0, 40))} is not a JSON object (a policy document is a JSON object)`);
    }
    return policy;
  }

  private constructor(
    /** The plugin name in server.conf. */
    readonly plugin: KeyManagerPlugin,
    private readonly data: Readonly<Record<string, unknown>>,
    /** The policy file's content, when the plugin is given one (mounted from a ConfigMap). */
    readonly keyPolicy: string | undefined,
  ) {}

  /** Whether the private keys live outside the cluster (a cloud KMS). */
  get inCloud(): boolean {
    return this.plugin !== 'disk';
  }

  pluginData(): Record<string, unknown> {
    return { ...this.data };
  }
}
