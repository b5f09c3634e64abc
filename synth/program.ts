/** `meshfed <command>`: argument parsing. Usage mistakes exit 2 like invalid input; --help/--version exit 0. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { runSynth, runValidate, type Io, type SynthOptions, type ValidateOptions } from './cli';
import { EXIT } from './cli-input';
import { runDiff, type DiffOptions } from './diff-cli';

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

/** The plan command's module (infra/plan/cli.ts), typed here because synth/ may not import infra/ (test/layers.test.ts). */
interface PlanModule {
  runPlanCli(options: { topology?: string; env?: string; json?: boolean; existing?: string }, io: Io): Promise<number>;
}

/**
 * Loads the offline plan only when `meshfed plan` runs: it pulls in the Pulumi SDKs (dev dependencies), which
 * synth never needs, and lib/infra is left out of the published package (package.json `files`), so an installed
 * meshfed has no plan. Returns undefined there.
 */
function loadPlanModule(): PlanModule | undefined {
  try {
    return require('../infra/plan/cli') as PlanModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success (diff: no differences)
  1  diff: the output differs; any command: internal error
  2  bad input: a usage mistake, an invalid topology, or output meshfed may not replace (nothing written)
  3  synth --strict: files written, but notes (steps left to you) remain
`;

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
    .allowExcessArguments(false)
    .addHelpText('after', EXIT_CODES_HELP);

  // Every command: its own error prefix, no stray arguments, errors returned instead of exiting.
  const command = (name: string, description: string) =>
    new Command(name).description(description).allowExcessArguments(false).configureOutput(output(`meshfed ${name}`)).exitOverride();
  const env = '-e, --env <name>';
  const envHelp = 'one environment: clusters/<name>.yaml';
  const topology = '-t, --topology <file>';

  // addCommand, not .command(): a subcommand made by .command() shares its parent's output settings object.
  program.addCommand(
    command('synth', 'synthesize manifests: every clusters/*.yaml into dist/<environment>/<cluster>/, or one --env / --topology')
      .option(env, envHelp)
      .option(topology, 'one topology file (default: every clusters/*.yaml)')
      .option('-o, --out <dir>', 'output directory for --env/--topology (default: dist/<environment>)')
      .option('-c, --cluster <name>', 'write only this cluster\'s directory (with --env or --topology); the others are kept')
      .option('--json', 'print a machine-readable summary on stdout (clusters, files, objects, notes)')
      .option('--strict', 'exit 3 while notes (steps left to you) remain, after writing')
      .option('--print-schema', 'print the JSON Schema of the topology file and exit')
      .option('-q, --quiet', 'print nothing on success (notes stay in each cluster\'s NOTES.md)')
      .addHelpText('after', EXIT_CODES_HELP)
      .action(async (options: SynthOptions) => {
        code = await runSynth(options, io);
      }),
  );

  program.addCommand(
    command('validate', 'load and check topologies without writing anything: every problem in one pass')
      .option(env, envHelp)
      .option(topology, 'one topology file (default: every clusters/*.yaml)')
      .option('-q, --quiet', 'print nothing when every file is valid')
      .addHelpText('after', EXIT_CODES_HELP)
      .action((options: ValidateOptions) => {
        code = runValidate(options, io);
      }),
  );

  program.addCommand(
    command('diff', 'show what synth would change in the output directory, file by file (writes nothing)')
      .option(env, envHelp)
      .option(topology, 'one topology file (default: every clusters/*.yaml)')
      .option('-o, --out <dir>', 'output directory to compare, for --env/--topology (default: dist/<environment>)')
      .addHelpText('after', EXIT_CODES_HELP)
      .action(async (options: DiffOptions) => {
        code = await runDiff(options, io);
      }),
  );

  program.addCommand(
    command('plan', 'the Pulumi program of one environment run offline under mocks: resources per cluster (repository tool)')
      .option(env, envHelp)
      .option(topology, 'one topology file')
      .option('--existing <clusters>', 'comma-separated clusters treated as existing (given in meshfed:kubeconfigs)')
      .option('--json', 'machine-readable output')
      .addHelpText('after', EXIT_CODES_HELP)
      .action(async (options: { topology?: string; env?: string; json?: boolean; existing?: string }) => {
        const plan = loadPlanModule();
        if (plan === undefined) {
          io.stderr.write('meshfed plan: the offline plan is a repository tool (it needs lib/infra and the Pulumi SDKs, which the package leaves out); run it from a meshfed checkout\n');
          code = EXIT.usage; // nothing ran: the command needs a checkout, as documented in --help
          return;
        }
        code = await plan.runPlanCli(options, io);
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
