/**
 * spiffe-csi-driver: mounts the agent's Workload API socket directory into pods through an ephemeral
 * CSI volume, so workloads and Istio proxies need no hostPath.
 */
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { commonLabels, CSI_DRIVER_NAME, PATHS, SPIRE_SYSTEM_NAMESPACE } from '../core/names';
import { IMAGES } from '../core/versions';
import { containerResources, healthProbes, patchPodSpec, restrictedContainerSecurity, type ResourceRequirements } from '../core/workload-defaults';

export interface SpiffeCsiDriverProps {
  /** @default "spire-system" */
  readonly namespace?: string;
  /** CSI driver name workloads reference; a nested cluster's upstream agent gets its own. @default "csi.spiffe.io" */
  readonly driverName?: string;
  /** Host directory of the agent's Workload API socket (SpireAgent.socketHostDir). @default "/run/spire/agent-sockets" */
  readonly agentSocketHostDir?: string;
  /** @default "spiffe-csi-driver" */
  readonly name?: string;
  /** @default - 10m / 32Mi requested, 128Mi limit per container */
  readonly resources?: ResourceRequirements;
}

const DEFAULT_RESOURCES: ResourceRequirements = { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '128Mi' };
const REGISTRAR_HEALTH_PORT = 9809;

export class SpiffeCsiDriver extends Construct {
  readonly driverName: string;
  readonly daemonSet: kplus.DaemonSet;

  constructor(scope: Construct, id: string, props: SpiffeCsiDriverProps = {}) {
    super(scope, id);
    this.driverName = props.driverName ?? CSI_DRIVER_NAME;
    const name = props.name ?? 'spiffe-csi-driver';
    const namespace = props.namespace ?? SPIRE_SYSTEM_NAMESPACE;
    const labels = commonLabels(name);
    const pluginHostDir = `${PATHS.kubeletDir}/plugins/${this.driverName}`;
    const resources = containerResources(props.resources ?? DEFAULT_RESOURCES);

    new k8s.KubeCsiDriver(this, 'CSIDriver', {
      metadata: { name: this.driverName, labels },
      spec: {
        attachRequired: false,
        podInfoOnMount: true,
        // The socket directory is shared read-only; kubelet must not chown it per pod.
        fsGroupPolicy: 'None',
        volumeLifecycleModes: ['Ephemeral'],
      },
    });

    const sa = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { name, namespace, labels }, automountToken: false });
    const agentSockets = kplus.Volume.fromHostPath(this, 'AgentSockets', 'spire-agent-socket-dir', {
      path: props.agentSocketHostDir ?? PATHS.agentSocketHostDir, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE,
    });
    const pluginDir = kplus.Volume.fromHostPath(this, 'PluginDir', 'spiffe-csi-socket-dir', { path: pluginHostDir, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE });
    const registrationDir = kplus.Volume.fromHostPath(this, 'RegistrationDir', 'csi-registration-dir', { path: `${PATHS.kubeletDir}/plugins_registry`, type: kplus.HostPathVolumeType.DIRECTORY });
    const mountpointDir = kplus.Volume.fromHostPath(this, 'MountpointDir', 'mountpoint-dir', { path: `${PATHS.kubeletDir}/pods`, type: kplus.HostPathVolumeType.DIRECTORY });

    // Both containers write kubelet-owned directories as root; only the driver is privileged, because
    // Bidirectional mount propagation into pod directories requires it.
    const rootSecurity = { ...restrictedContainerSecurity(0), ensureNonRoot: false };
    this.daemonSet = new kplus.DaemonSet(this, 'DaemonSet', {
      metadata: { name, namespace, labels },
      serviceAccount: sa,
      podMetadata: { labels },
      securityContext: { ensureNonRoot: false },
      containers: [
        {
          name: 'spiffe-csi-driver',
          image: IMAGES.spiffeCsiDriver,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: ['-workload-api-socket-dir', '/spire-agent-socket', '-plugin-name', this.driverName, '-csi-socket-path', '/spiffe-csi/csi.sock'],
          envVariables: { MY_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
          securityContext: { ...rootSecurity, privileged: true, allowPrivilegeEscalation: true },
          resources,
          volumeMounts: [
            { path: '/spire-agent-socket', volume: agentSockets, readOnly: true },
            { path: '/spiffe-csi', volume: pluginDir },
            { path: `${PATHS.kubeletDir}/pods`, volume: mountpointDir, propagation: kplus.MountPropagation.BIDIRECTIONAL },
          ],
        },
        {
          name: 'node-driver-registrar',
          image: IMAGES.csiNodeDriverRegistrar,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: ['-csi-address', '/spiffe-csi/csi.sock', '-kubelet-registration-path', `${pluginHostDir}/csi.sock`, '-health-port', String(REGISTRAR_HEALTH_PORT)],
          ports: [{ name: 'healthz', number: REGISTRAR_HEALTH_PORT }],
          securityContext: rootSecurity,
          resources,
          ...healthProbes(REGISTRAR_HEALTH_PORT, '/healthz', '/healthz'),
          volumeMounts: [
            { path: '/spiffe-csi', volume: pluginDir },
            { path: '/registration', volume: registrationDir },
          ],
        },
      ],
      volumes: [agentSockets, pluginDir, registrationDir, mountpointDir],
    });
    patchPodSpec(this.daemonSet, 'priorityClassName', 'system-node-critical');
  }
}
