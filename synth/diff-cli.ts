/** `meshfed diff`: what synth would change in an output directory, file by file; writes nothing. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PropsError } from '../constructs/core/props-error';
import { EXIT, loadTopologies, outputDir, usageError, type Io, type TopologySource } from './cli-input';
import { unifiedDiff } from './line-diff';
import { checkOutput, OutputError, readEnvironmentMarker, readMarker, type OutputPlan } from './output-dir';
import { outputPlan, renderTopology, withTopologyPicture } from './synthesize';

export interface DiffOptions extends TopologySource {
  /** The output directory to compare (needs --env or --topology). @default - dist/<environment> */
  readonly out?: string;
}

export interface FileChange {
  readonly kind: 'added' | 'removed' | 'changed';
  /** Absolute path of the file in the output directory. */
  readonly path: string;
  /** The file's text on disk ('' when added). */
  readonly before: string;
  /** The text synth would write ('' when removed). */
  readonly after: string;
}

/** Exit 0: the output directory holds exactly what synth would write; 1: it differs; 2: bad input. */
export async function runDiff(options: DiffOptions, io: Io): Promise<number> {
  if (options.out !== undefined && options.topology === undefined && options.env === undefined) {
    return usageError('diff', io, '--out needs --env or --topology (without them every clusters/*.yaml is compared with dist/<environment>/)');
  }
  const loaded = loadTopologies('diff', options, io);
  if (typeof loaded === 'number') return loaded;
  const changes: FileChange[] = [];
  try {
    for (const { topology } of loaded.topologies) {
      const plan = outputPlan(await withTopologyPicture(renderTopology(topology, outputDir(topology, options.out, io)), topology));
      // A directory synth would refuse to replace is a problem to fix first, as in synth.
      checkOutput(plan);
      changes.push(...outputChanges(plan));
    }
  } catch (err) {
    if (err instanceof PropsError || err instanceof OutputError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  for (const change of changes) {
    const name = loaded.shown(change.path);
    io.stdout.write(`${change.kind}: ${name}\n`);
    if (change.kind === 'changed') io.stdout.write(unifiedDiff(change.before, change.after, `${name} (on disk)`, `${name} (synth)`));
  }
  if (changes.length === 0) return EXIT.ok;
  const count = (kind: FileChange['kind']) => changes.filter((c) => c.kind === kind).length;
  io.stdout.write(`${changes.length} file${changes.length === 1 ? '' : 's'} differ${changes.length === 1 ? 's' : ''}: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed\n`);
  return EXIT.different;
}

/** Every file synth would add, remove or change under the plan's output directory (marker files aside). */
export function outputChanges(plan: OutputPlan): FileChange[] {
  const changes: FileChange[] = [];
  const compare = (dir: string, wanted: ReadonlyMap<string, string>, present: readonly string[]) => {
    for (const name of [...new Set([...wanted.keys(), ...present])].sort()) {
      const path = join(dir, name);
      const after = wanted.get(name);
      const before = present.includes(name) ? readFileSync(path, 'utf8') : undefined;
      if (before === undefined) changes.push({ kind: 'added', path, before: '', after: after ?? '' });
      else if (after === undefined) changes.push({ kind: 'removed', path, before, after: '' });
      else if (before !== after) changes.push({ kind: 'changed', path, before, after });
    }
  };
  for (const [cluster, files] of [...plan.clusters].sort(([a], [b]) => a.localeCompare(b))) {
    compare(join(plan.outDir, cluster), files, filesIn(join(plan.outDir, cluster)));
  }
  // This environment's cluster directories no longer in the topology: synth removes them whole.
  if (plan.keepOtherClusters !== true) {
    for (const name of subdirectories(plan.outDir).filter((n) => !plan.clusters.has(n) && readMarker(join(plan.outDir, n))?.environment === plan.environment)) {
      compare(join(plan.outDir, name), new Map(), filesIn(join(plan.outDir, name)));
    }
  }
  // Environment files: the ones the marker lists are meshfed's (checkOutput refused any other in the way).
  const marker = readEnvironmentMarker(plan.outDir);
  const listed = marker?.environment === plan.environment ? marker.files : [];
  const wanted = plan.files ?? new Map<string, string>();
  compare(plan.outDir, wanted, filesIn(plan.outDir).filter((n) => wanted.has(n) || listed.includes(n)));
  return changes;
}

/** Regular files of a directory, without dot files (meshfed's markers); none when it does not exist. */
function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory()).sort();
  } catch {
    return [];
  }
}
