/**
 * Everything AWS of one environment: a region provider per region, per EKS cluster its Vpc and
 * EksCluster, one VpcPeering per pair of EKS clusters (peeringPairs) with routes both ways in every
 * route table, ReaderAccess entries for opted-in readers, ManagedDatastore where asked, and per cluster
 * the AWS Load Balancer Controller's IRSA role and chart (load-balancer-controller.ts), handed to the
 * deploy layer as an addon it installs first. The deploy layer (manifests, Helm releases, remote
 * secrets) consumes `clusters[name]`.
 */
import { discoveryPairs, type DiscoveryPair } from '../../clusters/federation';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { findCluster, type ClusterSpec, type ServerCloudValues, type Topology } from '../../clusters/model';
import { ManagedDatastore } from './datastore';
import { EksCluster } from './eks-cluster';
import { IrsaRole } from './irsa-role';
import { eksOptions, type EksOptions } from './options';
import { eksClusters, peeringPairs, peeringRoutes } from './peering';
import { awsAddressScope, LoadBalancerAddresses, type AddressScope, type EndpointAddress, type EndpointKind } from './load-balancer-addresses';
import { accessEntryReaders, ReaderAccess } from './reader-access';
import { routeTableKeys } from '../../clusters/aws-subnets';
import { encryptedGp3StorageClass, ENCRYPTED_GP3_STORAGE_CLASS } from './storage-class';
import { Vpc } from './vpc';
import { apiReaders, type ClusterAddon, type ClusterInfra } from '../cluster-infra';
import { LOAD_BALANCER_CONTROLLER, LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, loadBalancerControllerValues } from './load-balancer-controller';
import { loadBalancerControllerPolicy } from './load-balancer-controller-policy';
import { VpcPeering } from './vpc-peering';

export interface AwsEnvironmentArgs {
  readonly topology: Topology;
  /**
   * Discovery pairs of the topology as the stack completes it (roots and addresses in place): which istiods
   * read which peers' API servers. Default: the pairs of `topology` as written.
   */
  readonly pairs?: readonly DiscoveryPair[];
  /**
   * Reserved egress addresses (CIDRs) of a cluster in another cloud (GKE: its Cloud NAT addresses),
   * the sources of this environment's security group rules for that peer. Not called in EKS-only meshes.
   */
  readonly egressOf?: (peer: ClusterSpec) => readonly pulumi.Input<string>[];
  /** The deploy layer's provider for a cluster; default: one created here from the cluster's kubeconfig. */
  readonly kubernetesProviderOf?: (cluster: string) => k8s.Provider;
  /**
   * Who writes a managed datastore's Secret: this component (default) or the caller, from
   * `datastore.connectionString` (the stack, before the SPIRE server's file, as for Cloud SQL).
   */
  readonly datastoreSecret?: 'environment' | 'caller';
  /** What a cluster's datastore Secret waits for (its spire-server namespace). */
  readonly datastoreSecretDependsOn?: (cluster: string) => pulumi.Input<pulumi.Resource>[];
  /** Services of a cluster whose address the stack pins (the wiring's endpointsToReserve()); default none. */
  readonly endpointsOf?: (cluster: ClusterSpec) => readonly EndpointKind[];
}

/** What the deploy layer needs from one EKS cluster. */
export interface AwsCluster {
  readonly options: EksOptions;
  readonly region: string;
  readonly vpc: Vpc;
  readonly eks: EksCluster;
  /** Secret output: kubeconfig with `aws eks get-token` exec. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  /** NAT Elastic IPs as /32: sources for the other cloud's firewall rules. */
  readonly egressCidrs: pulumi.Output<string>[];
  /** IRSA role for istiod's reads of opted-in EKS peers (set when some peer grants it access). */
  readonly istiodReaderRole?: IrsaRole;
  readonly datastore?: ManagedDatastore;
  /** internal: every other cluster is peered; external: a peer sits in another cloud. */
  readonly addressScope: AddressScope;
  /** Pinned address and Service annotations per Service kind of endpointsOf(). */
  readonly endpoints: Readonly<Partial<Record<EndpointKind, EndpointAddress>>>;
  /** Deploy nothing into the cluster before these (its node group and EBS CSI add-on). */
  readonly ready: pulumi.Resource[];
  /** IRSA role of the AWS Load Balancer Controller (kube-system/aws-load-balancer-controller). */
  readonly loadBalancerControllerRole: IrsaRole;
  /** The controller's pinned chart with this cluster's values, for the deploy layer to install first. */
  readonly loadBalancerController: ClusterAddon;
}

