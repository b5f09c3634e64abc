/**
 * The names meshfed gives cloud resources, derived from environment, cluster and region names, together with
 * each cloud's rule for them: one module is the source of both, so a name and its check cannot diverge.
 * infra/ creates resources with these functions; the loader rejects a topology whose operator-facing names
 * (cluster names) would not fit (cloudNameProblems); every other name is shortened deterministically.
 *
 * Pulumi auto-naming: a resource given no explicit name is created as `<logical name>-<7 random hex>`
 * (pulumi-terraform-bridge AutoName, Randlen 7, for @pulumi/gcp's and @pulumi/aws's `name` properties;
 * pulumi/pulumi-gcp provider/resources.go `lowercaseAutoName` and `SetAutonaming(255, "-")`), except RDS
 * instances, whose identifier is `<logical name><7 random hex>` with no separator (pulumi/pulumi-aws
 * provider/resources.go aws_db_instance: `resource.NewUniqueHex(name, 7, 255)`). The provider only caps the
 * result at its own maximum (often 255, wider than the cloud's), so the cloud's limit is checked here.
 */
import { createHash } from 'node:crypto';
import { formatValue, type Problem } from './problems';
import type { TopologyParsed } from './schema';

/** A cloud's rule for one kind of name. */
export interface NameRule {
  /** What is named, for messages: "GKE cluster name". */
  readonly resource: string;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp;
  /** The rule in words, with its source. */
  readonly allowed: string;
}

/** RFC 1035 label, the rule of most GCP resource names: `[a-z]([-a-z0-9]*[a-z0-9])?`. */
const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const EKS_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;

