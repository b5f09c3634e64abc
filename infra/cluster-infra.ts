/**
 * What the provider-agnostic wiring needs from a cluster a cloud component created (GKE here, EKS in
 * infra/aws): how to reach its API, the addresses reserved for the Services peers dial, and the Service
 * annotations that make a LoadBalancer take such an address. Plus the pure decisions about which
 * addresses a cluster needs and whether they are internal or external.
 */
import type * as pulumi from '@pulumi/pulumi';
import { exposesBundleEndpoint, type DiscoveryPair } from '../clusters/federation';
import { nestedChildren, type ClusterSpec, type ServerCloudValues, type Topology } from '../clusters/model';
import type { StackObject } from './cluster-deployment';

/** Services whose address peers dial, so the stack reserves it up front. */
export type EndpointKind = 'bundleEndpoint' | 'eastWestGateway' | 'serverEndpoint';

export type AddressScope = 'internal' | 'external';

/**
 * A pinned Helm chart a cloud needs in its clusters before meshfed's manifests (EKS: the AWS Load
 * Balancer Controller, which serves the mesh Services' NLB annotations). The deploy layer installs it
 * first, so every later step waits for it and `pulumi destroy` removes it last (after the Services
 * whose load balancers it must delete).
 */
export interface ClusterAddon {
  /** Helm release name and Pulumi resource suffix (`<cluster>-<name>`). */
  readonly name: string;
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  readonly repo: string;
  readonly namespace: string;
  readonly values: pulumi.Input<Record<string, unknown>>;
  /** Cloud resources the release waits for (e.g. its IRSA role with its policy). */
  readonly dependsOn?: readonly pulumi.Resource[];
}

export interface ClusterInfra {
  /** Kubeconfig (secret) whose current context reaches the cluster with inline CA data. */
  readonly kubeconfig: pulumi.Output<string>;
  /** `https://<host>` of the API server. */
  readonly apiEndpoint: pulumi.Output<string>;
  /** Reserved addresses by Service; only the kinds endpointsToReserve() names. */
  readonly addresses: Readonly<Partial<Record<EndpointKind, pulumi.Output<string>>>>;
  readonly addressScope: AddressScope;
  /**
   * Per Service kind of `addresses`: the annotations that make its LoadBalancer Service take that address
   * (cloud, scope and, on AWS, the Service's own Elastic IP allocations or private addresses, so an Output).
   */
  readonly annotations: Readonly<Partial<Record<EndpointKind, pulumi.Output<Record<string, string>>>>>;
  /** The managed SPIRE datastore's connection string (secret), when spire.managedDatastore asks for one. */
  readonly datastoreConnectionString?: pulumi.Output<string>;
  /** Depend on these before deploying anything into the cluster (its node pool). */
  readonly ready: pulumi.Resource[];
  /** Charts the deploy layer installs before the mesh (default none). */
  readonly addons?: readonly ClusterAddon[];
  /** The SPIRE server's cloud identity, KMS (spire.keyManager kms) and volume StorageClass, rendered into its manifests. */
  readonly server?: pulumi.Output<ServerCloudValues>;
  /** Cluster-scoped objects the stack applies before the SPIRE server's file (EKS: the encrypted gp3 StorageClass). */
  readonly serverPrerequisites?: readonly StackObject[];
}

/**
 * Which Services of a cluster get a reserved address: the bundle endpoint of a root with federation peers
 * and the API of a parent with nested children, and the east-west gateway whenever the mesh has another
 * cluster; each unless the topology already names its address.
 */
export function endpointsToReserve(topology: Topology, cluster: ClusterSpec): EndpointKind[] {
  const kinds: EndpointKind[] = [];
  if (exposesBundleEndpoint(topology, cluster) && cluster.bundleEndpoint?.address === undefined) kinds.push('bundleEndpoint');
  if (topology.clusters.length > 1 && cluster.istio.eastWestGateway?.address === undefined) kinds.push('eastWestGateway');
  if (nestedChildren(topology, cluster.name).length > 0 && cluster.serverEndpoint?.address === undefined) kinds.push('serverEndpoint');
  return kinds;
}

/**
 * Internal addresses when every other cluster of the mesh sits on the same network as this one (they reach
 * it without leaving the network), external ones otherwise.
 * @param sameNetwork whether two clusters share one routable network (e.g. both created in this stack's GCP VPC)
 */
export function addressScope(topology: Topology, cluster: ClusterSpec, sameNetwork: (a: string, b: string) => boolean): AddressScope {
  return topology.clusters.every((c) => c.name === cluster.name || sameNetwork(cluster.name, c.name)) ? 'internal' : 'external';
}

/** Dev-like environments (dev, test, ci, sandbox, local, optionally with a suffix such as dev-alice) get no deletion protection by default. */
/** Clusters that read this cluster's API server: istiods that discover it (`pairs`), and its nested parent. */
export function apiReaders(pairs: readonly DiscoveryPair[], cluster: ClusterSpec): string[] {
  const readers = pairs.filter((p) => p.peer === cluster.name).map((p) => p.cluster);
  if (cluster.nestedUnder !== undefined) readers.push(cluster.nestedUnder);
  return [...new Set(readers)].sort();
}

export const DEV_LIKE_ENVIRONMENT = /^(dev|test|ci|sandbox|local)(-|$)/;

/** Whether an environment's clusters are disposable (DEV_LIKE_ENVIRONMENT); the one rule both clouds use. */
export function isDevLike(environment: string): boolean {
  return DEV_LIKE_ENVIRONMENT.test(environment);
}

/** cloud.deletionProtection, defaulting to on outside dev-like environments (GKE and EKS alike). */
export function deletionProtection(topology: Pick<Topology, 'environment'>, cluster: Pick<ClusterSpec, 'cloud'>): boolean {
  return cluster.cloud.deletionProtection ?? !isDevLike(topology.environment);
}
