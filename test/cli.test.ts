/** The synth CLI contract: output layout, summary lines, exit codes, nothing written on bad input. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topologyJsonSchema } from '../clusters';
import { runSynth } from '../synth/cli';
import { twoClusters } from './helpers/synth';
import { tempDirs } from './helpers/temp-dirs';

async function run(options: Parameters<typeof runSynth>[0], cwd = join(__dirname, '..')) {
  let stdout = '';
  let stderr = '';
  const code = await runSynth(options, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd });
  return { code, stdout, stderr };
}

const tmp = tempDirs('meshfed-cli-');

describe('meshfed synth', () => {
  it('writes <out>/<cluster>/*.yaml for --topology/--out and prints one summary line per cluster', async () => {
    const dir = tmp();
    const file = join(dir, 'env.yaml');
    writeFileSync(file, twoClusters());
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await run({ topology: file, out }, dir);
    // Notes (steps left to the user, also in NOTES.md) go to stderr; stdout holds only the summary.
    expect(stderr.split('\n').filter((l) => l !== '' && !/^note \(cluster-[12]\): /.test(l))).toEqual([]);
    expect(stderr).toContain('note (cluster-1): ');
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.meshfed-environment', 'RUNBOOK.md', 'cluster-1', 'cluster-2', 'topology.mmd', 'topology.svg']);
    expect(readdirSync(join(out, 'cluster-1'))).toEqual(expect.arrayContaining(['00-namespaces.yaml', '20-spire-server.yaml', '30-spire-agent.yaml']));
    const lines = stdout.split('\n').filter((l) => /^test\//.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^test\/cluster-1: \d+ objects in \d+ files -> out\/cluster-1$/);
    expect(stdout.split('\n').filter((l) => l !== '' && !/^test\//.test(l))).toEqual([]);
    expect(readFileSync(join(out, 'cluster-1', 'NOTES.md'), 'utf8')).toMatch(/^# Remaining steps for cluster-1\n\n- /);
  });

  it('prints nothing on success with --quiet', async () => {
    const dir = tmp();
    const file = join(dir, 'env.yaml');
    writeFileSync(file, twoClusters());
    expect(await run({ topology: file, out: join(dir, 'out'), quiet: true }, dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(dir, 'out', 'cluster-1', 'NOTES.md'))).toBe(true);
  });

  it('synthesizes every clusters/*.yaml into dist/<environment>/ by default', async () => {
    const dir = tmp();
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(join(dir, 'clusters'));
    writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters());
    expect((await run({}, dir)).code).toBe(0);
    expect(existsSync(join(dir, 'dist', 'test', 'cluster-2', '20-spire-server.yaml'))).toBe(true);
  });

  it('is byte-identical across runs', async () => {
    const dir = tmp();
    const file = join(dir, 'env.yaml');
    writeFileSync(file, twoClusters());
    await run({ topology: file, out: join(dir, 'a') }, dir);
    await run({ topology: file, out: join(dir, 'b') }, dir);
    for (const name of readdirSync(join(dir, 'a', 'cluster-1'))) {
      expect(readFileSync(join(dir, 'b', 'cluster-1', name), 'utf8')).toBe(readFileSync(join(dir, 'a', 'cluster-1', name), 'utf8'));
    }
  });

  it('exits 2 with one line per problem and writes nothing on bad input', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, twoClusters().replace('trustDomain: bar.com', 'trustDomain: foo.com').replace('10.20.0.0/16', '10.10.0.0/24'));
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await run({ topology: file, out }, dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe(`${file}:13: clusters[1].trustDomain: "foo.com" is already the trust domain of clusters[0] (cluster-1); clusters share a trust domain only through nestedUnder (nested SPIRE), otherwise each needs its own`);
    expect(lines[1]).toMatch(/clusters\[1\]\.cidr: "10\.10\.0\.0\/24" overlaps/);
    expect(lines[2]).toBe('2 problems; nothing was written.');
  });

  it('exits 2 for an unreadable file without a stack trace', async () => {
    const { code, stderr } = await run({ topology: '/nonexistent/env.yaml', out: join(tmp(), 'o') });
    expect(code).toBe(2);
    expect(stderr).toBe('/nonexistent/env.yaml: cannot read the topology file (ENOENT)\n1 problem; nothing was written.\n');
  });

  it('rejects --out without --topology', async () => {
    expect((await run({ out: 'x' })).code).toBe(2);
  });

  it('prints the JSON Schema, identical to the committed clusters/topology.schema.json', async () => {
    const { code, stdout } = await run({ printSchema: true });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(topologyJsonSchema());
    // Regenerate with: npm run --silent synth -- --print-schema > clusters/topology.schema.json
    expect(readFileSync(join(__dirname, '..', 'clusters', 'topology.schema.json'), 'utf8')).toBe(stdout);
  });
});
