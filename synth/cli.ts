/** The synth command, separated from argument parsing so tests can run it in-process. */
import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadTopologyFile, TopologyError, topologyJsonSchema, type Topology } from '../clusters';
import { PropsError } from '../constructs/core/props-error';
import { checkOutput, OutputError } from './output-dir';
import { outputPlan, renderTopology, withTopologyPicture, writeSynthResult, type SynthResult } from './synthesize';

export interface SynthOptions {
  readonly topology?: string;
  readonly out?: string;
  readonly printSchema?: boolean;
  /** Print nothing on success (no summary lines, no notes on stderr; NOTES.md is still written). */
  readonly quiet?: boolean;
}

export interface ValidateOptions {
  readonly topology?: string;
  /** Print nothing when every file is valid. */
  readonly quiet?: boolean;
}

export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The project directory: default topologies are `<cwd>/clusters/*.yaml`, default output `<cwd>/dist/`. */
  readonly cwd: string;
  /** Where the user ran the command: relative --topology and --out resolve here. @default - cwd */
  readonly userCwd?: string;
}

/** Exit codes: 0 success, 2 invalid input or refused output (nothing written), 1 internal error. */
export async function runSynth(options: SynthOptions, io: Io): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`meshfed synth: ${message}\n`);
    return 2;
  };
  if (options.printSchema) {
    if (options.topology !== undefined || options.out !== undefined) {
      return fail('--print-schema prints the topology JSON Schema only; it takes no --topology or --out');
    }
    io.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (options.out !== undefined && options.topology === undefined) {
    return fail('--out needs --topology (without it every clusters/*.yaml goes to dist/<environment>/)');
  }
  const loaded = loadTopologies('synth', options.topology, io);
  if (typeof loaded === 'number') return loaded;
  const { topologies, shown } = loaded;
  const userCwd = io.userCwd ?? io.cwd;
  try {
    const outDir = (t: Topology): string => (options.out !== undefined ? resolve(userCwd, options.out) : join(io.cwd, 'dist', t.environment));
    const results: SynthResult[] = [];
    // The picture is laid out asynchronously (elkjs); one topology at a time keeps the output order fixed.
    for (const { topology } of topologies) results.push(await withTopologyPicture(renderTopology(topology, outDir(topology)), topology));
    for (const result of results) checkOutput(outputPlan(result));
    for (const result of results) {
      const removed = writeSynthResult(result);
      for (const c of result.clusters) {
        if (!options.quiet) io.stdout.write(`${result.environment}/${c.cluster}: ${c.objectCount} objects in ${c.files.size} files -> ${shown(c.dir)}\n`);
      }
      for (const dir of removed) if (!options.quiet) io.stdout.write(`${result.environment}: removed ${shown(dir)} (its cluster is no longer in the topology)\n`);
      // Notes are steps left to the user (also in each cluster's NOTES.md): stderr keeps stdout for the summary.
      for (const note of result.notes) if (!options.quiet) io.stderr.write(`note (${note.cluster}): ${note.text}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof PropsError || err instanceof OutputError) {
      io.stderr.write(`${err.message}\nnothing was written.\n`);
      return 2;
    }
    throw err;
  }
}

/** `meshfed validate`: loads and checks like synth, writes nothing. Exit 0 when every file is valid, else 2. */
export function runValidate(options: ValidateOptions, io: Io): number {
  const loaded = loadTopologies('validate', options.topology, io);
  if (typeof loaded === 'number') return loaded;
  for (const { file, topology } of loaded.topologies) {
    if (!options.quiet) io.stdout.write(`${loaded.shown(file)}: valid (environment ${topology.environment}, ${topology.clusters.length} cluster${topology.clusters.length === 1 ? '' : 's'})\n`);
  }
  return 0;
}

interface Loaded {
  readonly topologies: readonly { file: string; topology: Topology }[];
  /** A path as the user sees it: relative to where they ran the command when under it, else absolute. */
  readonly shown: (path: string) => string;
}

/** Loads one --topology or every clusters/*.yaml; on any problem prints them all and returns exit code 2. */
function loadTopologies(command: string, topology: string | undefined, io: Io): Loaded | number {
  const userCwd = io.userCwd ?? io.cwd;
  const files = topology !== undefined ? [resolve(userCwd, topology)] : topologyFiles(io.cwd);
  if (files.length === 0) {
    io.stderr.write(`meshfed ${command}: no topology files in clusters/ (expected clusters/<environment>.yaml)\n`);
    return 2;
  }
  // Paths under the user's directory are shown relative to it, others absolute (never ../../tmp/x).
  const shown = (path: string): string => {
    const rel = relative(userCwd, path);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
  const topologies: { file: string; topology: Topology }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      topologies.push({ file, topology: loadTopologyFile(file, topology ?? shown(file)) });
    } catch (err) {
      if (!(err instanceof TopologyError)) throw err;
      problems.push(...err.problems);
    }
  }
  problems.push(...duplicateEnvironments(topologies, shown));
  if (problems.length > 0) {
    io.stderr.write(`${problems.join('\n')}\n${problems.length} problem${problems.length === 1 ? '' : 's'}${command === 'synth' ? '; nothing was written' : ''}.\n`);
    return 2;
  }
  return { topologies, shown };
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
