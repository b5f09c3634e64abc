/**
 * The README's Deploy sections, checked against the program: every `pulumi config set` key is one the
 * stack reads, every port row of the exposure table equals what the firewall and security group rule
 * functions open for the shipped environments, the dev plan excerpt equals the offline plan, and the
 * order step 6 says the stack waits in is the order the program's resource dependencies impose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology, loadTopologyFile, type Topology } from '../clusters';
import { clusterRanges } from '../infra/address-ranges';
import { firewallRules, GOOGLE_HEALTH_CHECK_RANGES } from '../infra/firewall-rules';
import { meshIngressRules } from '../infra/aws/security-rules';
import { formatPlan, runPlan } from '../infra/plan/plan';
import type * as pulumi from '@pulumi/pulumi';
import { PREREQUISITES } from '../constructs/core/versions';
import { NESTED } from '../constructs/spire/nested';
import { remoteSecretName } from '../constructs/istio/remote-secret';
import { gcpNames } from '../clusters/cloud-names';
import { dependencyGraph } from './helpers/dependency-graph';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text between `<!-- name -->` and `<!-- /name -->`. */
function marked(name: string): string {
  const start = README.indexOf(`<!-- ${name} -->`);
  const end = README.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- ${name} --> ... <!-- /${name} --> block`);
  return README.slice(start + `<!-- ${name} -->`.length, end);
}

describe('pulumi config set keys in the README', () => {
  /** `namespace:key` of every Config read in the stack program, e.g. `meshfed:topology`, `gcp:project`. */
  function keysTheProgramReads(): Set<string> {
    const source = readFileSync(join(ROOT, 'stacks', 'index.ts'), 'utf8');
    const keys = new Set<string>();
    for (const [, variable, namespace] of source.matchAll(/const (\w+) = new pulumi\.Config\('([\w-]+)'\)/g)) {
      for (const [, key] of source.matchAll(new RegExp(`\\b${variable}\\.(?:get|require)\\w*(?:<[^(]*>)?\\('([\\w-]+)'\\)`, 'g'))) keys.add(`${namespace}:${key}`);
    }
    return keys;
  }

  it('names only keys the program reads', () => {
    const read = keysTheProgramReads();
    // What the parser must find, so a change to the program's config reads cannot make this test pass vacuously.
    expect([...read].sort()).toEqual(['gcp:project', 'meshfed:apiAccessCidrs', 'meshfed:kubeconfigs', 'meshfed:topology']);
    const documented = [...README.matchAll(/pulumi config set\s+(?:--[\w-]+\s+)*'?([\w-]+:[\w-]+)/g)].map(([, key]) => key);
    expect(documented.length).toBeGreaterThanOrEqual(4);
    expect(documented.filter((k) => !read.has(k))).toEqual([]);
    // Every key the stack needs for a GKE environment is documented.
    expect(new Set(documented)).toEqual(read);
  });
});

describe('exposure table', () => {
  type Cloud = 'gke' | 'eks';
  /** port -> cloud -> source classes, as the README names them. */
  type Exposure = Map<number, Record<Cloud, Set<string>>>;
  const entry = (e: Exposure, port: number): Record<Cloud, Set<string>> => {
    if (!e.has(port)) e.set(port, { gke: new Set(), eks: new Set() });
    return e.get(port)!;
  };

  /** What the rule functions open on created clusters of `topology`, by port and cloud. */
  function exposureOf(topology: Topology, into: Exposure): void {
    const ranges = clusterRanges(topology);
    const controlPlanes = new Set(ranges.map((r) => r.controlPlane));
    const healthChecks = new Set<string>(GOOGLE_HEALTH_CHECK_RANGES);
    for (const rule of firewallRules(topology, ranges).filter((r) => topology.clusters.find((c) => c.name === r.target)!.provider === 'gke')) {
      for (const port of rule.ports) {
        const classes = entry(into, port).gke;
        for (const source of rule.sources) classes.add(healthChecks.has(source) ? 'health checks' : controlPlanes.has(source) ? 'control plane' : 'peers');
        if (rule.peerEgress.length > 0) classes.add('peer NAT');
      }
    }
    for (const cluster of topology.clusters.filter((c) => c.provider === 'eks')) {
      for (const rule of meshIngressRules(topology, cluster.name, { egressOf: () => ['(NAT)'] })) {
        const { source } = rule;
        entry(into, rule.port).eks.add(source.kind === 'control-plane' ? 'control plane'
          : source.cidr === '(NAT)' ? 'peer NAT'
            : source.peer === cluster.name ? 'health checks' : 'peers');
      }
    }
  }

  function documented(): Exposure {
    const rows = marked('exposure-table').split('\n').filter((l) => /^\|\s*\d+\s*\|/.test(l));
    const table: Exposure = new Map();
    const classes = (cell: string) => new Set(cell.trim() === '-' ? [] : cell.split(',').map((s) => s.trim()));
    for (const row of rows) {
      const cells = row.split('|').slice(1, -1);
      expect(cells).toHaveLength(5);
      table.set(Number(cells[0]), { gke: classes(cells[3]), eks: classes(cells[4]) });
    }
    return table;
  }

  it('has one row per port the rules open, with exactly their sources per cloud (shipped environments)', () => {
    const actual: Exposure = new Map();
    for (const env of ['dev', 'staging', 'eks', 'mixed']) exposureOf(loadTopologyFile(join(ROOT, 'clusters', `${env}.yaml`)), actual);
    // Not in a shipped environment: an EKS parent with a GKE child (8081 from the child's Cloud NAT).
    exposureOf(loadTopology(`environment: cross
clusters:
  - { name: root, provider: eks, region: us-east-1, trustDomain: root.example.org, cidr: 10.50.0.0/16 }
  - { name: child, provider: gke, region: us-central1, nestedUnder: root, cidr: 10.60.0.0/16 }
`), actual);
    const sorted = (e: Exposure) => [...e.entries()].sort(([a], [b]) => a - b).map(([port, c]) => [port, [...c.gke].sort(), [...c.eks].sort()]);
    expect(sorted(documented())).toEqual(sorted(actual));
  });
});

describe('the dev plan excerpt', () => {
  it('equals the offline plan of clusters/dev.yaml: header, every resource line shown, and the counts by type', async () => {
    const plan = await runPlan(loadTopologyFile(join(ROOT, 'clusters', 'dev.yaml')));
    const lines = formatPlan(plan).split('\n');
    const excerpt = marked('plan:dev').split('\n').filter((l) => l !== '```' && l.trim() !== '' && !l.startsWith('$ ') && !l.includes('... the same resources'));
    const hint = 'README.md is stale: paste the output of `npm run plan -- --env dev` into the plan:dev block';
    expect([hint, excerpt[0]]).toEqual([hint, lines[0]]);
    const missing = excerpt.filter((l) => !lines.includes(l));
    expect([hint, missing]).toEqual([hint, []]);
    const counts = excerpt.slice(excerpt.indexOf('Resources by type:') + 1);
    expect([hint, counts]).toEqual([hint, Object.entries(plan.counts).map(([type, n]) => `  ${String(n).padStart(4)}  ${type}`)]);
    // The excerpt shows every resource of cluster-1 and of the environment.
    for (const group of plan.groups.filter((g) => g.cluster !== 'cluster-2')) {
      for (const r of group.resources) expect(excerpt.some((l) => l.startsWith(`  ${r.type}  ${r.name}`))).toBe(true);
    }
  }, 60000);
});

