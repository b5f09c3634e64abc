/**
 * The Istio settings meshfed controls for one cluster, as a pure function of the cluster's Istio values
 * (clusters/istio-values.ts: plain values, every relation between clusters computed there). Both
 * renderings (the IstioOperator for `istioctl install -f`, operator.ts, and the Helm values of the
 * official charts, helm-values.ts) are written from this model only, so they cannot drift apart.
 */
import type { LoadBalancerExposure } from '../../clusters/exposure';
import type { IstioClusterValues } from '../../clusters/istio-values';
import type { Provider } from '../../clusters/model';
import { CSI_DRIVER_NAME, PATHS } from '../core/names';
import { PropsError, requireDnsLabel, requireTrustDomain } from '../core/props-error';
import { ISTIO_VERSION } from '../core/versions';

export type { IstioClusterValues };

export const ISTIO_SYSTEM_NAMESPACE = 'istio-system';
/** Where istio-agent looks for a SPIFFE Workload API socket (security.WorkloadIdentityPath upstream). */
export const WORKLOAD_SOCKET_DIR = '/run/secrets/workload-spiffe-uds';
/**
 * Volume name Istio's sidecar and gateway templates declare for the Workload API socket, as `emptyDir:`
 * with no value (null), i.e. with no source (istio/istio 1.30.3 manifests/charts/istio-control/
 * istio-discovery/files/injection-template.yaml and gateway-injection-template.yaml, `volumes:`).
 */
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
/**
 * The injector's default templates (sidecarInjectorWebhook.defaultTemplates): every injected pod gets the
 * SPIRE socket, also when it carries no templates annotation (istio-discovery chart
 * templates/istiod-injector-configmap.yaml renders `defaultTemplates`, default `[sidecar]`).
 */
export const DEFAULT_INJECTION_TEMPLATES: readonly string[] = ['sidecar', 'spire'];
/**
 * istio-agent's env var naming the Workload API socket file in WORKLOAD_SOCKET_DIR. With a name other than
 * Istio's default ("socket") and no socket there at start, istio-agent exits with "agent configured for
 * non-default SDS socket path ... but no socket found" (istio/istio 1.30.3 pkg/istio-agent/agent.go
 * Agent.Run); it never falls back to istiod's CA. So it is set only where the SPIRE socket is mounted:
 * on istio-proxy by the spire template and on the gateways, never mesh-wide in proxyMetadata.
 */
export const WORKLOAD_IDENTITY_SOCKET_FILE_ENV = 'WORKLOAD_IDENTITY_SOCKET_FILE';
/** Pod Security "restricted" requires a seccomp profile; RuntimeDefault is the runtime's default filter. */
export const RUNTIME_DEFAULT_SECCOMP = { type: 'RuntimeDefault' } as const;
/** Namespace of the Istio CNI node agent on every provider (it needs host paths and root; see cniNamespace). */
export const CNI_NAMESPACE = 'kube-system';

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
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly GatewayPort[];
  /** L4 passthrough load balancer annotations for the provider. */
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly resources: ContainerResourcesSpec;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly pdbMinAvailable: number;
  /** Who may reach the load balancer, internal or not, pinned address (clusters/exposure.ts). */
  readonly exposure: LoadBalancerExposure;
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
   * Namespace of the Istio CNI node agent: kube-system on every provider. Its DaemonSet needs root, host
   * paths and privileges that istio-system's enforced "restricted" refuses, and it is system-node-critical,
   * which GKE admits only in kube-system unless a ResourceQuota for that class exists.
   */
  readonly cniNamespace: string;
  /** istiod replicas (>= 2: the injection webhook fails closed, so one replica stops pod creation on restart). */
  readonly istiodReplicas: { readonly min: number; readonly max: number };
  readonly gateways: readonly GatewayModel[];
}

const GATEWAY_RESOURCES: ContainerResourcesSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } };

