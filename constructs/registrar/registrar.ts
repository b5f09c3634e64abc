/**
 * The legacy SPIRE k8s-workload-registrar (webhook, reconcile or crd mode), as an alternative to
 * spire-controller-manager: its HCL config in a ConfigMap, the process either as a sidecar of the
 * SPIRE server (admin socket) or as a standalone Deployment (server API over mTLS with an SVID from
 * the agent), and per mode exactly the Kubernetes objects and RBAC it needs.
 * Deprecated and unmaintained upstream: see docs/k8s-workload-registrar.md.
 */
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, Issuer,
} from '../../imports/cert-manager.io';
import { SpiffeId, type SpiffeIdSpec } from '../../imports/spiffeid.spiffe.io';
import {
  renderRegistrarConfig, type K8sWorkloadRegistrarConfigProps, type K8sWorkloadRegistrarMode,
} from './config';
import { BUNDLE_ENDPOINT_PORT } from '../spire/federation';
import { commonLabels, CSI_DRIVER_NAME, PATHS, PROMETHEUS_PORT, SERVER_API_PORT, SERVER_HEALTH_PORT } from '../core/names';
import { PropsError, requireRange, requireTrustDomain } from '../core/props-error';
import { SYSTEM_NAMESPACES } from '../spire/controller-manager';
import type { SpireServer } from '../spire/server';
import { K8S_WORKLOAD_REGISTRAR_IMAGES, SPIRE_VERSION } from '../core/versions';
import {
  containerResources, patchPodSpec, restrictedContainerSecurity, restrictedPodSecurity, type ResourceRequirements,
} from '../core/workload-defaults';

export const K8S_WORKLOAD_REGISTRAR = 'k8s-workload-registrar';
/** The pod annotation the registrar reads to add federatesWith to a workload's entry (comma-separated trust domains). */
export const FEDERATES_WITH_ANNOTATION = 'spiffe.io/federatesWith';
/** In the server pod 8080 (health), 8081 (API) and 9988 (Prometheus) are taken: the sidecar's metrics move to 8082. */
export const REGISTRAR_SIDECAR_METRICS_PORT = 8082;
export const REGISTRAR_WEBHOOK_PORT = 8443;
/** Ports the server container listens on: API, health, Prometheus and the federation bundle endpoint. */
const SERVER_POD_PORTS = [SERVER_API_PORT, SERVER_HEALTH_PORT, PROMETHEUS_PORT, BUNDLE_ENDPOINT_PORT];
const CONFIG_DIR = '/run/spire/registrar';
const WEBHOOK_TLS_DIR = '/run/spire/registrar-tls';
const CLIENT_CA_DIR = '/run/spire/registrar-client-ca';
const WORKLOAD_API_DIR = '/spiffe-workload-api';

/** Where the registrar runs. */
export class RegistrarDeployment {
  /** In the SPIRE server pod, talking to the server's private admin socket (upstream's recommended layout). */
  static sidecar(): RegistrarDeployment {
    return new RegistrarDeployment('sidecar', 1);
  }

  /** Its own Deployment, reaching the server API over mTLS with an SVID from the agent (CSI driver socket). */
  static standalone(options: { readonly replicas?: number } = {}): RegistrarDeployment {
    const replicas = options.replicas ?? 1;
    requireRange('K8sWorkloadRegistrar.deployment.replicas', replicas, 1, 9);
    return new RegistrarDeployment('standalone', replicas);
  }

  private constructor(readonly style: 'sidecar' | 'standalone', readonly replicas: number) {}
}

/** A SpiffeID custom resource (crd mode), e.g. for workloads the pod controller does not cover. */
export interface RegistrarSpiffeId {
  readonly name: string;
  readonly namespace: string;
  readonly spec: SpiffeIdSpec;
}

