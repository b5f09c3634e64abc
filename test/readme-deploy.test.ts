/**
 * The README's Deploy sections, checked against the program: every `pulumi config set` key is one the
 * stack reads, every port row of the exposure table equals what the firewall and security group rule
 * functions open for the shipped environments, and the dev plan excerpt equals the offline plan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology, loadTopologyFile, type Topology } from '../clusters';
import { clusterRanges } from '../infra/address-ranges';
import { firewallRules, GOOGLE_HEALTH_CHECK_RANGES } from '../infra/firewall-rules';
import { meshIngressRules } from '../infra/aws/security-rules';
import { formatPlan, runPlan } from '../infra/plan/plan';

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
