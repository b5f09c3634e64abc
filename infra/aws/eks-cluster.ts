/**
 * One EKS cluster with what the mesh needs around it: cluster and node IAM roles, the OIDC provider
 * for IRSA, the VPC CNI and EBS CSI add-ons with their own IRSA roles, a managed node group from
 * `nodePool`, the node security group's mesh rules (meshIngressRules) and an optional IRSA role for
 * SPIRE's aws_kms KeyManager. Cross-cluster readers' access entries: ReaderAccess (reader-access.ts).
 *
 * Raw `aws.eks` resources rather than @pulumi/eks: @pulumi/eks's Cluster is a multi-language remote
 * component, which under `pulumi.runtime.setMocks` (unit tests, the offline plan) registers as one
 * opaque resource - its roles, node group, security groups and add-ons would be invisible to every
 * test that must prove them.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec, Topology } from '../../clusters/model';
import { awsNames } from '../../clusters/cloud-names';
import { SPIRE_SERVER, SPIRE_SERVER_NAMESPACE } from '../../constructs/core/names';
import {
  accountOfArn, CLUSTER_ROLE_POLICIES, clusterRoleTrustPolicy, EBS_CSI_POLICY, EBS_CSI_SERVICE_ACCOUNT, managedPolicyArn,
  NODE_ROLE_POLICIES, nodeRoleTrustPolicy, partitionOfArn, spireKmsKeyPolicy, spireKmsPolicy, VPC_CNI_POLICY, VPC_CNI_SERVICE_ACCOUNT,
} from './iam-policies';
import { IrsaRole } from './irsa-role';
import { eksKubeconfig } from './kubeconfig';
import type { EksOptions } from './options';
import { meshIngressRules } from './security-rules';
import type { Vpc } from './vpc';

/** Default instance type when nodePool.machineType is unset (the schema documents EKS m6i.large). */
export const DEFAULT_INSTANCE_TYPE = 'm6i.large';
/** The SPIRE server's service account, which the aws_kms and IAM-datastore roles trust. */
export const SPIRE_SERVER_SERVICE_ACCOUNT = { namespace: SPIRE_SERVER_NAMESPACE, name: SPIRE_SERVER } as const;

export interface EksClusterArgs {
  readonly topology: Topology;
  readonly cluster: ClusterSpec;
  /** eksOptions(cluster, environment). */
  readonly options: EksOptions;
  readonly vpc: Vpc;
  /** NAT egress addresses (CIDRs) of a cluster in another cloud that must reach this one's mesh ports. */
  readonly egressOf: (peer: ClusterSpec) => readonly pulumi.Input<string>[];
  /** NAT egress addresses (CIDRs) of API readers in another cloud, added to a limited public endpoint's CIDRs. */
  readonly apiReaderEgress?: readonly pulumi.Input<string>[];
  readonly tags?: Readonly<Record<string, string>>;
}

