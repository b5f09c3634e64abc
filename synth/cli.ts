/** The synth command, separated from argument parsing so tests can run it in-process. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadTopologyFile, TopologyError, topologyJsonSchema, type Topology } from '../clusters';
import { PropsError } from '../constructs/props-error';
import { renderTopology, writeSynthResult, type SynthResult } from './synthesize';

export interface SynthOptions {
  readonly topology?: string;
  readonly out?: string;
  readonly printSchema?: boolean;
}

interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
}

/** Exit codes: 0 success, 2 invalid input (nothing written), 1 internal error. */
export function runSynth(options: SynthOptions, io: Io): number {
  if (options.printSchema) {
    io.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (options.out !== undefined && options.topology === undefined) {
    io.stderr.write('meshfed synth: --out needs --topology (without it every clusters/*.yaml goes to dist/<environment>/)\n');
    return 2;
  }
  const files = options.topology !== undefined ? [options.topology] : topologyFiles(io.cwd);
  if (files.length === 0) {
    io.stderr.write('meshfed synth: no topology files in clusters/ (expected clusters/<environment>.yaml)\n');
    return 2;
  }
  try {
    // Load and build everything before writing anything: one bad file means no output at all.
    const topologies: Topology[] = [];
    const problems: string[] = [];
    for (const file of files) {
      try {
        topologies.push(loadTopologyFile(file));
      } catch (err) {
        if (!(err instanceof TopologyError)) throw err;
        problems.push(...err.problems);
      }
    }
    if (problems.length > 0) {
      io.stderr.write(`${problems.join('\n')}\n${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was written.\n`);
      return 2;
    }
    const results: SynthResult[] = topologies.map((t) => renderTopology(t, options.out ?? join(io.cwd, 'dist', t.environment)));
    for (const result of results) {
      writeSynthResult(result);
      for (const c of result.clusters) {
        io.stdout.write(`${result.environment}/${c.cluster}: ${c.objectCount} objects in ${c.files.size} files -> ${relative(io.cwd, c.dir) || '.'}\n`);
      }
      for (const note of result.notes) io.stdout.write(`  note (${note.cluster}): ${note.text}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof PropsError) {
      io.stderr.write(`${err.message}\nnothing was written.\n`);
      return 2;
    }
    throw err;
  }
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
