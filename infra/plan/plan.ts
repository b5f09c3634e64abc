/**
 * The offline plan: the real Pulumi program (deployMesh) run under mocks that stand in for the clouds
 * (mock-state.ts), recording every resource with the inputs that matter, grouped per cluster. No cloud,
 * cluster or Pulumi engine is needed.
 */
import * as pulumi from '@pulumi/pulumi';
import type { Topology } from '../../clusters/model';
import type { SynthNote } from '../../synth/cluster-manifests';
import { deployMesh } from '../mesh-program';
import { mockCloudCall, mockCloudState } from './mock-state';

export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  /** The inputs that matter, as short `key=value` strings. */
  readonly details: readonly string[];
}

export interface Plan {
  readonly environment: string;
  /** Per cluster (file order), then `(environment)` for shared resources. */
  readonly groups: ReadonlyArray<{ readonly cluster: string; readonly heading: string; readonly resources: readonly PlannedResource[] }>;
  /** Resource count by type, sorted by type. */
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
  /** synth's notes on the manifests the program applies: what `pulumi up` still leaves to the user. */
  readonly notes: readonly SynthNote[];
}

export interface PlanOptions {
  /** Clusters treated as existing (as meshfed:kubeconfigs would name them); a stand-in kubeconfig is used. */
  readonly existingClusters?: readonly string[];
  readonly project?: string;
  /** Called with every resource the program registers and its full inputs (audits that read whole policy documents). */
  readonly onResource?: (resource: { readonly type: string; readonly name: string; readonly inputs: Readonly<Record<string, unknown>> }) => void;
}

