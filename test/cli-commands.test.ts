/** meshfed synth --env/--cluster/--json/--strict, validate in one pass, diff, plan and --help: exit codes and exact messages. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../synth/program';
import { twoClusters } from './helpers/synth';
import { tempDirs } from './helpers/temp-dirs';

const tmp = tempDirs('meshfed-commands-');
const noProject = tempDirs('meshfed-no-project-');

/** A project directory with clusters/test.yaml (environment test) and clusters/other.yaml (environment other). */
function project(): string {
  const dir = tmp();
  mkdirSync(join(dir, 'clusters'));
  writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters());
  writeFileSync(join(dir, 'clusters', 'other.yaml'), twoClusters().replace('environment: test', 'environment: other'));
  return dir;
}

async function cli(args: string[], cwd: string, options: { user?: string; tty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.tty ?? false },
    cwd,
    ...(options.user === undefined ? {} : { userCwd: options.user }),
  });
  return { code, stdout, stderr };
}

const withoutNotes = (stderr: string) => stderr.split('\n').filter((l) => l !== '' && !l.startsWith('note ('));

describe('meshfed synth --env', () => {
  it('synthesizes clusters/<NAME>.yaml of the project into dist/<environment>/ only', async () => {
    const dir = project();
    const { code, stdout, stderr } = await cli(['synth', '--env', 'test'], dir);
    expect(withoutNotes(stderr)).toEqual([]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^test\/cluster-1: \d+ objects in \d+ files -> dist\/test\/cluster-1\n/);
    expect(existsSync(join(dir, 'dist', 'test', 'cluster-2', '20-spire-server.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'dist', 'other'))).toBe(false);
  });

  it('names the environments and the nearest one for an unknown --env, exit 2, nothing written', async () => {
    const dir = project();
    expect(await cli(['synth', '--env', 'tset'], dir)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed synth: --env "tset": there is no clusters/tset.yaml; did you mean `test`? (environments: other, test)\n',
    });
    expect(await cli(['synth', '--env', 'prod'], dir)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed synth: --env "prod": there is no clusters/prod.yaml (environments: other, test)\n',
    });
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('says where to run it when the directory has no clusters/ topologies (a user outside the project), exit 2', async () => {
    const empty = noProject();
    expect(await cli(['synth', '--env', 'dev'], empty)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed synth: --env "dev": there is no clusters/dev.yaml (clusters/ here has no topology files: run meshfed in the project directory, or give --topology FILE)\n',
    });
    expect(readdirSync(empty)).toEqual([]);
  });

  it('refuses --env together with --topology (exit 2)', async () => {
    const dir = project();
    expect(await cli(['synth', '--env', 'test', '--topology', 'clusters/test.yaml'], dir)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed synth: --env and --topology both name the topology; give one of them\n',
    });
  });
});

describe('meshfed synth --cluster', () => {
  it('rewrites only that cluster and keeps the other clusters meshfed wrote', async () => {
    const dir = project();
    expect((await cli(['synth', '--env', 'test', '--quiet'], dir)).code).toBe(0);
    const out = join(dir, 'dist', 'test');
    writeFileSync(join(out, 'cluster-1', '99-stale.yaml'), 'kind: ConfigMap\n');
    writeFileSync(join(out, 'cluster-2', '99-stale.yaml'), 'kind: ConfigMap\n');
    const runbook = readFileSync(join(out, 'RUNBOOK.md'), 'utf8');
    const { code, stdout } = await cli(['synth', '--env', 'test', '--cluster', 'cluster-2'], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^test\/cluster-2: \d+ objects in \d+ files -> dist\/test\/cluster-2\n$/);
    expect(existsSync(join(out, 'cluster-2', '99-stale.yaml'))).toBe(false);
    expect(existsSync(join(out, 'cluster-1', '99-stale.yaml'))).toBe(true);
    expect(readFileSync(join(out, 'RUNBOOK.md'), 'utf8')).toBe(runbook);
  });

  it('keeps the other clusters even when the topology no longer lists them', async () => {
    const dir = project();
    expect((await cli(['synth', '--env', 'test', '--quiet'], dir)).code).toBe(0);
    writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters().replace(/name: cluster-1/, 'name: cluster-0'));
    expect((await cli(['synth', '--env', 'test', '--cluster', 'cluster-2', '--quiet'], dir)).code).toBe(0);
    expect(readdirSync(join(dir, 'dist', 'test')).filter((n) => n.startsWith('cluster-')).sort()).toEqual(['cluster-1', 'cluster-2']);
  });

  it('rejects an unknown cluster with the nearest name and the list, and --cluster without --env/--topology (exit 2)', async () => {
    const dir = project();
    expect(await cli(['synth', '--env', 'test', '--cluster', 'cluster-3'], dir)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed synth: --cluster "cluster-3": environment test has no such cluster; did you mean `cluster-1`? (clusters: cluster-1, cluster-2)\n',
    });
    expect(await cli(['synth', '--cluster', 'cluster-1'], dir)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed synth: --cluster needs --env or --topology (cluster names are per environment)\n',
    });
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('meshfed synth --json and --strict', () => {
  it('prints only a JSON summary on stdout: per cluster its files, object count and notes', async () => {
    const dir = project();
    const { code, stdout, stderr } = await cli(['synth', '--env', 'test', '--json'], dir);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const summary = JSON.parse(stdout) as { environments: { environment: string; outDir: string; clusters: { cluster: string; dir: string; objects: number; files: string[]; notes: string[] }[]; removed: string[] }[]; notes: number };
    expect(summary.environments.map((e) => [e.environment, e.outDir])).toEqual([['test', 'dist/test']]);
    const [first] = summary.environments[0].clusters;
    expect(first.cluster).toBe('cluster-1');
    expect(first.dir).toBe('dist/test/cluster-1');
    expect(first.files).toEqual(expect.arrayContaining(['00-namespaces.yaml', '20-spire-server.yaml', 'RUNBOOK.md', 'NOTES.md']));
    expect(first.objects).toBeGreaterThan(10);
    expect(first.notes.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'dist', 'test', 'cluster-1', 'NOTES.md'), 'utf8')).toContain(`- ${first.notes[0]}\n`);
    expect(summary.notes).toBe(summary.environments[0].clusters.reduce((n, c) => n + c.notes.length, 0));
  });

  it('--strict writes the files and exits 3 while notes remain', async () => {
    const dir = project();
    const { code, stdout, stderr } = await cli(['synth', '--env', 'test', '--strict'], dir);
    expect(code).toBe(3);
    expect(stdout).toContain('test/cluster-1: ');
    const notes = stderr.split('\n').filter((l) => l.startsWith('note ('));
    expect(withoutNotes(stderr)).toEqual([`meshfed synth: --strict: ${notes.length} notes left (see each cluster's NOTES.md); the files were written`]);
    expect(existsSync(join(dir, 'dist', 'test', 'cluster-1', 'NOTES.md'))).toBe(true);
  });
});

