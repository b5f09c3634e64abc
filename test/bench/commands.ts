/**
 * The commands a user runs, read from package.json so the bench follows the package as it changes:
 * `npm run synth`, the direct node invocation of the package's `bin`, and the offline plan (`meshfed plan`, else `npm run plan`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec } from './process';

export const REPO_ROOT = join(__dirname, '..', '..');

interface PackageJson {
  readonly scripts?: Readonly<Record<string, string>>;
  readonly bin?: string | Readonly<Record<string, string>>;
}

export function readPackageJson(root = REPO_ROOT): PackageJson {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
}

/** The package's `meshfed` bin target (relative path), if package.json declares one. */
export function binTarget(pkg: PackageJson): string | undefined {
  if (typeof pkg.bin === 'string') return pkg.bin;
  return pkg.bin?.meshfed ?? (pkg.bin ? Object.values(pkg.bin)[0] : undefined);
}

export interface DirectCli {
  /** How the table names it, e.g. "node bin/meshfed.js". */
  readonly label: string;
  readonly argvPrefix: readonly string[];
  /** The bin target exists in package.json but is not built yet: `npm run build` first. */
  readonly needsBuild: boolean;
}

/**
 * True when the bin says its compiled code must be rebuilt first (bin/meshfed.js exports needsBuild:
 * lib/ missing or older than a source). Its first cold run would otherwise time tsc, not synth.
 */
function libIsStale(binFile: string, root: string): boolean {
  const bin = require(binFile) as { needsBuild?: (dir: string) => boolean };
  return typeof bin.needsBuild === 'function' && bin.needsBuild(root);
}

/** The direct node invocation of the package's `bin`. */
export function directCli(root = REPO_ROOT): DirectCli {
  const bin = binTarget(readPackageJson(root));
  if (bin === undefined || !/\.c?js$/.test(bin)) throw new Error(`package.json: the bench runs the package's bin, a JavaScript file; found ${JSON.stringify(bin)}`);
  return { label: `node ${bin}`, argvPrefix: [process.execPath, join(root, bin)], needsBuild: !existsSync(join(root, bin)) || libIsStale(join(root, bin), root) };
}

export function npmSynth(topology: string, out: string, root = REPO_ROOT): CommandSpec {
  return { label: 'npm run synth', argv: ['npm', 'run', 'synth', '--', '--topology', topology, '--out', out], cwd: root };
}

export function directSynth(cli: DirectCli, topology: string, out: string, root = REPO_ROOT): CommandSpec {
  return { label: cli.label, argv: [...cli.argvPrefix, 'synth', '--topology', topology, '--out', out], cwd: root };
}

/** True when the CLI's `--help` lists `command` among its commands (commander indents each by two spaces, name first; wrapped descriptions deeper). */
export function cliHasCommand(helpText: string, command: string): boolean {
  const commands = helpText.split(/^Commands:$/m)[1] ?? '';
  return new RegExp(`^  ${command}\\b`, 'm').test(commands);
}

/**
 * The offline plan of a topology: `meshfed plan --topology <file>` when the package's CLI has that
 * command, else `npm run plan -- --topology <file>`, else undefined.
 */
export function planCommand(cli: DirectCli, topology: string, root = REPO_ROOT): CommandSpec | undefined {
  // Not `plan --help`: commander answers an unknown command's --help with the root help and exit 0.
  const help = spawnSync(cli.argvPrefix[0], [...cli.argvPrefix.slice(1), '--help'], { cwd: root, encoding: 'utf8' });
  if (help.status === 0 && cliHasCommand(help.stdout, 'plan')) return { label: `${cli.label} plan`, argv: [...cli.argvPrefix, 'plan', '--topology', topology], cwd: root };
  if (readPackageJson(root).scripts?.plan === undefined) return undefined;
  return { label: 'npm run plan', argv: ['npm', 'run', 'plan', '--', '--topology', topology], cwd: root };
}
