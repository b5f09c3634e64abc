/** The README holds: its topology example loads and synthesizes, and every command line it shows parses. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../clusters';
import { runCli } from '../synth/program';
import { renderTopology } from '../synth/synthesize';

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

describe('README', () => {
  it('has a topology example that loads and synthesizes', () => {
    const example = /## The topology file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(README);
    expect(example).not.toBeNull();
    const topology = loadTopology(example![1], 'README.md', { baseDir: join(ROOT, 'clusters') });
    const result = renderTopology(topology, '/unused');
    expect(result.clusters.map((c) => c.cluster)).toEqual(['cluster-1']);
    expect(result.clusters[0].objectCount).toBeGreaterThan(0);
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
