/**
 * The Istio settings meshfed controls for one cluster, as a pure function of the topology. Both
 * renderings (the IstioOperator for `istioctl install -f`, istio-operator.ts, and the Helm values of the
 * official charts, istio-helm-values.ts) are written from this model only, so they cannot drift apart.
 */
import { federationPeers } from '../clusters/federation';
import { federatedTrustDomains, findCluster, type Provider, type Topology } from '../clusters/model';
import { CSI_DRIVER_NAME, PATHS } from './names';
import { PropsError, requireTrustDomain } from './props-error';
import { ISTIO_VERSION } from './versions';

export const ISTIO_SYSTEM_NAMESPACE = 'istio-system';
/** Where istio-agent looks for a SPIFFE Workload API socket (security.WorkloadIdentityPath upstream). */
export const WORKLOAD_SOCKET_DIR = '/run/secrets/workload-spiffe-uds';
/** Volume name Istio's sidecar template declares (with a null source) for the Workload API socket. */
export const WORKLOAD_SOCKET_VOLUME = 'workload-socket';
export const INGRESS_GATEWAY = 'istio-ingressgateway';
export const EASTWEST_GATEWAY = 'istio-eastwestgateway';
/** Port east-west gateways accept mTLS (SNI AUTO_PASSTHROUGH) traffic from other networks on. */
export const EASTWEST_TLS_PORT = 15443;
export const GATEWAY_STATUS_PORT = 15021;
/** Gateway pods run as Istio's proxy uid (the charts' default, never root). */
export const ISTIO_PROXY_UID = 1337;
/** Pod annotation that picks the injection templates istiod's injector applies, in order. */
export const INJECTION_TEMPLATES_ANNOTATION = 'inject.istio.io/templates';
/** Istio's own `sidecar` template, then meshfed's `spire` template (spireInjectionTemplate) on top of it. */
export const SPIRE_INJECTION_TEMPLATES = 'sidecar,spire';

/** Parses "1.30.3" / "1.33" into [major, minor]. */
export function minorVersion(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) throw new PropsError(`version ${JSON.stringify(version)} must look like "1.30" or "1.30.3"`);
  return [Number(m[1]), Number(m[2])];
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = minorVersion(version);
  return a > major || (a === major && b >= minor);
}

/** Where a peer trust domain's roots come from when the caCertificates form is used. */
export type PeerCaSource = { readonly spiffeBundleUrl: string } | { readonly pem: string };

export interface CaCertificateEntry {
  readonly trustDomains: readonly string[];
  readonly spiffeBundleUrl?: string;
  readonly pem?: string;
}

/**
 * How this cluster's istiod accepts identities of federated peers' trust domains.
 *
 * - `aliases()` (default): `meshConfig.trustDomainAliases` lists every peer. Works on every Istio version
 *   and needs nothing at synth time (the roots themselves reach Envoy through SPIRE's ROOTCA bundle set).
 *   Cost: Istio then treats `spiffe://<any alias>/ns/X/sa/Y` as the same principal as the local one, so an
 *   AuthorizationPolicy naming ns/X/sa/Y also admits a same-named identity from every peer.
 * - `caCertificates(sources)`: one `meshConfig.caCertificates` entry per peer, scoped with `trustDomains`
 *   (Istio 1.29+), so each peer's roots verify only that peer's identities. Needs each peer's SPIFFE bundle
 *   endpoint or root PEM, and istiod (and remote readers) must read ConfigMaps.
 */
export class TrustDomainAcceptance {
  static aliases(): TrustDomainAcceptance {
    return new TrustDomainAcceptance('aliases', undefined);
  }

  /** @param sources peer trust domain -> its SPIFFE bundle endpoint URL or root PEM; every peer must be listed. */
  static caCertificates(sources: Readonly<Record<string, PeerCaSource>>): TrustDomainAcceptance {
    return new TrustDomainAcceptance('caCertificates', sources);
  }

  private constructor(
    readonly kind: 'aliases' | 'caCertificates',
    readonly sources: Readonly<Record<string, PeerCaSource>> | undefined,
  ) {}
}

export interface GatewayPort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: 'TCP';
}

