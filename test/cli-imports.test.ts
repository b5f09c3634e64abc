/** `npm run import` stays runnable and imports/ holds only generated types that some source uses. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['bin', 'clusters', 'constructs', 'synth', 'infra', 'stacks'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('generated CRD types', () => {
  it('cdk8s.yaml lists no import specs (scripts/import-crds.sh passes them, so no temporary path can leak in)', () => {
    const config = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: unknown[] };
    expect(config.imports ?? []).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.import).toBe('scripts/import-crds.sh');
    expect(readFileSync(join(ROOT, 'scripts', 'import-crds.sh'), 'utf8')).toContain('--no-save');
  });

  it('every imports/*.ts is imported by a source, and every imported group is generated', () => {
    const imported = new Map<string, string>();
    for (const file of SOURCE_DIRS.flatMap((d) => tsFiles(join(ROOT, d)))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(?:\.\.\/)+imports\/([a-z0-9.-]+)'/g)) imported.set(m[1], relative(ROOT, file));
    }
    const generated = readdirSync(join(ROOT, 'imports')).filter((n) => n.endsWith('.ts')).map((n) => n.replace(/\.ts$/, '')).sort();
    expect(generated).toEqual([...imported.keys()].sort());
  });
});
