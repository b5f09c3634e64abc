/** --out safety: meshfed replaces only what it wrote, atomically, and removes its own stale cluster directories. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadTopology } from '../clusters';
import { runSynth } from '../synth/cli';
import { ENVIRONMENT_MARKER, environmentMarkerText, OUTPUT_MARKER } from '../synth/output-dir';
import { renderTopology, writeSynthResult } from '../synth/synthesize';
import { twoClusters } from './helpers/synth';
import { tempDirs } from './helpers/temp-dirs';

async function run(options: Parameters<typeof runSynth>[0], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runSynth(options, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd });
  return { code, stdout, stderr };
}

const tmp = tempDirs('meshfed-out-');

/** A topology file in a fresh directory; returns the directory and the file. */
function topologyIn(text = twoClusters()): { dir: string; file: string } {
  const dir = tmp();
  const file = join(dir, 'env.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

/** Every file under `dir` with its contents, for before/after comparisons. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string, prefix: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      if (name.isDirectory()) visit(join(d, name.name), `${prefix}${name.name}/`);
      else out[`${prefix}${name.name}`] = readFileSync(join(d, name.name), 'utf8');
    }
  };
  visit(dir, '');
  return out;
}

describe('--out safety', () => {
  it('refuses a non-empty directory meshfed did not write (clusters named like project folders, --out .), exit 2, nothing written', async () => {
    const { dir, file } = topologyIn(twoClusters().replace('name: cluster-1', 'name: clusters').replace('name: cluster-2', 'name: test'));
    mkdirSync(join(dir, 'clusters'));
    writeFileSync(join(dir, 'clusters', 'mine.yaml'), 'keep me\n');
    const before = tree(dir);
    const { code, stdout, stderr } = await run({ topology: file, out: '.' }, dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `${join(dir, 'clusters')}: exists, is not empty and was not written by meshfed (no ${OUTPUT_MARKER}); meshfed replaces only directories it wrote or empty ones (move it away or choose another --out)\nnothing was written.\n`,
    );
    expect(tree(dir)).toEqual(before);
  });

  it('refuses a file where a cluster directory goes, and an --out that is a file, with exit 2 and no stack trace', async () => {
    const { dir, file } = topologyIn();
    writeFileSync(join(dir, 'README.md'), '# mine\n');
    const asFile = await run({ topology: file, out: 'README.md' }, dir);
    expect(asFile.code).toBe(2);
    expect(asFile.stderr).toBe(`${join(dir, 'README.md')}: is a file, not a directory; the output directory must be a directory or not exist yet\nnothing was written.\n`);
    const under = await run({ topology: file, out: 'README.md/out' }, dir);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`${join(dir, 'README.md')}: is a file, not a directory; the output directory ${join(dir, 'README.md', 'out')} is under it and must be a directory or not exist yet\nnothing was written.\n`);
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'cluster-2'), 'a file\n');
    const clash = await run({ topology: file, out: 'out' }, dir);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/^\S+\/out\/cluster-2: exists and is not a directory meshfed wrote;/);
    expect(readdirSync(join(dir, 'out'))).toEqual(['cluster-2']);
  });

  it('fills empty directories and replaces its own output whole, marking each cluster directory', async () => {
    const { dir, file } = topologyIn();
    mkdirSync(join(dir, 'out', 'cluster-1'), { recursive: true });
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'cluster-1', OUTPUT_MARKER), 'utf8')).toBe(
      'Written by meshfed synth: environment test, cluster cluster-1.\n' +
        'meshfed replaces this directory on every synth and removes it when the cluster leaves the topology,\n' +
        'so keep no files of your own here. Without this file meshfed refuses to touch the directory.\n',
    );
    writeFileSync(join(dir, 'out', 'cluster-1', '99-left-over.yaml'), 'kind: ConfigMap\n');
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    expect(existsSync(join(dir, 'out', 'cluster-1', '99-left-over.yaml'))).toBe(false);
    // Staging happens next to the output directory and leaves nothing behind.
    expect(readdirSync(dir).sort()).toEqual(['env.yaml', 'out']);
  });

  it("removes this environment's cluster directories that left the topology, and nothing else", async () => {
    const { dir, file } = topologyIn();
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    // Another environment's output and a user's folder in the same --out stay.
    mkdirSync(join(dir, 'out', 'other-env'));
    writeFileSync(join(dir, 'out', 'other-env', OUTPUT_MARKER), 'Written by meshfed synth: environment prod, cluster other-env.\n');
    mkdirSync(join(dir, 'out', 'notes'));
    writeFileSync(join(dir, 'out', 'notes', 'todo.txt'), 'mine\n');
    const oneCluster = twoClusters().replace(/\n  - name: cluster-2[\s\S]*?(?=\n\S|\n*$)/, '');
    expect(oneCluster).not.toContain('cluster-2');
    writeFileSync(file, oneCluster);
    const { code, stdout } = await run({ topology: file, out: 'out' }, dir);
    expect(code).toBe(0);
    expect(stdout).toContain('test: removed out/cluster-2 (its cluster is no longer in the topology)\n');
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.meshfed-environment', 'RUNBOOK.md', 'cluster-1', 'notes', 'other-env', 'topology.mmd', 'topology.svg']);
  });

  it('leaves the previous output whole when writing fails half-way (staged, then renamed into place)', async () => {
    const { dir, file } = topologyIn();
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    const before = tree(join(dir, 'out'));
    const topology = loadTopology(readFileSync(file, 'utf8').replace('e2-standard-4', 'e2-standard-8'), file);
    const result = renderTopology(topology, join(dir, 'out'));
    // The module object itself (an `import * as` copy would not reach the writer's import).
    const fs = require('node:fs') as typeof import('node:fs');
    const write = fs.writeFileSync;
    let writes = 0;
    const spy = jest.spyOn(fs, 'writeFileSync').mockImplementation((path, data) => {
      if (++writes === 15) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      write(path, data);
    });
    try {
      expect(() => writeSynthResult(result)).toThrow('ENOSPC');
    } finally {
      spy.mockRestore();
    }
    expect(writes).toBe(15);
    expect(tree(join(dir, 'out'))).toEqual(before);
    expect(readdirSync(dirname(join(dir, 'out'))).sort()).toEqual(['env.yaml', 'out']);
  });

  it('rejects two topology files with the same environment, naming both, and writes nothing', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'clusters'));
    writeFileSync(join(dir, 'clusters', 'a.yaml'), twoClusters());
    writeFileSync(join(dir, 'clusters', 'b.yaml'), twoClusters());
    const { code, stdout, stderr } = await run({}, dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'clusters/b.yaml: environment: "test" is already the environment of clusters/a.yaml; each environment needs its own name (its output goes to dist/<environment>/)\n1 problem; nothing was written.\n',
    );
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('writes the environment files (RUNBOOK.md, topology.svg, topology.mmd) once next to the cluster directories and replaces only its own', async () => {
    const { dir, file } = topologyIn();
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    const out = join(dir, 'out');
    expect(readFileSync(join(out, ENVIRONMENT_MARKER), 'utf8')).toBe(environmentMarkerText('test', ['RUNBOOK.md', 'topology.mmd', 'topology.svg']));
    const svg = readFileSync(join(out, 'topology.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(readFileSync(join(out, 'topology.mmd'), 'utf8')).toMatch(/^flowchart LR/);
    // Deterministic: a second synth writes the same bytes over its own files.
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    expect(readFileSync(join(out, 'topology.svg'), 'utf8')).toBe(svg);
  });

  it('refuses to overwrite an environment-level file meshfed did not write, exit 2, nothing written', async () => {
    const { dir, file } = topologyIn();
    writeFileSync(join(dir, 'RUNBOOK.md'), '# my own runbook\n');
    const before = tree(dir);
    const { code, stderr } = await run({ topology: file, out: '.' }, dir);
    expect(code).toBe(2);
    expect(stderr).toBe(`${join(dir, 'RUNBOOK.md')}: exists and was not written by meshfed (not listed in ${ENVIRONMENT_MARKER}); meshfed replaces only files it wrote (move it away or choose another --out)\nnothing was written.\n`);
    expect(tree(dir)).toEqual(before);
  });

  it("refuses an output directory holding another environment's files", async () => {
    const { dir, file } = topologyIn();
    expect((await run({ topology: file, out: 'out' }, dir)).code).toBe(0);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, twoClusters().replace('environment: test', 'environment: other').replace(/cluster-/g, 'c-'));
    const { code, stderr } = await run({ topology: other, out: 'out' }, dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`holds the environment files of test (${ENVIRONMENT_MARKER}); environment other needs its own --out`);
  });
});
