/** Command-line contract: usage mistakes exit 2 (like invalid input), --help/--version exit 0, paths resolve where the user ran the command. */
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, userCwd } from '../synth/program';
import { twoClusters } from './helpers/synth';
import { tempDirs } from './helpers/temp-dirs';

const tmp = tempDirs('meshfed-args-');

/** A project directory with clusters/test.yaml; synth without --topology would write dist/test/. */
function project(): string {
  const dir = tmp();
  mkdirSync(join(dir, 'clusters'));
  writeFileSync(join(dir, 'clusters', 'test.yaml'), twoClusters());
  return dir;
}

async function cli(args: string[], cwd: string, user?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd, userCwd: user });
  return { code, stdout, stderr };
}

describe('meshfed command line', () => {
  it.each([
    [['synth', '--frobnicate'], "meshfed synth: unknown option '--frobnicate'\n"],
    [['synth', '--topolgy', 'x.yaml'], "meshfed synth: unknown option '--topolgy'\n(Did you mean --topology?)\n"],
    [['synth', '--topology'], "meshfed synth: option '-t, --topology <file>' argument missing\n"],
    [['synth', 'clusters/test.yaml'], "meshfed synth: too many arguments for 'synth'. Expected 0 arguments but got 1.\n"],
    [['synht'], "meshfed: unknown command 'synht'\n(Did you mean synth?)\n"],
    [['synth', '--print-schema', '--topology', 'x.yaml'], 'meshfed synth: --print-schema prints the topology JSON Schema only; it takes no --topology, --env, --cluster or --out\n'],
  ])('%j exits 2 with one message and writes nothing', async (args, message) => {
    const dir = project();
    const { code, stdout, stderr } = await cli(args, dir);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: message });
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('prints the package version for --version', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'], tmp())).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints help for each command with exit 0', async () => {
    const { code, stdout } = await cli(['synth', '--help'], tmp());
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: meshfed synth \[options\]/);
    expect(stdout).toContain('--topology <file>');
  });

  it('resolves a relative --topology and --out against the directory the user ran the command in', async () => {
    const projectDir = project();
    const user = tmp();
    writeFileSync(join(user, 'mine.yaml'), twoClusters());
    const { code, stdout, stderr } = await cli(['synth', '--topology', 'mine.yaml', '--out', 'out'], projectDir, user);
    expect(stderr.split('\n').filter((l) => l !== '' && !l.startsWith('note ('))).toEqual([]); // notes only
    expect(code).toBe(0);
    expect(existsSync(join(user, 'out', 'cluster-1', '20-spire-server.yaml'))).toBe(true);
    expect(stdout).toContain('test/cluster-1: ');
    expect(stdout).toContain(' -> out/cluster-1\n');
    expect(existsSync(join(projectDir, 'out'))).toBe(false);
  });

  it('names a relative topology file as the user typed it in problems', async () => {
    const user = tmp();
    const { code, stderr } = await cli(['synth', '--topology', 'missing.yaml', '--out', 'out'], project(), user);
    expect(code).toBe(2);
    expect(stderr).toBe('missing.yaml: cannot read the topology file (ENOENT)\n1 problem; nothing was written.\n');
  });
});

describe('meshfed validate', () => {
  it('checks every clusters/*.yaml, writes nothing and exits 0 when valid', async () => {
    const dir = project();
    expect(await cli(['validate'], dir)).toEqual({ code: 0, stdout: 'clusters/test.yaml: valid (environment test, 2 clusters)\n', stderr: '' });
    expect(await cli(['validate', '--quiet'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('reports problems in the synth format and exits 2', async () => {
    const dir = project();
    writeFileSync(join(dir, 'bad.yaml'), twoClusters().replace('10.20.0.0/16', '10.10.0.0/24'));
    const { code, stdout, stderr } = await cli(['validate', '--topology', 'bad.yaml'], join(dir, 'elsewhere'), dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^bad\.yaml:\d+: clusters\[1\]\.cidr: "10\.10\.0\.0\/24" overlaps clusters\[0\]\.cidr "10\.10\.0\.0\/16" \(cluster-1\); cluster ranges must be disjoint so their networks can be peered\n1 problem\.\n$/);
  });

  it('rejects synth options', async () => {
    expect(await cli(['validate', '--out', 'x'], project())).toEqual({ code: 2, stdout: '', stderr: "meshfed validate: unknown option '--out'\n" });
  });
});

describe('userCwd (npm run changes the working directory to the package root)', () => {
  it('takes INIT_CWD when npm runs the meshfed script itself', async () => {
    expect(userCwd({ INIT_CWD: '/home/me/envs', npm_lifecycle_event: 'synth', npm_lifecycle_script: 'node bin/meshfed.js synth' }, '/repo')).toBe('/home/me/envs');
  });

  it('ignores an INIT_CWD inherited from another script (a test run under npm test) or missing', async () => {
    expect(userCwd({ INIT_CWD: '/home/me', npm_lifecycle_event: 'test', npm_lifecycle_script: 'tsc --noEmit -p tsconfig.json && jest' }, '/repo')).toBe('/repo');
    expect(userCwd({ npm_lifecycle_event: 'synth', npm_lifecycle_script: 'node bin/meshfed.js synth' }, '/repo')).toBe('/repo');
    expect(userCwd({}, '/repo')).toBe('/repo');
  });
});

describe('bin/meshfed.js (runs lib/, rebuilding it in a checkout when a source is newer)', () => {
  const { needsBuild } = require('../bin/meshfed.js') as { needsBuild(dir: string): boolean };

  it('builds when lib/ is missing or older than a source, and never in an installed package', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ include: ['src/**/*.ts', 'index.ts'] }));
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'src', 'deep', 'a.ts'), 'export {};\n');
    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of ['tsconfig.json', 'tsconfig.build.json', 'src/deep/a.ts']) utimesSync(join(dir, f), old, old);
    expect(needsBuild(dir)).toBe(true);
    mkdirSync(join(dir, 'lib', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'bin', 'meshfed.js'), '');
    expect(needsBuild(dir)).toBe(false);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src', 'deep', 'a.ts'), later, later);
    expect(needsBuild(dir)).toBe(true);
    const installed = tmp();
    mkdirSync(join(installed, 'lib', 'bin'), { recursive: true });
    writeFileSync(join(installed, 'lib', 'bin', 'meshfed.js'), '');
    expect(needsBuild(installed)).toBe(false);
  });

  it('builds when a file lib/ needs beside the compiled code (the plan\'s placeholder root) is missing from it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ include: ['index.ts'] }));
    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of ['tsconfig.json', 'tsconfig.build.json']) utimesSync(join(dir, f), old, old);
    mkdirSync(join(dir, 'lib', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'bin', 'meshfed.js'), '');
    mkdirSync(join(dir, 'infra'));
    writeFileSync(join(dir, 'infra', 'placeholder-root-ca.pem'), 'pem\n');
    expect(needsBuild(dir)).toBe(true);
    mkdirSync(join(dir, 'lib', 'infra'));
    writeFileSync(join(dir, 'lib', 'infra', 'placeholder-root-ca.pem'), 'pem\n');
    expect(needsBuild(dir)).toBe(false);
  });
});
