/**
 * Every IAM document of the AWS side (and where the RDS password goes), read from the offline plan of clusters/eks.yaml, clusters/mixed.yaml
 * and a KMS + IAM-authenticated datastore fixture (the real program under the plan's mocks): no wildcard
 * action anywhere, every web-identity trust scoped to exactly one service account, managed policies only
 * the ones each role needs.
 */
import { join } from 'node:path';
import { loadTopologyFile } from '../clusters';
import { policyActions, type PolicyDocument } from '../infra/aws/iam-policies';
import { runPlan } from '../infra/plan/plan';
import { isSecretValue, revealed } from './helpers/pulumi-mocks';

interface Seen { readonly type: string; readonly name: string; readonly inputs: Readonly<Record<string, any>> }

async function planResources(file: string): Promise<Seen[]> {
  const seen = new Map<string, Seen>();
  await runPlan(loadTopologyFile(file), { onResource: (r) => seen.set(`${r.type}::${r.name}`, r) });
  return [...seen.values()];
}

const ENVIRONMENTS = {
  eks: join(__dirname, '..', 'clusters', 'eks.yaml'),
  mixed: join(__dirname, '..', 'clusters', 'mixed.yaml'),
  kms: join(__dirname, 'fixtures', 'topologies', 'kms.yaml'),
} as const;

/** IAM inputs that hold a policy document, by resource type. */
const DOCUMENT_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'aws:iam/role:Role': ['assumeRolePolicy'],
  'aws:iam/rolePolicy:RolePolicy': ['policy'],
  'aws:iam/policy:Policy': ['policy'],
  'aws:iam/userPolicy:UserPolicy': ['policy'],
  'aws:iam/groupPolicy:GroupPolicy': ['policy'],
  'aws:kms/key:Key': ['policy'],
};

/** The managed policies a role may carry (infra/aws/iam-policies.ts says why each is needed). */
const MANAGED = {
  cluster: ['AmazonEKSClusterPolicy'],
  node: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'],
  'vpc-cni': ['AmazonEKS_CNI_Policy'],
  'ebs-csi': ['service-role/AmazonEBSCSIDriverPolicy'],
} as const;

const results: Record<string, Seen[]> = {};
beforeAll(async () => {
  for (const [env, file] of Object.entries(ENVIRONMENTS)) results[env] = await planResources(file);
}, 180000);

