/**
 * Cloud resource names (clusters/cloud-names.ts): the loader rejects cluster names the clouds would refuse,
 * every other derived name is shortened to fit, and the Pulumi program names its resources through the
 * same functions (checked on the offline plan of a topology with the longest names the loader accepts).
 */
import fc from 'fast-check';
import { loadTopology } from '../clusters';
import {
  autonamedStandIn, awsNames, AUTONAME_SUFFIX_LENGTH, gcpNames, NAME_RULES, nameRuleProblem, type NameRule, type ReservedEndpointKind,
} from '../clusters/cloud-names';
import { DNS_LABEL } from '../clusters/schema';
import { runPlan } from '../infra/plan/plan';
import { problemsOf } from './helpers/synth';

const label = (n: number, head = 'a') => `${head}${'b'.repeat(n - 2)}c`;

describe('load-time cluster name limits', () => {
  it('rejects a gke cluster name over 32 characters with file, line, path, value and the rule', () => {
    const name = label(33);
    const problems = problemsOf(`environment: dev
clusters:
  - name: ${name}
    provider: gke
    region: us-central1
    trustDomain: foo.com
    cidr: 10.10.0.0/16
`);
    expect(problems).toEqual([
      `env.yaml:3: clusters[0].name: "${name}" is 33 characters; the stack names a gke cluster "<name>-<7 random characters>" and GKE cluster names allow lowercase letters, digits and "-", starting with a letter, at most 40 characters (GKE), so a gke cluster's name is at most 32 characters`,
    ]);
  });

  it('rejects an eks cluster whose "<environment>-<name>" exceeds 100 characters', () => {
    const env = label(60, 'e');
    const name = label(40);
    const problems = problemsOf(`environment: ${env}
clusters:
  - { name: ${name}, provider: eks, region: us-east-1, trustDomain: foo.com, cidr: 10.10.0.0/16 }
`);
    expect(problems).toEqual([
      `env.yaml:3: clusters[0].name: "${name}" is 40 characters; the EKS cluster is named "<environment>-<name>" (101 characters here) and EKS cluster names allow letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters (EKS CreateCluster), so in environment "${env}" an eks cluster's name is at most 39 characters`,
    ]);
  });

  it('accepts the longest names that fit, and existing-provider clusters of any DNS-label length', () => {
    expect(() => loadTopology(`environment: ${label(60, 'e')}
clusters:
  - { name: ${label(32, 'g')}, provider: gke, region: us-central1, trustDomain: foo.com, cidr: 10.10.0.0/16 }
  - { name: ${label(39, 'k')}, provider: eks, region: us-east-1, trustDomain: bar.com, cidr: 10.20.0.0/16 }
`)).not.toThrow();
  });
});

/** Every name derived for an environment, with the rule it must follow. */
function derivedNames(env: string, cluster: string, region: string): Array<[string, NameRule]> {
  const kinds: ReservedEndpointKind[] = ['bundleEndpoint', 'eastWestGateway', 'serverEndpoint'];
  return [
    [autonamedStandIn(gcpNames.network(env)), NAME_RULES.gcpCompute],
    [autonamedStandIn(gcpNames.subnet(cluster)), NAME_RULES.gcpCompute],
    [autonamedStandIn(gcpNames.router(env, region)), NAME_RULES.gcpCompute],
    [autonamedStandIn(gcpNames.nat(env, region)), NAME_RULES.gcpCompute],
    [autonamedStandIn(gcpNames.privateServices(env)), NAME_RULES.gcpCompute],
    ...(['eastwest', 'bundle-endpoint', 'nested-server', 'webhooks'] as const).map((p): [string, NameRule] => [autonamedStandIn(gcpNames.firewall(env, `${cluster}-${p}`)), NAME_RULES.gcpCompute]),
    ...kinds.map((k): [string, NameRule] => [autonamedStandIn(gcpNames.address(cluster, k)), NAME_RULES.gcpCompute]),
    [autonamedStandIn(gcpNames.nodePool(cluster)), NAME_RULES.gkeNodePool],
    [autonamedStandIn(gcpNames.sqlInstance(`${cluster}-spire-db`)), NAME_RULES.cloudSqlInstance],
    [gcpNames.serviceAccountId(env, cluster, 'nodes'), NAME_RULES.gcpServiceAccountId],
    [gcpNames.nodeTag(env, cluster), NAME_RULES.gcpNetworkTag],
    ...['cluster-role', 'node-role', 'vpc-cni-irsa-role', 'ebs-csi-irsa-role', 'spire-kms-irsa-role', 'istiod-reader-role'].map((r): [string, NameRule] => [autonamedStandIn(awsNames.role(`${cluster}-${r}`)), NAME_RULES.iamRole]),
    [autonamedStandIn(awsNames.nodeGroup(`${cluster}-nodes`)), NAME_RULES.eksNodeGroup],
    [autonamedStandIn(awsNames.rdsInstance(`${cluster}-datastore-db`), ''), NAME_RULES.rdsInstance],
  ];
}

