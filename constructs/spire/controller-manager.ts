/**
 * spire-controller-manager, run as a sidecar of the SPIRE server (it talks to the server's private
 * admin socket), with its config file, RBAC, leader election and validating webhook.
 */
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  commonLabels, CONTROLLER_MANAGER_HEALTH_PORT, CONTROLLER_MANAGER_METRICS_PORT, CONTROLLER_MANAGER_WEBHOOK_PORT, PATHS,
  SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE,
} from '../core/names';
import { PropsError } from '../core/props-error';
import type { SpireServer } from './server';
import { IMAGES } from '../core/versions';
import { containerResources, restrictedContainerSecurity, type ResourceRequirements } from '../core/workload-defaults';

/** ClusterSPIFFEIDs and friends carry this className so only this controller acts on them. */
export const MESHFED_CLASS_NAME = 'meshfed';
export const CONTROLLER_MANAGER = 'spire-controller-manager';
export const CONTROLLER_MANAGER_WEBHOOK = 'spire-controller-manager-webhook';

/** Namespaces whose pods never get SPIFFE IDs from the default ClusterSPIFFEID. */
export const SYSTEM_NAMESPACES = [
  'kube-system', 'kube-public', 'kube-node-lease', SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE, 'cert-manager',
  'gke-managed-system', 'gmp-system', 'gke-gmp-system', 'amazon-cloudwatch',
];

export interface SpireControllerManagerProps {
  /** The server whose pod the controller joins. */
  readonly server: SpireServer;
  /** Cluster name used in parent IDs of node entries (the k8s_psat cluster name). */
  readonly clusterName: string;
  /** @default "meshfed" */
  readonly className?: string;
  /** Namespaces the controller ignores entirely. @default SYSTEM_NAMESPACES */
  readonly ignoreNamespaces?: readonly string[];
  /**
   * `entryIDPrefix`: the controller manages only SPIRE entries whose ID starts with `<prefix>.` and
   * leaves every other entry alone (hand-made ones, another controller's). Without a prefix it deletes
   * every entry it did not declare (spiffe/spire-controller-manager v0.6.6
   * api/v1alpha1/controllermanagerconfig_types.go). @default "meshfed"
   */
  readonly entryIdPrefix?: string;
  /** @default - 50m / 64Mi requested, 256Mi limit */
  readonly resources?: ResourceRequirements;
}

/** Default entryIDPrefix: entries meshfed's controller owns carry IDs `meshfed.<...>`. */
export const MESHFED_ENTRY_ID_PREFIX = 'meshfed';

