/** SPIRE server: StatefulSet, config, Service for the server API, RBAC, PDB/anti-affinity when replicated. */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { CloudIdentity } from './cloud-identity';
import { DATASTORE_ENV, DataStore } from './datastore';
import { KEY_POLICY_DIR, KEY_POLICY_FILE_NAME, KeyManager } from './key-manager';
import {
  commonLabels, PATHS, PROMETHEUS_PORT, SERVER_API_PORT, SERVER_HEALTH_PORT, SPIRE_AGENT, SPIRE_BUNDLE_CONFIGMAP,
  SPIRE_BUNDLE_KEY, SPIRE_SERVER, SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE,
} from '../core/names';
import { PropsError, requireDuration, requireRange, requireTrustDomain } from '../core/props-error';
import {
  renderServerConfig, serializeConfig, type BundleTarget, type CaSubject, type PsatCluster, type ServerFederationConfig,
} from './server-config';
import type { UpstreamAuthority } from './upstream-authority';
import { IMAGES } from '../core/versions';
import {
  containerResources, healthProbes, patchPodSpec, restrictedContainerSecurity, restrictedPodSecurity, type ResourceRequirements,
} from '../core/workload-defaults';
import { k8s } from 'cdk8s-plus-28';

export interface SpireServerProps {
  /** Trust domain this server is the authority of, e.g. "foo.com". */
  readonly trustDomain: string;
  /** Name agents of this cluster present in k8s_psat attestation (the topology cluster name). */
  readonly clusterName: string;
  /** @default "spire-server" */
  readonly namespace?: string;
  /** Namespace of the agents (service account allow-list and the bundle ConfigMap). @default "spire-system" */
  readonly agentNamespace?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default DataStore.sqlite() */
  readonly dataStore?: DataStore;
  /** Where the CA and JWT signing keys live. @default KeyManager.disk() (on each replica's volume) */
  readonly keyManager?: KeyManager;
  /**
   * The cloud principal the server's ServiceAccount acts as (for a cloud KeyManager or an IAM-authenticated
   * datastore), rendered as the ServiceAccount annotation the cloud reads. @default - none
   */
  readonly cloudIdentity?: CloudIdentity;
  /** Signs the server CA; without one the server CA is self-signed. @default - self-signed */
  readonly upstreamAuthority?: UpstreamAuthority;
  /** @default - country "US", organization "SPIFFE", common name = trust domain */
  readonly caSubject?: Partial<CaSubject>;
  /** @default "24h" */
  readonly caTtl?: string;
  /** @default "1h" */
  readonly x509SvidTtl?: string;
  /** @default "5m" */
  readonly jwtSvidTtl?: string;
  /** @default "INFO" */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Extra k8s_psat clusters (nested children) besides this cluster's own agents. @default - none */
  readonly additionalPsatClusters?: Readonly<Record<string, PsatCluster>>;
  /** Extra BundlePublisher targets (nested children's spire-bundle-upstream). @default - none */
  readonly additionalBundleTargets?: Readonly<Record<string, BundleTarget>>;
  /** Federation block (bundle endpoint, legacy federates_with). @default - no federation */
  readonly federation?: ServerFederationConfig;
  /** @default - 100m / 256Mi requested, 1Gi limit */
  readonly resources?: ResourceRequirements;
  /** Size of each replica's data volume (sqlite database and CA keys). @default "1Gi" */
  readonly storageSize?: number;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

export const SERVER_DEFAULT_RESOURCES: ResourceRequirements = { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '1Gi' };

export class SpireServer extends Construct {
  readonly namespace: string;
  readonly trustDomain: string;
  readonly replicas: number;
  /** The parsed server.conf, for tests and for constructs that must agree with it. */
  readonly config: Record<string, unknown>;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly service: kplus.Service;
  readonly statefulSet: kplus.StatefulSet;
  /** emptyDir holding the server's private API socket; co-located registrars mount it. */
  readonly socketVolume: kplus.Volume;
  /** In-cluster DNS name agents dial. */
  readonly address: string;