describe('the mixed plan excerpt (Deploy on AWS or across clouds)', () => {
  it('has the header and only lines of the offline plan of clusters/mixed.yaml', async () => {
    const lines = formatPlan(await runPlan(loadTopologyFile(join(ROOT, 'clusters', 'mixed.yaml')))).split('\n');
    // The block sits in a numbered list item: drop its three-space indent, the fence, the command and the elisions.
    const excerpt = marked('plan:mixed').split('\n').map((l) => l.replace(/^ {3}/, ''))
      .filter((l) => l !== '```' && l.trim() !== '' && !l.startsWith('$ ') && l.trim() !== '...');
    const hint = 'README.md is stale: paste lines of `npm run plan -- --env mixed` into the plan:mixed block';
    expect([hint, excerpt[0]]).toEqual([hint, lines[0]]);
    expect([hint, excerpt.filter((l) => !lines.includes(l))]).toEqual([hint, []]);
    // Both clusters and both clouds' cross-cloud rules are shown, not only the header.
    expect(excerpt.filter((l) => /^\S/.test(l))).toEqual([lines[0], lines.find((l) => l.startsWith('gke-hub ')), lines.find((l) => l.startsWith('eks-edge '))]);
  }, 60000);
});

describe('what the stack waits for (Deploy step 6, GKE and AWS), derived from the program\'s dependencies', () => {
  /**
   * The README's steps in the order its marked prose names them. A step is a phrase the README uses; each
   * becomes a label that `stepResources` maps to the program's resources, so the prose stays prose.
   */
  const PHRASES: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => string]> = [
    [/the VPC and the cluster's subnet/g, () => 'network'],
    [/the GKE cluster until it runs/g, () => 'cluster'],
    [/its node pool/g, () => 'node pool'],
    [/its managed node group/g, () => 'node group'],
    [/the EBS CSI add-on/g, () => 'EBS CSI add-on'],
    [/cert-manager and SPIRE CRD Helm releases/g, () => 'prerequisites'],
    [/the same per-cluster order as on GKE/g, () => 'as on GKE'],
    [/`(\d{2}-[a-z0-9-]+)`/g, (m) => `file ${m[1]}`],
    [/`([a-z0-9-]+)` Secret/g, (m) => `secret ${m[1]}`],
    [/`(base|cni|istiod)`/g, (m) => `istio ${m[1]}`],
    [/both gateways/g, () => 'gateways'],
    [/one remote secret per peer/g, () => 'remote secrets'],
  ];
  /** A marked block as one line (the prose wraps anywhere). */
  const prose = (block: string): string => marked(block).replace(/\s+/g, ' ');
  function documentedOrder(block: string): string[] {
    const text = prose(block);
    const found = PHRASES.flatMap(([re, label]) => [...text.matchAll(re)].map((m) => ({ at: m.index!, label: label(m as RegExpExecArray) })));
    return found.sort((a, b) => a.at - b.at).map((f) => f.label);
  }

  type Graph = Awaited<ReturnType<typeof dependencyGraph>>;
  const PREREQUISITE_CHARTS = new Set([PREREQUISITES.certManager.chart, PREREQUISITES.spireCrds.chart]);

  /** The program's resources behind a README label, for one cluster ([] when the cluster has none). */
  async function stepResources(g: Graph, cluster: string, label: string): Promise<string[]> {
    const { program } = g;
    const d = program.deployments[cluster];
    const provider = await g.keyOf(d.provider);
    const deployed = [...g.nodes.values()].filter((n) => n.needs.includes(provider));
    const keys = (resources: readonly pulumi.Resource[]) => Promise.all(resources.map(g.keyOf));
    const parts = /^(file|secret|istio) (.+)$/.exec(label);
    const arg = parts?.[2] ?? '';
    switch (parts?.[1] ?? label) {
      case 'network': return keys([program.gcp!.network.network, program.gcp!.network.subnets[cluster]]);
      case 'cluster': return keys([program.gcp!.clusters[cluster].cluster]);
      case 'node pool': return keys([program.gcp!.clusters[cluster].nodePool]);
      case 'node group': return keys([program.aws!.clusters[cluster].eks.nodeGroup]);
      case 'EBS CSI add-on': return keys([program.aws!.clusters[cluster].eks.ebsCsiAddon]);
      // cert-manager, the SPIRE CRDs and the cloud's addons (EKS: the AWS Load Balancer Controller).
      case 'prerequisites': return [
        ...deployed.filter((n) => n.type === 'kubernetes:helm.sh/v3:Release' && PREREQUISITE_CHARTS.has(n.inputs.chart)).map((n) => n.key),
        ...await keys(Object.values(d.addons)),
      ];
      case 'file': return d.groups[`${arg}.yaml`] ? keys([d.groups[`${arg}.yaml`]]) : [];
      case 'secret': return deployed.filter((n) => n.type === 'kubernetes:core/v1:Secret' && n.inputs.metadata?.name === arg).map((n) => n.key);
      case 'istio': return keys([d.istio.releases[arg]]);
      case 'gateways': return deployed.filter((n) => n.type === 'kubernetes:helm.sh/v3:Release' && n.inputs.chart === 'gateway').map((n) => n.key);
      case 'remote secrets': return keys(Object.entries(program.remoteSecrets.secrets).filter(([id]) => id.startsWith(`${cluster}/`)).map(([, s]) => s));
      default: throw new Error(`README step "${label}" has no resources mapped in this test`);
    }
  }

  /**
   * The labels in the order the program imposes: a label comes after every label all of whose resources
   * each of its resources waits for. Also returns where that is not a chain (consecutive steps that do not
   * wait for each other) and steps whose parts wait for each other although the README says side by side.
   */
  function programOrder(g: Graph, steps: ReadonlyMap<string, readonly string[]>): { order: string[]; notAChain: string[] } {
    const after = (a: string, b: string) => steps.get(a)!.every((x) => steps.get(b)!.every((y) => g.waitsFor(x, y)));
    const labels = [...steps.keys()];
    const rank = new Map(labels.map((l) => [l, labels.filter((o) => o !== l && after(l, o)).length]));
    // Stable sort: steps the program does not order stay in the README's order, and notAChain names them.
    const order = [...labels].sort((a, b) => rank.get(a)! - rank.get(b)!);
    const notAChain = order.slice(1).flatMap((l, i) => (after(l, order[i]) ? [] : [`${l} does not wait for ${order[i]}`]));
    return { order, notAChain };
  }

  async function stepsOf(g: Graph, cluster: string, labels: readonly string[]): Promise<Map<string, string[]>> {
    const steps = new Map<string, string[]>();
    for (const label of labels) {
      const resources = await stepResources(g, cluster, label);
      if (resources.length > 0) steps.set(label, resources);
    }
    return steps;
  }

  /** clusters/eks.yaml's graph, built once for the EKS tests. */
  let eksGraph: Promise<Graph> | undefined;
  const eksTopology = loadTopologyFile(join(ROOT, 'clusters', 'eks.yaml'));
  const eksProgram = (): Promise<Graph> => (eksGraph ??= dependencyGraph(eksTopology));

  const sideBySide = (g: Graph, resources: readonly string[]) => resources.filter((a) => resources.some((b) => a !== b && g.waitsFor(a, b)));

  it('GKE (dev): the program waits in exactly the README\'s order, for every resource it deploys into the cluster', async () => {
    const dev = loadTopologyFile(join(ROOT, 'clusters', 'dev.yaml'));
    const g = await dependencyGraph(dev);
    const documented = documentedOrder('deploy-order:gke');
    // What the parser must find, so a reworded README cannot make this test pass vacuously.
    expect(documented.filter((l) => l.startsWith('file ')).length).toBeGreaterThanOrEqual(6);
    expect(documented).toEqual(expect.arrayContaining(['network', 'cluster', 'node pool', 'prerequisites', 'istio base', 'gateways', 'remote secrets']));
    for (const cluster of ['cluster-1', 'cluster-2']) {
      const steps = await stepsOf(g, cluster, documented);
      expect([cluster, [...steps.keys()]]).toEqual([cluster, documented]);
      const { order, notAChain } = programOrder(g, steps);
      const hint = `README.md deploy-order:gke is not the program's order for ${cluster}`;
      expect([hint, order, notAChain]).toEqual([hint, documented, []]);
      expect(sideBySide(g, steps.get('prerequisites')!)).toEqual([]);
      expect(sideBySide(g, steps.get('gateways')!)).toEqual([]);
      // Every resource deployed into the cluster is one of the README's steps (none is left unmentioned).
      const provider = await g.keyOf(g.program.deployments[cluster].provider);
      const named = new Set([...steps.values()].flat());
      expect([...g.nodes.values()].filter((n) => n.needs.includes(provider) && !named.has(n.key)).map((n) => n.key)).toEqual([]);
      // Before anything goes into the cluster: its region's Cloud NAT (private nodes pull images from outside
      // Google through it) and every firewall rule targeting its nodes (the control plane calls webhooks).
      const region = dev.clusters.find((c) => c.name === cluster)!.region;
      const needed = [...g.nodes.values()].filter((n) => (n.type === 'gcp:compute/routerNat:RouterNat' && n.inputs.region === region)
        || (n.type === 'gcp:compute/firewall:Firewall' && (n.inputs.targetTags as string[]).includes(gcpNames.nodeTag(dev.environment, cluster)))).map((n) => n.key);
      expect(needed.filter((k) => k.startsWith('gcp:compute/routerNat')).length).toBe(1);
      expect(needed.filter((k) => k.startsWith('gcp:compute/firewall')).length).toBeGreaterThan(1);
      expect(prose('deploy-order:gke')).toContain('the region\'s Cloud NAT');
      for (const first of steps.get('prerequisites')!) expect([first, needed.filter((k) => !g.waitsFor(first, k))]).toEqual([first, []]);
    }
    // A remote secret also waits for its peer's reader token, which is awaited until the token is filled in.
    for (const [id, secret] of Object.entries(g.program.remoteSecrets.secrets)) {
      const peer = Object.keys(g.program.deployments).find((c) => id.split('/')[1] === remoteSecretName(c))!;
      expect(g.waitsFor(await g.keyOf(secret), await g.keyOf(g.program.deployments[peer].readerToken!))).toBe(true);
    }
    // The stack writes each root CA itself (the spire-root-ca Secret step), so no file has a cert-manager
    // Certificate for a step to wait on, and step 6 names none.
    const groups = await Promise.all(Object.values(g.program.deployments['cluster-1'].groups).map(g.keyOf));
    const kinds = new Set(groups.flatMap((k) => (g.nodes.get(k)!.inputs.objs as any[]).map((o) => `${o.apiVersion}/${o.kind}`)));
    expect([kinds.has('cert-manager.io/v1/Issuer'), kinds.has('cert-manager.io/v1/Certificate')]).toEqual([true, false]);
    const token = g.nodes.get(await g.keyOf(g.program.deployments['cluster-1'].readerToken!))!;
    expect(token.inputs.metadata.annotations['pulumi.com/waitFor']).toBe('jsonpath={.data.token}');
  }, 60000);

  it('EKS (clusters/eks.yaml): node group, EBS CSI add-on, then the GKE per-cluster order with the Load Balancer Controller among the prerequisites', async () => {
    const g = await eksProgram();
    const eks = documentedOrder('deploy-order:eks');
    expect(eks).toEqual(['node group', 'EBS CSI add-on', 'as on GKE']);
    expect(prose('deploy-order:eks')).toContain('AWS Load Balancer Controller\'s Helm release beside cert-manager and the SPIRE CRDs');
    const gke = documentedOrder('deploy-order:gke');
    const perCluster = [...eks.slice(0, -1), ...gke.slice(gke.indexOf('prerequisites'))];
    for (const cluster of Object.keys(g.program.deployments)) {
      expect([cluster, Object.keys(g.program.deployments[cluster].addons)]).toEqual([cluster, ['aws-load-balancer-controller']]);
      // The README's steps this cluster has (a nested child has no CA file of its own), in the program's order.
      const steps = await stepsOf(g, cluster, perCluster);
      const { order, notAChain } = programOrder(g, steps);
      const hint = `README.md deploy-order:eks (with deploy-order:gke) is not the program's order for ${cluster}`;
      expect([hint, order, notAChain]).toEqual([hint, [...steps.keys()], []]);
      expect(sideBySide(g, steps.get('prerequisites')!)).toEqual([]);
      // The node group waits for the private subnets' NAT routes and table associations (nodes join and pull
      // images through them); the first deploy step for the rules that let the control plane call webhooks.
      const eksCluster = g.program.aws!.clusters[cluster].eks;
      const nodeGroup = await g.keyOf(eksCluster.nodeGroup);
      const egress = await Promise.all(g.program.aws!.clusters[cluster].vpc.privateEgress.map(g.keyOf));
      expect(egress.filter((k) => k.startsWith('aws:ec2/route:Route')).length).toBeGreaterThan(0);
      expect(egress.filter((k) => k.startsWith('aws:ec2/routeTableAssociation')).length).toBeGreaterThan(1);
      expect([cluster, egress.filter((k) => !g.waitsFor(nodeGroup, k))]).toEqual([cluster, []]);
      const fromControlPlane = meshIngressRules<string>(eksTopology, cluster, { egressOf: () => [] }).filter((r) => r.source.kind !== 'cidr').flatMap((r) => [r.name, `${r.name}-egress`]);
      const webhookRules = [...g.nodes.values()].filter((n) => n.type.startsWith('aws:vpc/securityGroup') && fromControlPlane.includes(n.key.split('::')[1])).map((n) => n.key);
      expect(webhookRules.length).toBe(fromControlPlane.length);
      expect(webhookRules.length).toBeGreaterThan(1);
      for (const first of steps.get('prerequisites')!) expect([first, webhookRules.filter((k) => !g.waitsFor(first, k))]).toEqual([first, []]);
      // Every file of the cluster, the ones the README does not list included, in file order.
      const files = Object.keys(g.program.deployments[cluster].groups).sort((a, b) => a.localeCompare(b));
      const fileOrder = programOrder(g, await stepsOf(g, cluster, files.map((f) => `file ${f.replace(/\.yaml$/, '')}`)));
      expect([cluster, fileOrder]).toEqual([cluster, { order: files.map((f) => `file ${f.replace(/\.yaml$/, '')}`), notAChain: [] }]);
    }
  }, 60000);

  it('EKS nested: a parent\'s spire-nested-kubeconfigs Secret, before its 20-spire-server, waits for each child\'s parent-access token after the child\'s 15-spire-upstream', async () => {
    const g = await eksProgram();
    const text = marked('deploy-order:eks') + README.slice(README.indexOf('<!-- /deploy-order:eks -->'), README.indexOf('Each Service', README.indexOf('<!-- /deploy-order:eks -->')));
    const [upstream, server] = ['15-spire-upstream', '20-spire-server'];
    for (const name of [NESTED.kubeconfigSecret, `${NESTED.parentAccess}-token`, upstream, server]) expect(text).toContain(`\`${name}\``);
    const root = g.program.deployments.root;
    const nested = await g.keyOf(root.stackSecrets[NESTED.kubeconfigSecret]);
    expect(g.waitsFor(await g.keyOf(root.groups[`${server}.yaml`]), nested)).toBe(true);
    for (const child of ['child-east', 'child-west']) {
      const token = await g.keyOf(g.program.deployments[child].parentAccessToken!);
      expect([child, g.waitsFor(nested, token), g.waitsFor(token, await g.keyOf(g.program.deployments[child].groups[`${upstream}.yaml`]))]).toEqual([child, true, true]);
    }
  }, 60000);
});