export interface ContainerResourcesSpec {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

export interface GatewayModel {
  /** Deployment, Service and IstioOperator component name. */
  readonly name: string;
  readonly role: 'ingress' | 'eastwest';
  /** Pod and Service labels; `istio` is what Gateway selectors match. */
  readonly labels: Readonly<Record<string, string>>;
  /** Set for east-west gateways: the network whose endpoints this gateway exposes. */
  readonly networkGateway?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly GatewayPort[];
  /** L4 passthrough load balancer annotations for the provider. */
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly resources: ContainerResourcesSpec;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly pdbMinAvailable: number;
}

export interface IstioModelOptions {
  /** @default TrustDomainAcceptance.aliases() */
  readonly acceptance?: TrustDomainAcceptance;
  /**
   * Inject istio-proxy as a native sidecar (an init container with restartPolicy Always).
   * @default - what Istio 1.27+ does on its own: on when the cluster's kubernetesVersion is 1.33 or later
   */
  readonly nativeSidecars?: boolean;
  /** @default 2 (min) / 5 (max) per gateway */
  readonly gatewayReplicas?: { readonly min: number; readonly max: number };
}

export interface IstioModel {
  readonly istioVersion: string;
  readonly clusterName: string;
  readonly provider: Provider;
  readonly meshId: string;
  readonly network: string;
  readonly trustDomain: string;
  /** Federated peer trust domains, sorted (federatedTrustDomains). */
  readonly peerTrustDomains: readonly string[];
  readonly acceptance: 'aliases' | 'caCertificates';
  readonly trustDomainAliases: readonly string[];
  readonly caCertificates: readonly CaCertificateEntry[];
  readonly nativeSidecars: boolean;
  /** meshConfig.defaultConfig.proxyMetadata: environment of every istio-agent. */
  readonly proxyMetadata: Readonly<Record<string, string>>;
  /** istiod environment (values.pilot.env / istiod chart `env`). */
  readonly istiodEnv: Readonly<Record<string, string>>;
  /** The `spire` injection template (YAML text). */
  readonly spireTemplate: string;
  /** Istio's platform value (CNI paths), if the provider needs one. */
  readonly platform?: string;
  /**
   * Namespace of the Istio CNI node agent: kube-system on GKE, which admits system-node-critical pods
   * only there (without a ResourceQuota), else istio-system.
   */
  readonly cniNamespace: string;
  readonly gateways: readonly GatewayModel[];
}

const GATEWAY_RESOURCES: ContainerResourcesSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } };

/**
 * L4 load balancers that pass TLS through untouched: east-west traffic is mTLS end to end with SPIFFE
 * identities, so a load balancer must never terminate TLS or add PROXY protocol headers.
 * GKE: the default external passthrough LB (backend-service based, `cloud.google.com/l4-rbs`).
 * EKS: the AWS Load Balancer Controller's NLB with IP targets.
 */
export function passthroughLoadBalancerAnnotations(provider: Provider): Record<string, string> {
  if (provider === 'gke') return { 'cloud.google.com/l4-rbs': 'enabled' };
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
  };
}

/**
 * The options the topology file chooses for a cluster (`istio` at the top level and per cluster). With
 * caCertificates, each peer's roots come from its rootCa.certificateFile (load-time rules require it).
 */
export function istioOptionsFromTopology(topology: Topology, clusterName: string): IstioModelOptions {
  const cluster = findCluster(topology, clusterName);
  const { trustDomainAcceptance, gatewayReplicas } = topology.istio;
  const acceptance = trustDomainAcceptance === 'caCertificates'
    ? TrustDomainAcceptance.caCertificates(Object.fromEntries(federationPeers(topology, clusterName)
      .filter((p) => p.rootPem !== undefined).map((p) => [p.trustDomain, { pem: p.rootPem! }])))
    : TrustDomainAcceptance.aliases();
  return {
    acceptance,
    gatewayReplicas,
    ...(cluster.istio.nativeSidecars !== undefined ? { nativeSidecars: cluster.istio.nativeSidecars } : {}),
  };
}