/** `count` root clusters in one environment (above the 12 that get an SVG picture, so synth stays quick). */
function manyClusters(count: number): string {
  const clusters = Array.from({ length: count }, (_, i) => `  - name: c-${i + 1}
    provider: gke
    region: us-central1
    trustDomain: c${i + 1}.example
    cidr: 10.${i + 1}.0.0/16
`).join('');
  return `environment: fleet\nfederation: none\nsamples: false\nclusters:\n${clusters}`;
}

describe('progress on large topologies', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmp();
    writeFileSync(join(dir, 'fleet.yaml'), manyClusters(13));
  });

  it('prints a line per cluster on stderr when stderr is not a terminal', async () => {
    const { code, stderr } = await cli(['synth', '--topology', 'fleet.yaml', '--out', 'out'], dir, { user: dir, tty: false });
    expect(code).toBe(0);
    const progress = stderr.split('\n').filter((l) => l.startsWith('['));
    expect(progress).toHaveLength(13);
    expect(progress[0]).toMatch(/^\[1\/13\] c-1 {2}\d+ objects$/);
    expect(progress[12]).toMatch(/^\[13\/13\] c-13 {2}\d+ objects$/);
  });

  it('draws one updating bar on a terminal, ending its line', async () => {
    const { code, stderr } = await cli(['synth', '--topology', 'fleet.yaml', '--out', 'out'], dir, { user: dir, tty: true });
    expect(code).toBe(0);
    const bar = stderr.split('\n')[0];
    expect(bar.split('\r').filter((s) => s !== '')).toHaveLength(13);
    expect(bar).toMatch(/^\r\[#{1,2}\.{22,23}\] 1\/13 c-1 {2}\d+ objects\x1b\[K\r/);
    expect(bar).toMatch(/\r\[#{24}\] 13\/13 c-13 {2}\d+ objects\x1b\[K$/);
  });

  it('prints no progress with --quiet or --json, nor below 10 clusters', async () => {
    expect((await cli(['synth', '--topology', 'fleet.yaml', '--out', 'out', '--quiet'], dir, { user: dir, tty: true })).stderr).toBe('');
    const json = await cli(['synth', '--topology', 'fleet.yaml', '--out', 'out', '--json'], dir, { user: dir });
    expect(json.stderr).toBe('');
    writeFileSync(join(dir, 'nine.yaml'), manyClusters(9));
    const nine = await cli(['synth', '--topology', 'nine.yaml', '--out', 'nine'], dir, { user: dir });
    expect(nine.code).toBe(0);
    expect(nine.stderr.split('\n').filter((l) => l.startsWith('['))).toEqual([]);
  });
});

describe('meshfed validate', () => {
  it('reports schema problems and cross-field rule problems together, in file order, with did-you-mean', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), `environment: test
clusters:
  - name: cluster-1
    provider: gke
    region: us-central1
    trustDomian: foo.com
    cidr: 10.10.0.0/16
  - name: cluster-2
    provider: gke
    region: us-central1
    trustDomain: bar.com
    cidr: 10.10.0.0/24
    spire: { replicas: 12 }
`);
    const { code, stdout, stderr } = await cli(['validate', '--topology', 'bad.yaml'], dir, { user: dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'bad.yaml:3: clusters[0].trustDomain: is required unless nestedUnder is set',
      expect.stringMatching(/^bad\.yaml:6: clusters\[0\]\.trustDomian: unknown key; did you mean `trustDomain`\? \(allowed here: name, provider, region, trustDomain, /),
      'bad.yaml:12: clusters[1].cidr: "10.10.0.0/24" overlaps clusters[0].cidr "10.10.0.0/16" (cluster-1); cluster ranges must be disjoint so their networks can be peered',
      'bad.yaml:13: clusters[1].spire.replicas: 12 must be at most 9',
      '4 problems.',
      '',
    ]);
  });

  it('runs the rules on the clusters that parse, in their file positions, and leaves out what a broken cluster may cause', async () => {
    const dir = tmp();
    const text = `environment: test
clusters:
  - name: a
    provider: gkee
    region: us-central1
    trustDomain: a.org
    cidr: 10.10.0.0/16
  - name: b
    provider: gke
    region: us-central1
    trustDomain: b.org
    cidr: 10.20.0.0/16
  - name: c
    provider: gke
    region: us-central1
    trustDomain: b.org
    cidr: 10.30.0.0/16
federation: [[a, b], [b, d]]
`;
    writeFileSync(join(dir, 'env.yaml'), text);
    const { code, stderr } = await cli(['validate', '--topology', 'env.yaml'], dir, { user: dir });
    expect(code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      'env.yaml:4: clusters[0].provider: "gkee" is not allowed (one of: gke | eks)',
      expect.stringMatching(/^env\.yaml:16: clusters\[2\]\.trustDomain: "b\.org" is already the trust domain of clusters\[1\] \(b\);/),
      expect.stringMatching(/^env\.yaml:18: federation\[1\]\[1\]: "d" is not a cluster of this file/),
      '3 problems.',
      '',
    ]);
  });

  it('checks one --env and prints a one-line summary', async () => {
    expect(await cli(['validate', '--env', 'test'], project())).toEqual({ code: 0, stdout: 'clusters/test.yaml: valid (environment test, 2 clusters)\n', stderr: '' });
  });
});