  constructor(scope: Construct, id: string, props: SpireServerProps) {
    super(scope, id);
    requireTrustDomain('SpireServer.trustDomain', props.trustDomain);
    const replicas = props.replicas ?? 1;
    requireRange('SpireServer.replicas', replicas, 1, 9);
    const dataStore = props.dataStore ?? DataStore.sqlite();
    const keyManager = props.keyManager ?? KeyManager.disk();
    if (replicas > 1 && !dataStore.supportsReplicas) {
      throw new PropsError(`SpireServer.replicas: ${replicas} requires a postgres or mysql DataStore (each sqlite replica would keep its own registrations and CA state)`);
    }
    const caTtl = props.caTtl ?? '24h';
    const x509SvidTtl = props.x509SvidTtl ?? '1h';
    const jwtSvidTtl = props.jwtSvidTtl ?? '5m';
    requireDuration('SpireServer.caTtl', caTtl);
    requireDuration('SpireServer.x509SvidTtl', x509SvidTtl);
    requireDuration('SpireServer.jwtSvidTtl', jwtSvidTtl);

    this.namespace = props.namespace ?? SPIRE_SERVER_NAMESPACE;
    this.trustDomain = props.trustDomain;
    this.replicas = replicas;
    this.address = `${SPIRE_SERVER}.${this.namespace}`;
    const agentNamespace = props.agentNamespace ?? SPIRE_SYSTEM_NAMESPACE;
    const labels = commonLabels(SPIRE_SERVER);
    const metadata = (name: string, namespace = this.namespace) => ({ name, namespace, labels });

    this.config = renderServerConfig({
      trustDomain: props.trustDomain,
      logLevel: props.logLevel ?? 'INFO',
      caSubject: { country: 'US', organization: 'SPIFFE', commonName: props.trustDomain, ...props.caSubject },
      caTtl,
      x509SvidTtl,
      jwtSvidTtl,
      dataStore,
      keyManager,
      upstreamAuthority: props.upstreamAuthority,
      psatClusters: {
        ...props.additionalPsatClusters,
        [props.clusterName]: { serviceAccountAllowList: [`${agentNamespace}:${SPIRE_AGENT}`] },
      },
      bundleTargets: {
        ...props.additionalBundleTargets,
        [props.clusterName]: { namespace: agentNamespace, configMapName: SPIRE_BUNDLE_CONFIGMAP, configMapKey: SPIRE_BUNDLE_KEY, format: 'pem' },
      },
      federation: props.federation,
    });

    const annotations = props.cloudIdentity?.annotations();
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata(SPIRE_SERVER), ...(annotations ? { annotations } : {}) },
      automountToken: true,
    });
    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: metadata(SPIRE_SERVER),
      data: { 'server.conf': serializeConfig(this.config) },
    });

    // The agents' bootstrap bundle; the BundlePublisher fills bundle.crt once the server has a CA.
    const bundle = new kplus.ConfigMap(this, 'Bundle', { metadata: { name: SPIRE_BUNDLE_CONFIGMAP, namespace: agentNamespace, labels } });
    this.grantRbac(agentNamespace, bundle, props.upstreamAuthority);

    this.service = new kplus.Service(this, 'Service', {
      metadata: metadata(SPIRE_SERVER),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'grpc', port: SERVER_API_PORT, targetPort: SERVER_API_PORT, protocol: kplus.Protocol.TCP }],
    });

    // The StatefulSet's governing Service must be headless (stable pod DNS names); agents use the ClusterIP one.
    const headless = new kplus.Service(this, 'HeadlessService', {
      metadata: metadata(`${SPIRE_SERVER}-headless`),
      clusterIP: 'None',
      ports: [{ name: 'grpc', port: SERVER_API_PORT, targetPort: SERVER_API_PORT, protocol: kplus.Protocol.TCP }],
    });

    this.socketVolume = kplus.Volume.fromEmptyDir(this, 'SocketVolume', 'spire-server-socket', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'spire-config' });
    // A policy document, not a secret: the plugin reads it from key_policy_file when it creates a key.
    const keyPolicyVolume = keyManager.keyPolicy === undefined ? undefined : kplus.Volume.fromConfigMap(this, 'KeyPolicyVolume', new kplus.ConfigMap(this, 'KeyPolicy', {
      metadata: metadata(`${SPIRE_SERVER}-kms-key-policy`),
      data: { [KEY_POLICY_FILE_NAME]: keyManager.keyPolicy },
    }), { name: 'spire-kms-key-policy' });

    this.statefulSet = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata: metadata(SPIRE_SERVER),
      service: headless,
      replicas,
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(),
      podMetadata: { labels },
      containers: [{
        name: SPIRE_SERVER,
        image: IMAGES.spireServer,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args: ['-config', `${PATHS.serverConfigDir}/server.conf`, ...(dataStore.secretRef ? ['-expandEnv'] : [])],
        ports: [
          { name: 'grpc', number: SERVER_API_PORT },
          { name: 'healthz', number: SERVER_HEALTH_PORT },
          { name: 'prometheus', number: PROMETHEUS_PORT },
        ],
        envVariables: dataStore.secretRef
          ? { [DATASTORE_ENV]: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, 'DatastoreSecret', dataStore.secretRef.name), key: dataStore.secretRef.key }) }
          : {},
        securityContext: restrictedContainerSecurity(),
        resources: containerResources(props.resources ?? SERVER_DEFAULT_RESOURCES),
        ...healthProbes(SERVER_HEALTH_PORT),
        volumeMounts: [
          { path: PATHS.serverConfigDir, volume: configVolume, readOnly: true },
          { path: PATHS.serverSocketDir, volume: this.socketVolume },
          ...(keyPolicyVolume ? [{ path: KEY_POLICY_DIR, volume: keyPolicyVolume, readOnly: true }] : []),
        ],
      }],
      volumes: [configVolume, this.socketVolume, ...(keyPolicyVolume ? [keyPolicyVolume] : [])],
    });
    this.service.select(this.statefulSet);
    const sts = ApiObject.of(this.statefulSet);
    // Each replica keeps its CA keys or KMS server id (and the sqlite database) on its own volume across restarts.
    sts.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', [{
      metadata: { name: 'spire-data', labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: k8s.Quantity.fromString(`${props.storageSize ?? 1}Gi`) } },
        ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
      },
    }]));
    sts.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'spire-data', mountPath: PATHS.serverDataDir }));
    if (replicas > 1) this.spreadReplicas(labels);
  }

  /** Adds a container to the server pod (registrars that talk to the server over its private socket). */
  addSidecar(container: kplus.ContainerProps): kplus.Container {
    return this.statefulSet.addContainer(container);
  }

  private grantRbac(agentNamespace: string, bundle: kplus.ConfigMap, upstream: UpstreamAuthority | undefined): void {
    const labels = commonLabels(SPIRE_SERVER);
    // k8s_psat: review agents' projected tokens and check the pod and node they name.
    const clusterRole = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: `${SPIRE_SERVER}-${this.namespace}`, labels } });
    clusterRole.allow(['create'], kplus.ApiResource.TOKEN_REVIEWS);
    clusterRole.allow(['get'], kplus.ApiResource.PODS, kplus.ApiResource.NODES);
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: `${SPIRE_SERVER}-${this.namespace}`, labels }, role: clusterRole })
      .addSubjects(this.serviceAccount);

    // BundlePublisher: get and patch exactly the agents' bundle ConfigMap.
    const bundleRole = new kplus.Role(this, 'BundleRole', { metadata: { name: `${SPIRE_SERVER}-bundle`, namespace: agentNamespace, labels } });
    bundleRole.allow(['get', 'patch'], bundle);
    new kplus.RoleBinding(this, 'BundleRoleBinding', { metadata: { name: `${SPIRE_SERVER}-bundle`, namespace: agentNamespace, labels }, role: bundleRole })
      .addSubjects(this.serviceAccount);

    if (upstream?.certificateRequestNamespace) {
      // cert-manager UpstreamAuthority: create CertificateRequests, read the signed result, clean up old ones.
      const ns = upstream.certificateRequestNamespace;
      const caRole = new kplus.Role(this, 'UpstreamCaRole', { metadata: { name: `${SPIRE_SERVER}-upstream-ca`, namespace: ns, labels } });
      caRole.allow(['create', 'get', 'list', 'delete'], kplus.ApiResource.custom({ apiGroup: 'cert-manager.io', resourceType: 'certificaterequests' }));
      new kplus.RoleBinding(this, 'UpstreamCaRoleBinding', { metadata: { name: `${SPIRE_SERVER}-upstream-ca`, namespace: ns, labels }, role: caRole })
        .addSubjects(this.serviceAccount);
    }
  }

  /** Replicas on one node die together: require distinct nodes, and keep one up through drains. */
  private spreadReplicas(labels: Record<string, string>): void {
    patchPodSpec(this.statefulSet, 'affinity', {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: this.podSelector() },
        }],
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: { name: SPIRE_SERVER, namespace: this.namespace, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector() } },
    });
  }

  /** The labels the StatefulSet selects its pods by. */
  podSelector(): Record<string, string> {
    return this.statefulSet.matchLabels;
  }
}
