/** The optional EKS pieces under mocks: RDS datastore (password and IAM auth), SPIRE KMS role, access entries, dev-like defaults. */
import { policyActions } from '../infra/aws/iam-policies';
import { awsServerCloud, type AwsEnvironment } from '../infra/aws/environment';
import { awsMocks, DB_PASSWORD, ofType, runAwsProgram, valueOf } from './helpers/aws-program';
import { isSecretValue, revealed } from './helpers/pulumi-mocks';

const TOPOLOGY = `environment: dev
clusters:
  - name: east
    provider: eks
    region: us-east-1
    trustDomain: e.example.org
    cidr: 10.1.0.0/16
    spire: { datastore: postgres, replicas: 2, keyManager: kms }
    eks: { managedDatastore: {}, natGateways: single, apiAccessCidrs: [203.0.113.0/24], accessEntries: true }
  - name: west
    provider: eks
    region: us-east-1
    trustDomain: w.example.org
    cidr: 10.2.0.0/16
    spire: { datastore: postgres, datastoreSecret: { name: spire-db, key: dsn } }
    cloud: { deletionProtection: true }
    eks: { managedDatastore: { auth: iam, instanceClass: db.r6g.large } }
`;

const recorded = awsMocks('dev');
let environment: AwsEnvironment;
beforeAll(async () => {
  environment = await runAwsProgram(TOPOLOGY, recorded);
});
const named = (name: string) => {
  const r = recorded.get(name);
  if (!r) throw new Error(`no resource ${name}; have ${[...recorded.keys()].join(', ')}`);
  return r;
};
const document = (name: string, field: 'assumeRolePolicy' | 'policy') => JSON.parse(named(name).inputs[field]);

describe('managed datastore (RDS for PostgreSQL)', () => {
  it('is Multi-AZ, encrypted, private, with an RDS-managed password; protected only where asked outside dev', () => {
    expect(ofType(recorded, 'aws:rds/instance:Instance').map((i) => i.name).sort()).toEqual(['east-datastore-db', 'west-datastore-db']);
    expect(named('east-datastore-db').inputs).toMatchObject({
      engine: 'postgres', multiAz: true, storageEncrypted: true, publiclyAccessible: false, manageMasterUserPassword: true,
      iamDatabaseAuthenticationEnabled: false, deletionProtection: false, skipFinalSnapshot: true, instanceClass: 'db.t4g.medium',
    });
    expect(named('east-datastore-db').inputs.password).toBeUndefined();
    expect(named('east-datastore-db').protect).toBe(false);
    expect(named('west-datastore-db').inputs).toMatchObject({ iamDatabaseAuthenticationEnabled: true, deletionProtection: true, skipFinalSnapshot: false, instanceClass: 'db.r6g.large' });
    expect(named('west-datastore-db').protect).toBe(true);
    expect(named('east-datastore-subnets').inputs.subnetIds).toEqual(['east-private-us-east-1a-id', 'east-private-us-east-1b-id', 'east-private-us-east-1c-id']);
  });

  it('admits PostgreSQL only from the cluster\'s nodes', () => {
    const rules = ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === 'east-datastore-sg-id');
    expect(rules.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4 ?? null])).toEqual([[5432, 5432, 'sg-cluster-dev-east', null]]);
  });

  it('delivers the connection string as the topology\'s datastoreSecret, a secret value, through the cluster\'s provider', () => {
    const east = named('east-datastore-secret');
    expect(east.inputs.metadata).toMatchObject({ name: 'spire-datastore', namespace: 'spire-server' });
    // The whole stringData travels as a secret, so the password never lands in plain state.
    expect(isSecretValue(east.raw.stringData)).toBe(true);
    expect(isSecretValue(named('west-datastore-secret').raw.stringData)).toBe(true);
    expect(revealed(east.inputs.stringData)).toEqual({
      'connection-string': `postgres://spire:${encodeURIComponent(DB_PASSWORD)}@east-datastore-db.rds.amazonaws.com:5432/spire?sslmode=require`,
    });
    expect(east.provider).toBe('east-datastore-k8s');
    // IAM auth: no password anywhere.
    expect(named('west-datastore-secret').inputs.metadata.name).toBe('spire-db');
    expect(revealed(named('west-datastore-secret').inputs.stringData)).toEqual({ dsn: 'postgres://spire@west-datastore-db.rds.amazonaws.com:5432/spire?sslmode=require' });
  });

  it('IAM auth: an IRSA role for spire-server/spire-server allowed rds-db:connect as the spire user of this instance only', () => {
    expect(document('west-datastore-iam-irsa-role', 'assumeRolePolicy').Statement[0].Condition.StringEquals['oidc.eks.amazonaws.com/id/DEV-WEST:sub']).toBe('system:serviceaccount:spire-server:spire-server');
    expect(document('west-datastore-iam-irsa-role-inline', 'policy').Statement).toEqual([
      { Effect: 'Allow', Action: 'rds-db:connect', Resource: 'arn:aws:rds-db:us-east-1:123456789012:dbuser:db-RESOURCEID/spire' },
    ]);
    expect(recorded.has('east-datastore-iam-irsa')).toBe(false);
  });
});