describe('meshfed diff', () => {
  it('exits 0 and prints nothing when the output matches, writes nothing', async () => {
    const dir = project();
    expect((await cli(['synth', '--env', 'test', '--quiet'], dir)).code).toBe(0);
    expect(await cli(['diff', '--env', 'test'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('lists added, removed and changed files with a unified diff of each change, exit 1, and writes nothing', async () => {
    const dir = project();
    expect((await cli(['synth', '--env', 'test', '--quiet'], dir)).code).toBe(0);
    const out = join(dir, 'dist', 'test');
    writeFileSync(join(out, 'cluster-1', '99-mine.yaml'), 'kind: ConfigMap\n');
    rmSync(join(out, 'cluster-2', 'RUNBOOK.md'));
    writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters().replace('cidr: 10.20.0.0/16', 'cidr: 10.20.0.0/16\n    spire: { replicas: 2, datastore: postgres }'));
    const before = readFileSync(join(out, 'cluster-2', '20-spire-server.yaml'), 'utf8');
    const { code, stdout, stderr } = await cli(['diff', '--env', 'test'], dir);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('removed: dist/test/cluster-1/99-mine.yaml\n');
    expect(stdout).toContain('added: dist/test/cluster-2/RUNBOOK.md\n');
    expect(stdout).toContain('changed: dist/test/cluster-2/20-spire-server.yaml\n--- dist/test/cluster-2/20-spire-server.yaml (on disk)\n+++ dist/test/cluster-2/20-spire-server.yaml (synth)\n@@ -');
    expect(stdout).toMatch(/^-  replicas: 1$/m);
    expect(stdout).toMatch(/^\+  replicas: 2$/m);
    expect(stdout).toMatch(/\d+ files differ: 1 added, 1 removed, \d+ changed\n$/);
    expect(readFileSync(join(out, 'cluster-2', '20-spire-server.yaml'), 'utf8')).toBe(before);
    expect(existsSync(join(out, 'cluster-2', 'RUNBOOK.md'))).toBe(false);
  });

  it('shows everything as added for an output directory that does not exist yet', async () => {
    const dir = project();
    const { code, stdout } = await cli(['diff', '--env', 'test', '--out', 'fresh'], dir);
    expect(code).toBe(1);
    expect(stdout).toContain('added: fresh/cluster-1/00-namespaces.yaml\n');
    expect(stdout).toContain('added: fresh/RUNBOOK.md\n');
    expect(existsSync(join(dir, 'fresh'))).toBe(false);
  });

  it('exits 2 on bad input like synth', async () => {
    const dir = project();
    writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters().replace('10.20.0.0/16', '10.10.0.0/24'));
    const { code, stdout, stderr } = await cli(['diff', '--env', 'test'], dir);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^clusters\/test\.yaml:\d+: clusters\[1\]\.cidr: "10\.10\.0\.0\/24" overlaps .*\n1 problem\.\n$/);
    expect(await cli(['diff', '--out', 'x'], dir)).toEqual({ code: 2, stdout: '', stderr: 'meshfed diff: --out needs --env or --topology (without them every clusters/*.yaml is compared with dist/<environment>/)\n' });
  });
});

describe('meshfed plan (the compiled CLI loads infra/plan only for this command)', () => {
  it('needs --env or --topology, and reports a bad topology like synth (exit 2)', async () => {
    const dir = project();
    expect(await cli(['plan'], dir)).toEqual({ code: 2, stdout: '', stderr: 'meshfed plan: give one of --env <name> (clusters/<name>.yaml) or --topology <file>\n' });
    expect(await cli(['plan', '--env', 'test', '--existing', 'cluster-9'], dir)).toEqual({
      code: 2, stdout: '', stderr: 'meshfed plan: --existing "cluster-9": cluster-9 is not a cluster of test (clusters: cluster-1, cluster-2)\n',
    });
    writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters().replace('10.20.0.0/16', '10.10.0.0/24'));
    const bad = await cli(['plan', '--env', 'test'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^clusters\/test\.yaml:\d+: clusters\[1\]\.cidr: .*\n1 problem; nothing was planned\.\n$/);
  });

  it('plans an environment: the resources of each cluster', async () => {
    const { code, stdout, stderr } = await cli(['plan', '--env', 'test'], project());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^meshfed plan: environment test, \d+ resources \(offline, cloud values are stand-ins\)\n\ncluster-1 \(gke us-central1, foo\.com\)\n/);
    expect(stdout).toContain('  gcp:container/cluster:Cluster  cluster-2  location=us-central1 ');
  });
});

describe('--help and unknown commands', () => {
  it('lists every command and the exit codes for meshfed --help', async () => {
    const { code, stdout } = await cli(['--help'], tmp());
    expect(code).toBe(0);
    for (const command of ['synth', 'validate', 'diff', 'plan']) expect(stdout).toMatch(new RegExp(`^  ${command} \\[options\\] `, 'm'));
    expect(stdout).toContain('3  synth --strict: files written, but notes (steps left to you) remain');
  });

  it.each([
    ['synth', ['--env <name>', '--topology <file>', '--cluster <name>', '--out <dir>', '--json', '--strict', '--quiet', '--print-schema']],
    ['validate', ['--env <name>', '--topology <file>', '--quiet']],
    ['diff', ['--env <name>', '--topology <file>', '--out <dir>']],
    ['plan', ['--env <name>', '--topology <file>', '--existing <clusters>', '--json']],
  ])('meshfed %s --help names its options, exit 0', async (command, options) => {
    const { code, stdout, stderr } = await cli([command, '--help'], tmp());
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^Usage: meshfed ${command} \\[options\\]`));
    for (const option of options) expect(stdout).toContain(option);
  });

  it('suggests the nearest command for an unknown one, exit 2', async () => {
    expect(await cli(['dif'], tmp())).toEqual({ code: 2, stdout: '', stderr: "meshfed: unknown command 'dif'\n(Did you mean diff?)\n" });
    expect(await cli(['valdiate'], tmp())).toEqual({ code: 2, stdout: '', stderr: "meshfed: unknown command 'valdiate'\n(Did you mean validate?)\n" });
  });
});