describe('derived names', () => {
  const dnsLabel = fc.stringMatching(DNS_LABEL);
  const region = fc.constantFrom('us-central1', 'europe-west4', 'northamerica-northeast2', 'us-east-1', 'ap-southeast-2');

  it('fit every rule for any environment and cluster name the loader accepts (property)', () => {
    fc.assert(fc.property(dnsLabel, dnsLabel, region, (env, cluster, r) => {
      for (const [name, rule] of derivedNames(env, cluster, r)) {
        expect([name, rule.resource, nameRuleProblem(name, rule)]).toEqual([name, rule.resource, undefined]);
      }
    }), { numRuns: 300 });
  });

  it('are deterministic, unchanged while they fit, and distinct after shortening', () => {
    expect(gcpNames.network('dev')).toBe('dev-net-vpc');
    expect(gcpNames.firewall('dev', 'cluster-1-eastwest')).toBe('dev-net-cluster-1-eastwest');
    expect(gcpNames.address('cluster-1', 'eastWestGateway')).toBe('cluster-1-east-west-gateway');
    const long = label(60);
    const a = gcpNames.firewall(long, 'x-eastwest');
    const b = gcpNames.firewall(long, 'x-webhooks');
    expect(a).toBe(gcpNames.firewall(long, 'x-eastwest'));
    expect(a).not.toBe(b);
    expect(a.length).toBe(NAME_RULES.gcpCompute.maxLength - AUTONAME_SUFFIX_LENGTH);
    expect(awsNames.rdsInstance('a--b-datastore-db')).toBe('a-b-datastore-db');
  });

  it('key ring bases leave room for the random suffix, custom role ids fit IAM roleId', () => {
    const ring = `${gcpNames.spireKeyRingBase(label(60, 'e'), label(32, 'g'))}-0a1b2c`;
    expect(nameRuleProblem(ring, NAME_RULES.kmsKeyRing)).toBeUndefined();
    expect(gcpNames.spireKeyRingBase('dev', 'foo')).toBe('dev-foo-spire');
    const role = gcpNames.customRoleId(label(60, 'e'), 'spireKms');
    expect(nameRuleProblem(role, NAME_RULES.gcpCustomRole)).toBeUndefined();
    expect(gcpNames.customRoleId('my-env', 'spireKms')).toBe('meshfed.spireKms.my_env');
  });
});

/** The rule of each auto-named resource type the program creates (Pulumi type token -> cloud rule). */
const AUTONAMED_TYPES: Readonly<Record<string, { rule: NameRule; separator: '-' | '' }>> = {
  'gcp:compute/network:Network': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:compute/subnetwork:Subnetwork': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:compute/router:Router': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:compute/routerNat:RouterNat': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:compute/firewall:Firewall': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:compute/address:Address': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:compute/globalAddress:GlobalAddress': { rule: NAME_RULES.gcpCompute, separator: '-' },
  'gcp:container/cluster:Cluster': { rule: NAME_RULES.gkeCluster, separator: '-' },
  'gcp:container/nodePool:NodePool': { rule: NAME_RULES.gkeNodePool, separator: '-' },
  'gcp:sql/databaseInstance:DatabaseInstance': { rule: NAME_RULES.cloudSqlInstance, separator: '-' },
  'aws:iam/role:Role': { rule: NAME_RULES.iamRole, separator: '-' },
  'aws:eks/nodeGroup:NodeGroup': { rule: NAME_RULES.eksNodeGroup, separator: '-' },
  'aws:rds/instance:Instance': { rule: NAME_RULES.rdsInstance, separator: '' },
  'aws:ec2/securityGroup:SecurityGroup': { rule: NAME_RULES.awsSecurityGroup, separator: '-' },
};

describe('the program names resources through the module (offline plan, longest accepted names)', () => {
  const env = label(60, 'e');
  const topology = loadTopology(`environment: ${env}
clusters:
  - { name: ${label(32, 'g')}, provider: gke, region: northamerica-northeast2, trustDomain: g.example.org, cidr: 10.10.0.0/16, spire: { datastore: postgres, managedDatastore: true, keyManager: kms } }
  - { name: ${label(32, 'h')}, provider: gke, region: us-central1, trustDomain: h.example.org, cidr: 10.20.0.0/16 }
  - { name: ${label(39, 'k')}, provider: eks, region: us-east-1, trustDomain: k.example.org, cidr: 10.30.0.0/16, spire: { datastore: postgres, keyManager: kms }, eks: { managedDatastore: {} } }
`);
  let plan: Awaited<ReturnType<typeof runPlan>>;
  beforeAll(async () => {
    plan = await runPlan(topology);
  }, 60000);

  it('every auto-named resource fits its cloud rule once Pulumi appends its suffix', () => {
    const resources = plan.groups.flatMap((g) => g.resources);
    const checked = resources.filter((r) => AUTONAMED_TYPES[r.type]).map((r) => {
      const { rule, separator } = AUTONAMED_TYPES[r.type];
      const physical = autonamedStandIn(r.name, separator);
      return [r.type, physical, nameRuleProblem(physical, rule) ?? 'fits'];
    });
    expect(checked.filter(([, , verdict]) => verdict !== 'fits')).toEqual([]);
    // Every listed type occurs, so a renamed type token cannot make this test vacuous.
    expect(new Set(checked.map(([type]) => type))).toEqual(new Set(Object.keys(AUTONAMED_TYPES)));
    // The longest EKS name the loader accepts is exactly the limit.
    expect(nameRuleProblem(awsNames.eksCluster(env, label(39, 'k')), NAME_RULES.eksCluster)).toBeUndefined();
    expect(awsNames.eksCluster(env, label(39, 'k'))).toHaveLength(NAME_RULES.eksCluster.maxLength);
  });
});