describe('SPIRE aws_kms role', () => {
  it('exists only where spire.keyManager is kms, trusting spire-server/spire-server, with the plugin\'s KMS actions', () => {
    expect(document('east-spire-kms-irsa-role', 'assumeRolePolicy').Statement[0].Condition.StringEquals['oidc.eks.amazonaws.com/id/DEV-EAST:sub']).toBe('system:serviceaccount:spire-server:spire-server');
    expect(policyActions(document('east-spire-kms-irsa-role-inline', 'policy'))).toContain('kms:Sign');
    expect(document('east-spire-kms-irsa-role-inline', 'policy').Statement[1].Resource).toBe('arn:aws:kms:us-east-1:123456789012:key/*');
    expect(recorded.has('west-spire-kms-irsa')).toBe(false);
  });

  it('hands out the key policy for the keys SPIRE creates (key_policy_file), naming that role; no KMS key is created', async () => {
    const policy = JSON.parse(await valueOf(environment.clusters.east.eks.spireKmsKeyPolicy!));
    expect(policy.Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::123456789012:role/east-spire-kms-irsa-role' });
    expect(environment.clusters.west.eks.spireKmsKeyPolicy).toBeUndefined();
    expect(ofType(recorded, 'aws:kms/key:Key')).toEqual([]);
  });
});

describe('the SPIRE server\'s AWS side (what its manifests get)', () => {
  it('kms: the aws_kms role, region and key policy; an IAM datastore alone: its own role; always the encrypted gp3 class', async () => {
    const east = await valueOf(awsServerCloud(environment.clusters.east, 'us-east-1'));
    expect(east.identity).toEqual({ kind: 'aws-role', roleArn: 'arn:aws:iam::123456789012:role/east-spire-kms-irsa-role' });
    expect(east.kms).toEqual({ kind: 'aws', region: 'us-east-1', keyPolicy: await valueOf(environment.clusters.east.eks.spireKmsKeyPolicy!) });
    expect(await valueOf(awsServerCloud(environment.clusters.west, 'us-east-1'))).toEqual({
      identity: { kind: 'aws-role', roleArn: 'arn:aws:iam::123456789012:role/west-datastore-iam-irsa-role' },
      storageClassName: 'meshfed-gp3-encrypted',
    });
  });
});

describe('deploy layer interface', () => {
  it('gives a secret kubeconfig with aws eks get-token, the API endpoint and what to wait for', async () => {
    const east = environment.clusters.east;
    expect(await (east.kubeconfig as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(await valueOf(east.kubeconfig)).toContain('get-token');
    expect(await valueOf(east.endpoint)).toBe('https://dev-east.gr7.eks.amazonaws.com');
    // The node group, the EBS CSI add-on, and the rules that let the control plane call the webhooks (both directions).
    const webhooks = [15017, 15012, 9443, 10250].flatMap((port) => [`east-webhook-${port}-control-plane`, `east-webhook-${port}-control-plane-egress`]);
    expect(east.ready.map((r) => (r as unknown as { __name: string }).__name)).toEqual(['east-nodes', 'east-ebs-csi', ...webhooks]);
    expect(east.addressScope).toBe('internal');
  });
});

describe('access entries and dev-like defaults', () => {
  it('grants west\'s istiod role AmazonEKSViewPolicy on east (which opted in), not the other way round', () => {
    expect(ofType(recorded, 'aws:eks/accessEntry:AccessEntry').map((e) => [e.name, e.inputs.clusterName, e.inputs.principalArn, e.inputs.type])).toEqual([
      ['east-reader-west-entry', 'dev-east', 'arn:aws:iam::123456789012:role/west-istiod-reader-role', 'STANDARD'],
    ]);
    expect(named('east-reader-west-view').inputs).toMatchObject({ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' } });
    expect(named('east-reader-west-view').dependsOn).toContain('east-reader-west-entry');
    expect(document('west-istiod-reader-role', 'assumeRolePolicy').Statement[0].Condition.StringEquals['oidc.eks.amazonaws.com/id/DEV-WEST:sub']).toBe('system:serviceaccount:istio-system:istiod');
  });

  it('turns EKS deletion protection off in a dev environment, restricts the public API endpoint, one NAT gateway when single', () => {
    expect(named('east-eks').inputs.deletionProtection).toBe(false);
    expect(named('west-eks').inputs.deletionProtection).toBe(true);
    expect(named('east-eks').inputs.vpcConfig.publicAccessCidrs).toEqual(['203.0.113.0/24']);
    expect(named('west-eks').inputs.vpcConfig.publicAccessCidrs).toBeUndefined();
    expect(ofType(recorded, 'aws:ec2/natGateway:NatGateway').filter((n) => n.name.startsWith('east-')).map((n) => n.name)).toEqual(['east-nat-us-east-1a']);
    for (const zone of ['a', 'b', 'c']) expect(named(`east-rt-private-us-east-1${zone}-default`).inputs.natGatewayId).toBe('east-nat-us-east-1a-id');
  });
});
