/** What every command shares: the output streams, and which topology files a command reads (--env, --topology or all). */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadTopologyFile, TopologyError, type LoadOptions, type Topology } from '../clusters';
import { closest } from '../clusters/suggest';

export interface Io {
  readonly stdout: { write(text: string): unknown };
  /** isTTY: a terminal gets one updating progress bar instead of a line per cluster. */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** The project directory: default topologies are `<cwd>/clusters/*.yaml`, default output `<cwd>/dist/`. */
  readonly cwd: string;
  /** Where the user ran the command: relative --topology and --out resolve here. @default - cwd */
  readonly userCwd?: string;
}

/** Which topology a command reads: one --env (clusters/<NAME>.yaml), one --topology file, or every clusters/*.yaml. */
export interface TopologySource {
  readonly env?: string;
  readonly topology?: string;
}

export interface Loaded {
  readonly topologies: readonly { file: string; topology: Topology }[];
  /** A path as the user sees it: relative to where they ran the command when under it, else absolute. */
  readonly shown: (path: string) => string;
}

/** Exit codes of every command (README "Command line"); an uncaught exception (a bug) exits 1 too. */
export const EXIT = {
  ok: 0,
  /** diff: the output directory differs from what synth would write. */
  different: 1,
  /** A usage mistake, an invalid topology or a refused output directory: nothing written. */
  usage: 2,
  /** synth --strict: written, but notes remain. */
  notes: 3,
} as const;

/** Prints `meshfed <command>: <message>` on stderr and returns exit code 2 (a user mistake). */
export function usageError(command: string, io: Io, message: string): number {
  io.stderr.write(`meshfed ${command}: ${message}\n`);
  return EXIT.usage;
}

export function shownPath(io: Io): (path: string) => string {
  const userCwd = io.userCwd ?? io.cwd;
  // Paths under the user's directory are shown relative to it, others absolute (never ../../tmp/x).
  return (path) => {
    const rel = relative(userCwd, path);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
}

/**
 * Loads the topologies a command reads; on any problem prints them all (with `nothing was <verb>` when the
 * command writes) and returns exit code 2.
 */
export function loadTopologies(command: string, source: TopologySource, io: Io, verb?: string, options: Omit<LoadOptions, 'baseDir'> = {}): Loaded | number {
  if (source.env !== undefined && source.topology !== undefined) {
    return usageError(command, io, '--env and --topology both name the topology; give one of them');
  }
  const shown = shownPath(io);
  let files: string[];
  let typed: string | undefined;
  if (source.env !== undefined) {
    const file = envFile(io.cwd, source.env);
    if (file === undefined) return usageError(command, io, unknownEnvMessage(io.cwd, source.env));
    files = [file];
  } else if (source.topology !== undefined) {
    files = [resolve(io.userCwd ?? io.cwd, source.topology)];
    typed = source.topology;
  } else {
    files = topologyFiles(io.cwd);
    if (files.length === 0) return usageError(command, io, 'no topology files in clusters/ (expected clusters/<environment>.yaml)');
  }
  const topologies: { file: string; topology: Topology }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      topologies.push({ file, topology: loadTopologyFile(file, typed ?? shown(file), options) });
    } catch (err) {
      if (!(err instanceof TopologyError)) throw err;
      problems.push(...err.problems);
    }
  }
  problems.push(...duplicateEnvironments(topologies, shown));
  if (problems.length > 0) {
    io.stderr.write(`${problems.join('\n')}\n${problems.length} problem${problems.length === 1 ? '' : 's'}${verb === undefined ? '' : `; nothing was ${verb}`}.\n`);
    return EXIT.usage;
  }
  return { topologies, shown };
}

/** clusters/<env>.yaml (or .yml) under the project directory, if it exists. */
function envFile(cwd: string, env: string): string | undefined {
  if (env === '' || /[/\\]/.test(env)) return undefined;
  return ['yaml', 'yml'].map((ext) => join(cwd, 'clusters', `${env}.${ext}`)).find((f) => existsSync(f));
}

/** The environments a project has: the names of its clusters/*.yaml files. */
export function environmentNames(cwd: string): string[] {
  return topologyFiles(cwd).map((f) => f.replace(/^.*[/\\]/, '').replace(/\.ya?ml$/, ''));
}

function unknownEnvMessage(cwd: string, env: string): string {
  const names = environmentNames(cwd);
  const hint = closest(env, names);
  return `--env ${JSON.stringify(env)}: there is no clusters/${env}.yaml${hint === undefined ? '' : `; did you mean \`${hint}\`?`}${names.length > 0 ? ` (environments: ${names.join(', ')})` : ' (clusters/ here has no topology files: run meshfed in the project directory, or give --topology FILE)'}`;
}

/** Two files of one environment would write the same dist/<environment>/: an error naming both. */
function duplicateEnvironments(topologies: readonly { file: string; topology: Topology }[], shown: (path: string) => string): string[] {
  const first = new Map<string, string>();
  const problems: string[] = [];
  for (const { file, topology } of topologies) {
    const earlier = first.get(topology.environment);
    if (earlier === undefined) first.set(topology.environment, file);
    else problems.push(`${shown(file)}: environment: "${topology.environment}" is already the environment of ${shown(earlier)}; each environment needs its own name (its output goes to dist/<environment>/)`);
  }
  return problems;
}

function topologyFiles(cwd: string): string[] {
  const dir = join(cwd, 'clusters');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n));
}

/** Where a topology's output goes: --out (resolved where the user ran the command) or <project>/dist/<environment>. */
export function outputDir(topology: Topology, out: string | undefined, io: Io): string {
  return out !== undefined ? resolve(io.userCwd ?? io.cwd, out) : join(io.cwd, 'dist', topology.environment);
}