describe.each(Object.keys(ENVIRONMENTS))('IAM of the %s plan', (env) => {
  const iam = () => results[env].filter((r) => r.type.startsWith('aws:iam/') || r.type.startsWith('aws:kms/'));
  const documents = (): { where: string; doc: PolicyDocument }[] => iam().flatMap((r) =>
    (DOCUMENT_INPUTS[r.type] ?? []).filter((k) => r.inputs[k] !== undefined).map((k) => ({ where: `${r.name}.${k}`, doc: JSON.parse(r.inputs[k]) as PolicyDocument })));

  it('walks only IAM types it knows how to read (a new one must be added here)', () => {
    const known = new Set([...Object.keys(DOCUMENT_INPUTS), 'aws:iam/rolePolicyAttachment:RolePolicyAttachment', 'aws:iam/openIdConnectProvider:OpenIdConnectProvider']);
    expect(iam().map((r) => r.type).filter((t) => !known.has(t))).toEqual([]);
    expect(documents().length).toBeGreaterThan(0);
  });

  it('grants no wildcard action and uses no NotAction, in any statement of any document', () => {
    const wild = documents().flatMap(({ where, doc }) => policyActions(doc).filter((a) => a.includes('*')).map((a) => `${where}: ${a}`));
    expect(wild).toEqual([]);
    const notAction = documents().filter(({ doc }) => doc.Statement.some((s) => 'NotAction' in s || 'NotPrincipal' in s)).map((d) => d.where);
    expect(notAction).toEqual([]);
  });

  it('lets every web-identity role be assumed by exactly one service account of its cluster, for STS only', () => {
    const trusts = iam().filter((r) => r.type === 'aws:iam/role:Role').map((r) => ({ name: r.name, doc: JSON.parse(r.inputs.assumeRolePolicy) as PolicyDocument }));
    const irsa = trusts.filter((t) => t.doc.Statement.some((s) => s.Principal?.Federated !== undefined));
    expect(irsa.length).toBeGreaterThan(0);
    for (const { name, doc } of irsa) {
      expect([name, doc.Statement.length]).toEqual([name, 1]);
      const [s] = doc.Statement;
      expect([name, s.Action, Object.keys(s.Condition ?? {})]).toEqual([name, 'sts:AssumeRoleWithWebIdentity', ['StringEquals']]);
      const cond = s.Condition!.StringEquals;
      const sub = Object.entries(cond).filter(([k]) => k.endsWith(':sub'));
      expect([name, sub.length, typeof sub[0][1]]).toEqual([name, 1, 'string']);
      expect([name, sub[0][1]]).toEqual([name, expect.stringMatching(/^system:serviceaccount:[a-z0-9-]+:[a-z0-9-]+$/)]);
      expect([name, Object.entries(cond).filter(([k]) => k.endsWith(':aud')).map(([, v]) => v)]).toEqual([name, ['sts.amazonaws.com']]);
    }
    // The rest are service roles of EKS and EC2.
    for (const { name, doc } of trusts.filter((t) => !irsa.includes(t))) {
      expect([name, doc.Statement.map((s) => [s.Action, s.Principal?.Service])]).toEqual([name, [['sts:AssumeRole', expect.stringMatching(/^(eks|ec2)\.amazonaws\.com$/)]]]);
    }
  });

  it('attaches only the managed policies each role needs', () => {
    for (const a of iam().filter((r) => r.type === 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')) {
      const kind = (Object.keys(MANAGED) as (keyof typeof MANAGED)[]).find((k) => new RegExp(`-${k}-(role|irsa-role)-`).test(a.name));
      expect([a.name, kind !== undefined]).toEqual([a.name, true]);
      expect([a.name, MANAGED[kind!].map((p) => `arn:aws:iam::aws:policy/${p}`)]).toEqual([a.name, expect.arrayContaining([a.inputs.policyArn])]);
    }
  });
});

describe('IRSA roles of the plans, by service account', () => {
  const subjects = (env: string, cluster: string): string[] => results[env]
    .filter((r) => r.type === 'aws:iam/role:Role' && r.name.startsWith(`${cluster}-`))
    .flatMap((r) => (JSON.parse(r.inputs.assumeRolePolicy) as PolicyDocument).Statement)
    .flatMap((s) => Object.entries(s.Condition?.StringEquals ?? {}).filter(([k]) => k.endsWith(':sub')).map(([, v]) => String(v)))
    .sort();
  const BASE = ['system:serviceaccount:kube-system:aws-load-balancer-controller', 'system:serviceaccount:kube-system:aws-node', 'system:serviceaccount:kube-system:ebs-csi-controller-sa'];

  it('eks and mixed: the VPC CNI, the EBS CSI driver and the Load Balancer Controller, one role each', () => {
    for (const cluster of ['root', 'child-east', 'child-west']) expect([cluster, subjects('eks', cluster)]).toEqual([cluster, BASE]);
    expect(subjects('mixed', 'eks-edge')).toEqual(BASE);
  });

  it('kms + IAM datastore: one more role, for spire-server/spire-server (aws_kms and rds-db:connect on it)', () => {
    expect(subjects('kms', 'eks-kms')).toEqual([...BASE, 'system:serviceaccount:spire-server:spire-server'].sort());
    const inline = results.kms.filter((r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.inputs.role === 'eks-kms-spire-kms-irsa-role');
    expect(inline.flatMap((r) => policyActions(JSON.parse(r.inputs.policy))).filter((a) => a.startsWith('rds-db:'))).toEqual(['rds-db:connect']);
  });
});

describe('RDS in the eks plan (root: spire.datastore postgres + eks.managedDatastore)', () => {
  // The offline plan's stand-in for the RDS-managed master password (infra/plan/mock-state.ts).
  const PASSWORD = 'mock-password';

  it('is Multi-AZ, encrypted, private, protected (eks is not dev-like), with no password among its inputs', () => {
    const db = results.eks.filter((r) => r.type === 'aws:rds/instance:Instance');
    expect(db.map((r) => r.name)).toEqual([expect.stringMatching(/^root-datastore-db/)]);
    expect(db[0].inputs).toMatchObject({ multiAz: true, storageEncrypted: true, publiclyAccessible: false, manageMasterUserPassword: true, deletionProtection: true, skipFinalSnapshot: false });
    expect(db[0].inputs.password).toBeUndefined();
  });

  it('reaches the cluster only as the datastoreSecret Secret, whose data is a secret value; no other input carries the password', () => {
    const secret = results.eks.find((r) => r.name === 'root-spire-datastore-secret')!;
    expect(secret.inputs.metadata).toMatchObject({ namespace: 'spire-server', name: 'spire-datastore' });
    expect(isSecretValue(secret.inputs.stringData)).toBe(true);
    expect(JSON.stringify(revealed(secret.inputs.stringData))).toContain(PASSWORD);
    /** Plain strings of a value, secret-wrapped parts left out. */
    const plain = (v: unknown): string[] => {
      if (isSecretValue(v)) return [];
      if (typeof v === 'string') return [v];
      if (Array.isArray(v)) return v.flatMap(plain);
      if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(plain);
      return [];
    };
    expect(results.eks.filter((r) => plain(r.inputs).some((t) => t.includes(PASSWORD))).map((r) => r.name)).toEqual([]);
  });
});
