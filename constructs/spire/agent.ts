/** SPIRE agent DaemonSet: k8s_psat node attestation, k8s workload attestation, Workload API socket on the host. */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AGENT_HEALTH_PORT, commonLabels, PATHS, PROMETHEUS_PORT, SERVER_API_PORT, SPIRE_AGENT, SPIRE_BUNDLE_CONFIGMAP,
  SPIRE_BUNDLE_KEY, SPIRE_SYSTEM_NAMESPACE,
} from '../core/names';
import { requireDuration, requireTrustDomain } from '../core/props-error';
import { serializeConfig } from './server-config';
import { KUBELET_ADDRESS_ENV, renderAgentConfig, type KubeletAccess, type SdsNames } from './agent-config';
import { IMAGES, SOCKET_DIR_OWNER_IMAGE } from '../core/versions';
import {
  containerResources, healthProbes, NON_ROOT_UID, patchPodSpec, restrictedContainerSecurity, restrictedPodSecurity, type ResourceRequirements,
} from '../core/workload-defaults';

export interface SpireAgentProps {
  /** Trust domain of the server the agent attests to. */
  readonly trustDomain: string;
  /** Name the server's k8s_psat attestor knows this cluster by. */
  readonly clusterName: string;
  /** DNS name of the SPIRE server, e.g. "spire-server.spire-server". */
  readonly serverAddress: string;
  /** @default 8081 */
  readonly serverPort?: number;
  /** @default "spire-system" */
  readonly namespace?: string;
  /** DaemonSet / ServiceAccount / ConfigMap name; nested setups run a second, upstream agent. @default "spire-agent" */
  readonly name?: string;
  /** ConfigMap holding the bootstrap bundle (bundle.crt). @default "spire-bundle" */
  readonly bundleConfigMap?: string;
  /** Host directory for the Workload API socket, shared with the CSI driver. @default "/run/spire/agent-sockets" */
  readonly socketHostDir?: string;
  /** @default "INFO" */
  readonly logLevel?: string;
  /** experimental.sync_interval: lower gives new pods their SVID sooner at the cost of server load. @default "5s" */
  readonly syncInterval?: string;
  /** @default "auto" */
  readonly rebootstrapMode?: 'never' | 'auto' | 'always';
  /** @default "10m" */
  readonly rebootstrapDelay?: string;
  /** SDS resource names served to Envoy. @default - default / ROOTCA / ALL */
  readonly sds?: Partial<SdsNames>;
  /**
   * How the workload attestor reaches and verifies the kubelet; synth uses the cluster provider's
   * default (PROVIDER_KUBELET_ACCESS). @default - by node name, certificate verified against the cluster CA
   */
  readonly kubelet?: KubeletAccess;
  /** Agents without requests time out on Workload API calls when the node is busy. @default - 100m / 128Mi requested, 512Mi limit */
  readonly resources?: ResourceRequirements;
}

export const AGENT_DEFAULT_RESOURCES: ResourceRequirements = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' };
/**
 * Where the host socket directory is mounted inside the agent container: the image's default socket
 * directory (spiffe/spire v1.15.3 Dockerfile pre-creates it root-owned, the agent image runs as root).
 */
const SOCKET_MOUNT = '/tmp/spire-agent/public';
/** Name of the root init container that hands the hostPath socket directory to the agent's uid. */
export const SOCKET_DIR_OWNER = 'socket-dir-owner';
const TOKEN_FILE = 'spire-agent';

