/**
 * Data flows one way: clusters/ (topology) -> constructs/ + synth/ (manifests) -> infra/ + stacks/ (Pulumi).
 * The published package carries clusters/, constructs/ and synth/ without infra/ (package.json `files`),
 * so an import against that direction would also break every installed copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

function importsOf(file: string): string[] {
  return [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]);
}

describe('layers', () => {
  it.each([['clusters'], ['constructs'], ['synth'], ['bin']])('%s/ imports nothing from infra/, stacks/ or a Pulumi SDK', (dir) => {
    const offending = sources(dir).flatMap((file) => importsOf(file)
      .filter((spec) => spec.startsWith('@pulumi/') || /(^|\/)(infra|stacks)(\/|$)/.test(spec))
      .map((spec) => `${relative(ROOT, join(ROOT, file))}: ${spec}`));
    expect(offending).toEqual([]);
  });

  // Each concern folder of constructs/ is a package entry point (meshfed/<concern>); a concern builds only on
  // the ones listed here, so e.g. meshfed/istio never pulls in the registrar and core depends on nothing.
  const CONCERN_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
    core: [],
    spire: ['core'],
    istio: ['core'],
    'cert-manager': ['core', 'spire'],
    registrar: ['core', 'spire'],
    'platform-facts': ['spire'],
  };

  it('constructs/ has exactly the concern folders above, each with an index.ts entry point', () => {
    const folders = readdirSync(join(ROOT, 'constructs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual(Object.keys(CONCERN_DEPENDENCIES).sort());
    // A new construct goes into its concern's folder (and that folder's index.ts), never loose in constructs/.
    expect(readdirSync(join(ROOT, 'constructs')).filter((name) => name.endsWith('.ts'))).toEqual(['index.ts']);
    expect(folders.filter((f) => !sources(join('constructs', f)).includes(join('constructs', f, 'index.ts')))).toEqual([]);
  });

  it.each(Object.keys(CONCERN_DEPENDENCIES))('constructs/%s/ imports only the concerns it builds on', (concern) => {
    const allowed = CONCERN_DEPENDENCIES[concern];
    const offending = sources(join('constructs', concern)).flatMap((file) => importsOf(file)
      .map((spec) => /^\.\.\/([a-z-]+)(\/|$)/.exec(spec)?.[1])
      .filter((dep): dep is string => dep !== undefined && dep in CONCERN_DEPENDENCIES && !allowed.includes(dep))
      .map((dep) => `${file}: ../${dep}`));
    expect(offending).toEqual([]);
  });

  // Relations between clusters (peers, discovery pairs, exposure, nesting) are computed in clusters/ only;
  // constructs take plain values, so from clusters/ they import types and the pure value checks below.
  const CLUSTERS_VALUE_IMPORTS_OF_CONSTRUCTS = ['trust-domain', 'root-certificate'];

  it('constructs/ takes plain values: from clusters/ only types and value checks (no topology, no relations)', () => {
    const offending = sources('constructs').flatMap((file) => [...readFileSync(join(ROOT, file), 'utf8')
      .matchAll(/^\s*import\s+(type\s)?[^'"]*from\s+'([^']+)'/gm)]
      .filter(([, typeOnly, spec]) => typeOnly === undefined && /(^|\/)clusters\/[a-z-]+$/.test(spec)
        && !CLUSTERS_VALUE_IMPORTS_OF_CONSTRUCTS.includes(spec.replace(/^.*\/clusters\//, '')))
      .map(([, , spec]) => `${file}: ${spec}`));
    expect(offending).toEqual([]);
  });

  // Nesting (a child's parent) and where the samples run (a cluster's position) are relations too: synth/ asks
  // clusters/ (upstreamServerOf, nestedChildren, sampleVersionsOf) instead of looking them up itself.
  it('synth/ takes nesting and sample placement from clusters/, never by its own lookup', () => {
    const offending = sources('synth').flatMap((file) => readFileSync(join(ROOT, file), 'utf8').split('\n')
      .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
      .filter(({ line }) => /findCluster\([^)]*nestedUnder|\.positions\.get\(|\.clusters\.indexOf\(|HELLOWORLD_VERSIONS\[/.test(line))
      .map(({ at, line }) => `${at}: ${line.trim()}`));
    expect(offending).toEqual([]);
  });

  // The package carries clusters/, constructs/, synth/, bin/ and imports/ (not infra/ or stacks/): its runtime
  // dependencies are exactly the packages those import, so no cloud SDK is installed with the construct library.
  it('package.json dependencies are exactly the packages the packaged sources import (Pulumi and cloud SDKs are dev-only)', () => {
    const packaged = ['clusters', 'constructs', 'synth', 'bin', 'imports'].flatMap((d) => sources(d)).concat('index.ts');
    const external = new Set(packaged.flatMap((file) => [
      ...importsOf(file),
      ...[...readFileSync(join(ROOT, file), 'utf8').matchAll(/require\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]),
    ]).filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))
      .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2) : spec.split('/').slice(0, 1)).join('/')));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...external].sort());
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@pulumi/') || /aws-sdk|google-cloud/.test(d))).toEqual([]);
  });

  it('clusters/ imports nothing from constructs/ or synth/ (the topology is the source, not a consumer)', () => {
    const offending = sources('clusters').flatMap((file) => importsOf(file)
      .filter((spec) => /^\.\.\/(constructs|synth)(\/|$)/.test(spec)).map((spec) => `${file}: ${spec}`));
    expect(offending).toEqual([]);
  });

  it('synth/ and bin/ reach infra/ only through the lazy require of `meshfed plan` (never loaded by synth)', () => {
    const requires = [...sources('synth'), ...sources('bin')].flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/require\(\s*'([^']+)'\s*\)/g)]
        .filter((m) => m[1].startsWith('@pulumi/') || /(^|\/)(infra|stacks)(\/|$)/.test(m[1]))
        .map((m) => `${file}: ${m[1]}`));
    expect(requires).toEqual(['synth/program.ts: ../infra/plan/cli']);
  });
});