const list = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/** The inputs worth reading in a plan, by resource type. */
export function details(type: string, inputs: Record<string, any>): string[] {
  switch (type) {
    case 'gcp:compute/subnetwork:Subnetwork':
      return [`region=${inputs.region}`, `nodes=${inputs.ipCidrRange}`, ...(inputs.secondaryIpRanges ?? []).map((r: any) => `${r.rangeName}=${r.ipCidrRange}`)];
    case 'gcp:compute/firewall:Firewall':
      return [`tcp=${list(inputs.allows?.[0]?.ports)}`, `from=${list(inputs.sourceRanges)}`];
    case 'gcp:container/cluster:Cluster':
      return [`location=${inputs.location}`, `minVersion=${inputs.minMasterVersion}`, `channel=${inputs.releaseChannel?.channel}`, `controlPlane=${inputs.privateClusterConfig?.masterIpv4CidrBlock}`,
        `workloadPool=${inputs.workloadIdentityConfig?.workloadPool}`, `deletionProtection=${inputs.deletionProtection}`];
    case 'gcp:container/nodePool:NodePool':
      return [`machine=${inputs.nodeConfig?.machineType}`, `nodes=${inputs.autoscaling?.minNodeCount}..${inputs.autoscaling?.maxNodeCount}`, `serviceAccount=${inputs.nodeConfig?.serviceAccount}`];
    case 'gcp:projects/iAMMember:IAMMember':
      return [`role=${inputs.role}`];
    case 'gcp:compute/address:Address':
      return [`${inputs.addressType ?? 'EXTERNAL'}`, `region=${inputs.region}`];
    case 'gcp:compute/routerNat:RouterNat':
      return [`region=${inputs.region}`, `subnets=${(inputs.subnetworks ?? []).length}`];
    case 'kubernetes:helm.sh/v3:Release':
      return [`chart=${inputs.chart}@${inputs.version}`, `namespace=${inputs.namespace}`, ...(inputs.values?.service?.loadBalancerIP ? [`loadBalancerIP=${inputs.values.service.loadBalancerIP}`] : [])];
    case 'kubernetes:yaml/v2:ConfigGroup': {
      const objs = (inputs.objs ?? []) as any[];
      const peers = objs.filter((o) => o.kind === 'ClusterFederatedTrustDomain').map((o) => `${o.spec.trustDomain}@${o.spec.bundleEndpointURL}${o.spec.trustDomainBundle ? '+bundle' : ''}`);
      const addresses = objs.filter((o) => o.kind === 'Service' && o.spec?.loadBalancerIP).map((o) => `${o.metadata.name}=${o.spec.loadBalancerIP}`);
      return [`objects=${objs.length}`, ...(peers.length ? [`federation=${peers.join(',')}`] : []), ...(addresses.length ? [`addresses=${addresses.join(',')}`] : []), ...cloudKeyManager(objs)];
    }
    case 'gcp:kms/keyRing:KeyRing':
      return [`location=${inputs.location}`, `name=${inputs.name}`];
    case 'gcp:kms/keyRingIAMMember:KeyRingIAMMember':
      return [`role=${inputs.role}`, `member=${inputs.member}`];
    case 'gcp:projects/service:Service':
      return [`api=${inputs.service}`];
    case 'gcp:projects/iAMCustomRole:IAMCustomRole':
      return [`roleId=${inputs.roleId}`, `permissions=${(inputs.permissions ?? []).length}`];
    case 'kubernetes:core/v1:Secret':
      return [`${inputs.metadata?.namespace}/${inputs.metadata?.name}`, `type=${inputs.type}`];
    case 'tls:index/selfSignedCert:SelfSignedCert':
      return [`subject=${inputs.subject?.commonName}`, `validityHours=${inputs.validityPeriodHours}`, `uses=${list(inputs.allowedUses)}`];
    case 'aws:ec2/vpc:Vpc':
      return [`cidr=${inputs.cidrBlock}`];
    case 'aws:ec2/subnet:Subnet':
      return [`zone=${inputs.availabilityZone}`, `cidr=${inputs.cidrBlock}`];
    case 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule':
      return [`tcp=${inputs.fromPort}`, `from=${inputs.cidrIpv4 ?? inputs.referencedSecurityGroupId ?? '?'}`];
    case 'aws:eks/cluster:Cluster':
      return [`version=${inputs.version}`, `publicAccess=${list(inputs.vpcConfig?.publicAccessCidrs ?? ['(AWS default)'])}`, `deletionProtection=${inputs.deletionProtection}`];
    case 'aws:eks/nodeGroup:NodeGroup':
      return [`instances=${list(inputs.instanceTypes)}`, `nodes=${inputs.scalingConfig?.minSize}..${inputs.scalingConfig?.maxSize}`];
    case 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection':
      return [`peerRegion=${inputs.peerRegion ?? '(same)'}`];
    case 'tls:index/privateKey:PrivateKey':
      return [`algorithm=${inputs.algorithm}/${inputs.ecdsaCurve ?? ''}`];
    default:
      return [];
  }
}

/** A SPIRE server file's KeyManager when it is a cloud KMS (disk, the default, is not worth a word). */
function cloudKeyManager(objs: readonly any[]): string[] {
  const conf = objs.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'spire-server' && typeof o.data?.['server.conf'] === 'string');
  if (!conf) return [];
  const plugin = Object.keys((JSON.parse(conf.data['server.conf']) as { plugins?: { KeyManager?: object } }).plugins?.KeyManager ?? {})[0];
  return plugin && plugin !== 'disk' ? [`keyManager=${plugin}`] : [];
}

/** Which cluster a resource belongs to (its provider's or its name's), or undefined for shared ones. */
function clusterOf(topology: Topology, name: string, provider: string | undefined): string | undefined {
  const names = topology.clusters.map((c) => c.name).sort((a, b) => b.length - a.length);
  const byProvider = names.find((c) => provider?.includes(`::${c}-k8s::`));
  if (byProvider) return byProvider;
  const bare = name.replace(new RegExp(`^${topology.environment}-net-`), '');
  return names.find((c) => bare === c || bare.startsWith(`${c}-`));
}

const runtimeTypes = new Set(['pulumi:providers:kubernetes']);

