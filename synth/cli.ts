/** The synth and validate commands, separated from argument parsing so tests can run them in-process. */
import { topologyJsonSchema, type Topology } from '../clusters';
import { closest } from '../clusters/suggest';
import { PropsError } from '../constructs/core/props-error';
import { EXIT, loadTopologies, outputDir, usageError, type Io, type TopologySource } from './cli-input';
import { checkOutput, OutputError } from './output-dir';
import { progressReporter } from './progress';
import { outputPlan, renderTopology, withTopologyPicture, writeSynthResult, type SynthResult } from './synthesize';

export { EXIT, type Io } from './cli-input';

export interface SynthOptions extends TopologySource {
  readonly out?: string;
  readonly printSchema?: boolean;
  /** Write only this cluster's directory (needs --env or --topology); the others stay as they are. */
  readonly cluster?: string;
  /** Print nothing on success (no summary lines, no notes on stderr, no progress; NOTES.md is still written). */
  readonly quiet?: boolean;
  /** Print a machine-readable summary on stdout instead of the summary lines (notes are in it, not on stderr). */
  readonly json?: boolean;
  /** Exit 3 when notes remain (after writing): steps left to the user fail a CI job. */
  readonly strict?: boolean;
}

export interface ValidateOptions extends TopologySource {
  /** Print nothing when every file is valid. */
  readonly quiet?: boolean;
}

/** The --json summary of a synth. */
export interface SynthSummary {
  readonly environments: readonly {
    readonly environment: string;
    readonly outDir: string;
    readonly clusters: readonly { readonly cluster: string; readonly dir: string; readonly objects: number; readonly files: readonly string[]; readonly notes: readonly string[] }[];
    /** Cluster directories removed because their cluster left the topology. */
    readonly removed: readonly string[];
  }[];
  readonly notes: number;
}

export async function runSynth(options: SynthOptions, io: Io): Promise<number> {
  const fail = (message: string): number => usageError('synth', io, message);
  if (options.printSchema) {
    if (options.topology !== undefined || options.env !== undefined || options.out !== undefined || options.cluster !== undefined) {
      return fail('--print-schema prints the topology JSON Schema only; it takes no --topology, --env, --cluster or --out');
    }
    io.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
    return EXIT.ok;
  }
  if (options.out !== undefined && options.topology === undefined && options.env === undefined) {
    return fail('--out needs --env or --topology (without them every clusters/*.yaml goes to dist/<environment>/)');
  }
  if (options.cluster !== undefined && options.topology === undefined && options.env === undefined) {
    return fail('--cluster needs --env or --topology (cluster names are per environment)');
  }
  const loaded = loadTopologies('synth', options, io, 'written');
  if (typeof loaded === 'number') return loaded;
  const { topologies, shown } = loaded;
  if (options.cluster !== undefined) {
    const names = topologies[0].topology.clusters.map((c) => c.name);
    if (!names.includes(options.cluster)) return fail(unknownClusterMessage(options.cluster, topologies[0].topology));
  }
  const talk = !options.quiet && !options.json;
  try {
    const results: SynthResult[] = [];
    // The picture is laid out asynchronously (elkjs); one topology at a time keeps the output order fixed.
    for (const { topology } of topologies) {
      const total = options.cluster === undefined ? topology.clusters.length : 1;
      const progress = progressReporter(io.stderr, total, talk);
      const rendered = renderTopology(topology, outputDir(topology, options.out, io), {
        ...(options.cluster === undefined ? {} : { only: options.cluster }),
        onCluster: (done, n, c) => progress.cluster(done, n, c.cluster, c.objectCount),
      });
      progress.end();
      results.push(await withTopologyPicture(rendered, topology));
    }
    for (const result of results) checkOutput(outputPlan(result));
    const summary: SynthSummary['environments'][number][] = [];
    for (const result of results) {
      const removed = writeSynthResult(result);
      const plan = outputPlan(result);
      summary.push({
        environment: result.environment,
        outDir: shown(plan.outDir),
        clusters: result.clusters.map((c) => ({
          cluster: c.cluster,
          dir: shown(c.dir),
          objects: c.objectCount,
          files: [...(plan.clusters.get(c.cluster)?.keys() ?? [])],
          notes: result.notes.filter((n) => n.cluster === c.cluster).map((n) => n.text),
        })),
        removed: removed.map(shown),
      });
      if (!talk) continue;
      for (const c of result.clusters) io.stdout.write(`${result.environment}/${c.cluster}: ${c.objectCount} objects in ${c.files.size} files -> ${shown(c.dir)}\n`);
      for (const dir of removed) io.stdout.write(`${result.environment}: removed ${shown(dir)} (its cluster is no longer in the topology)\n`);
      // Notes are steps left to the user (also in each cluster's NOTES.md): stderr keeps stdout for the summary.
      for (const note of result.notes) io.stderr.write(`note (${note.cluster}): ${note.text}\n`);
    }
    const notes = results.reduce((n, r) => n + r.notes.length, 0);
    if (options.json) io.stdout.write(`${JSON.stringify({ environments: summary, notes } satisfies SynthSummary, null, 2)}\n`);
    if (options.strict && notes > 0) {
      if (!options.quiet) io.stderr.write(`meshfed synth: --strict: ${notes} note${notes === 1 ? '' : 's'} left (see each cluster's NOTES.md); the files were written\n`);
      return EXIT.notes;
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof PropsError || err instanceof OutputError) {
      io.stderr.write(`${err.message}\nnothing was written.\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

export function unknownClusterMessage(cluster: string, topology: Topology): string {
  const names = topology.clusters.map((c) => c.name);
  const hint = closest(cluster, names);
  return `--cluster ${JSON.stringify(cluster)}: environment ${topology.environment} has no such cluster${hint === undefined ? '' : `; did you mean \`${hint}\`?`} (clusters: ${names.join(', ')})`;
}

/** `meshfed validate`: loads and checks like synth, writes nothing. Exit 0 when every file is valid, else 2. */
export function runValidate(options: ValidateOptions, io: Io): number {
  const loaded = loadTopologies('validate', options, io);
  if (typeof loaded === 'number') return loaded;
  for (const { file, topology } of loaded.topologies) {
    if (!options.quiet) io.stdout.write(`${loaded.shown(file)}: valid (environment ${topology.environment}, ${topology.clusters.length} cluster${topology.clusters.length === 1 ? '' : 's'})\n`);
  }
  return EXIT.ok;
}
