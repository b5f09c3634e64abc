/**
 * The AWS Load Balancer Controller's IAM policy, as data: the statements of upstream's
 * docs/install/iam_policy.json at v3.5.0 (kubernetes-sigs/aws-load-balancer-controller, commit
 * 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4), with the partition of the cluster's account in the ARNs
 * (upstream ships one file per partition, iam_policy_cn.json etc., with the same statements in
 * another order). The test pins the sha256 of the canonical upstream document.
 *
 * Every action is named: upstream lists no wildcard action (no `ec2:Describe*`), and neither does this.
 * Resource "*" stays where upstream has it: Describe/Get calls and CreateLoadBalancer/CreateTargetGroup
 * /CreateSecurityGroup cannot be scoped to resources that do not exist yet, and what mutates existing
 * resources is bound by the `elbv2.k8s.aws/cluster` tag condition the controller sets on everything it
 * creates. The ALB/Ingress statements (ACM, WAF, Shield, Cognito) are kept: the chart installs the
 * controller with its Ingress support, and trimming them would fail the first Ingress a user adds.
 */
import type { PolicyDocument, PolicyStatement } from './iam-policies';

/** The release of iam_policy.json these statements follow (the controller's app version, LOAD_BALANCER_CONTROLLER.appVersion). */
export const LOAD_BALANCER_CONTROLLER_POLICY_VERSION = 'v3.5.0';

/** Tag the controller puts on every security group, load balancer and target group it creates. */
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
const REQUEST_TAGGED = { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' };
const RESOURCE_TAGGED = { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' };
/** Tagging an existing resource of the controller that the request does not re-tag with the cluster tag. */
const TAGGED_NOT_RETAGGED = { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' };

export const LOAD_BALANCER_CONTROLLER_DESCRIBE_ACTIONS = [
  'ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInternetGateways',
  'ec2:DescribeVpcs', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
  'ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags', 'ec2:GetCoipPoolUsage', 'ec2:DescribeCoipPools',
  'ec2:GetSecurityGroupsForVpc', 'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables',
  'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:DescribeSSLPolicies', 'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTrustStores', 'elasticloadbalancing:DescribeListenerAttributes',
  'elasticloadbalancing:DescribeCapacityReservation',
] as const;

export function loadBalancerControllerPolicy(partition = 'aws'): PolicyDocument {
  const elb = `arn:${partition}:elasticloadbalancing:*:*`;
  const securityGroups = `arn:${partition}:ec2:*:*:security-group/*`;
  const balancersAndGroups = [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`];
  const statements: PolicyStatement[] = [
    { Sid: 'ElbServiceLinkedRole', Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole'], Resource: '*', Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } } },
    { Sid: 'Describe', Effect: 'Allow', Action: [...LOAD_BALANCER_CONTROLLER_DESCRIBE_ACTIONS], Resource: '*' },
    {
      Sid: 'IngressIntegrations',
      Effect: 'Allow',
      Action: [
        'cognito-idp:DescribeUserPoolClient', 'acm:ListCertificates', 'acm:DescribeCertificate', 'iam:ListServerCertificates', 'iam:GetServerCertificate',
        'waf-regional:GetWebACL', 'waf-regional:GetWebACLForResource', 'waf-regional:AssociateWebACL', 'waf-regional:DisassociateWebACL',
        'wafv2:GetWebACL', 'wafv2:GetWebACLForResource', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState', 'shield:DescribeProtection', 'shield:CreateProtection', 'shield:DeleteProtection',
      ],
      Resource: '*',
    },
    { Sid: 'SecurityGroupRules', Effect: 'Allow', Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], Resource: '*' },
    { Sid: 'CreateSecurityGroup', Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: '*' },
    { Sid: 'TagNewSecurityGroup', Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: securityGroups, Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: REQUEST_TAGGED } },
    { Sid: 'TagOwnSecurityGroups', Effect: 'Allow', Action: ['ec2:CreateTags', 'ec2:DeleteTags'], Resource: securityGroups, Condition: { Null: TAGGED_NOT_RETAGGED } },
    { Sid: 'ManageOwnSecurityGroups', Effect: 'Allow', Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'], Resource: '*', Condition: { Null: RESOURCE_TAGGED } },
    { Sid: 'CreateTaggedBalancers', Effect: 'Allow', Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'], Resource: '*', Condition: { Null: REQUEST_TAGGED } },
    { Sid: 'ListenersAndRules', Effect: 'Allow', Action: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule'], Resource: '*' },
    { Sid: 'TagOwnBalancers', Effect: 'Allow', Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], Resource: balancersAndGroups, Condition: { Null: TAGGED_NOT_RETAGGED } },
    {
      Sid: 'TagListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [`${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`],
    },
    {
      Sid: 'ManageOwnBalancers',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetIpAddressType', 'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: '*',
      Condition: { Null: RESOURCE_TAGGED },
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: balancersAndGroups,
      Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] }, Null: REQUEST_TAGGED },
    },
    { Sid: 'Targets', Effect: 'Allow', Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], Resource: `${elb}:targetgroup/*/*` },
    {
      Sid: 'ListenerSettings',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:SetWebAcl', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: '*',
    },
  ];
  return { Version: '2012-10-17', Statement: statements };
}
