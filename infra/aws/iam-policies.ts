/**
 * IAM policy documents for EKS clusters, as pure functions (no Pulumi), so tests can read every
 * statement. No statement grants Action "*"; every AWS managed policy is named by ARN with the
 * reason it is needed.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

/** ARN of an AWS managed policy ("aws" partition unless given). */
export function managedPolicyArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** The EKS control plane assumes the cluster role. */
export function clusterRoleTrustPolicy(): PolicyDocument {
  return doc({ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' });
}

/** The cluster role needs only AmazonEKSClusterPolicy (ENIs for the control plane, load balancer and volume housekeeping). */
export const CLUSTER_ROLE_POLICIES = ['AmazonEKSClusterPolicy'] as const;

/** Managed node group instances assume the node role. */
export function nodeRoleTrustPolicy(): PolicyDocument {
  return doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
}

/**
 * The node role: join the cluster (AmazonEKSWorkerNodePolicy) and pull images from ECR, which EKS
 * add-on images come from (AmazonEC2ContainerRegistryReadOnly). AmazonEKS_CNI_Policy is NOT here:
 * AWS recommends a separate IRSA role for the VPC CNI's aws-node service account rather than the node
 * role ("We recommend that you assign it to a separate role", docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html),
 * because every pod that reaches the instance metadata service would otherwise hold ENI-management rights.
 */
export const NODE_ROLE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'] as const;

/** A Kubernetes service account that an IRSA role trusts. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** The VPC CNI's service account (kube-system/aws-node) and its managed policy (IPv4 clusters). */
export const VPC_CNI_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'kube-system', name: 'aws-node' };
export const VPC_CNI_POLICY = 'AmazonEKS_CNI_Policy';

/**
 * The EBS CSI driver's controller service account, kube-system/ebs-csi-controller-sa (chart value
 * controller.serviceAccount.name and docs/install.md, kubernetes-sigs/aws-ebs-csi-driver v1.64.0),
 * with the AWS managed policy AmazonEBSCSIDriverPolicy.
 */
export const EBS_CSI_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'kube-system', name: 'ebs-csi-controller-sa' };
/** Under the service-role/ path (arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy, AWS docs ebs-csi.html). */
export const EBS_CSI_POLICY = 'service-role/AmazonEBSCSIDriverPolicy';

/** The OIDC issuer without its scheme ("oidc.eks.<region>.amazonaws.com/id/<id>"), the prefix of IRSA condition keys. */
export function issuerHostPath(issuerUrl: string): string {
  const host = issuerUrl.replace(/^https:\/\//, '');
  if (host === issuerUrl || host === '') throw new Error(`IRSA: OIDC issuer ${JSON.stringify(issuerUrl)} is not an https:// URL`);
  return host;
}

/**
 * IRSA trust: exactly one service account may assume the role, through the cluster's OIDC provider,
 * with tokens minted for STS (`aud` = sts.amazonaws.com) - both conditions, so a token for another
 * audience or another service account of the same cluster is refused.
 */
export function irsaTrustPolicy(oidcProviderArn: string, issuerUrl: string, account: ServiceAccountRef): PolicyDocument {
  const host = issuerHostPath(issuerUrl);
  return doc({
    Effect: 'Allow',
    Principal: { Federated: oidcProviderArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${host}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
        [`${host}:aud`]: 'sts.amazonaws.com',
      },
    },
  });
}

/** Where a policy applies: partition, region and account of the cluster. */
export interface AwsScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * KMS permissions of SPIRE's `aws_kms` KeyManager (spiffe/spire doc/plugin_server_keymanager_aws_kms.md
 * at v1.15.3, "AWS KMS Access"): the nine always-required actions plus kms:ListKeys for the default
 * alias-based key discovery. The plugin creates its own keys, so CreateKey and the List calls cannot
 * be scoped to a key (AWS does not support resource-level permissions for them); the rest is scoped to
 * the account's keys in the cluster's region and to SPIRE's alias prefix.
 */
