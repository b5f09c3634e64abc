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
