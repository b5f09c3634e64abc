/** Writes every cluster of a topology to `<outDir>/<cluster>/NN-<concern>.yaml`, deterministically. */
import { basename, dirname, join } from 'node:path';
import { Yaml } from 'cdk8s';
import { trustRelations, type TrustRelations } from '../clusters/federation';
import { nestedChildren, type Topology } from '../clusters/model';
import { buildClusterManifests, type SynthNote } from './cluster-manifests';
import { CHART_FILE_HEADERS } from './istio-charts';
import { clusterRunbook, environmentRunbook, PICTURE_SVG_MAX_CLUSTERS } from './istio-runbook';
import { renderMermaid } from './picture/mermaid';
import { pictureModel, renderTopologyPicture } from './topology-picture';
import { writeOutput, type OutputPlan } from './output-dir';

export interface ClusterOutput {
  readonly cluster: string;
  readonly dir: string;
  /** File name -> YAML stream. */
  readonly files: ReadonlyMap<string, string>;
  readonly objectCount: number;
  /** Markdown written next to the manifests (file name -> text), e.g. RUNBOOK.md. */
  readonly documents?: ReadonlyMap<string, string>;
}

export interface SynthResult {
  readonly environment: string;
  readonly clusters: readonly ClusterOutput[];
  readonly notes: readonly SynthNote[];
  /** The rendered trust relations the files were built from (the Pulumi stack's remote secrets follow them). */
  readonly relations: TrustRelations;
  /** Files about the whole environment, written once next to the cluster directories (file name -> text). */
  readonly environmentFiles: ReadonlyMap<string, string>;
  /** Set when only this cluster was rendered: writing it keeps the other clusters' directories. @default - every cluster */
  readonly only?: string;
}

export interface RenderOptions {
  /** Render only this cluster (its manifests, documents and notes; no environment files). @default - every cluster */
  readonly only?: string;
  /** Called after each cluster is rendered, in topology order (progress on large topologies). @default - none */
  readonly onCluster?: (done: number, total: number, output: ClusterOutput) => void;
}

/**
 * Builds all manifests in memory first: a construct error in any cluster means nothing is written.
 */
export function renderTopology(topology: Topology, outDir: string, options: RenderOptions = {}): SynthResult {
  // Rendered trust (who federates, which pairs discover each other): computed once for every consumer.
  const relations = trustRelations(topology);
  const selected = topology.clusters.filter((c) => options.only === undefined || c.name === options.only);
  const clusters: ClusterOutput[] = [];
  const notes: SynthNote[] = [];
  for (const cluster of selected) {
    const built = buildClusterManifests(topology, cluster, relations);
    const files = new Map<string, string>();
    let objectCount = 0;
    // File order is install order whatever order the charts were built in (nested/federation charts are built late).
    for (const chart of [...built.app.charts].sort((a, b) => a.node.id.localeCompare(b.node.id))) {
      const objects = chart.toJson();
      if (objects.length === 0) continue;
      objectCount += objects.length;
      files.set(`${chart.node.id}.yaml`, (CHART_FILE_HEADERS[chart.node.id] ?? '') + Yaml.stringify(...objects));
    }
    // Each cluster's runbook holds its own steps and peers; the environment's is written once beside them.
    const runbook = clusterRunbook(topology, relations, { name: cluster.name, files: [...files.keys()], federatesWith: built.federatesWith, nestedChildren: nestedChildren(topology, cluster.name).map((n) => n.name) });
    const output: ClusterOutput = { cluster: cluster.name, dir: join(outDir, cluster.name), files, objectCount, documents: new Map([['RUNBOOK.md', runbook]]) };
    clusters.push(output);
    notes.push(...built.notes);
    options.onCluster?.(clusters.length, selected.length, output);
  }
  const environmentFiles = new Map(options.only === undefined ? [['RUNBOOK.md', environmentRunbook(topology, relations)]] : []);
  return { environment: topology.environment, clusters, notes, relations, environmentFiles, ...(options.only === undefined ? {} : { only: options.only }) };
}

/** The file names of the topology picture written at the environment level. */
export const PICTURE_FILES = { svg: 'topology.svg', mermaid: 'topology.mmd' } as const;

/**
 * Up to this many clusters synth lays out topology.svg; above it only topology.mmd is written. Measured on
 * the 2-core bench machine (defined in istio-runbook.ts, whose environment RUNBOOK names the files): the
 * picture of a full mesh takes, cold (elkjs's load included), 0.3 s for dev, 1.0 s at 10 clusters, 1.4 s
 * at 12 and 3.3 s at 20, and grows faster than the mesh's other output; at 50 it would miss issue #14's targets.
 */
export { PICTURE_SVG_MAX_CLUSTERS };

/** Whether a synth result gets topology.svg: a whole environment (not one --cluster) of at most PICTURE_SVG_MAX_CLUSTERS clusters. */
export function drawsSvg(topology: Topology, only: string | undefined): boolean {
  return only === undefined && topology.clusters.length <= PICTURE_SVG_MAX_CLUSTERS;
}

/** Adds the topology picture (SVG and Mermaid source) to the environment files; async because elkjs lays out asynchronously. */
export async function withTopologyPicture(result: SynthResult, topology: Topology): Promise<SynthResult> {
  if (result.only !== undefined) return result; // one cluster: the environment's files stay as they are
  const files: [string, string][] = drawsSvg(topology, result.only)
    ? await renderTopologyPicture(topology).then((p) => [[PICTURE_FILES.svg, p.svg], [PICTURE_FILES.mermaid, p.mermaid]])
    : [[PICTURE_FILES.mermaid, renderMermaid(pictureModel(topology))]];
  return { ...result, environmentFiles: new Map([...result.environmentFiles, ...files]) };
}

/** What a synth result writes: each cluster's manifests, documents and NOTES.md, under the result's directory. */
export function outputPlan(result: SynthResult): OutputPlan {
  const outDirs = new Set(result.clusters.map((c) => dirname(c.dir)));
  if (outDirs.size > 1) throw new Error(`cluster directories of ${result.environment} are not siblings: ${[...outDirs].join(', ')}`);
  const clusters = new Map<string, Map<string, string>>();
  for (const cluster of result.clusters) {
    const files = new Map([...cluster.files, ...(cluster.documents ?? [])]);
    const notes = result.notes.filter((n) => n.cluster === cluster.cluster);
    if (notes.length > 0) files.set('NOTES.md', `# Remaining steps for ${cluster.cluster}\n\n${notes.map((n) => `- ${n.text}`).join('\n')}\n`);
    clusters.set(basename(cluster.dir), files);
  }
  return { environment: result.environment, outDir: [...outDirs][0] ?? '.', clusters, files: result.environmentFiles, ...(result.only === undefined ? {} : { keepOtherClusters: true }) };
}

/**
 * Replaces each cluster's output directory with the rendered files (only directories meshfed wrote, or
 * empty ones: see output-dir.ts) and removes this environment's cluster directories no longer in the
 * topology. Returns the removed directories; throws OutputError (nothing written) when it may not write.
 */
export function writeSynthResult(result: SynthResult): string[] {
  return writeOutput(outputPlan(result));
}
