/**
 * Names other components look up (agents find `spire-server`, workloads mount `csi.spiffe.io`,
 * the BundlePublisher patches `spire-bundle`). They are set explicitly, never hashed by cdk8s.
 */
export const SPIRE_SERVER_NAMESPACE = 'spire-server';
/** Agents and the CSI driver need host access, so they live apart from the server under a privileged PSA level. */
export const SPIRE_SYSTEM_NAMESPACE = 'spire-system';

export const SPIRE_SERVER = 'spire-server';
export const SPIRE_AGENT = 'spire-agent';
export const SPIRE_BUNDLE_CONFIGMAP = 'spire-bundle';
export const SPIRE_BUNDLE_KEY = 'bundle.crt';
export const CSI_DRIVER_NAME = 'csi.spiffe.io';

export const SERVER_API_PORT = 8081;
export const SERVER_HEALTH_PORT = 8080;
export const AGENT_HEALTH_PORT = 9982;
export const PROMETHEUS_PORT = 9988;
export const CONTROLLER_MANAGER_WEBHOOK_PORT = 9443;
export const CONTROLLER_MANAGER_HEALTH_PORT = 8083;
export const CONTROLLER_MANAGER_METRICS_PORT = 8082;

/** Paths inside the containers; server, agent, CSI driver and registrars must agree on them. */
export const PATHS = {
  serverConfigDir: '/run/spire/config',
  serverDataDir: '/run/spire/data',
  /** The server's private admin API socket, shared with co-located registrars through an emptyDir. */
  serverSocketDir: '/tmp/spire-server/private',
  serverSocket: '/tmp/spire-server/private/api.sock',
  agentConfigDir: '/run/spire/config',
  agentDataDir: '/var/lib/spire',
  agentBundleDir: '/run/spire/bundle',
  agentTokenDir: '/var/run/secrets/tokens',
  /** Host directory holding the Workload API socket; the CSI driver bind-mounts it into pods. */
  agentSocketHostDir: '/run/spire/agent-sockets',
  agentSocketName: 'spire-agent.sock',
  kubeletDir: '/var/lib/kubelet',
} as const;

/** Labels every meshfed object carries, so one cluster's objects can be listed and pruned together. */
export function commonLabels(component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/part-of': 'spire',
    'app.kubernetes.io/managed-by': 'meshfed',
  };
}
