/** agent.conf, rendered as JSON (see server-config.ts). Keys follow the SPIRE 1.15 agent reference. */
import { AGENT_HEALTH_PORT, PATHS, PROMETHEUS_PORT, SPIRE_BUNDLE_KEY } from '../core/names';

export interface SdsNames {
  /** @default "default" */
  readonly defaultSvidName: string;
  /** Name of the bundle holding only the local trust domain; Istio's setup uses "null" to hide it. @default "ROOTCA" */
  readonly defaultBundleName: string;
  /** Name of the bundle holding local plus federated roots. @default "ALL" */
  readonly defaultAllBundlesName: string;
}

/**
 * How the k8s workload attestor reaches the kubelet (https on 10250, no host network either way) and
 * whether it verifies the kubelet's serving certificate against the cluster CA
 * (spiffe/spire v1.15.3 pkg/agent/plugin/workloadattestor/k8s/kubeletclient.go: with a node name set it
 * dials https://<node_name>:10250 and checks the certificate for that name; skip_kubelet_verification
 * turns the check off). Per-provider defaults: PROVIDER_KUBELET_ACCESS (platform-facts/providers.ts).
 */
export interface KubeletAccess {
  /** "node-name": dial the Node object's name; "host-ip": dial the node's IP (status.hostIP, no DNS). */
  readonly address: 'node-name' | 'host-ip';
  /**
   * Verify the kubelet certificate (issuer = cluster CA, SAN = the dialled name or IP). Off trusts
   * whatever answers on that address and port, which only the node itself or its network can spoof.
   */
  readonly verify: boolean;
}

/** Environment variable carrying the kubelet address for each KubeletAccess.address. */
export const KUBELET_ADDRESS_ENV = { 'node-name': 'MY_NODE_NAME', 'host-ip': 'MY_NODE_IP' } as const;

export interface SpireAgentConfigInput {
  readonly trustDomain: string;
  readonly clusterName: string;
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly logLevel: string;
  readonly syncInterval: string;
  readonly rebootstrapMode: 'never' | 'auto' | 'always';
  readonly rebootstrapDelay: string;
  readonly sds: SdsNames;
  /** Directory (inside the agent container) where the Workload API socket is created. */
  readonly socketDir: string;
  /** Projected token file name under PATHS.agentTokenDir. */
  readonly tokenFile: string;
  readonly kubelet: KubeletAccess;
}

export function renderAgentConfig(input: SpireAgentConfigInput): Record<string, unknown> {
  return {
    agent: {
      data_dir: PATHS.agentDataDir,
      log_level: input.logLevel,
      log_format: 'json',
      server_address: input.serverAddress,
      server_port: String(input.serverPort),
      socket_path: `${input.socketDir}/${PATHS.agentSocketName}`,
      trust_bundle_path: `${PATHS.agentBundleDir}/${SPIRE_BUNDLE_KEY}`,
      trust_bundle_format: 'pem',
      trust_domain: input.trustDomain,
      // Agents re-attest from the bootstrap bundle instead of staying locked out after a CA change or long outage.
      rebootstrap_mode: input.rebootstrapMode,
      rebootstrap_delay: input.rebootstrapDelay,
      sds: {
        default_svid_name: input.sds.defaultSvidName,
        default_bundle_name: input.sds.defaultBundleName,
        default_all_bundles_name: input.sds.defaultAllBundlesName,
      },
      experimental: { sync_interval: input.syncInterval },
    },
    plugins: {
      NodeAttestor: { k8s_psat: { plugin_data: { cluster: input.clusterName, token_path: `${PATHS.agentTokenDir}/${input.tokenFile}` } } },
      // k8s_psat is re-attestable, so agent keys need not survive a restart.
      KeyManager: { memory: { plugin_data: {} } },
      WorkloadAttestor: {
        // node_name_env names the host the attestor dials (node name or host IP, see KubeletAccess).
        k8s: { plugin_data: { node_name_env: KUBELET_ADDRESS_ENV[input.kubelet.address], skip_kubelet_verification: !input.kubelet.verify } },
      },
    },
    health_checks: { listener_enabled: true, bind_address: '0.0.0.0', bind_port: String(AGENT_HEALTH_PORT), live_path: '/live', ready_path: '/ready' },
    telemetry: { Prometheus: { host: '0.0.0.0', port: PROMETHEUS_PORT } },
  };
}