/**
 * L4 load balancers that pass TLS through untouched: east-west traffic is mTLS end to end with SPIFFE
 * identities, so a load balancer must never terminate TLS or add PROXY protocol headers.
 * GKE: the external passthrough LB (backend-service based, `cloud.google.com/l4-rbs`), or the internal
 * passthrough LB (`networking.gke.io/load-balancer-type: Internal`).
 * EKS: an NLB from the in-tree AWS cloud provider (`aws-load-balancer-type: nlb`, TCP listeners, instance
 * targets), so no AWS Load Balancer Controller is needed; it applies loadBalancerSourceRanges to the node
 * security group (kubernetes/cloud-provider-aws pkg/providers/v1/aws.go: ServiceAnnotationLoadBalancerType,
 * ServiceAnnotationLoadBalancerInternal, EnsureLoadBalancer -> updateInstanceSecurityGroupsForNLB).
 */
export function passthroughLoadBalancerAnnotations(provider: Provider, internal = false): Record<string, string> {
  if (provider === 'gke') return internal ? { [GKE_LOAD_BALANCER_TYPE]: 'Internal' } : { 'cloud.google.com/l4-rbs': 'enabled' };
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
    ...(internal ? { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } : {}),
  };
}

const GKE_LOAD_BALANCER_TYPE = 'networking.gke.io/load-balancer-type';

/**
 * Whether given Service annotations make the load balancer internal on GKE (e.g. the stack's, when peers share
 * its VPC though not its Istio network): then the external backend-service annotation would ask for the other kind.
 */
function asksInternal(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[GKE_LOAD_BALANCER_TYPE] === 'Internal';
}

/**
 * The options the topology file chooses for a cluster (`istio` at the top level and per cluster). With
 * caCertificates, each peer's roots come from its rootCa.certificateFile (load-time rules require it).
 */
export function istioOptionsOf(cluster: IstioClusterValues): IstioModelOptions {
  const acceptance = cluster.trustDomainAcceptance === 'caCertificates'
    ? TrustDomainAcceptance.caCertificates(Object.fromEntries(Object.entries(cluster.peerRootPems).map(([td, pem]) => [td, { pem }])))
    : TrustDomainAcceptance.aliases();
  return {
    acceptance,
    gatewayReplicas: cluster.gatewayReplicas,
    ...(cluster.nativeSidecars !== undefined ? { nativeSidecars: cluster.nativeSidecars } : {}),
  };
}

/**
 * @param cluster istioClusterValues(topology, name) (meshfed/clusters), or the same values written by hand.
 * @param options what the cluster's values choose (istioOptionsOf) unless given.
 */
