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
  /** The kubeconfig context RUNBOOK and NOTES commands use (`kubectl --context <kubeContext>`); default the cluster name. */
  readonly kubeContext: string;
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
  /** What only the cloud knows about the SPIRE server's surroundings; set by the Pulumi stack (infra/stack-values.ts), never by the file. */
  readonly serverCloud?: ServerCloudValues;
  /**
   * The east-west gateway Service's annotations as the Pulumi stack completes them (its own, the topology's over
   * them: infra/stack-values.ts), read through eastWestServiceAnnotations; set by the stack, never by the file.
   */
  readonly eastWestGatewayAnnotations?: Readonly<Record<string, string>>;
}

/**
 * The east-west gateway Service's annotations beyond meshfed's passthrough ones: the stack's with the topology's
 * over them once the stack has completed the topology (eastWestGatewayAnnotations), else the topology's own.
 */
export function eastWestServiceAnnotations(cluster: ClusterSpec): Readonly<Record<string, string>> {
  return cluster.eastWestGatewayAnnotations ?? cluster.istio.eastWestGateway?.annotations ?? {};
}

/** The cloud principal the spire-server ServiceAccount acts as. */
export type ServerCloudIdentity =
  | { readonly kind: 'gcp-service-account'; readonly email: string }
  | { readonly kind: 'aws-role'; readonly roleArn: string };

/** The cloud KMS behind spire.keyManager kms. */
export type ServerKms =
  /** Cloud KMS: the key ring's resource id (projects/<p>/locations/<l>/keyRings/<r>). */
  | { readonly kind: 'gcp'; readonly keyRing: string }
  /** AWS KMS: the keys' region and the key policy (JSON) of the keys SPIRE creates. */
  | { readonly kind: 'aws'; readonly region: string; readonly keyPolicy: string };

