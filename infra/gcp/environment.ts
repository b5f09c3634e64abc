/**
 * Everything GCP for the topology's `provider: gke` clusters that this stack creates: the Google APIs they
 * call (GcpApis, enabled once per environment), the environment's network (GcpNetwork), one GkeCluster
 * each, and the static addresses peers dial (endpointsToReserve).
 * Hands the provider-agnostic wiring a ClusterInfra per cluster.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec, ServerCloudValues, Topology } from '../../clusters/model';
import type { DiscoveryPair } from '../../clusters/federation';
import type { ClusterRanges } from '../address-ranges';
import { addressScope, apiReaders, deletionProtection, endpointsToReserve, type AddressScope, type ClusterInfra, type EndpointKind } from '../cluster-infra';
import type { FirewallRule } from '../firewall-rules';
import { GcpNetwork } from './network';
import { GkeCluster } from './gke-cluster';
import { CloudSqlPostgres } from './cloud-sql';
import { gcpNames } from '../../clusters/cloud-names';
import { SPIRE_GCP_KMS_PERMISSIONS, SpireKms } from './spire-kms';
import { GcpApis, requiredGcpApis } from './apis';

/**
 * Service annotations for a reserved address on GKE: an internal passthrough load balancer reachable from
 * every region of the VPC (GKE "LoadBalancer Service parameters": networking.gke.io/load-balancer-type,
 * networking.gke.io/internal-load-balancer-allow-global-access); external ones need none.
 */
export function gkeLoadBalancerAnnotations(scope: AddressScope): Record<string, string> {
  return scope === 'internal'
    ? { 'networking.gke.io/load-balancer-type': 'Internal', 'networking.gke.io/internal-load-balancer-allow-global-access': 'true' }
    : {};
}

/** What the SPIRE server's manifests take from its Cloud KMS side: the key ring and the Google service account it acts as. */
function gcpServerCloud(kms: SpireKms): pulumi.Output<ServerCloudValues> {
  return pulumi.all([kms.serviceAccount.email, kms.keyRingId]).apply(([email, keyRing]): ServerCloudValues => ({
    identity: { kind: 'gcp-service-account', email },
    kms: { kind: 'gcp', keyRing },
  }));
}

export interface GcpEnvironmentArgs {
  readonly topology: Topology;
  /** Discovery pairs of the completed topology (clusters/federation.ts trustRelations). */
  readonly pairs: readonly DiscoveryPair[];
  /** The gke clusters to create (the others exist or belong to another cloud). */
  readonly clusters: readonly ClusterSpec[];
  readonly ranges: readonly ClusterRanges[];
  readonly rules: readonly FirewallRule[];
  /** gcp:project. */
  readonly project: string;
  /** CIDRs of the machines that run `pulumi up` (master authorized networks). */
  readonly apiAccessCidrs: readonly string[];
  /** NAT egress addresses of a peer in another cloud (GcpNetworkArgs.egressOf). */
  readonly egressOf?: (peer: string) => pulumi.Input<pulumi.Input<string>[]>;
}

export class GcpEnvironment extends pulumi.ComponentResource {
  /** The Google APIs the environment's resources call, enabled once per environment. */
  readonly apis: GcpApis;
  readonly network: GcpNetwork;
  readonly clusters: Readonly<Record<string, GkeCluster>>;
  readonly infra: Readonly<Record<string, ClusterInfra>>;
  /** spire.keyManager kms: per cluster its key ring and SPIRE's Google service account. */
  readonly kms: Readonly<Record<string, SpireKms>>;

