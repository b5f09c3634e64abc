/** The loaded, validated and resolved topology that constructs and stacks consume. */
import { resolveCaTtl } from './ca-ttl';
import type { ClusterParsed, EksParsed, EndpointSpec, ResourcesSpec, TopologyParsed } from './schema';

export type Provider = 'gke' | 'eks';
export type Datastore = 'sqlite' | 'postgres' | 'mysql';
export type RegistrarKind = 'controller-manager' | 'k8s-workload-registrar';
export type RegistrarMode = 'webhook' | 'reconcile' | 'crd';
export type { EndpointSpec, ResourcesSpec };

/** The spire block with caTtl resolved (clusters/ca-ttl.ts). */
export type SpireSpec = ClusterParsed['spire'] & { readonly caTtl: string };
export type NodePoolSpec = ClusterParsed['nodePool'];
export type CloudSpec = ClusterParsed['cloud'];

export interface RegistrarSpec {
  readonly kind: RegistrarKind;
  /** Set only for the k8s-workload-registrar (default reconcile). */
  readonly mode?: RegistrarMode;
  /** k8s-workload-registrar only (resolved with defaults). */
  readonly legacy?: LegacyRegistrarSpec;
}

/** The k8s-workload-registrar's topology settings after defaults. */
export interface LegacyRegistrarSpec {
  readonly deployment: 'sidecar' | 'standalone';
  /** Standalone replicas (1 for sidecar: it follows the server's replicas). */
  readonly replicas: number;
  readonly leaderElection: boolean;
  readonly identity: 'service-account' | 'pod-label' | 'pod-annotation';
  readonly podLabel?: string;
  readonly podAnnotation?: string;
  readonly logLevel: 'panic' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  readonly insecureSkipClientVerification: boolean;
  readonly acknowledgeInsecureSkipClientVerification: boolean;
  readonly resources?: ResourcesSpec;
}

export interface ClusterSpec {
  readonly name: string;
  readonly provider: Provider;
  readonly region: string;
  /** Resolved: a nested cluster carries its root's trust domain. */
  readonly trustDomain: string;
  /** Istio network name (default `<name>-network`). */
  readonly network: string;
  readonly cidr: string;
  /** The cluster whose SPIRE server this cluster's server is nested under, if any. */
  readonly nestedUnder?: string;
  /** The top of this cluster's nesting chain (itself for a root). */
  readonly root: string;
  readonly kubernetesVersion: string;
  readonly nodePool: NodePoolSpec;
  readonly spire: SpireSpec;
  readonly registrar: RegistrarSpec;
  /** Per-cluster Istio settings (nativeSidecars unset: decided from kubernetesVersion). */
  readonly istio: ClusterParsed['istio'];
  /** Root clusters: the root CA supplied from outside (PEM text read at load time). */
  readonly rootCa?: RootCaSpec;
  /** Root clusters: how peers reach the bundle endpoint. */
  readonly bundleEndpoint?: EndpointSpec;
  /** Clusters with nested children: how the children reach the server API. */
  readonly serverEndpoint?: EndpointSpec;
  /** Pod range as written (derived by infra/address-ranges.ts when absent). */
  readonly podCidr?: string;
  /** Service range as written (derived when absent). */
  readonly serviceCidr?: string;
  /** Settings for a cluster the stack creates. */
  readonly cloud: CloudSpec;
  /** provider eks: the topology's `eks` settings as written (defaults: infra/aws/options.ts). */
  readonly eks?: EksParsed;
}

export interface RootCaSpec {
  /** As written in the topology (relative to the topology file). */
  readonly certificateFile: string;
  /** PEM text of the CA certificate(s). */
  readonly certificatePem: string;
  /** kubernetes.io/tls Secret in the CA namespace (meshfed-ca) holding the key pair. */
  readonly secretName: string;
  /** The Pulumi stack creates the Secret itself (a root it generated); synth then has nothing to ask of the user. */
  readonly secretCreatedByStack?: boolean;
}

export type FederationSpec = 'full-mesh' | 'none' | ReadonlyArray<readonly [string, string]>;

export interface Topology {
  readonly environment: string;
  readonly meshId: string;
  /** In file order. */
  readonly clusters: readonly ClusterSpec[];
  readonly federation: FederationSpec;
  /** Whether each cluster gets the Istio sample workloads (70-samples.yaml). */
  readonly samples: boolean;
  /** Mesh-wide Istio settings, defaults applied. */
  readonly istio: TopologyParsed['istio'];
}