export class SpireControllerManager extends Construct {
  readonly className: string;
  /** The parsed ControllerManagerConfig file, for tests. */
  readonly config: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: SpireControllerManagerProps) {
    super(scope, id);
    const { server } = props;
    const namespace = server.namespace;
    const labels = commonLabels(CONTROLLER_MANAGER);
    this.className = props.className ?? MESHFED_CLASS_NAME;
    const entryIdPrefix = props.entryIdPrefix ?? MESHFED_ENTRY_ID_PREFIX;
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(entryIdPrefix)) {
      throw new PropsError(`SpireControllerManager.entryIdPrefix: ${JSON.stringify(entryIdPrefix)} must be 1-32 lowercase letters, digits or "-", starting with a letter or digit`);
    }

    this.config = {
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ControllerManagerConfig',
      metrics: { bindAddress: `0.0.0.0:${CONTROLLER_MANAGER_METRICS_PORT}` },
      health: { healthProbeBindAddress: `0.0.0.0:${CONTROLLER_MANAGER_HEALTH_PORT}` },
      // With several server replicas only one controller reconciles at a time.
      leaderElection: { leaderElect: true, resourceName: `${CONTROLLER_MANAGER}-leader-election`, resourceNamespace: namespace },
      webhook: { port: CONTROLLER_MANAGER_WEBHOOK_PORT },
      validatingWebhookConfigurationName: `${CONTROLLER_MANAGER_WEBHOOK}-${namespace}`,
      clusterName: props.clusterName,
      trustDomain: server.trustDomain,
      ignoreNamespaces: [...(props.ignoreNamespaces ?? SYSTEM_NAMESPACES)],
      spireServerSocketPath: PATHS.serverSocket,
      className: this.className,
      watchClassless: false,
      entryIDPrefix: entryIdPrefix,
    };
    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: CONTROLLER_MANAGER, namespace, labels },
      data: { 'controller-manager-config.yaml': `${JSON.stringify(this.config, null, 2)}\n` },
    });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'controller-manager-config' });
    server.statefulSet.addVolume(configVolume);
    // Its webhook key pair goes to os.MkdirTemp("") (v0.6.6 cmd/main.go); the root filesystem is read-only.
    const tmpVolume = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'controller-manager-tmp', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(8) });
    server.statefulSet.addVolume(tmpVolume);
    server.addSidecar({
      name: CONTROLLER_MANAGER,
      image: IMAGES.spireControllerManager,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: ['--config', '/etc/spire-controller-manager/controller-manager-config.yaml'],
      ports: [
        { name: 'webhook', number: CONTROLLER_MANAGER_WEBHOOK_PORT },
        { name: 'cm-healthz', number: CONTROLLER_MANAGER_HEALTH_PORT },
        { name: 'cm-metrics', number: CONTROLLER_MANAGER_METRICS_PORT },
      ],
      securityContext: restrictedContainerSecurity(),
      resources: containerResources(props.resources ?? { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: CONTROLLER_MANAGER_HEALTH_PORT, initialDelaySeconds: Duration.seconds(15) }),
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: CONTROLLER_MANAGER_HEALTH_PORT, initialDelaySeconds: Duration.seconds(5) }),
      volumeMounts: [
        { path: '/etc/spire-controller-manager', volume: configVolume, readOnly: true },
        { path: PATHS.serverSocketDir, volume: server.socketVolume, readOnly: true },
        { path: '/tmp', volume: tmpVolume },
      ],
    });

    this.grantRbac(namespace, labels, server);
    this.webhook(namespace, labels, server);
  }

  private grantRbac(namespace: string, labels: Record<string, string>, server: SpireServer): void {
    const name = `${CONTROLLER_MANAGER}-${namespace}`;
    const role = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name, labels } });
    const crd = (resourceType: string) => kplus.ApiResource.custom({ apiGroup: 'spire.spiffe.io', resourceType });
    const kinds = ['clusterspiffeids', 'clusterfederatedtrustdomains', 'clusterstaticentries'];
    role.allow(['get', 'list', 'watch', 'patch', 'update'], ...kinds.map(crd));
    role.allow(['get', 'patch', 'update'], ...kinds.map((k) => crd(`${k}/status`)));
    // As upstream's role (v0.6.6 config/rbac/role.yaml): with OwnerReferencesPermissionEnforcement an
    // owner reference that blocks deletion needs update on the owner's finalizers.
    role.allow(['update'], ...kinds.map((k) => crd(`${k}/finalizers`)));
    // Pods and namespaces feed entry templates and selectors; nodes give parent IDs; endpoints give DNS names.
    role.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.NAMESPACES, kplus.ApiResource.NODES, kplus.ApiResource.ENDPOINTS);
    // It injects its serving CA into its own webhook configuration.
    role.allow(['get', 'list', 'watch', 'patch'], kplus.ApiResource.custom({ apiGroup: 'admissionregistration.k8s.io', resourceType: 'validatingwebhookconfigurations' }));
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name, labels }, role }).addSubjects(server.serviceAccount);

    const election = new kplus.Role(this, 'LeaderElectionRole', { metadata: { name: `${CONTROLLER_MANAGER}-leader-election`, namespace, labels } });
    election.allow(['get', 'list', 'watch', 'create', 'update', 'patch'], kplus.ApiResource.custom({ apiGroup: 'coordination.k8s.io', resourceType: 'leases' }));
    election.allow(['create', 'patch'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'events' }));
    new kplus.RoleBinding(this, 'LeaderElectionRoleBinding', { metadata: { name: `${CONTROLLER_MANAGER}-leader-election`, namespace, labels }, role: election })
      .addSubjects(server.serviceAccount);
  }

  /**
   * Validates ClusterSPIFFEID / ClusterFederatedTrustDomain objects. It only sees spire.spiffe.io
   * resources, so a controller outage can never block pod admission.
   */
  private webhook(namespace: string, labels: Record<string, string>, server: SpireServer): void {
    const serviceName = `${CONTROLLER_MANAGER_WEBHOOK}`;
    const service = new kplus.Service(this, 'WebhookService', {
      metadata: { name: serviceName, namespace, labels },
      ports: [{ name: 'https', port: 443, targetPort: CONTROLLER_MANAGER_WEBHOOK_PORT, protocol: kplus.Protocol.TCP }],
    });
    // Same pods as the server Service.
    ApiObject.of(service).addJsonPatch(JsonPatch.replace('/spec/selector', server.podSelector()));
    const hook = (kind: string) => ({
      name: `v${kind}.kb.io`,
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { name: serviceName, namespace, path: `/validate-spire-spiffe-io-v1alpha1-${kind}`, port: 443 } },
      failurePolicy: 'Fail',
      sideEffects: 'None',
      timeoutSeconds: 10,
      rules: [{ apiGroups: ['spire.spiffe.io'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [`${kind}s`] }],
    });
    new k8s.KubeValidatingWebhookConfiguration(this, 'Webhook', {
      metadata: { name: `${CONTROLLER_MANAGER_WEBHOOK}-${namespace}`, labels },
      webhooks: [hook('clusterfederatedtrustdomain'), hook('clusterspiffeid')],
    });
  }
}