  constructor(name: string, args: GcpEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:gcp:Environment', name, {}, opts);
    const { topology } = args;
    const child = { parent: this };
    this.apis = new GcpApis(`${name}-api`, { project: args.project, apis: requiredGcpApis(args.clusters) }, child);
    const apis = this.apis;
    this.network = new GcpNetwork(`${name}-net`, { topology, clusters: args.clusters, ranges: args.ranges, rules: args.rules, apis, ...(args.egressOf ? { egressOf: args.egressOf } : {}) }, child);
    const created = new Set(args.clusters.map((c) => c.name));
    const regionOf = new Map(args.clusters.map((c) => [c.name, c.region]));

    const clusters: Record<string, GkeCluster> = {};
    const infra: Record<string, ClusterInfra> = {};
    // Private services access (Cloud SQL on a private IP of the VPC), only when a cluster asks for a managed datastore.
    const wantsDatabase = args.clusters.some((c) => c.spire.managedDatastore);
    const privateServices = wantsDatabase
      ? new gcp.servicenetworking.Connection(`${name}-private-services`, {
        network: this.network.network.id,
        service: 'servicenetworking.googleapis.com',
        reservedPeeringRanges: [new gcp.compute.GlobalAddress(gcpNames.privateServices(topology.environment), {
          network: this.network.network.id, purpose: 'VPC_PEERING', addressType: 'INTERNAL', prefixLength: 20,
        }, child).name],
      }, { ...child, dependsOn: apis.needs('servicenetworking') })
      : undefined;
    const databases: Record<string, CloudSqlPostgres> = {};
    // One custom role per environment (project-level), granted per key ring. A deleted custom role's id stays
    // reserved for up to 37 days; the provider undeletes it when it is created again (@pulumi/gcp IAMCustomRole docs).
    const kmsRole = args.clusters.some((c) => c.spire.keyManager === 'kms')
      ? new gcp.projects.IAMCustomRole(`${name}-spire-kms`, {
        project: args.project,
        roleId: gcpNames.customRoleId(topology.environment, 'spireKms'),
        title: `meshfed ${topology.environment} SPIRE gcp_kms KeyManager`,
        description: 'Exactly the permissions of SPIRE\'s gcp_kms KeyManager (spiffe/spire doc/plugin_server_keymanager_gcp_kms.md)',
        permissions: [...SPIRE_GCP_KMS_PERMISSIONS],
      }, { ...child, dependsOn: apis.needs('iam') })
      : undefined;
    const kms: Record<string, SpireKms> = {};
    for (const cluster of args.clusters) {
      const readers = apiReaders(args.pairs, cluster);
      const readersNat = [...new Set(readers.filter((r) => created.has(r)).map((r) => regionOf.get(r)!))]
        .map((region) => ({ cidrBlock: pulumi.interpolate`${this.network.natAddresses[region].address}/32`, displayName: `meshfed NAT ${region}` }));
      // Readers in the other cloud (their istiods) reach the public endpoint from their NAT egress addresses.
      const crossCloudNat = readers.filter((r) => topology.clusters.find((c) => c.name === r)?.provider !== 'gke').map((r) => {
        if (!args.egressOf) throw new Error(`internal: ${r} (another cloud) reads ${cluster.name}'s API server, but GcpEnvironment has no egressOf`);
        return pulumi.output(args.egressOf(r)).apply((cidrs) => cidrs.map((cidrBlock) => ({ cidrBlock, displayName: `meshfed NAT of ${r}` })));
      });
      const protect = deletionProtection(topology, cluster);
      const gke = new GkeCluster(cluster.name, {
        topology,
        cluster,
        ranges: args.ranges.find((r) => r.cluster === cluster.name)!,
        project: args.project,
        network: this.network.network.id,
        subnetwork: this.network.subnets[cluster.name].id,
        authorizedNetworks: pulumi.all([
          pulumi.output([...args.apiAccessCidrs.map((cidrBlock) => ({ cidrBlock, displayName: 'meshfed deployer' })), ...readersNat]),
          ...crossCloudNat,
        ]).apply((lists) => lists.flat()),
        deletionProtection: protect,
        apis,
      }, child);
      clusters[cluster.name] = gke;
      if (kmsRole && cluster.spire.keyManager === 'kms') {
        kms[cluster.name] = new SpireKms(`${cluster.name}-spire-kms`, {
          environment: topology.environment, cluster, project: args.project, protect,
          role: pulumi.interpolate`projects/${args.project}/roles/${kmsRole.roleId}`, apis,
        }, child);
      }
      if (cluster.spire.managedDatastore) {
        databases[cluster.name] = new CloudSqlPostgres(`${cluster.name}-spire-db`, { region: cluster.region, network: this.network.network.id, connection: privateServices!, deletionProtection: protect, apis }, child);
      }

      const scope = addressScope(topology, cluster, (a, b) => created.has(a) && created.has(b));
      const addresses: Partial<Record<EndpointKind, pulumi.Output<string>>> = {};
      for (const kind of endpointsToReserve(topology, cluster)) {
        const address = new gcp.compute.Address(gcpNames.address(cluster.name, kind), {
          region: cluster.region,
          description: `meshfed ${topology.environment}/${cluster.name} ${kind}`,
          ...(scope === 'internal' ? { addressType: 'INTERNAL', subnetwork: this.network.subnets[cluster.name].id } : { addressType: 'EXTERNAL' }),
        // Peers' manifests carry these addresses: keep them through a replacement outside dev-like environments.
        }, { ...child, dependsOn: apis.needs('compute'), ...(protect ? { retainOnDelete: true } : {}) });
        addresses[kind] = address.address;
      }
      infra[cluster.name] = {
        kubeconfig: gke.kubeconfig,
        apiEndpoint: gke.apiEndpoint,
        addresses,
        addressScope: scope,
        annotations: Object.fromEntries(Object.keys(addresses).map((kind) => [kind, pulumi.output(gkeLoadBalancerAnnotations(scope))])),
        // A kms server starts only once its Workload Identity tokens can be minted.
        ready: [gke.nodePool, ...this.network.deployNeeds(cluster.name), ...(kms[cluster.name] ? apis.needs('iamcredentials') : [])],
        ...(databases[cluster.name] ? { datastoreConnectionString: databases[cluster.name].connectionString } : {}),
        ...(kms[cluster.name] ? { server: gcpServerCloud(kms[cluster.name]) } : {}),
      };
    }
    this.clusters = clusters;
    this.infra = infra;
    this.kms = kms;
    this.registerOutputs({});
  }
}
