/** IAM documents for EKS: managed policies named, IRSA trust scoped to one service account, no wildcard actions. */
import fc from 'fast-check';
import {
  accountOfArn, clusterRoleTrustPolicy, EBS_CSI_SERVICE_ACCOUNT, irsaTrustPolicy, isWildcardAction, managedPolicyArn,
  NODE_ROLE_POLICIES, nodeRoleTrustPolicy, policyActions, rdsConnectPolicy, spireKmsKeyPolicy, spireKmsPolicy,
} from '../infra/aws/iam-policies';

const SCOPE = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123';
const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123';

describe('IAM policy documents', () => {
  it('IRSA trust names exactly one service account, the OIDC provider and the STS audience', () => {
    expect(irsaTrustPolicy(PROVIDER, ISSUER, EBS_CSI_SERVICE_ACCOUNT)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub': 'system:serviceaccount:kube-system:ebs-csi-controller-sa',
            'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud': 'sts.amazonaws.com',
          },
        },
      }],
    });
    expect(() => irsaTrustPolicy(PROVIDER, 'oidc.example', EBS_CSI_SERVICE_ACCOUNT)).toThrow('IRSA: OIDC issuer "oidc.example" is not an https:// URL');
  });

  it('IRSA trust uses StringEquals (never StringLike) for any service account', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(label, label, (namespace, name) => {
        const s = irsaTrustPolicy(PROVIDER, ISSUER, { namespace, name }).Statement;
        expect(s).toHaveLength(1);
        expect(Object.keys(s[0].Condition!)).toEqual(['StringEquals']);
        expect(Object.values(s[0].Condition!.StringEquals)).toEqual([`system:serviceaccount:${namespace}:${name}`, 'sts.amazonaws.com']);
      }),
    );
  });

  it('service roles are assumed by EKS and EC2; the node role carries no CNI policy (IRSA instead)', () => {
    expect(clusterRoleTrustPolicy().Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(nodeRoleTrustPolicy().Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(NODE_ROLE_POLICIES).toEqual(['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly']);
    expect(managedPolicyArn('AmazonEKSClusterPolicy')).toBe('arn:aws:iam::aws:policy/AmazonEKSClusterPolicy');
  });

  it('SPIRE aws_kms gets the actions its v1.15.3 doc lists, keys scoped to the region, aliases to its prefix', () => {
    const policy = spireKmsPolicy(SCOPE, 'corp.example.org');
    expect(new Set(policyActions(policy))).toEqual(new Set([
      'kms:CreateAlias', 'kms:CreateKey', 'kms:DescribeKey', 'kms:GetPublicKey', 'kms:ListAliases', 'kms:ListKeys',
      'kms:ScheduleKeyDeletion', 'kms:Sign', 'kms:UpdateAlias', 'kms:DeleteAlias',
    ]));
    expect(policy.Statement.map((s) => s.Resource)).toEqual([
      '*',
      'arn:aws:kms:eu-west-1:123456789012:key/*',
      'arn:aws:kms:eu-west-1:123456789012:alias/SPIRE_SERVER/corp.example.org/*',
    ]);
    expect(spireKmsKeyPolicy(SCOPE, 'arn:aws:iam::123456789012:role/spire').Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::123456789012:role/spire' });
  });

  it('the key policy lets the account delegate what another server of the trust domain needs to dispose of a stale key', () => {
    // awskms.go disposeAliases (spiffe/spire v1.15.3): DescribeKey, DeleteAlias, then ScheduleKeyDeletion on a key another server created.
    const account = spireKmsKeyPolicy(SCOPE, 'arn:aws:iam::123456789012:role/spire').Statement[1];
    expect(account.Principal).toEqual({ AWS: 'arn:aws:iam::123456789012:root' });
    expect(account.Action).toEqual(expect.arrayContaining(['kms:DescribeKey', 'kms:DeleteAlias', 'kms:ScheduleKeyDeletion']));
  });

  it('IAM datastore auth connects as one user of one instance', () => {
    expect(rdsConnectPolicy(SCOPE, 'db-ABC', 'spire').Statement).toEqual([
      { Effect: 'Allow', Action: 'rds-db:connect', Resource: 'arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABC/spire' },
    ]);
  });

  it('no document grants a wildcard action', () => {
    const docs = [
      clusterRoleTrustPolicy(), nodeRoleTrustPolicy(), irsaTrustPolicy(PROVIDER, ISSUER, EBS_CSI_SERVICE_ACCOUNT),
      spireKmsPolicy(SCOPE, 'td'), spireKmsKeyPolicy(SCOPE, 'arn:aws:iam::123456789012:role/spire'), rdsConnectPolicy(SCOPE, 'db-1', 'u'),
    ];
    expect(docs.flatMap(policyActions).filter(isWildcardAction)).toEqual([]);
    expect(isWildcardAction('kms:*')).toBe(true);
    expect(isWildcardAction('*')).toBe(true);
  });

  it('reads the account from an ARN, refusing anything else', () => {
    expect(accountOfArn('arn:aws:iam::123456789012:role/x')).toBe('123456789012');
    expect(() => accountOfArn('role/x')).toThrow('cannot read the account id from ARN "role/x"');
  });
});