export interface K8sWorkloadRegistrarProps extends Partial<K8sWorkloadRegistrarConfigProps> {
  /** The cluster's SPIRE server: sidecar host, address, trust domain and k8s_psat clusters. */
  readonly server: SpireServer;
  /** `cluster`: one of the server's k8s_psat clusters (the topology cluster name). */
  readonly cluster: string;
  /** `mode`. @default "reconcile" */
  readonly mode?: K8sWorkloadRegistrarMode;
  /** `disabled_namespaces`. @default SYSTEM_NAMESPACES (kube-system, kube-public and meshfed's own) */
  readonly disabledNamespaces?: readonly string[];
  /** @default RegistrarDeployment.sidecar() */
  readonly deployment?: RegistrarDeployment;
  /** Required to set insecureSkipClientVerification: true (the webhook then accepts unauthenticated callers). @default false */
  readonly acknowledgeInsecureSkipClientVerification?: boolean;
  /** Trust domains this cluster federates with: documented as the workloads' spiffe.io/federatesWith annotation. @default - none */
  readonly federatesWith?: readonly string[];
  /** crd mode only: extra SpiffeID objects. @default - none (the pod controller creates one per pod) */
  readonly spiffeIds?: readonly RegistrarSpiffeId[];
  /** @default - 50m / 64Mi requested, 256Mi limit */
  readonly resources?: ResourceRequirements;
}

export class K8sWorkloadRegistrar extends Construct {
  readonly mode: K8sWorkloadRegistrarMode;
  readonly deployment: RegistrarDeployment;
  readonly image: string;
  /** The config file's props after meshfed's defaults. */
  readonly configProps: K8sWorkloadRegistrarConfigProps;
  /** The HCL text in the ConfigMap. */
  readonly configText: string;
  /** Things a user should know (deprecation, insecure settings); synth prints them as notes. */
  readonly warnings: string[] = [];
  /** Pod annotations that make a workload's entry federate with this cluster's peers (empty without federation). */
  readonly federationAnnotations: Readonly<Record<string, string>>;
  /** SPIFFE ID that parents the registrar's workload entries on a node (`<node>` is the Kubernetes node name). */
  readonly nodeParentIdPattern: string;
  readonly namespace: string;
  readonly serviceAccount: kplus.IServiceAccount;