/** The rules meshfed's names must follow (facts from the clouds' API references). */
export const NAME_RULES = {
  /** GKE: lowercase letters, digits and hyphens, starting with a letter, at most 40 (GCP's cluster-name rule, as quoted in gitlab-org/gitlab#22655 and Azure/telescope#989). */
  gkeCluster: { resource: 'GKE cluster name', minLength: 1, maxLength: 40, pattern: RFC1035, allowed: 'lowercase letters, digits and "-", starting with a letter, at most 40 characters (GKE)' },
  /** GKE node pool names: at most 40 (google_container_node_pool.name, thorchain cluster-launcher MR 67). */
  gkeNodePool: { resource: 'GKE node pool name', minLength: 1, maxLength: 40, pattern: RFC1035, allowed: 'an RFC 1035 label of at most 40 characters (GKE)' },
  /** Compute Engine names (network, subnetwork, router, Cloud NAT, firewall, address, global address): RFC 1035, 1-63 (compute/docs/reference/rest/v1 `name`). */
  gcpCompute: { resource: 'Compute Engine resource name', minLength: 1, maxLength: 63, pattern: RFC1035, allowed: 'an RFC 1035 label of at most 63 characters (Compute Engine)' },
  /** Network tags: lowercase letters, digits and hyphens, 1-63, starting with a letter, ending with a letter or digit. */
  gcpNetworkTag: { resource: 'network tag', minLength: 1, maxLength: 63, pattern: RFC1035, allowed: 'an RFC 1035 label of at most 63 characters (Compute Engine network tags)' },
  /** IAM service account id: 6-30 characters, `[a-z]([-a-z0-9]*[a-z0-9])` (iam.serviceAccounts.create `accountId`). */
  gcpServiceAccountId: { resource: 'service account id', minLength: 6, maxLength: 30, pattern: /^[a-z][-a-z0-9]*[a-z0-9]$/, allowed: '6 to 30 lowercase letters, digits and "-", starting with a letter (IAM accountId)' },
  /** Cloud SQL instance ID: lowercase letters, digits and hyphens, starting with a letter, at most 98 (google-cloud-sql sqladmin_v1 reference, `instance`). */
  cloudSqlInstance: { resource: 'Cloud SQL instance ID', minLength: 1, maxLength: 98, pattern: RFC1035, allowed: 'lowercase letters, digits and "-", starting with a letter, at most 98 characters (Cloud SQL)' },
  /** Cloud KMS key ring name: 1-63 of `[a-zA-Z0-9_-]` (cloudkms projects.locations.keyRings.create `keyRingId`). */
  kmsKeyRing: { resource: 'Cloud KMS key ring name', minLength: 1, maxLength: 63, pattern: /^[a-zA-Z0-9_-]+$/, allowed: '1 to 63 letters, digits, "_" and "-" (Cloud KMS keyRingId)' },
  /** IAM custom role id: 3-64 of `[a-zA-Z0-9_.]` (iam projects.roles.create `roleId`). */
  gcpCustomRole: { resource: 'IAM custom role id', minLength: 3, maxLength: 64, pattern: /^[a-zA-Z0-9_.]+$/, allowed: '3 to 64 letters, digits, "_" and "." (IAM custom roleId)' },
  /** EKS cluster name: alphanumerics, "-" and "_", starting with an alphanumeric, at most 100 (CreateCluster `name`). */
  eksCluster: { resource: 'EKS cluster name', minLength: 1, maxLength: 100, pattern: EKS_NAME, allowed: 'letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters (EKS CreateCluster)' },
  /** EKS managed node group name: at most 63, starting with a letter or digit, then letters, digits, "-" and "_" (@pulumi/aws eks.NodeGroup `nodeGroupName` docs; the provider auto-names it with Maxlen 255). */
  eksNodeGroup: { resource: 'EKS node group name', minLength: 1, maxLength: 63, pattern: EKS_NAME, allowed: 'letters, digits, "-" and "_", at most 63 characters (EKS CreateNodegroup)' },
  /** IAM role name: at most 64 of `[\w+=,.@-]` (IAM CreateRole `RoleName`; @pulumi/aws auto-names roles with Maxlen 64). */
  iamRole: { resource: 'IAM role name', minLength: 1, maxLength: 64, pattern: /^[\w+=,.@-]+$/, allowed: 'at most 64 letters, digits and "+=,.@_-" (IAM CreateRole)' },
  /** EC2 security group name: at most 255 characters, not starting with "sg-" (CreateSecurityGroup `GroupName`). */
  awsSecurityGroup: { resource: 'security group name', minLength: 1, maxLength: 255, pattern: /^(?!sg-)[\w .:/()#,@[\]+=&;{}!$*-]+$/, allowed: 'at most 255 characters, not starting with "sg-" (EC2 CreateSecurityGroup)' },
  /** RDS DB instance identifier: 1-63 letters, digits or hyphens, first a letter, no trailing or double hyphen, stored lowercase (RDS CreateDBInstance `DBInstanceIdentifier`). */
  rdsInstance: { resource: 'RDS DB instance identifier', minLength: 1, maxLength: 63, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, allowed: '1 to 63 lowercase letters, digits and "-", starting with a letter, without "--" or a trailing "-" (RDS CreateDBInstance)' },
} as const satisfies Record<string, NameRule>;

export type NameRuleKey = keyof typeof NAME_RULES;

/** Length of Pulumi's auto-name suffix: "-" and 7 random hex digits (RDS: the 7 digits alone). */
export const AUTONAME_SUFFIX_LENGTH = 8;
/** Stands for the random suffix when a physical name is checked (hex digits pass every rule above). */
const SUFFIX_STAND_IN = '-0a1b2c3';

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 6);

/** `base` cut to at most `max` characters: a prefix, "-" and 6 hex digits of the whole (so distinct bases stay distinct). */
function shorten(base: string, max: number): string {
  if (base.length <= max) return base;
  return `${base.slice(0, max - 7).replace(/-+$/, '')}-${shortHash(base)}`;
}

/** A logical name whose Pulumi auto-name fits `rule`: `base` itself when it fits, else shortened deterministically. */
export function autonamedLogical(base: string, rule: NameRule): string {
  return shorten(base, rule.maxLength - AUTONAME_SUFFIX_LENGTH);
}

/** The physical name Pulumi derives from a logical name, its random part replaced by a stand-in (for checks). */
export function autonamedStandIn(logical: string, separator: '-' | '' = '-'): string {
  return separator === '-' ? `${logical}${SUFFIX_STAND_IN}` : `${logical}${SUFFIX_STAND_IN.slice(1)}`;
}

/** Why `name` breaks `rule`, or undefined when it fits. */
export function nameRuleProblem(name: string, rule: NameRule): string | undefined {
  if (name.length < rule.minLength || name.length > rule.maxLength) return `is ${name.length} characters`;
  if (!rule.pattern.test(name)) return 'has characters or a shape the rule does not allow';
  return undefined;
}

/** Service Kinds whose addresses the stack reserves, as lowercase name parts (Compute Engine names allow no capitals). */
const ENDPOINT_NAME_PART = { bundleEndpoint: 'bundle-endpoint', eastWestGateway: 'east-west-gateway', serverEndpoint: 'server-endpoint' } as const;
export type ReservedEndpointKind = keyof typeof ENDPOINT_NAME_PART;

/** Logical names (Pulumi auto-names them) and explicit names of the GCP resources of one environment. */
export const gcpNames = {
  /** The environment's VPC network. */
  network: (environment: string) => autonamedLogical(`${environment}-net-vpc`, NAME_RULES.gcpCompute),
  /** A created cluster's subnetwork. */
  subnet: (cluster: string) => autonamedLogical(`${cluster}-subnet`, NAME_RULES.gcpCompute),
  /** Cloud Router of a region. */
  router: (environment: string, region: string) => autonamedLogical(`${environment}-net-${region}-router`, NAME_RULES.gcpCompute),
  /** Cloud NAT of a region, and its reserved egress address (different resource types may share a logical name). */
  nat: (environment: string, region: string) => autonamedLogical(`${environment}-net-${region}-nat`, NAME_RULES.gcpCompute),
  /** A mesh firewall rule (`ruleName`: infra/firewall-rules.ts `<cluster>-<purpose>`). */
  firewall: (environment: string, ruleName: string) => autonamedLogical(`${environment}-net-${ruleName}`, NAME_RULES.gcpCompute),
  /** The reserved address of a Service peers dial. */
  address: (cluster: string, kind: ReservedEndpointKind) => autonamedLogical(`${cluster}-${ENDPOINT_NAME_PART[kind]}`, NAME_RULES.gcpCompute),
  /** The private services access range (Cloud SQL private IP). */
  privateServices: (environment: string) => autonamedLogical(`${environment}-private-services`, NAME_RULES.gcpCompute),
  /** The GKE cluster: never shortened (operators type it); cloudNameProblems rejects names that do not fit. */
  gkeCluster: (cluster: string) => cluster,
  nodePool: (cluster: string) => autonamedLogical(`${cluster}-pool`, NAME_RULES.gkeNodePool),
  /** The Cloud SQL instance of a managed SPIRE datastore (`component`: its CloudSqlPostgres, `<cluster>-spire-db`). */
  sqlInstance: (component: string) => autonamedLogical(`${component}-instance`, NAME_RULES.cloudSqlInstance),
  /** A service account id unique per environment and cluster in one project (explicit, not auto-named). */
  serviceAccountId: (environment: string, cluster: string, purpose: string) => shorten(`${environment}-${cluster}-${purpose}`, NAME_RULES.gcpServiceAccountId.maxLength),
  /** Network tag of a cluster's nodes: the firewall rules' target. */
  nodeTag: (environment: string, cluster: string) => shorten(`meshfed-${environment}-${cluster}`, NAME_RULES.gcpNetworkTag.maxLength),
  /** A cluster's SPIRE key ring name before its "-<6 hex>" random suffix (GCP never deletes key rings, so each ring gets a fresh name). */
  spireKeyRingBase: (environment: string, cluster: string) => shorten(`${environment}-${cluster}-spire`, NAME_RULES.kmsKeyRing.maxLength - 7),
  /** A project-level custom role id unique per environment (ids allow no "-"). */
  customRoleId: (environment: string, purpose: string) => {
    const base = `meshfed.${purpose}.${environment.replace(/-/g, '_')}`;
    return base.length <= NAME_RULES.gcpCustomRole.maxLength ? base : `${base.slice(0, NAME_RULES.gcpCustomRole.maxLength - 7)}_${shortHash(base)}`;
  },
} as const;

/** Secondary range names of a cluster's subnet. */
export const SECONDARY_RANGE = { pods: 'pods', services: 'services' } as const;

/** Names of the AWS resources of one environment. */
export const awsNames = {
  /** The EKS cluster's AWS name, unique per account and region across environments: never shortened (operators type it). */
  eksCluster: (environment: string, cluster: string) => `${environment}-${cluster}`,
  /** Logical name of an IAM role, e.g. `${cluster}-node-role`. */
  role: (base: string) => autonamedLogical(base, NAME_RULES.iamRole),
  /** Logical name of a managed node group, e.g. `${cluster}-nodes`. */
  nodeGroup: (base: string) => autonamedLogical(base, NAME_RULES.eksNodeGroup),
  /** Logical name of an RDS instance: hyphens never doubled, and room for the 7 hex digits appended without separator. */
  rdsInstance: (base: string) => shorten(base.replace(/-{2,}/g, '-'), NAME_RULES.rdsInstance.maxLength - 7),
} as const;

/**
 * Load-time check of the names that are not shortened: a gke cluster's GKE name and an eks cluster's EKS
 * name. Rejected rather than shortened because operators type them (gcloud, aws eks, the RUNBOOK); a hashed
 * cluster name would hide which cluster it is. Checked for every cluster of the provider, since whether the
 * stack creates it is stack config (meshfed:kubeconfigs), not topology.
 */
export function cloudNameProblems(t: TopologyParsed): Problem[] {
  const problems: Problem[] = [];
  t.clusters.forEach((c, i) => {
    const path = ['clusters', i, 'name'];
    if (c.provider === 'gke') {
      const physical = autonamedStandIn(gcpNames.gkeCluster(c.name));
      const max = NAME_RULES.gkeCluster.maxLength - AUTONAME_SUFFIX_LENGTH;
      if (nameRuleProblem(physical, NAME_RULES.gkeCluster) !== undefined) {
        problems.push({ path, message: `${formatValue(c.name)} is ${c.name.length} characters; the stack names a gke cluster "<name>-<7 random characters>" and GKE cluster names allow ${NAME_RULES.gkeCluster.allowed}, so a gke cluster's name is at most ${max} characters` });
      }
    }
    if (c.provider === 'eks') {
      const name = awsNames.eksCluster(t.environment, c.name);
      if (nameRuleProblem(name, NAME_RULES.eksCluster) !== undefined) {
        const max = NAME_RULES.eksCluster.maxLength - t.environment.length - 1;
        problems.push({ path, message: `${formatValue(c.name)} is ${c.name.length} characters; the EKS cluster is named "<environment>-<name>" (${name.length} characters here) and EKS cluster names allow ${NAME_RULES.eksCluster.allowed}, so in environment ${formatValue(t.environment)} an eks cluster's name is at most ${max} characters` });
      }
    }
  });
  return problems;
}