export function istioModel(cluster: IstioClusterValues, options: IstioModelOptions = istioOptionsOf(cluster)): IstioModel {
  const peers = cluster.peerTrustDomains;
  requireTrustDomain('istioModel.trustDomain', cluster.trustDomain);
  // The topology schema guarantees these; values written by hand get the same checks, with the field named.
  requireDnsLabel('istioModel.clusterName', cluster.clusterName);
  requireDnsLabel('istioModel.meshId', cluster.meshId);
  if (cluster.network.length === 0) throw new PropsError('istioModel.network: must not be empty');
  peers.forEach((td, i) => requireTrustDomain(`istioModel.peerTrustDomains[${i}]`, td));
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
  const common = { resources: GATEWAY_RESOURCES, minReplicas: replicas.min, maxReplicas: replicas.max, pdbMinAvailable: 1 };
  // Both gateways mount the SPIRE socket, so istio-agent must look for SPIRE's socket name there.
  const socketEnv = { [WORKLOAD_IDENTITY_SOCKET_FILE_ENV]: PATHS.agentSocketName };
  const eastWest = cluster.eastWestExposure;
  // The ingress gateway serves clients meshfed does not know: open, external, unpinned.
  const ingress: LoadBalancerExposure = { consumers: [], internal: false, sourceRanges: [], rangesFrom: 'none' };
  const gateways: GatewayModel[] = [
    {
      name: INGRESS_GATEWAY,
      role: 'ingress',
      labels: { app: INGRESS_GATEWAY, istio: 'ingressgateway' },
      env: { ...socketEnv },
      ports: [
        { name: 'status-port', port: GATEWAY_STATUS_PORT, targetPort: GATEWAY_STATUS_PORT, protocol: 'TCP' },
        { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
      serviceAnnotations: passthroughLoadBalancerAnnotations(cluster.provider),
      exposure: ingress,
      ...common,
    },
    {
      name: EASTWEST_GATEWAY,
      role: 'eastwest',
      labels: { app: EASTWEST_GATEWAY, istio: 'eastwestgateway', 'topology.istio.io/network': cluster.network },
      // Only endpoints of this network are exposed through this gateway. Set here, not through the gateway
      // chart's networkGateway value, which would also publish istiod's 15012 and 15017 (see helm-values.ts).
      env: { ISTIO_META_REQUESTED_NETWORK_VIEW: cluster.network, ...socketEnv },
      ports: [
        { name: 'status-port', port: GATEWAY_STATUS_PORT, targetPort: GATEWAY_STATUS_PORT, protocol: 'TCP' },
        { name: 'tls', port: EASTWEST_TLS_PORT, targetPort: EASTWEST_TLS_PORT, protocol: 'TCP' },
      ],
      serviceAnnotations: { ...passthroughLoadBalancerAnnotations(cluster.provider, eastWest.internal || asksInternal(cluster.eastWestAnnotations)), ...(cluster.eastWestAnnotations ?? {}) },
      exposure: eastWest,
      ...common,
    },
  ];
  return {
    istioVersion: ISTIO_VERSION,
    clusterName: cluster.clusterName,
    provider: cluster.provider,
    meshId: cluster.meshId,
    network: cluster.network,
    trustDomain: cluster.trustDomain,
    peerTrustDomains: peers,
    acceptance: acceptance.kind,
    // Also with caCertificates: istiod expands the SANs it expects of a service's endpoints only with
    // trustDomainAliases (istio/istio 1.30.3 pilot/pkg/model/push_context.go addServiceAccounts ->
    // pkg/spiffe ExpandWithTrustDomains), so without them a call to a peer's endpoint fails SAN matching.
    trustDomainAliases: peers,
    caCertificates,
    nativeSidecars,
    proxyMetadata: {
      // DNS proxying in istio-agent: names of remote-only Services resolve in every cluster.
      ISTIO_META_DNS_CAPTURE: 'true',
      // No WORKLOAD_IDENTITY_SOCKET_FILE here: see WORKLOAD_IDENTITY_SOCKET_FILE_ENV.
    },
    istiodEnv: {
      // istiod allocates ServiceEntry addresses (status.addresses), replacing the deprecated per-proxy
      // ISTIO_META_DNS_AUTO_ALLOCATE. Already the default in 1.30.3 (pilot/pkg/features/pilot.go); pinned
      // because DNS capture of remote-only ServiceEntries relies on it.
      PILOT_ENABLE_IP_AUTOALLOCATE: 'true',
      ENABLE_NATIVE_SIDECARS: String(nativeSidecars),
    },
    spireTemplate: spireInjectionTemplate(nativeSidecars),
    ...(cluster.provider === 'gke' ? { platform: 'gke' } : {}),
    cniNamespace: CNI_NAMESPACE,
    istiodReplicas: { min: 2, max: 5 },
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
  const proxy = {
    name: 'istio-proxy',
    // Only pods that get the socket look for it (see WORKLOAD_IDENTITY_SOCKET_FILE_ENV); env merges by name.
    env: [{ name: WORKLOAD_IDENTITY_SOCKET_FILE_ENV, value: PATHS.agentSocketName }],
    volumeMounts: [{ name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true }],
  };
  return {
    spec: {
      // Native sidecars put istio-proxy among initContainers; patching `containers` would add an
      // image-less container instead of mounting the socket into the proxy.
      [nativeSidecars ? 'initContainers' : 'containers']: [proxy],
      // Istio's sidecar template declares workload-socket as `emptyDir:` with a null value, i.e. no source,
      // so this merge gives it the CSI one; `emptyDir: null` (delete, in a strategic merge patch) keeps that
      // true should a release give it a real emptyDir (a volume with two sources is rejected).
      volumes: [{ name: WORKLOAD_SOCKET_VOLUME, csi: { driver: CSI_DRIVER_NAME, readOnly: true }, emptyDir: null }],
    },
  };
}

/** Injection template applied after `sidecar` (`inject.istio.io/templates: sidecar,spire`). */
export function spireInjectionTemplate(nativeSidecars: boolean): string {
  // JSON is valid YAML; the injector parses the template as YAML after Go templating (no `{{` here).
  return `${JSON.stringify(spireTemplatePatch(nativeSidecars), null, 2)}\n`;
}