export const SPIRE_KMS_ACTIONS = {
  unscoped: ['kms:CreateKey', 'kms:ListAliases', 'kms:ListKeys'],
  keys: ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:ScheduleKeyDeletion', 'kms:Sign', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
  aliases: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
} as const;

/** Aliases the plugin manages: alias/SPIRE_SERVER/{TRUST_DOMAIN}/... (same doc, "Alias and Key Management"). */
export function spireKmsAliasPrefix(trustDomain: string): string {
  return `alias/SPIRE_SERVER/${trustDomain}/`;
}

export function spireKmsPolicy(scope: AwsScope, trustDomain: string): PolicyDocument {
  const kms = `arn:${scope.partition}:kms:${scope.region}:${scope.accountId}`;
  return doc(
    { Sid: 'CreateAndList', Effect: 'Allow', Action: [...SPIRE_KMS_ACTIONS.unscoped], Resource: '*' },
    { Sid: 'UseOwnRegionKeys', Effect: 'Allow', Action: [...SPIRE_KMS_ACTIONS.keys], Resource: `${kms}:key/*` },
    { Sid: 'ManageSpireAliases', Effect: 'Allow', Action: [...SPIRE_KMS_ACTIONS.aliases], Resource: `${kms}:${spireKmsAliasPrefix(trustDomain)}*` },
  );
}

/**
 * Key policy for the keys SPIRE creates (for the plugin's `key_policy_file`): the SPIRE server's role
 * may use the key for what the plugin does, the account root keeps administration (without it a key
 * can become unmanageable). SPIRE's own default policy grants the role kms:* on the key; this one
 * names only the actions above.
 */
export function spireKmsKeyPolicy(scope: AwsScope, serverRoleArn: string): PolicyDocument {
  return doc(
    // kms:PutKeyPolicy: KMS's policy lockout safety check refuses CreateKey unless the key policy lets the
    // creating principal (the SPIRE server's role) change the policy later (KMS API CreateKey, BypassPolicyLockoutSafetyCheck).
    { Sid: 'SpireServerUsesKey', Effect: 'Allow', Principal: { AWS: serverRoleArn }, Action: ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:PutKeyPolicy'], Resource: '*' },
    {
      Sid: 'AccountAdministers',
      Effect: 'Allow',
      Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
      // Also lets IAM policies of the account grant these: another SPIRE server of the trust domain disposes of a
      // stale key it did not create (DescribeKey, DeleteAlias, ScheduleKeyDeletion: awskms.go disposeAliases).
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource', 'kms:EnableKey', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:DeleteAlias'],
      Resource: '*',
    },
  );
}

/**
 * IAM database authentication: connect as one database user of one RDS instance
 * (arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>). SPIRE's sql datastore
 * supports it as database_type "aws_postgres" (spiffe/spire doc/plugin_server_datastore_sql.md, v1.15.3).
 */
export function rdsConnectPolicy(scope: AwsScope, dbiResourceId: string, dbUser: string): PolicyDocument {
  return doc({
    Effect: 'Allow',
    Action: 'rds-db:connect',
    Resource: `arn:${scope.partition}:rds-db:${scope.region}:${scope.accountId}:dbuser:${dbiResourceId}/${dbUser}`,
  });
}

/** Every action of a document, flattened (for checks such as "no `*` action"). */
export function policyActions(policy: PolicyDocument): string[] {
  return policy.Statement.flatMap((s) => (typeof s.Action === 'string' ? [s.Action] : [...s.Action]));
}

/** Whether an action is a wildcard of any kind ("*", "kms:*", "kms:Get*"). */
export function isWildcardAction(action: string): boolean {
  return action.includes('*');
}

/** The account id inside an IAM ARN (arn:aws:iam::123456789012:role/x), for scoping policies without a provider call. */
export function accountOfArn(arn: string): string {
  const m = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn);
  if (!m) throw new Error(`cannot read the account id from ARN ${JSON.stringify(arn)}`);
  return m[1];
}

export function partitionOfArn(arn: string): string {
  const m = /^arn:([a-z-]+):/.exec(arn);
  if (!m) throw new Error(`cannot read the partition from ARN ${JSON.stringify(arn)}`);
  return m[1];
}