export class EksCluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  /** AWS name of the cluster: "<environment>-<cluster>", unique per account and region across environments. */
  readonly eksName: string;
  readonly endpoint: pulumi.Output<string>;
  readonly certificateAuthorityData: pulumi.Output<string>;
  readonly issuerUrl: pulumi.Output<string>;
  readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  /** The EKS-created cluster security group, attached to managed nodes: the mesh rules live here. */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly controlPlaneSecurityGroup: aws.ec2.SecurityGroup;
  readonly nodeGroup: aws.eks.NodeGroup;
  readonly ebsCsiAddon: aws.eks.Addon;
  /** The node security group rules that let the control plane call the webhooks on the nodes (deploying into the cluster waits for them). */
  readonly webhookRules: pulumi.Resource[];
  readonly ebsCsiRole: IrsaRole;
  readonly cniRole: IrsaRole;
  /** Set when options.kms: the role SPIRE's aws_kms KeyManager runs as (annotate spire-server's service account with it). */
  readonly spireKmsRole?: IrsaRole;
  /**
   * Set when options.kms: the key policy (JSON) for the keys SPIRE creates, naming that role - for the
   * plugin's `key_policy_file`. SPIRE's aws_kms plugin creates and rotates its own keys (CreateKey), so
   * the stack creates no KMS key for it; without the file SPIRE's default policy grants the role kms:*.
   */
  readonly spireKmsKeyPolicy?: pulumi.Output<string>;
  /** Kubeconfig with `aws eks get-token` exec (secret output). */
  readonly kubeconfig: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:EksCluster', name, {}, opts);
    const { cluster: spec, options, vpc } = args;
    const child = { parent: this };
    const tags = { ...args.tags, 'meshfed.dev/cluster': spec.name, 'meshfed.dev/environment': args.topology.environment };
    this.eksName = awsNames.eksCluster(args.topology.environment, spec.name);

    const clusterRole = new aws.iam.Role(awsNames.role(`${name}-cluster-role`), { assumeRolePolicy: JSON.stringify(clusterRoleTrustPolicy()), tags }, child);
    const clusterPolicies = CLUSTER_ROLE_POLICIES.map((p) => new aws.iam.RolePolicyAttachment(`${name}-cluster-role-${p}`, { role: clusterRole.name, policyArn: managedPolicyArn(p) }, child));
    this.accountId = clusterRole.arn.apply(accountOfArn);
    this.partition = clusterRole.arn.apply(partitionOfArn);

    // Attached to the control plane's ENIs; only egress to the nodes' webhook ports (rules below).
    this.controlPlaneSecurityGroup = new aws.ec2.SecurityGroup(`${name}-control-plane`, {
      vpcId: vpc.vpc.id,
      description: `EKS control plane of ${spec.name}: admission webhook calls to nodes`,
      tags: { ...tags, Name: `${name}-control-plane` },
    }, child);

    this.cluster = new aws.eks.Cluster(`${name}-eks`, {
      name: this.eksName,
      roleArn: clusterRole.arn,
      version: spec.kubernetesVersion,
      vpcConfig: {
        subnetIds: vpc.privateSubnets.map((s) => s.id),
        securityGroupIds: [this.controlPlaneSecurityGroup.id],
        // Nodes, and peered clusters' readers, reach the API privately; the public endpoint serves `pulumi up`.
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        ...(options.apiAccessCidrs ? { publicAccessCidrs: [...options.apiAccessCidrs, ...(args.apiReaderEgress ?? [])] } : {}),
      },
      // API mode: access entries (managed node groups get theirs automatically); the creator is admin.
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
      deletionProtection: options.deletionProtection,
      tags,
    }, { parent: this, dependsOn: clusterPolicies });

    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.apply((ca) => ca.data!);
    this.issuerUrl = this.cluster.identities.apply((ids) => ids[0].oidcs![0].issuer!);
    this.nodeSecurityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId!);

    this.oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, {
      url: this.issuerUrl,
      clientIdLists: ['sts.amazonaws.com'],
      tags,
    }, child);
    const irsa = { oidcProviderArn: this.oidcProvider.arn, issuerUrl: this.issuerUrl, tags };

    // The VPC CNI's permissions on its own IRSA role, not the node role (see NODE_ROLE_POLICIES).
    this.cniRole = new IrsaRole(`${name}-vpc-cni-irsa`, { ...irsa, serviceAccount: VPC_CNI_SERVICE_ACCOUNT, managedPolicies: [VPC_CNI_POLICY] }, child);
    const cniAddon = new aws.eks.Addon(`${name}-vpc-cni`, {
      clusterName: this.cluster.name,
      addonName: 'vpc-cni',
      serviceAccountRoleArn: this.cniRole.arn,
      resolveConflictsOnCreate: 'OVERWRITE',
      tags,
    }, child);

    const nodeRole = new aws.iam.Role(awsNames.role(`${name}-node-role`), { assumeRolePolicy: JSON.stringify(nodeRoleTrustPolicy()), tags }, child);
    const nodePolicies = NODE_ROLE_POLICIES.map((p) => new aws.iam.RolePolicyAttachment(`${name}-node-role-${p}`, { role: nodeRole.name, policyArn: managedPolicyArn(p) }, child));
    const pool = spec.nodePool;
    // Nodes in the private subnets join and pull images only through the NAT routes (vpc.privateEgress): without
    // outbound access they need a registry in the VPC (EKS user guide, "Deploy private clusters with limited internet access").
    this.nodeGroup = new aws.eks.NodeGroup(awsNames.nodeGroup(`${name}-nodes`), {
      clusterName: this.cluster.name,
      nodeRoleArn: nodeRole.arn,
      subnetIds: vpc.privateSubnets.map((s) => s.id),
      instanceTypes: [pool.machineType ?? DEFAULT_INSTANCE_TYPE],
      amiType: 'AL2023_x86_64_STANDARD',
      scalingConfig: { minSize: pool.minNodes, desiredSize: pool.minNodes, maxSize: pool.maxNodes },
      updateConfig: { maxUnavailable: 1 },
      tags,
    }, { parent: this, dependsOn: [...nodePolicies, cniAddon, ...vpc.privateEgress], ignoreChanges: ['scalingConfig.desiredSize'] });

    this.ebsCsiRole = new IrsaRole(`${name}-ebs-csi-irsa`, { ...irsa, serviceAccount: EBS_CSI_SERVICE_ACCOUNT, managedPolicies: [EBS_CSI_POLICY] }, child);
    // The controller needs nodes to become healthy, so the add-on waits for the node group.
    this.ebsCsiAddon = new aws.eks.Addon(`${name}-ebs-csi`, {
      clusterName: this.cluster.name,
      addonName: 'aws-ebs-csi-driver',
      serviceAccountRoleArn: this.ebsCsiRole.arn,
      resolveConflictsOnCreate: 'OVERWRITE',
      tags,
    }, { parent: this, dependsOn: [this.nodeGroup] });

    const webhookRules: pulumi.Resource[] = [];
    for (const rule of meshIngressRules<pulumi.Input<string>>(args.topology, spec.name, { egressOf: args.egressOf })) {
      const common = { securityGroupId: this.nodeSecurityGroupId, ipProtocol: rule.protocol, fromPort: rule.port, toPort: rule.port, description: rule.description };
      if (rule.source.kind === 'cidr') {
        new aws.vpc.SecurityGroupIngressRule(rule.name, { ...common, cidrIpv4: rule.source.cidr, tags }, child);
      } else {
        webhookRules.push(new aws.vpc.SecurityGroupIngressRule(rule.name, { ...common, referencedSecurityGroupId: this.controlPlaneSecurityGroup.id, tags }, child));
        // Security groups are stateful, but the control plane's group has no egress until given one.
        webhookRules.push(new aws.vpc.SecurityGroupEgressRule(`${rule.name}-egress`, {
          securityGroupId: this.controlPlaneSecurityGroup.id, ipProtocol: rule.protocol, fromPort: rule.port, toPort: rule.port,
          referencedSecurityGroupId: this.nodeSecurityGroupId, description: rule.description, tags,
        }, child));
      }
    }
    this.webhookRules = webhookRules;

    if (options.kms) {
      this.spireKmsRole = new IrsaRole(`${name}-spire-kms-irsa`, {
        ...irsa,
        serviceAccount: SPIRE_SERVER_SERVICE_ACCOUNT,
        inlinePolicy: pulumi.all([this.partition, this.accountId]).apply(([partition, accountId]) => spireKmsPolicy({ partition, region: spec.region, accountId }, spec.trustDomain)),
      }, child);
      this.spireKmsKeyPolicy = pulumi.all([this.partition, this.accountId, this.spireKmsRole.arn]).apply(([partition, accountId, roleArn]) =>
        JSON.stringify(spireKmsKeyPolicy({ partition, region: spec.region, accountId }, roleArn)));
    }

    this.kubeconfig = pulumi.secret(
      pulumi.all([this.cluster.name, this.endpoint, this.certificateAuthorityData]).apply(([clusterName, endpoint, data]) =>
        eksKubeconfig({ clusterName, endpoint, certificateAuthorityData: data, region: spec.region })),
    );

    this.registerOutputs({ endpoint: this.endpoint, kubeconfig: this.kubeconfig, nodeSecurityGroupId: this.nodeSecurityGroupId });
  }
}