  constructor(scope: Construct, id: string, props: K8sWorkloadRegistrarProps) {
    super(scope, id);
    const { server } = props;
    const W = 'K8sWorkloadRegistrar';
    this.mode = props.mode ?? 'reconcile';
    this.deployment = props.deployment ?? RegistrarDeployment.sidecar();
    this.image = K8S_WORKLOAD_REGISTRAR_IMAGES[this.mode] ?? '';
    this.namespace = server.namespace;
    const sidecar = this.deployment.style === 'sidecar';
    const replicas = sidecar ? server.replicas : this.deployment.replicas;

    const trustDomain = props.trustDomain ?? server.trustDomain;
    if (trustDomain !== server.trustDomain) {
      throw new PropsError(`${W}.trustDomain: ${JSON.stringify(trustDomain)} differs from the SPIRE server's trust domain ${JSON.stringify(server.trustDomain)}; entries would be refused by the server`);
    }
    const psatClusters = Object.keys(psatClustersOf(server.config)).sort();
    if (!psatClusters.includes(props.cluster)) {
      throw new PropsError(`${W}.cluster: ${JSON.stringify(props.cluster)} is not a k8s_psat cluster of the SPIRE server (${psatClusters.join(', ') || 'none'}); node entries would never match an agent`);
    }
    if (props.insecureSkipClientVerification && !props.acknowledgeInsecureSkipClientVerification) {
      throw new PropsError(`${W}.insecureSkipClientVerification: true lets anyone who can reach the webhook create and delete registration entries; set acknowledgeInsecureSkipClientVerification: true to accept that`);
    }
    if (this.mode === 'webhook' && sidecar) {
      // Without a client CA it can use, the webhook registrar exits; as a sidecar it would hold the
      // server pod NotReady (no endpoints for the agents), so it only ever runs standalone.
      throw new PropsError(`${W}.deployment: webhook mode runs only as RegistrarDeployment.standalone(); a sidecar that exits would take the SPIRE server pod's readiness with it`);
    }
    if (this.mode !== 'webhook' && replicas > 1 && !props.leaderElection) {
      throw new PropsError(`${W}.leaderElection: must be true with ${replicas} registrar replicas${sidecar ? ' (one per SPIRE server replica)' : ''}, or the replicas fight over the same entries`);
    }
    if (props.spiffeIds !== undefined && this.mode !== 'crd') {
      throw new PropsError(`${W}.spiffeIds: applies only to mode crd, not ${this.mode}`);
    }
    const federatesWith = [...new Set(props.federatesWith ?? [])].sort();
    federatesWith.forEach((td, i) => requireTrustDomain(`${W}.federatesWith[${i}]`, td));
    this.federationAnnotations = federatesWith.length > 0 ? { [FEDERATES_WITH_ANNOTATION]: federatesWith.join(',') } : {};

    const defaultMetrics = sidecar ? `:${REGISTRAR_SIDECAR_METRICS_PORT}` : ':8080';
    const { server: _s, deployment: _d, acknowledgeInsecureSkipClientVerification: _a, federatesWith: _f, spiffeIds: _i, resources: _r, ...config } = props;
    this.configProps = {
      ...config,
      mode: this.mode,
      trustDomain,
      cluster: props.cluster,
      disabledNamespaces: props.disabledNamespaces ?? SYSTEM_NAMESPACES,
      ...(sidecar && props.serverAddress === undefined ? { serverSocketPath: props.serverSocketPath ?? PATHS.serverSocket } : {}),
      ...(!sidecar && props.serverSocketPath === undefined
        ? { serverAddress: props.serverAddress ?? `${server.address}:${SERVER_API_PORT}`, agentSocketPath: props.agentSocketPath ?? `${WORKLOAD_API_DIR}/${PATHS.agentSocketName}` }
        : {}),
      ...(this.mode === 'webhook'
        ? {
          certPath: props.certPath ?? `${WEBHOOK_TLS_DIR}/tls.crt`,
          keyPath: props.keyPath ?? `${WEBHOOK_TLS_DIR}/tls.key`,
          cacertPath: props.cacertPath ?? `${CLIENT_CA_DIR}/ca.crt`,
        }
        : {}),
      ...(this.mode === 'reconcile' ? { metricsAddr: props.metricsAddr ?? defaultMetrics } : {}),
      ...(this.mode === 'crd' ? { metricsBindAddr: props.metricsBindAddr ?? defaultMetrics } : {}),
    };
    this.configText = renderRegistrarConfig(this.configProps);
    const cp = this.configProps;
    if (sidecar && cp.serverAddress !== undefined) {
      throw new PropsError(`${W}.serverAddress: a sidecar talks to the server over its admin socket; use serverSocketPath (or RegistrarDeployment.standalone())`);
    }
    if (!sidecar && cp.serverSocketPath !== undefined) {
      throw new PropsError(`${W}.serverSocketPath: the server's admin socket exists only inside the server pod; a standalone registrar needs serverAddress (or use RegistrarDeployment.sidecar())`);
    }

    const metricsPort = portOf(cp.mode === 'reconcile' ? cp.metricsAddr : cp.mode === 'crd' ? cp.metricsBindAddr : undefined);
    const webhookPort = cp.mode === 'webhook' ? portOf(cp.addr ?? `:${REGISTRAR_WEBHOOK_PORT}`) : undefined;
    if (sidecar) {
      for (const [key, port] of [['metricsAddr', metricsPort], ['addr', webhookPort]] as const) {
        if (port !== undefined && SERVER_POD_PORTS.includes(port)) {
          throw new PropsError(`${W}.${key}: port ${port} is already used by the SPIRE server in the same pod (${SERVER_POD_PORTS.join(', ')})`);
        }
      }
    }

    const controllerName = cp.controllerName ?? 'spire-k8s-registrar';
    this.nodeParentIdPattern = this.mode === 'webhook'
      ? `spiffe://${trustDomain}/k8s-workload-registrar/${props.cluster}/node`
      : this.mode === 'reconcile'
        ? `spiffe://${trustDomain}/${controllerName}/${props.cluster}/node/<node>`
        : `spiffe://${trustDomain}/k8s-workload-registrar/${props.cluster}/node/<node>`;

    this.warnings.push(
      `the k8s-workload-registrar is deprecated and unmaintained upstream; ${this.image} runs outside SPIRE's supported version skew with the SPIRE ${SPIRE_VERSION} server. spire-controller-manager (registrar.kind: controller-manager) is the default for new clusters.`,
    );
    if (cp.insecureSkipClientVerification) {
      this.warnings.push('insecure_skip_client_verification = true: the registrar webhook accepts unauthenticated callers, who can create and delete registration entries (acknowledged).');
    }

    const labels = commonLabels(K8S_WORKLOAD_REGISTRAR);
    const metadata = (name: string) => ({ name, namespace: this.namespace, labels });
    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: metadata(K8S_WORKLOAD_REGISTRAR),
      data: { 'k8s-workload-registrar.conf': this.configText },
    });
    const volumes: kplus.Volume[] = [kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'registrar-config' })];
    const mounts: kplus.VolumeMount[] = [{ path: CONFIG_DIR, volume: volumes[0], readOnly: true }];
    if (cp.mode === 'webhook') {
      const tls = kplus.Volume.fromSecret(this, 'TlsVolume', kplus.Secret.fromSecretName(this, 'TlsSecret', `${K8S_WORKLOAD_REGISTRAR}-webhook-tls`), { name: 'registrar-webhook-tls' });
      volumes.push(tls);
      mounts.push({ path: WEBHOOK_TLS_DIR, volume: tls, readOnly: true });
      if (!cp.insecureSkipClientVerification) {
        // The CA of the API server's admission client certificate: only the cluster operator has it.
        const clientCa = kplus.Volume.fromConfigMap(this, 'ClientCaVolume', kplus.ConfigMap.fromConfigMapName(this, 'ClientCa', `${K8S_WORKLOAD_REGISTRAR}-client-ca`), { name: 'registrar-client-ca', optional: true });
        volumes.push(clientCa);
        mounts.push({ path: CLIENT_CA_DIR, volume: clientCa, readOnly: true });
      }
    }
    if (cp.logPath !== undefined) {
      const dir = cp.logPath.replace(/\/[^/]*$/, '') || '/';
      const logs = kplus.Volume.fromEmptyDir(this, 'LogVolume', 'registrar-logs', { sizeLimit: Size.mebibytes(64) });
      volumes.push(logs);
      mounts.push({ path: dir, volume: logs });
    }
    if (sidecar) {
      mounts.push({ path: PATHS.serverSocketDir, volume: server.socketVolume, readOnly: true });
    } else {
      const socket = kplus.Volume.fromCsi(this, 'WorkloadApi', CSI_DRIVER_NAME, { name: 'spiffe-workload-api', readOnly: true });
      volumes.push(socket);
      mounts.push({ path: WORKLOAD_API_DIR, volume: socket, readOnly: true });
    }

    const ports: kplus.ContainerPort[] = [];
    if (webhookPort !== undefined) ports.push({ name: 'reg-webhook', number: webhookPort });
    if (metricsPort !== undefined) ports.push({ name: 'reg-metrics', number: metricsPort });
    // Webhook: TLS with required client certificates, so only a TCP check works; controllers: the metrics listener.
    const probePort = webhookPort ?? metricsPort;
    const probe = (initial: number) => probePort === undefined
      ? undefined
      : webhookPort !== undefined
        ? kplus.Probe.fromTcpSocket({ port: probePort, initialDelaySeconds: Duration.seconds(initial), periodSeconds: Duration.seconds(20) })
        : kplus.Probe.fromHttpGet('/metrics', { port: probePort, initialDelaySeconds: Duration.seconds(initial), periodSeconds: Duration.seconds(20) });
    const container: kplus.ContainerProps = {
      name: K8S_WORKLOAD_REGISTRAR,
      image: this.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: ['-config', `${CONFIG_DIR}/k8s-workload-registrar.conf`],
      ports,
      securityContext: restrictedContainerSecurity(),
      resources: containerResources(props.resources ?? { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' }),
      ...(probePort !== undefined ? { liveness: probe(15), readiness: probe(5) } : {}),
      volumeMounts: mounts,
    };

    let podSelector: Record<string, string>;
    if (sidecar) {
      for (const v of volumes) server.statefulSet.addVolume(v);
      server.addSidecar(container);
      this.serviceAccount = server.serviceAccount;
      podSelector = server.podSelector();
    } else {
      const sa = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: metadata(K8S_WORKLOAD_REGISTRAR), automountToken: this.mode !== 'webhook' });
      this.serviceAccount = sa;
      const deployment = new kplus.Deployment(this, 'Deployment', {
        metadata: metadata(K8S_WORKLOAD_REGISTRAR),
        replicas,
        serviceAccount: sa,
        automountServiceAccountToken: this.mode !== 'webhook',
        securityContext: restrictedPodSecurity(),
        podMetadata: { labels },
        containers: [container],
        volumes,
      });
      podSelector = deployment.matchLabels;
      if (replicas > 1) {
        patchPodSpec(deployment, 'affinity', {
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podSelector } }] },
        });
        new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
          metadata: metadata(K8S_WORKLOAD_REGISTRAR),
          spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: podSelector } },
        });
      }
    }

    this.grantRbac(labels, cp, controllerName);
    if (metricsPort !== undefined) {
      const metricsService = new kplus.Service(this, 'MetricsService', {
        metadata: metadata(`${K8S_WORKLOAD_REGISTRAR}-metrics`),
        ports: [{ name: 'metrics', port: metricsPort, targetPort: metricsPort, protocol: kplus.Protocol.TCP }],
      });
      ApiObject.of(metricsService).addJsonPatch(JsonPatch.replace('/spec/selector', podSelector));
    }
    if (webhookPort !== undefined) this.webhook(labels, podSelector, webhookPort);
    for (const [i, s] of (props.spiffeIds ?? []).entries()) {
      new SpiffeId(this, `SpiffeId${i}`, { metadata: { name: s.name, namespace: s.namespace, labels }, spec: s.spec });
    }
  }

  /** Least privilege per mode: webhook mode never calls the Kubernetes API; the controllers read pods and nodes. */
  private grantRbac(labels: Record<string, string>, cp: K8sWorkloadRegistrarConfigProps, controllerName: string): void {
    if (cp.mode === 'webhook') return;
    const name = `${K8S_WORKLOAD_REGISTRAR}-${this.namespace}`;
    const role = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name, labels } });
    const watched = [kplus.ApiResource.PODS, kplus.ApiResource.NODES];
    // DNS names from Services come from Endpoints (reconcile: add_pod_dns_names, crd: add_svc_dns_name).
    if ((cp.mode === 'reconcile' && cp.addPodDnsNames) || (cp.mode === 'crd' && (cp.addSvcDnsName ?? true))) watched.push(kplus.ApiResource.ENDPOINTS);
    role.allow(['get', 'list', 'watch'], ...watched);
    if (cp.mode === 'crd') {
      // Node and pod SpiffeIDs are created, updated and garbage-collected by the registrar itself.
      const crd = (resourceType: string) => kplus.ApiResource.custom({ apiGroup: 'spiffeid.spiffe.io', resourceType });
      role.allow(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], crd('spiffeids'));
      role.allow(['get', 'update', 'patch'], crd('spiffeids/status'));
    }
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name, labels }, role }).addSubjects(this.serviceAccount);

    if (cp.leaderElection) {
      const lockName = cp.mode === 'reconcile' ? `${controllerName}-leader-election` : 'spire-k8s-registrar-leader-election';
      const election = new kplus.Role(this, 'LeaderElectionRole', { metadata: { name: `${K8S_WORKLOAD_REGISTRAR}-leader-election`, namespace: this.namespace, labels } });
      const leases = kplus.ApiResource.custom({ apiGroup: 'coordination.k8s.io', resourceType: 'leases' });
      election.allow(['create'], leases);
      election.allow(['get', 'update'], namedResource('coordination.k8s.io', 'leases', lockName));
      election.allow(['create', 'patch'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'events' }));
      new kplus.RoleBinding(this, 'LeaderElectionRoleBinding', { metadata: { name: `${K8S_WORKLOAD_REGISTRAR}-leader-election`, namespace: this.namespace, labels }, role: election })
        .addSubjects(this.serviceAccount);
    }
  }

  /**
   * Pod CREATE/DELETE reviews (admission v1 or v1beta1, path /validate). failurePolicy Ignore: a registrar
   * outage delays identities but never blocks pod admission.
   */
  private webhook(labels: Record<string, string>, podSelector: Record<string, string>, port: number): void {
    const serviceName = `${K8S_WORKLOAD_REGISTRAR}-webhook`;
    const service = new kplus.Service(this, 'WebhookService', {
      metadata: { name: serviceName, namespace: this.namespace, labels },
      ports: [{ name: 'https', port: 443, targetPort: port, protocol: kplus.Protocol.TCP }],
    });
    ApiObject.of(service).addJsonPatch(JsonPatch.replace('/spec/selector', podSelector));

    const issuer = new Issuer(this, 'WebhookIssuer', {
      metadata: { name: `${K8S_WORKLOAD_REGISTRAR}-selfsigned`, namespace: this.namespace, labels },
      spec: { selfSigned: {} },
    });
    const certName = `${K8S_WORKLOAD_REGISTRAR}-webhook`;
    new Certificate(this, 'WebhookCertificate', {
      metadata: { name: certName, namespace: this.namespace, labels },
      spec: {
        secretName: `${K8S_WORKLOAD_REGISTRAR}-webhook-tls`,
        commonName: `${serviceName}.${this.namespace}.svc`,
        dnsNames: [serviceName, `${serviceName}.${this.namespace}`, `${serviceName}.${this.namespace}.svc`],
        duration: '2160h',
        renewBefore: '360h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { name: issuer.name, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    new k8s.KubeValidatingWebhookConfiguration(this, 'Webhook', {
      metadata: {
        name: `${K8S_WORKLOAD_REGISTRAR}-${this.namespace}`,
        labels,
        // cert-manager's cainjector copies the serving certificate's CA into caBundle.
        annotations: { 'cert-manager.io/inject-ca-from': `${this.namespace}/${certName}` },
      },
      webhooks: [{
        name: 'k8s-workload-registrar.spiffe.io',
        // 1.3.x decodes both (v1.3.6 support/k8s/k8s-workload-registrar/webhookhandler.go); v1 first.
        admissionReviewVersions: ['v1', 'v1beta1'],
        clientConfig: { service: { name: serviceName, namespace: this.namespace, path: '/validate', port: 443 } },
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        timeoutSeconds: 5,
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...(this.configPropsDisabled())] }] },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'], resources: ['pods'], scope: 'Namespaced' }],
      }],
    });
  }

  private configPropsDisabled(): readonly string[] {
    return this.configProps.disabledNamespaces ?? SYSTEM_NAMESPACES;
  }
}

function psatClustersOf(config: Record<string, unknown>): Record<string, unknown> {
  const plugins = config.plugins as { NodeAttestor?: { k8s_psat?: { plugin_data?: { clusters?: Record<string, unknown> } } } } | undefined;
  return plugins?.NodeAttestor?.k8s_psat?.plugin_data?.clusters ?? {};
}

/** One named object of a type, for RBAC rules with resourceNames. */
function namedResource(apiGroup: string, resourceType: string, resourceName: string): kplus.IApiResource {
  return { apiGroup, resourceType, resourceName };
}

function portOf(addr: string | undefined): number | undefined {
  if (addr === undefined || addr === '0') return undefined;
  return Number(addr.slice(addr.lastIndexOf(':') + 1));
}
