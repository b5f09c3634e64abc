/**
 * The README holds: its topology example loads and synthesizes, every key it does not mark required has its
 * default value, and every command line it shows parses.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { loadTopology, topologyJsonSchema, type Topology } from '../clusters';
import { GKE_DEFAULT_MACHINE_TYPE } from '../infra/gcp/gke-cluster';
import { runCli } from '../synth/program';
import { renderTopology, type SynthResult } from '../synth/synthesize';
import { tempDirs } from './helpers/temp-dirs';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

async function help(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli([...args, '--help'], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined }, cwd: ROOT });
  return { code, stdout };
}

/** `meshfed <command> ...` and `npm run [--silent] <command> -- ...` in the README: each command with the options after it. */
function commandLines(text: string): { command: string; options: string[]; line: string }[] {
  const found: { command: string; options: string[]; line: string }[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/(?:\bmeshfed|npm run(?: --silent)?) (synth|validate|diff|plan)\b((?:\\\||[^`|\n])*)/g)) {
      found.push({ command: m[1], options: [...m[2].matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)].map((o) => o[1]), line });
    }
  }
  return found;
}

const EXAMPLE = /## The topology file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
const load = (text: string): Topology => loadTopology(text, 'README.md', { baseDir: join(ROOT, 'clusters') });

type Plain = { [key: string]: unknown };
/** Keys the README example marks `# required ...` on their line: top level (not indented) and per cluster. */
function keysMarkedRequired(): { top: string[]; cluster: string[] } {
  const marked = [...EXAMPLE.matchAll(/^( *)(?:- )?([A-Za-z]+):[^#\n]*# required\b/gm)];
  return { top: marked.filter((m) => m[1] === '').map((m) => m[2]), cluster: marked.filter((m) => m[1] !== '').map((m) => m[2]) };
}

/** Every key of the example's clusters that the schema requires, and trustDomain (required unless nestedUnder). */
function requiredOnly(example: Plain): Plain {
  const schema = topologyJsonSchema() as { required: string[]; properties: { clusters: { items: { required: string[] } } } };
  const clusterKeys = [...schema.properties.clusters.items.required, 'trustDomain'];
  const pick = (o: Plain, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
  return { ...pick(example, schema.required), clusters: (example.clusters as Plain[]).map((c) => pick(c, clusterKeys)) };
}

/** Paths (a.b.c) where two loaded topologies differ. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Plain)[k], (b as Plain)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/** Every file synth writes for a topology, by path, with the notes. */
function written(result: SynthResult): Record<string, string> {
  const files: Record<string, string> = { NOTES: result.notes.map((n) => `${n.cluster}: ${n.text}`).join('\n') };
  for (const [name, text] of result.environmentFiles) files[name] = text;
  for (const c of result.clusters) for (const [name, text] of [...c.files, ...(c.documents ?? [])]) files[`${c.cluster}/${name}`] = text;
  return files;
}

describe('README', () => {
  const tmp = tempDirs('meshfed-readme-');

  it('has a topology example that loads and synthesizes', () => {
    expect(EXAMPLE).not.toBe('');
    const topology = load(EXAMPLE);
    const result = renderTopology(topology, '/unused');
    expect(result.clusters.map((c) => c.cluster)).toEqual(['cluster-1']);
    expect(result.clusters[0].objectCount).toBeGreaterThan(0);
  });

  describe('topology example: every key not marked required has its default value', () => {
    const example = parseDocument(EXAMPLE).toJS() as Plain;
    const minimal = requiredOnly(example);

    it('marks as required exactly the keys the schema and rules require', () => {
      const schema = topologyJsonSchema() as { required: string[]; properties: { clusters: { items: { required: string[] } } } };
      const marked = keysMarkedRequired();
      expect(marked.top.sort()).toEqual([...schema.required].sort());
      expect(marked.cluster.sort()).toEqual([...schema.properties.clusters.items.required, 'trustDomain'].sort());
    });

    // Values the loaded topology leaves unset and a construct or the stack fills in; the example shows the filled-in value.
    const DEFAULTED_DOWNSTREAM = [
      'clusters.0.nodePool.machineType', // infra/gcp/gke-cluster.ts GKE_DEFAULT_MACHINE_TYPE
      'clusters.0.spire.caSubject.country', 'clusters.0.spire.caSubject.organization', // SpireServer caSubject
      'clusters.0.spire.oidcDiscovery.domain', // cluster-manifests.ts: oidc-discovery.<trustDomain>
      'clusters.0.spire.agent.resources', 'clusters.0.spire.serverResources', // AGENT_/SERVER_DEFAULT_RESOURCES
      'clusters.0.istio.nativeSidecars', // by kubernetesVersion
    ];

    it('loads to the same topology as its required keys alone, but for values filled in downstream', () => {
      expect(differences(load(EXAMPLE), load(stringify(minimal))).filter((p) => !DEFAULTED_DOWNSTREAM.includes(p))).toEqual([]);
      expect((example.clusters as { nodePool: Plain }[])[0].nodePool.machineType).toBe(GKE_DEFAULT_MACHINE_TYPE);
    });

    it.each([
      ['as shown', (t: Plain) => t],
      // The OIDC domain and anything else behind oidcDiscovery only shows in the output when it is on.
      ['with oidcDiscovery enabled', (t: Plain) => ({
        ...t, clusters: (t.clusters as Plain[]).map((c) => ({ ...c, spire: { ...(c.spire as Plain), oidcDiscovery: { ...((c.spire as Plain | undefined)?.oidcDiscovery as Plain), enabled: true } } })),
      })],
    ])('synthesizes byte for byte what its required keys alone do (%s)', (_, variant) => {
      const render = (t: Plain) => written(renderTopology(load(stringify(variant(t))), '/unused'));
      const shown = render(example);
      expect(Object.keys(shown).length).toBeGreaterThan(5);
      expect(render(minimal)).toEqual(shown);
    });
  });

  it('shows the errors synth really prints for the bad dev.yaml it describes', async () => {
    const shown = /Invalid input is reported[\s\S]*?```\n([\s\S]*?)```/.exec(README)?.[1];
    expect(shown).toMatch(/^clusters\/dev\.yaml:\d+: /);
    const project = tmp();
    mkdirSync(join(project, 'clusters'));
    const dev = readFileSync(join(ROOT, 'clusters', 'dev.yaml'), 'utf8');
    const bad = dev.replace('trustDomain: bar.com', 'trustDomain: foo.com').replace('cidr: 10.20.0.0/16', 'cidr: 10.10.0.0/24');
    expect(bad).not.toBe(dev);
    writeFileSync(join(project, 'clusters', 'dev.yaml'), bad);
    let stderr = '';
    const code = await runCli(['synth', '--env', 'dev'], { stdout: { write: () => undefined }, stderr: { write: (t: string) => (stderr += t) }, cwd: project });
    expect({ code, stderr }).toEqual({ code: 2, stderr: shown });
    expect(readdirSync(project)).toEqual(['clusters']);
  });

  it('shows only options the commands accept (every `meshfed <command> --flag` and `npm run <command> -- --flag`)', async () => {
    const lines = commandLines(README);
    // The command-line table names every command.
    expect(new Set(lines.map((l) => l.command))).toEqual(new Set(['synth', 'validate', 'diff', 'plan']));
    const unknown: string[] = [];
    for (const { command, options, line } of lines) {
      const { code, stdout } = await help([command]);
      expect(code).toBe(0);
      for (const option of options) if (!new RegExp(`(^|[ ,])${option}([ ,]|$)`, 'm').test(stdout)) unknown.push(`${command} ${option}: ${line.trim()}`);
    }
    expect(unknown).toEqual([]);
    expect(lines.flatMap((l) => l.options)).toEqual(expect.arrayContaining(['--env', '--cluster', '--json', '--strict', '--quiet', '--out', '--topology', '--print-schema', '--existing']));
  });

  it('documents every exit code the commands use', () => {
    const section = README.slice(README.indexOf('## Command line'), README.indexOf('\n## ', README.indexOf('## Command line') + 1));
    for (const code of ['0', '1', '2', '3']) expect(section).toMatch(new RegExp(`^\\| ${code} \\| `, 'm'));
  });
});