export interface ServerCloudValues {
  readonly identity?: ServerCloudIdentity;
  readonly kms?: ServerKms;
  /** StorageClass of the server's volume claims (EKS: the encrypted gp3 class the stack deploys). */
  readonly storageClassName?: string;
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
      kubeContext: c.kubeContext ?? c.name,
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

/**
 * Every relation between a topology's clusters (lookup by name, roots, nesting children, federated peer
 * trust domains, clusters per trust domain), built ONCE per topology object and then answered by index:
 * synth asks these per cluster and per peer, so recomputing them made a 100-cluster synth grow like N^3.
 * A topology is immutable after loading; the cache is still dropped if its clusters or federation are replaced.
 */
export interface TopologyIndex {
  readonly byName: ReadonlyMap<string, ClusterSpec>;
  readonly positions: ReadonlyMap<string, number>;
  readonly roots: readonly ClusterSpec[];
  readonly rootByTrustDomain: ReadonlyMap<string, ClusterSpec>;
  readonly children: ReadonlyMap<string, readonly ClusterSpec[]>;
  /** Clusters of each trust domain, in file order. */
  readonly clustersOf: ReadonlyMap<string, readonly ClusterSpec[]>;
  /** Peer trust domains (sorted) by root cluster name. */
  readonly peerDomains: ReadonlyMap<string, readonly string[]>;
  /** Clusters (file order) whose workloads federate with each trust domain. */
  readonly federatingWith: ReadonlyMap<string, readonly ClusterSpec[]>;
}

/** Builds a topology's index; an object so a test can count builds (jest.spyOn(topologyIndexing, 'build')). */
export const topologyIndexing = {
  build(topology: Topology): TopologyIndex {
    const byName = new Map(topology.clusters.map((c) => [c.name, c]));
    const positions = new Map(topology.clusters.map((c, i) => [c.name, i]));
    const roots = topology.clusters.filter((c) => c.nestedUnder === undefined);
    const rootByTrustDomain = new Map<string, ClusterSpec>();
    for (const r of roots) if (!rootByTrustDomain.has(r.trustDomain)) rootByTrustDomain.set(r.trustDomain, r);
    const children = new Map<string, ClusterSpec[]>(topology.clusters.map((c) => [c.name, []]));
    const clustersOf = new Map<string, ClusterSpec[]>();
    for (const c of topology.clusters) {
      if (c.nestedUnder !== undefined) children.get(c.nestedUnder)?.push(c);
      const same = clustersOf.get(c.trustDomain) ?? [];
      same.push(c);
      clustersOf.set(c.trustDomain, same);
    }
    const peerRoots = new Map<string, Set<string>>(roots.map((r) => [r.name, new Set<string>()]));
    const fed = topology.federation;
    if (fed === 'full-mesh') {
      for (const a of roots) for (const b of roots) if (a.name !== b.name) peerRoots.get(a.name)!.add(b.name);
    } else if (fed !== 'none') {
      for (const [a, b] of fed) {
        peerRoots.get(a)?.add(b);
        peerRoots.get(b)?.add(a);
      }
    }
    const peerDomains = new Map<string, string[]>();
    for (const r of roots) {
      const domains = [...peerRoots.get(r.name)!].map((n) => byName.get(n)!.trustDomain).filter((td) => td !== r.trustDomain);
      peerDomains.set(r.name, [...new Set(domains)].sort());
    }
    const federatingWith = new Map<string, ClusterSpec[]>();
    for (const c of topology.clusters) {
      for (const td of peerDomains.get(c.root) ?? []) {
        const list = federatingWith.get(td) ?? [];
        list.push(c);
        federatingWith.set(td, list);
      }
    }
    return { byName, positions, roots, rootByTrustDomain, children, clustersOf, peerDomains, federatingWith };
  },
};

/**
 * A function of a topology computed once per topology object (and again only if its clusters or
 * federation were replaced): the relations between clusters are read on every construct's hot path.
 */
export function memoizedPerTopology<T>(build: (topology: Topology) => T): (topology: Topology) => T {
  const cache = new WeakMap<Topology, { clusters: Topology['clusters']; federation: FederationSpec; value: T }>();
  return (topology) => {
    const cached = cache.get(topology);
    if (cached && cached.clusters === topology.clusters && cached.federation === topology.federation) return cached.value;
    const value = build(topology);
    cache.set(topology, { clusters: topology.clusters, federation: topology.federation, value });
    return value;
  };
}

/** The topology's index, built on first use and reused for the same topology object. */
export const topologyIndex: (topology: Topology) => TopologyIndex = memoizedPerTopology((t) => topologyIndexing.build(t));

export function findCluster(topology: Topology, name: string): ClusterSpec {
  const cluster = topologyIndex(topology).byName.get(name);
  if (!cluster) throw new Error(`internal: no cluster named ${name} in environment ${topology.environment}`);
  return cluster;
}

/** The position of a cluster in the file (`clusters[i]` of messages that name a key). */
export function clusterIndex(topology: Topology, name: string): number {
  const index = topologyIndex(topology).positions.get(name);
  if (index === undefined) throw new Error(`internal: no cluster named ${name} in environment ${topology.environment}`);
  return index;
}

/** Root clusters (one per trust domain), in file order. */
export function rootClusters(topology: Topology): ClusterSpec[] {
  return [...topologyIndex(topology).roots];
}

/** Clusters nested directly under `parent`, in file order. */
export function nestedChildren(topology: Topology, parent: string): ClusterSpec[] {
  return [...(topologyIndex(topology).children.get(parent) ?? [])];
}

/**
 * Trust domains a cluster's workloads federate with, sorted. Federation is between trust domains,
 * so a nested cluster gets exactly its root's peers and never its own trust domain.
 */
export function federatedTrustDomains(topology: Topology, clusterName: string): string[] {
  const cluster = findCluster(topology, clusterName);
  return [...topologyIndex(topology).peerDomains.get(cluster.root)!];
}
