/** The AWS Load Balancer Controller's pin, chart values and IAM policy (pure). */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { irsaTrustPolicy, isWildcardAction, policyActions } from '../infra/aws/iam-policies';
import {
  LOAD_BALANCER_CONTROLLER, LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT, loadBalancerControllerValues,
} from '../infra/aws/load-balancer-controller';
import { LOAD_BALANCER_CONTROLLER_DESCRIBE_ACTIONS, LOAD_BALANCER_CONTROLLER_POLICY_VERSION, loadBalancerControllerPolicy } from '../infra/aws/load-balancer-controller-policy';

/** JSON with object keys sorted, arrays in order: equal documents give equal text. */
const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
};

describe('AWS Load Balancer Controller chart', () => {
  it('pins aws/eks-charts aws-load-balancer-controller 3.5.0 (controller v3.5.0) into kube-system', () => {
    expect(LOAD_BALANCER_CONTROLLER).toEqual({
      chart: 'aws-load-balancer-controller',
      repo: 'https://aws.github.io/eks-charts',
      version: '3.5.0',
      appVersion: 'v3.5.0',
      releaseName: 'aws-load-balancer-controller',
      namespace: 'kube-system',
    });
    // The IAM policy follows the same release.
    expect(LOAD_BALANCER_CONTROLLER_POLICY_VERSION).toBe(LOAD_BALANCER_CONTROLLER.appVersion);
  });

  const values = loadBalancerControllerValues({ clusterName: 'prod-east', region: 'us-east-1', vpcId: 'vpc-123', roleArn: 'arn:aws:iam::123456789012:role/lbc' }) as any;

  it('names the cluster, region and VPC (the chart refuses to render without clusterName) and runs as the IRSA service account', () => {
    expect(values).toMatchObject({ clusterName: 'prod-east', region: 'us-east-1', vpcId: 'vpc-123' });
    expect(values.serviceAccount).toEqual({ create: true, name: 'aws-load-balancer-controller', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/lbc' } });
    expect(LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT).toEqual({ namespace: 'kube-system', name: values.serviceAccount.name });
  });

  it('turns the Service mutator webhook off and serves webhooks on the port the security group opens', () => {
    // On (the chart default), it would give every new LoadBalancer Service loadBalancerClass service.k8s.aws/nlb,
    // in-tree `nlb` ones included, behind a failurePolicy Fail webhook (webhooks/core/service_mutator.go, v3.5.0).
    expect(values.enableServiceMutatorWebhook).toBe(false);
    expect(values.webhookBindPort).toBe(LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT);
    expect(LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT).toBe(9443);
  });

  it('runs two replicas with a PDB, zone spread, requests and a memory limit, restricted security context', () => {
    expect(values.replicaCount).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(values.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'aws-load-balancer-controller', 'app.kubernetes.io/instance': 'aws-load-balancer-controller' } } });
    expect(values.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(values.resources.limits.memory).toBe('512Mi');
    expect(values.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  });
});

describe('AWS Load Balancer Controller IAM policy', () => {
  it('is upstream\'s docs/install/iam_policy.json at v3.5.0, statement for statement', () => {
    // sha256 of the canonical form of kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json
    // at tag v3.5.0 (commit 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4); the Sids are meshfed's.
    const policy = loadBalancerControllerPolicy();
    const upstreamShape = { ...policy, Statement: policy.Statement.map(({ Sid: _sid, ...statement }) => statement) };
    expect(createHash('sha256').update(canonical(upstreamShape)).digest('hex')).toBe('bb9e48240ace4258c78d152ce98175ee6a118f0715faad4ff5a3e394c9d66171');
    expect(policy.Statement).toHaveLength(16);
    expect(new Set(policy.Statement.map((s) => s.Sid)).size).toBe(16);
  });

  it('names every action: no `*`, no `service:*`, no `ec2:Describe*`', () => {
    const actions = policyActions(loadBalancerControllerPolicy());
    expect(actions.filter(isWildcardAction)).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining([...LOAD_BALANCER_CONTROLLER_DESCRIBE_ACTIONS, 'elasticloadbalancing:CreateLoadBalancer', 'ec2:AuthorizeSecurityGroupIngress']));
    for (const a of actions) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  it('mutates existing load balancers, target groups and security groups only when they carry the controller\'s cluster tag', () => {
    const statements = loadBalancerControllerPolicy().Statement;
    const of = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(of('ManageOwnBalancers').Condition).toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
    expect(of('ManageOwnSecurityGroups').Condition).toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
    expect(of('CreateTaggedBalancers').Condition).toEqual({ Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } });
  });

  it('puts the account\'s partition into every ARN', () => {
    fc.assert(
      fc.property(fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'), (partition) => {
        const resources = loadBalancerControllerPolicy(partition).Statement.flatMap((s) => (s.Resource === undefined ? [] : typeof s.Resource === 'string' ? [s.Resource] : [...s.Resource]));
        for (const r of resources.filter((x) => x !== '*')) expect(r.startsWith(`arn:${partition}:`)).toBe(true);
      }),
    );
  });

  it('is assumable only by kube-system/aws-load-balancer-controller through the cluster\'s OIDC provider', () => {
    const trust = irsaTrustPolicy('arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC', 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC', LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT);
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: {
        'oidc.eks.us-east-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:kube-system:aws-load-balancer-controller',
        'oidc.eks.us-east-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com',
      },
    });
  });
});
