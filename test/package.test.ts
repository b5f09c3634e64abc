/**
 * The package as a consumer gets it: `npm pack`, install the tarball into a fresh project (offline from
 * the npm cache that `npm ci` filled, falling back to the registry), then use the public API and the
 * `meshfed` command from there. Builds lib/ once (bin/meshfed.js skips the build when lib/ is current).
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { twoClusters } from './helpers/synth';
import { tempDirs } from './helpers/temp-dirs';

const ROOT = join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function ok(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = run(command, args, options);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

// The packed tarball and the consumer project with its node_modules (about 35 MB), removed after the tests.
const tmp = tempDirs('meshfed-package-');
let work: string;
let consumer: string;
let packedFiles: string[];

beforeAll(() => {
  work = tmp();
  // Builds lib/ only if it is missing or stale; prints the version either way.
  ok(process.execPath, [join(ROOT, 'bin', 'meshfed.js'), '--version'], { cwd: ROOT });
  const pack = JSON.parse(ok(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT })) as { filename: string; files: { path: string }[] }[];
  packedFiles = pack[0].files.map((f) => f.path).sort();
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  const tarball = join(work, pack[0].filename);
  const install = (mode: string) => run(NPM, ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: consumer });
  // Offline first (no network needed after npm ci); a cache without some package falls back to the registry.
  const offline = install('--offline');
  if (offline.status !== 0) ok(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: consumer });
}, 600_000);

describe('the packed package', () => {
  it('carries the compiled library, declarations and the command, and no sources, tests or fixtures', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['bin/meshfed.js', 'lib/index.js', 'lib/index.d.ts', 'lib/constructs/index.d.ts', ...['core', 'spire', 'istio', 'cert-manager', 'registrar'].map((c) => `lib/constructs/${c}/index.d.ts`), 'lib/clusters/index.js', 'lib/bin/meshfed.js', 'package.json']));
    const unexpected = packedFiles.filter((p) => /(^|\/)(test|fixtures|__snapshots__|stacks|infra)\//.test(p) || (/\.ts$/.test(p) && !/\.d\.ts$/.test(p)) || /\.(snap|pem)$/.test(p));
    expect(unexpected).toEqual([]);
    // Every compiled file has its source (no output of a deleted source lingers in lib/).
    const orphans = packedFiles.filter((p) => p.startsWith('lib/') && p.endsWith('.js')).filter((p) => !existsSync(join(ROOT, p.replace(/^lib\//, '').replace(/\.js$/, '.ts'))));
    expect(orphans).toEqual([]);
  });

  it('synthesizes a cdk8s app from the concern entry points (meshfed/spire, /istio, /cert-manager, /core) with plain props, type-checked against the declarations', () => {
    writeFileSync(
      join(consumer, 'app.ts'),
      `import { App, Chart } from 'cdk8s';
import * as meshfed from 'meshfed';
import * as certManager from 'meshfed/cert-manager';
import { istioClusterValues, loadTopology } from 'meshfed/clusters';
import * as library from 'meshfed/constructs';
import * as core from 'meshfed/core';
import * as istio from 'meshfed/istio';
import * as registrar from 'meshfed/registrar';
import * as spire from 'meshfed/spire';
import { PropsError } from 'meshfed/core';
import { FederatedTrustDomain, SpireServer } from 'meshfed/spire';
import { CertManagerCa } from 'meshfed/cert-manager';
import { CrossNetworkGateway, IstioNamespace, istioHelmValues, istioModel, StrictMtls } from 'meshfed/istio';
import { K8sWorkloadRegistrar } from 'meshfed/registrar';

// Every concern's entry point is part of the whole library, as the same objects (one module instance).
const entryPoints = { core, spire, istio, 'cert-manager': certManager, registrar } as Record<string, Record<string, unknown>>;
const notInLibrary = Object.entries(entryPoints).flatMap(([entry, exports]) => Object.keys(exports)
  .filter((name) => (meshfed as Record<string, unknown>)[name] !== exports[name] || (library as Record<string, unknown>)[name] !== exports[name])
  .map((name) => 'meshfed/' + entry + ': ' + name));
const exportCounts = Object.fromEntries(Object.entries(entryPoints).map(([entry, exports]) => [entry, Object.keys(exports).length]));

const app = new App();
const chart = new Chart(app, 'mesh');
const ca = new CertManagerCa(chart, 'ca', { trustDomain: 'foo.example' });
new SpireServer(chart, 'server', { trustDomain: 'foo.example', clusterName: 'east', upstreamAuthority: ca.upstreamAuthority });
new FederatedTrustDomain(chart, 'bar', { peer: { trustDomain: 'bar.example', bundleEndpointUrl: 'https://spire.bar.example:8443' } });
new IstioNamespace(chart, 'istio-system', { network: 'net-east' });
new CrossNetworkGateway(chart, 'gateway');
new StrictMtls(chart, 'mtls');
let refused = '';
try {
  new SpireServer(chart, 'bad', { trustDomain: 'Foo.example', clusterName: 'east' });
} catch (err) {
  if (err instanceof PropsError) refused = err.message;
}
const topology = loadTopology(${JSON.stringify(twoClusters())}, 'inline.yaml');
// The Istio model from the plain values meshfed/clusters resolves (no topology inside meshfed/istio).
const helmReleases = Object.keys(istioHelmValues(istioModel(istioClusterValues(topology, 'cluster-1'))));
console.log(JSON.stringify({ refused, clusters: topology.clusters.map((c) => c.name), yaml: app.synthYaml(), notInLibrary, exportCounts, registrar: typeof K8sWorkloadRegistrar, helmReleases }));
`,
    );
    // The README's "Using the construct library" example, as printed, compiles and runs from the tarball too.
    const readmeExample = /## Using the construct library[\s\S]*?```ts\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1];
    expect(readmeExample).toContain("from 'meshfed/spire'");
    writeFileSync(join(consumer, 'readme.ts'), `${readmeExample}\nexport {};\n`);
    // Node16 resolution reads "exports" (types conditions included), as a current TypeScript consumer does.
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, types: [] }, files: ['app.ts', 'readme.ts'] }),
    );
    ok(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: consumer });
    // Node10 resolution ignores "exports": the subpath entry points' types come from "typesVersions".
    writeFileSync(
      join(consumer, 'tsconfig.node10.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', strict: true, skipLibCheck: true, types: [], noEmit: true }, files: ['app.ts', 'readme.ts'] }),
    );
    ok(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.node10.json'], { cwd: consumer });
    expect(run(process.execPath, ['readme.js'], { cwd: consumer })).toEqual({ status: 0, stdout: '', stderr: '' });
    const out = JSON.parse(ok(process.execPath, ['app.js'], { cwd: consumer })) as {
      refused: string; clusters: string[]; yaml: string; notInLibrary: string[]; exportCounts: Record<string, number>; registrar: string; helmReleases: string[];
    };
    expect(out.refused).toMatch(/^SpireServer\.trustDomain: "Foo\.example" is not a valid SPIFFE trust domain/);
    expect(out.clusters).toEqual(['cluster-1', 'cluster-2']);
    expect(out.helmReleases).toEqual(['base', 'cni', 'istiod', 'gateways']);
    const objects = parseAllDocuments(out.yaml).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    expect(names('StatefulSet')).toEqual(['spire-server']);
    expect(names('ClusterFederatedTrustDomain')).toEqual(['bar.example']);
    expect(names('Namespace')).toEqual(['istio-system']);
    expect(names('Gateway')).toEqual(['cross-network-gateway']);
    expect(names('PeerAuthentication')).toEqual(['default']);
    // The SPIRE server signs its CA through the cert-manager chain from meshfed/cert-manager.
    expect(names('Issuer')).toEqual(['spire-selfsigned', 'spire-ca']);
    expect(names('Role')).toContain('spire-server-upstream-ca');
    expect(out.notInLibrary).toEqual([]);
    for (const entry of ['core', 'spire', 'istio', 'cert-manager', 'registrar']) expect(out.exportCounts[entry]).toBeGreaterThan(0);
    expect(out.registrar).toBe('function');
  });

  it('installs the meshfed command: synth works (with its picture), usage errors and plan exit 2, --version prints the version', () => {
    const bin = join(consumer, 'node_modules', '.bin', 'meshfed');
    // No INIT_CWD/npm lifecycle variables from the test runner: paths resolve against cwd, as for npx.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'INIT_CWD' && !k.startsWith('npm_')));
    writeFileSync(join(consumer, 'env.yaml'), twoClusters());
    const synth = run(bin, ['synth', '--topology', 'env.yaml', '--out', 'out'], { cwd: consumer, env });
    expect(synth.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('note ('))).toEqual([]); // notes only
    expect(synth.status).toBe(0);
    expect(synth.stdout).toMatch(/^test\/cluster-1: \d+ objects in \d+ files -> out\/cluster-1$/m);
    expect(readFileSync(join(consumer, 'out', 'cluster-2', '20-spire-server.yaml'), 'utf8')).toContain('kind: StatefulSet');
    expect(run(bin, ['synth', '--frobnicate'], { cwd: consumer, env })).toEqual({ status: 2, stdout: '', stderr: "meshfed synth: unknown option '--frobnicate'\n" });
    // The offline plan needs lib/infra and the Pulumi SDKs, which the package leaves out: a usage error, not a crash.
    expect(run(bin, ['plan', '--topology', 'env.yaml'], { cwd: consumer, env })).toEqual({
      status: 2,
      stdout: '',
      stderr: 'meshfed plan: the offline plan is a repository tool (it needs lib/infra and the Pulumi SDKs, which the package leaves out); run it from a meshfed checkout\n',
    });
    expect(readFileSync(join(consumer, 'out', 'topology.svg'), 'utf8')).toMatch(/^<svg /); // laid out by the installed elkjs
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run(bin, ['--version'], { cwd: consumer, env })).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });
});