/** @param options what the topology chooses (istioOptionsFromTopology) unless given. */
export function istioModel(topology: Topology, clusterName: string, options: IstioModelOptions = istioOptionsFromTopology(topology, clusterName)): IstioModel {
  const cluster = findCluster(topology, clusterName);
  const peers = federatedTrustDomains(topology, clusterName);
  requireTrustDomain('istioModel.trustDomain', cluster.trustDomain);
  const acceptance = options.acceptance ?? TrustDomainAcceptance.aliases();
  const caCertificates = acceptance.kind === 'caCertificates' ? caEntries(peers, acceptance.sources ?? {}) : [];
  // Istio 1.27+ injects native sidecars where the kubelet is 1.33+; meshfed pins the decision so the
  // spire template patches the same container list the injector produces.
  const nativeSidecars = options.nativeSidecars ?? atLeast(cluster.kubernetesVersion, 1, 33);
  if (nativeSidecars && !atLeast(cluster.kubernetesVersion, 1, 29)) {
    throw new PropsError(`istioModel.nativeSidecars: Kubernetes ${cluster.kubernetesVersion} has no sidecar containers (needs 1.29+)`);
  }
  const replicas = options.gatewayReplicas ?? { min: 2, max: 5 };
  if (!Number.isInteger(replicas.min) || replicas.min < 1 || replicas.max < replicas.min) {
    throw new PropsError(`istioModel.gatewayReplicas: min ${replicas.min} / max ${replicas.max} must satisfy 1 <= min <= max`);
  }
  const lb = passthroughLoadBalancerAnnotations(cluster.provider);
  const common = { resources: GATEWAY_RESOURCES, minReplicas: replicas.min, maxReplicas: replicas.max, pdbMinAvailable: 1 };
  const gateways: GatewayModel[] = [
    {
      name: INGRESS_GATEWAY,
      role: 'ingress',
      labels: { app: INGRESS_GATEWAY, istio: 'ingressgateway' },
      env: {},
      ports: [
        { name: 'status-port', port: GATEWAY_STATUS_PORT, targetPort: GATEWAY_STATUS_PORT, protocol: 'TCP' },
        { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
      serviceAnnotations: lb,
      ...common,
    },
    {
      name: EASTWEST_GATEWAY,
      role: 'eastwest',
      labels: { app: EASTWEST_GATEWAY, istio: 'eastwestgateway', 'topology.istio.io/network': cluster.network },
      networkGateway: cluster.network,
      // Only endpoints of this network are exposed through this gateway.
      env: { ISTIO_META_REQUESTED_NETWORK_VIEW: cluster.network },
      ports: [
        { name: 'status-port', port: GATEWAY_STATUS_PORT, targetPort: GATEWAY_STATUS_PORT, protocol: 'TCP' },
        { name: 'tls', port: EASTWEST_TLS_PORT, targetPort: EASTWEST_TLS_PORT, protocol: 'TCP' },
      ],
      serviceAnnotations: lb,
      ...common,
    },
  ];
  return {
    istioVersion: ISTIO_VERSION,
    clusterName: cluster.name,
    provider: cluster.provider,
    meshId: topology.meshId,
    network: cluster.network,
    trustDomain: cluster.trustDomain,
    peerTrustDomains: peers,
    acceptance: acceptance.kind,
    trustDomainAliases: acceptance.kind === 'aliases' ? peers : [],
    caCertificates,
    nativeSidecars,
    proxyMetadata: {
      // DNS proxying in istio-agent: names of remote-only Services resolve in every cluster.
      ISTIO_META_DNS_CAPTURE: 'true',
      // meshfed's SPIRE agent names its socket spire-agent.sock, not Istio's default "socket".
      WORKLOAD_IDENTITY_SOCKET_FILE: PATHS.agentSocketName,
    },
    istiodEnv: {
      // Istio 1.25+ allocates ServiceEntry addresses in istiod (status.addresses); this replaces the
      // deprecated per-proxy ISTIO_META_DNS_AUTO_ALLOCATE.
      PILOT_ENABLE_IP_AUTOALLOCATE: 'true',
      ENABLE_NATIVE_SIDECARS: String(nativeSidecars),
    },
    spireTemplate: spireInjectionTemplate(nativeSidecars),
    ...(cluster.provider === 'gke' ? { platform: 'gke' } : {}),
    cniNamespace: cluster.provider === 'gke' ? 'kube-system' : ISTIO_SYSTEM_NAMESPACE,
    gateways,
  };
}

function caEntries(peers: readonly string[], sources: Readonly<Record<string, PeerCaSource>>): CaCertificateEntry[] {
  if (!atLeast(ISTIO_VERSION, 1, 29)) throw new PropsError(`TrustDomainAcceptance.caCertificates: needs Istio 1.29+, pinned ${ISTIO_VERSION}`);
  const missing = peers.filter((p) => sources[p] === undefined);
  if (missing.length > 0) {
    throw new PropsError(`TrustDomainAcceptance.caCertificates: no bundle URL or PEM for federated trust domain(s) ${missing.join(', ')}`);
  }
  const extra = Object.keys(sources).filter((td) => !peers.includes(td)).sort();
  if (extra.length > 0) {
    throw new PropsError(`TrustDomainAcceptance.caCertificates: ${extra.join(', ')} is not a federated peer of this cluster (peers: ${peers.join(', ') || 'none'})`);
  }
  return peers.map((td) => {
    const source = sources[td];
    return 'pem' in source ? { pem: source.pem, trustDomains: [td] } : { spiffeBundleUrl: source.spiffeBundleUrl, trustDomains: [td] };
  });
}

/** The pod patch of the `spire` template, as an object (see spireInjectionTemplate). */
export function spireTemplatePatch(nativeSidecars: boolean): Record<string, unknown> {
  const proxy = { name: 'istio-proxy', volumeMounts: [{ name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true }] };
  return {
    spec: {
      // Native sidecars put istio-proxy among initContainers; patching `containers` would add an
      // image-less container instead of mounting the socket into the proxy.
      [nativeSidecars ? 'initContainers' : 'containers']: [proxy],
      // Istio's sidecar template declares workload-socket with a null source, so this merge gives it one;
      // `emptyDir: null` (delete, in a strategic merge patch) keeps that true should a release default it to
      // an emptyDir, as the gateway template does (a volume with two sources is rejected).
      volumes: [{ name: WORKLOAD_SOCKET_VOLUME, csi: { driver: CSI_DRIVER_NAME, readOnly: true }, emptyDir: null }],
    },
  };
}

/** Injection template applied after `sidecar` (`inject.istio.io/templates: sidecar,spire`). */
export function spireInjectionTemplate(nativeSidecars: boolean): string {
  // JSON is valid YAML; the injector parses the template as YAML after Go templating (no `{{` here).
  return `${JSON.stringify(spireTemplatePatch(nativeSidecars), null, 2)}\n`;
}
