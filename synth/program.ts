/** `meshfed <command>`: argument parsing. Usage mistakes exit 2 like invalid input; --help/--version exit 0. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { runSynth, runValidate, type Io, type SynthOptions, type ValidateOptions } from './cli';

/** The version in meshfed's package.json, found from this file whether it runs from sources or lib/. */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'meshfed' && pkg.version !== undefined) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/**
 * Where relative paths the user typed resolve: `npm run` runs scripts in the package root and keeps the
 * directory it was started from in INIT_CWD; only trust it when npm started this very command (a process
 * that merely inherited it, e.g. one spawned by a test under `npm test`, has another lifecycle event).
 */
export function userCwd(env: NodeJS.ProcessEnv, cwd: string): string {
  const viaNpmScript = env.npm_lifecycle_event !== undefined && /\bmeshfed(\.js|\.ts)?\b/.test(env.npm_lifecycle_script ?? '');
  return viaNpmScript && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/** Runs the CLI with `args` (without node and script); returns the exit code. */
export async function runCli(args: readonly string[], io: Io): Promise<number> {
  let code = 0;
  // One error format for every command: `meshfed[ <command>]: <message>`, as runSynth writes its own.
  const output = (name: string) => ({
    writeOut: (t: string) => io.stdout.write(t),
    writeErr: (t: string) => io.stderr.write(t),
    outputError: (t: string, write: (t: string) => void) => write(`${name}: ${t.replace(/^error: /, '')}`),
  });
  const program = new Command()
    .name('meshfed')
    .description('Istio multi-cluster mesh on SPIRE identities: topology -> Kubernetes manifests per cluster')
    .version(packageVersion(), '-V, --version', 'print the meshfed version')
    .configureOutput(output('meshfed'))
    .exitOverride()
    .allowExcessArguments(false);

  // addCommand, not .command(): a subcommand made by .command() shares its parent's output settings object.
  program.addCommand(
    new Command('synth')
      .description('synthesize manifests: every clusters/*.yaml into dist/<environment>/<cluster>/, or one --topology')
      .option('-t, --topology <file>', 'one topology file (default: every clusters/*.yaml)')
      .option('-o, --out <dir>', 'output directory for --topology (default: dist/<environment>)')
      .option('--print-schema', 'print the JSON Schema of the topology file and exit')
      .option('-q, --quiet', 'print nothing on success (notes stay in each cluster\'s NOTES.md)')
      .allowExcessArguments(false)
      .configureOutput(output('meshfed synth'))
      .exitOverride()
      .action(async (options: SynthOptions) => {
        code = await runSynth(options, io);
      }),
  );

  program.addCommand(
    new Command('validate')
      .description('load and check topologies without writing anything: every clusters/*.yaml, or one --topology')
      .option('-t, --topology <file>', 'one topology file (default: every clusters/*.yaml)')
      .option('-q, --quiet', 'print nothing when every file is valid')
      .allowExcessArguments(false)
      .configureOutput(output('meshfed validate'))
      .exitOverride()
      .action((options: ValidateOptions) => {
        code = runValidate(options, io);
      }),
  );

  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Commander already printed its message; help and version are successes, everything else a usage error.
    return err.exitCode === 0 ? 0 : 2;
  }
  return code;
}