/** Runs the program under mocks; resolves once every remote secret has its inputs and registrations stopped. */
export async function runPlan(topology: Topology, options: PlanOptions = {}): Promise<Plan> {
  const project = options.project ?? 'offline-plan';
  const seen = new Map<string, { type: string; name: string; provider?: string; inputs: Record<string, any> }>();
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      const state = { ...args.inputs, ...(mockCloudState({ type: args.type, name: args.name, inputs: args.inputs }, { project }) ?? {}) };
      if (args.type === 'kubernetes:core/v1:Secret' && args.inputs.type === 'kubernetes.io/service-account-token') state.data = { token: Buffer.from('offline-token').toString('base64') };
      seen.set(`${args.type}::${args.name}`, { type: args.type, name: args.name, ...(args.provider ? { provider: args.provider } : {}), inputs: args.inputs });
      options.onResource?.({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state };
    },
    call: (args) => {
      const result = mockCloudCall(args.token, args.inputs);
      if (!result) throw new Error(`the program called ${args.token}; the offline plan has no cloud to answer it`);
      return result;
    },
  }, 'meshfed', topology.environment, false);
  const existing = options.existingClusters ?? [];
  const standIn = (c: string) => JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': c,
    clusters: [{ name: c, cluster: { server: `https://${c}.example.invalid`, 'certificate-authority-data': Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n').toString('base64') } }],
    contexts: [{ name: c, context: { cluster: c, user: c } }], users: [{ name: c, user: {} }],
  });
  const program = deployMesh({
    topology,
    existingClusters: existing,
    ...(existing.length > 0 ? { kubeconfigs: pulumi.secret(pulumi.output(Object.fromEntries(existing.map((c) => [c, standIn(c)])))) } : {}),
    gcp: { project, apiAccessCidrs: ['(your address)/32'] },
  });
  let notes: readonly SynthNote[] | undefined;
  program.notes.apply((n) => { notes = n; });
  // The program's own pairs (with the roots the stack generates, more than the written topology's).
  const remote = Object.keys(program.remoteSecrets.secrets).length;
  let last = -1;
  for (let stable = 0; stable < 5;) {
    await new Promise((r) => setTimeout(r, 40));
    const done = notes !== undefined && [...seen.values()].filter((r) => r.name.startsWith('remote-secrets-') && r.type === 'kubernetes:core/v1:Secret').length >= remote;
    stable = done && seen.size === last ? stable + 1 : 0;
    last = seen.size;
  }
  const resources = [...seen.values()].filter((r) => !runtimeTypes.has(r.type));
  const groups = [...topology.clusters.map((c) => ({ cluster: c.name, heading: `${c.name} (${c.provider} ${c.cloud.zone ?? c.region}, ${c.trustDomain}${existing.includes(c.name) ? ', existing' : ''})` })), { cluster: '(environment)', heading: '(environment)' }]
    .map((g) => ({
      ...g,
      resources: resources
        .filter((r) => (clusterOf(topology, r.name, r.provider) ?? '(environment)') === g.cluster)
        .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
        .map((r) => ({ type: r.type, name: r.name, details: details(r.type, r.inputs) })),
    }));
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return { environment: topology.environment, groups, counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))), total: resources.length, notes: notes ?? [] };
}

/** Plain-text rendering. */
export function formatPlan(plan: Plan): string {
  const lines = [`meshfed plan: environment ${plan.environment}, ${plan.total} resources (offline, cloud values are stand-ins)`, ''];
  for (const g of plan.groups) {
    if (g.resources.length === 0) continue;
    lines.push(g.heading);
    for (const r of g.resources) lines.push(`  ${r.type}  ${r.name}${r.details.length ? `  ${r.details.join(' ')}` : ''}`);
    lines.push('');
  }
  lines.push('Resources by type:');
  for (const [type, n] of Object.entries(plan.counts)) lines.push(`  ${String(n).padStart(4)}  ${type}`);
  return `${lines.join('\n')}\n`;
}