/** Builds the resolved model from a parsed topology that has passed rules.ts. */
export function resolveTopology(parsed: TopologyParsed, rootCaPems: ReadonlyMap<string, string> = new Map()): Topology {
  const byName = new Map(parsed.clusters.map((c) => [c.name, c]));
  const rootOf = (c: ClusterParsed): ClusterParsed => {
    let current = c;
    while (current.nestedUnder !== undefined) current = byName.get(current.nestedUnder)!;
    return current;
  };
  const clusters = parsed.clusters.map((c): ClusterSpec => {
    const root = rootOf(c);
    const registrar: RegistrarSpec =
      c.registrar.kind === 'k8s-workload-registrar'
        ? { kind: c.registrar.kind, mode: c.registrar.mode ?? 'reconcile', legacy: resolveLegacyRegistrar(c) }
        : { kind: c.registrar.kind };
    return {
      name: c.name,
      provider: c.provider,
      region: c.region,
      trustDomain: root.trustDomain!,
      network: c.network ?? `${c.name}-network`,
      cidr: c.cidr,
      ...(c.nestedUnder !== undefined ? { nestedUnder: c.nestedUnder } : {}),
      root: root.name,
      kubernetesVersion: c.kubernetesVersion,
      nodePool: c.nodePool,
      spire: { ...c.spire, caTtl: resolveCaTtl(c, byName) },
      registrar,
      istio: c.istio,
      ...(c.rootCa !== undefined && rootCaPems.has(c.name)
        ? { rootCa: { certificateFile: c.rootCa.certificateFile, certificatePem: rootCaPems.get(c.name)!, secretName: c.rootCa.secretName } }
        : {}),
      ...(c.bundleEndpoint !== undefined ? { bundleEndpoint: c.bundleEndpoint } : {}),
      ...(c.serverEndpoint !== undefined ? { serverEndpoint: c.serverEndpoint } : {}),
      ...(c.podCidr !== undefined ? { podCidr: c.podCidr } : {}),
      ...(c.serviceCidr !== undefined ? { serviceCidr: c.serviceCidr } : {}),
      cloud: c.cloud,
      ...(c.eks !== undefined ? { eks: c.eks } : {}),
    };
  });
  return { environment: parsed.environment, meshId: parsed.mesh.id, clusters, federation: parsed.federation, samples: parsed.samples, istio: parsed.istio };
}

/** Where the legacy registrar runs: webhook mode only standalone (a failing webhook must not stop the server pod), else a sidecar unless set. */
export function registrarDeployment(r: Pick<ClusterParsed['registrar'], 'deployment' | 'mode'>): 'sidecar' | 'standalone' {
  return r.deployment ?? (r.mode === 'webhook' ? 'standalone' : 'sidecar');
}

function resolveLegacyRegistrar(c: ClusterParsed): LegacyRegistrarSpec {
  const r = c.registrar;
  const deployment = registrarDeployment(r);
  const replicas = deployment === 'standalone' ? r.replicas ?? 1 : 1;
  const running = deployment === 'standalone' ? replicas : c.spire.replicas;
  const identity = r.identity ?? 'service-account';
  return {
    deployment,
    replicas,
    leaderElection: r.mode === 'webhook' ? false : r.leaderElection ?? running > 1,
    identity,
    ...(identity === 'pod-label' ? { podLabel: r.podLabel ?? 'spire-workload' } : {}),
    ...(identity === 'pod-annotation' ? { podAnnotation: r.podAnnotation ?? 'spiffe.io/spiffe-id' } : {}),
    logLevel: r.logLevel ?? 'info',
    insecureSkipClientVerification: r.insecureSkipClientVerification ?? false,
    acknowledgeInsecureSkipClientVerification: r.acknowledgeInsecureSkipClientVerification ?? false,
    ...(r.resources ? { resources: r.resources } : {}),
  };
}

export function findCluster(topology: Topology, name: string): ClusterSpec {
  const cluster = topology.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`internal: no cluster named ${name} in environment ${topology.environment}`);
  return cluster;
}

/** Root clusters (one per trust domain), in file order. */
export function rootClusters(topology: Topology): ClusterSpec[] {
  return topology.clusters.filter((c) => c.nestedUnder === undefined);
}

/** Clusters nested directly under `parent`, in file order. */
export function nestedChildren(topology: Topology, parent: string): ClusterSpec[] {
  return topology.clusters.filter((c) => c.nestedUnder === parent);
}

/**
 * Trust domains a cluster's workloads federate with, sorted. Federation is between trust domains,
 * so a nested cluster gets exactly its root's peers and never its own trust domain.
 */
export function federatedTrustDomains(topology: Topology, clusterName: string): string[] {
  const cluster = findCluster(topology, clusterName);
  const own = cluster.trustDomain;
  const peerRoots = new Set<string>();
  const fed = topology.federation;
  if (fed === 'full-mesh') {
    for (const root of rootClusters(topology)) if (root.name !== cluster.root) peerRoots.add(root.name);
  } else if (fed !== 'none') {
    for (const [a, b] of fed) {
      if (a === cluster.root) peerRoots.add(b);
      if (b === cluster.root) peerRoots.add(a);
    }
  }
  const domains = [...peerRoots].map((name) => findCluster(topology, name).trustDomain).filter((td) => td !== own);
  return [...new Set(domains)].sort();
}
