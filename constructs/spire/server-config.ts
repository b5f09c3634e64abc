/**
 * server.conf, rendered as JSON (SPIRE reads its HCL config through a parser that also accepts JSON,
 * as the hardened Helm charts do). Pure: the same props always give the same bytes.
 * Keys follow https://spiffe.io/docs/latest/deploying/spire_server/ (SPIRE 1.15).
 */
import type { DataStore } from './datastore';
import { KeyManager } from './key-manager';
import { PATHS, PROMETHEUS_PORT, SERVER_API_PORT, SERVER_HEALTH_PORT } from '../core/names';
import type { UpstreamAuthority } from './upstream-authority';

export interface CaSubject {
  readonly country: string;
  readonly organization: string;
  readonly commonName: string;
}

/** One cluster whose agents (or downstream servers) attest with projected service account tokens. */
export interface PsatCluster {
  /** Service accounts allowed to attest, as `namespace:name`. */
  readonly serviceAccountAllowList: readonly string[];
  /** Kubeconfig for a remote cluster's TokenReview API; unset means in-cluster credentials. */
  readonly kubeConfigFile?: string;
}

/** One ConfigMap the BundlePublisher keeps up to date with this server's trust bundle. */
export interface BundleTarget {
  readonly namespace: string;
  readonly configMapName: string;
  readonly configMapKey: string;
  /** pem for agents' trust_bundle_path. */
  readonly format: 'pem' | 'spiffe' | 'jwks';
  /** Kubeconfig of a remote cluster; unset means this cluster. */
  readonly kubeConfigPath?: string;
}

/** `federation` block: this server's own bundle endpoint and the trust domains it federates with. */
export interface ServerFederationConfig {
  /** Serve this trust domain's bundle on `bundleEndpointPort` (roots only). */
  readonly bundleEndpoint?: { readonly port: number; readonly refreshHint: string };
  /** Peers for the legacy registrar path (the controller manager uses ClusterFederatedTrustDomain instead). */
  readonly federatesWith?: ReadonlyArray<{ readonly trustDomain: string; readonly url: string; readonly endpointSpiffeId: string }>;
}

export interface SpireServerConfigInput {
  readonly trustDomain: string;
  readonly logLevel: string;
  readonly caSubject: CaSubject;
  readonly caTtl: string;
  readonly x509SvidTtl: string;
  readonly jwtSvidTtl: string;
  readonly dataStore: DataStore;
  /** @default KeyManager.disk() */
  readonly keyManager?: KeyManager;
  readonly upstreamAuthority?: UpstreamAuthority;
  /** k8s_psat node attestor clusters, keyed by the cluster name agents present. */
  readonly psatClusters: Readonly<Record<string, PsatCluster>>;
  readonly bundleTargets: Readonly<Record<string, BundleTarget>>;
  readonly federation?: ServerFederationConfig;
}

export function renderServerConfig(input: SpireServerConfigInput): Record<string, unknown> {
  const plugins: Record<string, unknown> = {
    DataStore: { sql: { plugin_data: input.dataStore.pluginData() } },
    KeyManager: keyManagerBlock(input.keyManager ?? KeyManager.disk()),
    NodeAttestor: {
      k8s_psat: {
        plugin_data: {
          clusters: Object.fromEntries(
            sortedEntries(input.psatClusters).map(([name, c]) => [
              name,
              {
                service_account_allow_list: [...c.serviceAccountAllowList],
                ...(c.kubeConfigFile !== undefined ? { kube_config_file: c.kubeConfigFile } : {}),
              },
            ]),
          ),
        },
      },
    },
  };
  if (input.upstreamAuthority) {
    plugins.UpstreamAuthority = { [input.upstreamAuthority.plugin]: { plugin_data: { ...input.upstreamAuthority.pluginData } } };
  }
  const targets = sortedEntries(input.bundleTargets);
  if (targets.length > 0) {
    plugins.BundlePublisher = {
      k8s_configmap: {
        plugin_data: {
          clusters: Object.fromEntries(
            targets.map(([id, t]) => [
              id,
              {
                configmap_name: t.configMapName,
                configmap_key: t.configMapKey,
                namespace: t.namespace,
                format: t.format,
                ...(t.kubeConfigPath !== undefined ? { kubeconfig_path: t.kubeConfigPath } : {}),
              },
            ]),
          ),
        },
      },
    };
  }

  const server: Record<string, unknown> = {
    bind_address: '0.0.0.0',
    bind_port: String(SERVER_API_PORT),
    socket_path: PATHS.serverSocket,
    trust_domain: input.trustDomain,
    data_dir: PATHS.serverDataDir,
    log_level: input.logLevel,
    log_format: 'json',
    ca_key_type: 'ec-p256',
    ca_ttl: input.caTtl,
    default_x509_svid_ttl: input.x509SvidTtl,
    default_jwt_svid_ttl: input.jwtSvidTtl,
    ca_subject: { country: [input.caSubject.country], organization: [input.caSubject.organization], common_name: input.caSubject.commonName },
  };
  const federation = renderFederation(input.federation);
  if (federation) server.federation = federation;

  return {
    server,
    plugins,
    health_checks: { listener_enabled: true, bind_address: '0.0.0.0', bind_port: String(SERVER_HEALTH_PORT), live_path: '/live', ready_path: '/ready' },
    telemetry: { Prometheus: { host: '0.0.0.0', port: PROMETHEUS_PORT } },
  };
}

function keyManagerBlock(keyManager: KeyManager): Record<string, unknown> {
  return { [keyManager.plugin]: { plugin_data: keyManager.pluginData() } };
}

function renderFederation(f: ServerFederationConfig | undefined): Record<string, unknown> | undefined {
  if (!f || (!f.bundleEndpoint && (f.federatesWith ?? []).length === 0)) return undefined;
  const out: Record<string, unknown> = {};
  if (f.bundleEndpoint) {
    out.bundle_endpoint = {
      address: '0.0.0.0',
      port: f.bundleEndpoint.port,
      refresh_hint: f.bundleEndpoint.refreshHint,
      // https_spiffe: peers authenticate the endpoint with this server's SVID, chained to the root they already hold.
      profile: { https_spiffe: {} },
    };
  }
  const peers = [...(f.federatesWith ?? [])].sort((a, b) => a.trustDomain.localeCompare(b.trustDomain));
  if (peers.length > 0) {
    out.federates_with = Object.fromEntries(
      peers.map((p) => [
        p.trustDomain,
        { bundle_endpoint_url: p.url, bundle_endpoint_profile: { https_spiffe: { endpoint_spiffe_id: p.endpointSpiffeId } } },
      ]),
    );
  }
  return out;
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/** Stable, human-readable serialization (2-space JSON, trailing newline). */
export function serializeConfig(config: Record<string, unknown>): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
