/**
 * One GKE cluster of the topology: private nodes on the environment's VPC subnet (VPC-native, the subnet's
 * secondary ranges), Workload Identity, shielded nodes, a release channel with the topology's
 * kubernetesVersion as minimum control plane version, master authorized networks, and one node pool from
 * `nodePool` running as a dedicated service account (never the Compute Engine default account).
 *
 * SPIRE agent socket directory: nothing to do on created nodes; meshfed's spire-system manifests prepare
 * the hostPath directory themselves (a root init container in the privileged spire-system namespace).
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec, Topology } from '../../clusters/model';
import type { ClusterRanges } from '../address-ranges';
import { execKubeconfig } from '../kubeconfig';
import { gcpNames, SECONDARY_RANGE } from '../../clusters/cloud-names';
import type { GcpApis } from './apis';

/**
 * Roles of the node service account. GKE documents roles/container.defaultNodeServiceAccount as the minimum
 * a custom node service account needs (logging, monitoring and metadata writes; cloud.google.com
 * kubernetes-engine/docs/how-to/service-accounts, "Configure GKE node service accounts"); image pulls from
 * Artifact Registry need roles/artifactregistry.reader.
 */
export const NODE_SERVICE_ACCOUNT_ROLES = ['roles/container.defaultNodeServiceAccount', 'roles/artifactregistry.reader'] as const;

/** Default machine type when nodePool.machineType is not set. */
export const GKE_DEFAULT_MACHINE_TYPE = 'e2-standard-4';

export interface GkeClusterArgs {
  readonly topology: Topology;
  readonly cluster: ClusterSpec;
  readonly ranges: ClusterRanges;
  readonly project: string;
  readonly network: pulumi.Input<string>;
  readonly subnetwork: pulumi.Input<string>;
  /** CIDRs allowed to reach the public API endpoint (the deployer, peers' NAT egress addresses). */
  readonly authorizedNetworks: pulumi.Input<pulumi.Input<{ cidrBlock: pulumi.Input<string>; displayName: string }>[]>;
  readonly deletionProtection: boolean;
  /** The environment's enabled APIs (GKE, IAM). */
  readonly apis: GcpApis;
}

export class GkeCluster extends pulumi.ComponentResource {
  readonly cluster: gcp.container.Cluster;
  readonly nodePool: gcp.container.NodePool;
  readonly nodeServiceAccount: gcp.serviceaccount.Account;
  /** `https://<endpoint>`. */
  readonly apiEndpoint: pulumi.Output<string>;
  /** Kubeconfig using gke-gcloud-auth-plugin (secret). */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:gcp:GkeCluster', name, {}, opts);
    const { cluster, topology } = args;
    const child = { parent: this };
    const env = topology.environment;

    this.nodeServiceAccount = new gcp.serviceaccount.Account(`${name}-nodes`, {
      accountId: gcpNames.serviceAccountId(env, cluster.name, 'nodes'),
      displayName: `meshfed ${env}/${cluster.name} GKE nodes`,
    }, { ...child, dependsOn: args.apis.needs('iam') });
    const member = pulumi.interpolate`serviceAccount:${this.nodeServiceAccount.email}`;
    const grants = NODE_SERVICE_ACCOUNT_ROLES.map((role) =>
      new gcp.projects.IAMMember(`${name}-nodes-${role.split('/')[1]}`, { project: args.project, role, member }, child));

    const nodeConfig = {
      serviceAccount: this.nodeServiceAccount.email,
      // Access is governed by the service account's IAM roles, not by legacy scopes.
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      // Pods see the GKE metadata server (Workload Identity), never the node's credentials.
      workloadMetadataConfig: { mode: 'GKE_METADATA' },
      tags: [gcpNames.nodeTag(env, cluster.name)],
      machineType: cluster.nodePool.machineType ?? GKE_DEFAULT_MACHINE_TYPE,
    };
    const location = cluster.cloud.zone ?? cluster.region;
    this.cluster = new gcp.container.Cluster(gcpNames.gkeCluster(cluster.name), {
      location,
      network: args.network,
      subnetwork: args.subnetwork,
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: { clusterSecondaryRangeName: SECONDARY_RANGE.pods, servicesSecondaryRangeName: SECONDARY_RANGE.services },
      // The default pool is replaced by the managed one below; it too runs as the dedicated account.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig,
      minMasterVersion: cluster.kubernetesVersion,
      releaseChannel: { channel: cluster.cloud.releaseChannel },
      workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
      enableShieldedNodes: true,
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: false,
        masterIpv4CidrBlock: args.ranges.controlPlane,
        masterGlobalAccessConfig: { enabled: true },
      },
      masterAuthorizedNetworksConfig: { cidrBlocks: args.authorizedNetworks, gcpPublicCidrsAccessEnabled: false },
      deletionProtection: args.deletionProtection,
      resourceLabels: { 'meshfed-environment': env, 'meshfed-cluster': cluster.name },
    }, { ...child, dependsOn: [...grants, ...args.apis.needs('container')] });

    this.nodePool = new gcp.container.NodePool(gcpNames.nodePool(cluster.name), {
      cluster: this.cluster.id,
      location,
      // Regional clusters spread the pool over the region's zones; min/max count per zone.
      autoscaling: { minNodeCount: cluster.nodePool.minNodes, maxNodeCount: cluster.nodePool.maxNodes },
      initialNodeCount: cluster.nodePool.minNodes,
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig,
    }, child);

    this.apiEndpoint = pulumi.interpolate`https://${this.cluster.endpoint}`;
    this.kubeconfig = pulumi.secret(pulumi.all([this.apiEndpoint, this.cluster.masterAuth.clusterCaCertificate]).apply(([server, ca]) =>
      execKubeconfig({
        name: `gke_${args.project}_${location}_${cluster.name}`,
        server,
        caDataBase64: ca ?? '',
        exec: {
          command: 'gke-gcloud-auth-plugin',
          installHint: 'Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin',
          provideClusterInfo: true,
        },
      })));
    this.registerOutputs({ apiEndpoint: this.apiEndpoint, kubeconfig: this.kubeconfig });
  }
}