export class SpireAgent extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly config: Record<string, unknown>;
  readonly daemonSet: kplus.DaemonSet;
  readonly serviceAccount: kplus.ServiceAccount;
  /** Host directory holding the Workload API socket. */
  readonly socketHostDir: string;

  constructor(scope: Construct, id: string, props: SpireAgentProps) {
    super(scope, id);
    requireTrustDomain('SpireAgent.trustDomain', props.trustDomain);
    const syncInterval = props.syncInterval ?? '5s';
    const rebootstrapDelay = props.rebootstrapDelay ?? '10m';
    requireDuration('SpireAgent.syncInterval', syncInterval);
    requireDuration('SpireAgent.rebootstrapDelay', rebootstrapDelay);
    this.name = props.name ?? SPIRE_AGENT;
    this.namespace = props.namespace ?? SPIRE_SYSTEM_NAMESPACE;
    this.socketHostDir = props.socketHostDir ?? PATHS.agentSocketHostDir;
    const labels = commonLabels(this.name);
    const metadata = { name: this.name, namespace: this.namespace, labels };

    this.config = renderAgentConfig({
      trustDomain: props.trustDomain,
      clusterName: props.clusterName,
      serverAddress: props.serverAddress,
      serverPort: props.serverPort ?? SERVER_API_PORT,
      logLevel: props.logLevel ?? 'INFO',
      syncInterval,
      rebootstrapMode: props.rebootstrapMode ?? 'auto',
      rebootstrapDelay,
      sds: { defaultSvidName: 'default', defaultBundleName: 'ROOTCA', defaultAllBundlesName: 'ALL', ...props.sds },
      socketDir: SOCKET_MOUNT,
      tokenFile: TOKEN_FILE,
      kubelet: props.kubelet ?? { address: 'node-name', verify: true },
    });
    const kubeletAddress = (props.kubelet ?? { address: 'node-name' }).address;

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: true });
    // The k8s workload attestor asks the kubelet for the pods on its node (/pods maps to nodes/proxy).
    const role = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: `${this.name}-${this.namespace}`, labels } });
    role.allow(['get'], kplus.ApiResource.PODS, kplus.ApiResource.NODES, kplus.ApiResource.custom({ apiGroup: '', resourceType: 'nodes/proxy' }));
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: `${this.name}-${this.namespace}`, labels }, role })
      .addSubjects(this.serviceAccount);

    const configMap = new kplus.ConfigMap(this, 'Config', { metadata, data: { 'agent.conf': serializeConfig(this.config) } });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'spire-config' });
    const bundleVolume = kplus.Volume.fromConfigMap(
      this, 'BundleVolume', kplus.ConfigMap.fromConfigMapName(this, 'BundleRef', props.bundleConfigMap ?? SPIRE_BUNDLE_CONFIGMAP),
      // Only the key the BundlePublisher writes: until it exists kubelet keeps retrying the mount, so the
      // agent waits in ContainerCreating instead of crash-looping on an empty bundle file.
      { name: 'spire-bundle', items: { [SPIRE_BUNDLE_KEY]: { path: SPIRE_BUNDLE_KEY } } },
    );
    const dataVolume = kplus.Volume.fromEmptyDir(this, 'DataVolume', 'spire-agent-data');
    const socketVolume = kplus.Volume.fromHostPath(this, 'SocketVolume', 'spire-agent-socket-dir', {
      path: this.socketHostDir,
      type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE,
    });

    this.daemonSet = new kplus.DaemonSet(this, 'DaemonSet', {
      metadata,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(),
      podMetadata: { labels },
      // kubelet creates a DirectoryOrCreate hostPath root-owned 0755 (kubernetes/kubernetes
      // pkg/volume/hostpath/host_path.go, makeDir: os.MkdirAll(path, 0o755)) and fsGroup never applies to
      // hostPath, so the non-root agent could not create its socket. Only this init container runs as
      // root, with CHOWN alone, on that one directory (the hardened chart's fsGroupFix does the same:
      // spiffe/helm-charts-hardened charts/spire/charts/spire-agent/templates/daemonset.yaml).
      initContainers: [{
        name: SOCKET_DIR_OWNER,
        image: SOCKET_DIR_OWNER_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['chown', `${NON_ROOT_UID}:${NON_ROOT_UID}`, SOCKET_MOUNT],
        securityContext: {
          ...restrictedContainerSecurity(0),
          ensureNonRoot: false,
          capabilities: { drop: [kplus.Capability.ALL], add: [kplus.Capability.CHOWN] },
        },
        resources: containerResources({ cpuRequest: '10m', memoryRequest: '8Mi', memoryLimit: '32Mi' }),
        volumeMounts: [{ path: SOCKET_MOUNT, volume: socketVolume }],
      }],
      containers: [{
        name: 'spire-agent',
        image: IMAGES.spireAgent,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args: ['-config', `${PATHS.agentConfigDir}/agent.conf`],
        ports: [{ name: 'healthz', number: AGENT_HEALTH_PORT }, { name: 'prometheus', number: PROMETHEUS_PORT }],
        envVariables: {
          [KUBELET_ADDRESS_ENV[kubeletAddress]]: kplus.EnvValue.fromFieldRef(kubeletAddress === 'host-ip' ? kplus.EnvFieldPaths.NODE_IP : kplus.EnvFieldPaths.NODE_NAME),
        },
        securityContext: restrictedContainerSecurity(),
        resources: containerResources(props.resources ?? AGENT_DEFAULT_RESOURCES),
        ...healthProbes(AGENT_HEALTH_PORT),
        volumeMounts: [
          { path: PATHS.agentConfigDir, volume: configVolume, readOnly: true },
          { path: PATHS.agentBundleDir, volume: bundleVolume, readOnly: true },
          { path: PATHS.agentDataDir, volume: dataVolume },
          { path: SOCKET_MOUNT, volume: socketVolume },
        ],
      }],
      volumes: [configVolume, bundleVolume, dataVolume, socketVolume],
    });
    // hostPID: the k8s workload attestor maps a caller's PID to its pod through /proc/<pid>/cgroup.
    // (cdk8s' typed PodSpec names the field hostPid and renders it as hostPID.)
    patchPodSpec(this.daemonSet, 'hostPid', true);
    // Evicting the agent breaks every workload on the node; keep it with the node-critical add-ons.
    patchPodSpec(this.daemonSet, 'priorityClassName', 'system-node-critical');
    // k8s_psat: a short-lived token bound to the pod, with the audience the server's attestor expects.
    patchPodSpec(this.daemonSet, 'volumes/-', {
      name: 'spire-token',
      projected: { sources: [{ serviceAccountToken: { path: TOKEN_FILE, expirationSeconds: 7200, audience: 'spire-server' } }] },
    });
    patchPodSpec(this.daemonSet, 'containers/0/volumeMounts/-', { name: 'spire-token', mountPath: PATHS.agentTokenDir, readOnly: true });
  }
}