/**
 * The SPIRE server's AWS side: the encrypted gp3 StorageClass for its volume claims; the IRSA role its
 * ServiceAccount assumes (the aws_kms role, which also carries rds-db:connect for an IAM-authenticated
 * datastore, or the datastore's own role); for spire.keyManager kms the region and the key policy of the
 * keys SPIRE creates (iam-policies.ts spireKmsKeyPolicy, instead of the plugin's default kms:* policy).
 */
export function awsServerCloud(c: Pick<AwsCluster, 'eks' | 'datastore'>, region: string): pulumi.Output<ServerCloudValues> {
  const role = c.eks.spireKmsRole ?? c.datastore?.iamRole;
  return pulumi.all([role?.arn, c.eks.spireKmsKeyPolicy]).apply(([roleArn, keyPolicy]): ServerCloudValues => ({
    ...(roleArn !== undefined ? { identity: { kind: 'aws-role', roleArn } } : {}),
    ...(keyPolicy !== undefined ? { kms: { kind: 'aws', region, keyPolicy } } : {}),
    storageClassName: ENCRYPTED_GP3_STORAGE_CLASS,
  }));
}

/** What the provider-agnostic wiring (infra/mesh-program.ts) takes from an EKS cluster: the same shape as a GKE one's. */
export function awsClusterInfra(c: AwsCluster): ClusterInfra {
  const kinds = Object.keys(c.endpoints) as EndpointKind[];
  return {
    kubeconfig: c.kubeconfig,
    apiEndpoint: c.endpoint,
    addresses: Object.fromEntries(kinds.map((k) => [k, c.endpoints[k]!.address])),
    addressScope: c.addressScope,
    annotations: Object.fromEntries(kinds.map((k) => [k, c.endpoints[k]!.annotations])),
    ready: c.ready,
    addons: [c.loadBalancerController],
    ...(c.datastore ? { datastoreConnectionString: c.datastore.connectionString } : {}),
    server: awsServerCloud(c, c.region),
    // The EBS CSI add-on (EksCluster.ebsCsiAddon, in `ready`) provides the class's provisioner ebs.csi.aws.com.
    serverPrerequisites: [{ id: 'storage-class', object: { ...encryptedGp3StorageClass() } }],
  };
}

export class AwsEnvironment extends pulumi.ComponentResource {
  readonly providers: Readonly<Record<string, aws.Provider>>;
  readonly clusters: Readonly<Record<string, AwsCluster>>;
  readonly peerings: readonly VpcPeering[];

  constructor(name: string, args: AwsEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:Environment', name, {}, opts);
    const { topology } = args;
    const eks = eksClusters(topology);
    const tags = { 'meshfed.dev/environment': topology.environment };

    const providers: Record<string, aws.Provider> = {};
    for (const region of [...new Set(eks.map((c) => c.region))].sort()) {
      providers[region] = new aws.Provider(`aws-${region}`, { region: region as aws.Region, defaultTags: { tags } }, { parent: this });
    }
    this.providers = providers;

    const egressOf = (peer: ClusterSpec): readonly pulumi.Input<string>[] => {
      if (!args.egressOf) throw new Error(`AwsEnvironment: ${peer.provider} cluster ${peer.name} must reach EKS clusters; pass egressOf with its reserved egress addresses`);
      return args.egressOf(peer);
    };

    const built: Record<string, { options: EksOptions; vpc: Vpc; eks: EksCluster }> = {};
    for (const c of eks) {
      const options = eksOptions(c, topology.environment);
      const provider = { parent: this, provider: providers[c.region] };
      const vpc = new Vpc(`${c.name}-network`, { clusterName: c.name, cidr: c.cidr, availabilityZones: options.availabilityZones, natGateways: options.natGateways }, provider);
      // Peer istiods (or a nested parent) in another cloud read the API from their NAT egress addresses.
      const apiReaderEgress = options.apiAccessCidrs
        ? apiReaders(args.pairs ?? discoveryPairs(topology), c).map((r) => findCluster(topology, r)).filter((r) => r.provider !== 'eks').flatMap(egressOf)
        : [];
      const cluster = new EksCluster(c.name, { topology, cluster: c, options, vpc, egressOf, ...(apiReaderEgress.length > 0 ? { apiReaderEgress } : {}) }, provider);
      built[c.name] = { options, vpc, eks: cluster };
    }

    const pairs = peeringPairs(topology);
    const routes = peeringRoutes(pairs, (cluster) => routeTableKeys(built[cluster].options.availabilityZones));
    this.peerings = pairs.map((pair) => new VpcPeering(pair.name, {
      pair,
      requester: { vpc: built[pair.requester].vpc, provider: providers[pair.requesterRegion] },
      accepter: { vpc: built[pair.accepter].vpc, provider: providers[pair.accepterRegion] },
      routes: routes.filter((r) => r.peering === pair.name),
    }, { parent: this }));

    // One istiod role per reading cluster, granted on every EKS peer that opted into access entries.
    const readerRoles: Record<string, IrsaRole> = {};
    for (const grant of accessEntryReaders(topology, args.pairs ?? discoveryPairs(topology))) {
      const reader = built[grant.reader];
      readerRoles[grant.reader] ??= new IrsaRole(`${grant.reader}-istiod-reader`, {
        oidcProviderArn: reader.eks.oidcProvider.arn,
        issuerUrl: reader.eks.issuerUrl,
        serviceAccount: grant.serviceAccount,
        tags,
      }, { parent: this, provider: providers[topology.clusters.find((c) => c.name === grant.reader)!.region] });
      const target = built[grant.cluster];
      new ReaderAccess(grant.name, { clusterName: target.eks.cluster.name, principalArn: readerRoles[grant.reader].arn, partition: target.eks.partition, tags }, {
        parent: this,
        provider: providers[topology.clusters.find((c) => c.name === grant.cluster)!.region],
      });
    }

    const clusters: Record<string, AwsCluster> = {};
    for (const c of eks) {
      const { options, vpc, eks: cluster } = built[c.name];
      let datastore: ManagedDatastore | undefined;
      if (options.managedDatastore) {
        const kubernetesProvider = args.datastoreSecret === 'caller' ? undefined : args.kubernetesProviderOf?.(c.name)
          ?? new k8s.Provider(`${c.name}-datastore-k8s`, { kubeconfig: cluster.kubeconfig }, { parent: this });
        datastore = new ManagedDatastore(`${c.name}-datastore`, {
          cluster: c,
          options: { ...options, managedDatastore: options.managedDatastore },
          vpc,
          eks: cluster,
          ...(cluster.spireKmsRole ? { serverRole: cluster.spireKmsRole } : {}),
          ...(kubernetesProvider ? { kubernetesProvider } : {}),
          secretDependsOn: args.datastoreSecretDependsOn?.(c.name) ?? [],
          tags,
        }, { parent: this, provider: providers[c.region] });
      }
      const addressScope = awsAddressScope(topology, c);
      const addresses = new LoadBalancerAddresses(`${c.name}-addresses`, {
        clusterName: c.name, layout: vpc.layout, scope: addressScope, kinds: args.endpointsOf?.(c) ?? [],
      }, { parent: this, provider: providers[c.region] });
      const lbcRole = new IrsaRole(`${c.name}-lb-controller-irsa`, {
        oidcProviderArn: cluster.oidcProvider.arn,
        issuerUrl: cluster.issuerUrl,
        serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
        inlinePolicy: cluster.partition.apply((partition) => loadBalancerControllerPolicy(partition)),
        tags,
      }, { parent: this, provider: providers[c.region] });
      const loadBalancerController: ClusterAddon = {
        name: LOAD_BALANCER_CONTROLLER.releaseName,
        chart: LOAD_BALANCER_CONTROLLER.chart,
        version: LOAD_BALANCER_CONTROLLER.version,
        repo: LOAD_BALANCER_CONTROLLER.repo,
        namespace: LOAD_BALANCER_CONTROLLER.namespace,
        values: pulumi.all([cluster.cluster.name, vpc.vpc.id, lbcRole.arn]).apply(([clusterName, vpcId, roleArn]) =>
          loadBalancerControllerValues({ clusterName, region: c.region, vpcId, roleArn })),
        // The role with its inline policy, so the controller's first AWS calls are not refused.
        dependsOn: [lbcRole],
      };
      clusters[c.name] = {
        options, region: c.region, vpc, eks: cluster, kubeconfig: cluster.kubeconfig, endpoint: cluster.endpoint, egressCidrs: vpc.egressCidrs,
        addressScope, endpoints: addresses.endpoints, ready: [cluster.nodeGroup, cluster.ebsCsiAddon, ...cluster.webhookRules],
        loadBalancerControllerRole: lbcRole, loadBalancerController,
        ...(readerRoles[c.name] ? { istiodReaderRole: readerRoles[c.name] } : {}),
        ...(datastore ? { datastore } : {}),
      };
    }
    this.clusters = clusters;
    this.registerOutputs({});
  }
}
