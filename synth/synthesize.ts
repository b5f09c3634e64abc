/** Writes every cluster of a topology to `<outDir>/<cluster>/NN-<concern>.yaml`, deterministically. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import { trustRelations, type TrustRelations } from '../clusters/federation';
import type { Topology } from '../clusters/model';
import { buildClusterManifests, type SynthNote } from './cluster-manifests';
import { CHART_FILE_HEADERS } from './istio-charts';
import { istioRunbook } from './istio-runbook';

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
}

/**
 * Builds all manifests in memory first: a construct error in any cluster means nothing is written.
 */
export function renderTopology(topology: Topology, outDir: string): SynthResult {
  // Rendered trust (who federates, which pairs discover each other): computed once for every consumer.
  const relations = trustRelations(topology);
  const built = topology.clusters.map((cluster) => buildClusterManifests(topology, cluster, relations));
  const rendered = built.map(({ cluster, app }) => {
    const files = new Map<string, string>();
    let objectCount = 0;
    // File order is install order whatever order the charts were built in (nested/federation charts are built late).
    for (const chart of [...app.charts].sort((a, b) => a.node.id.localeCompare(b.node.id))) {
      const objects = chart.toJson();
      if (objects.length === 0) continue;
      objectCount += objects.length;
      files.set(`${chart.node.id}.yaml`, (CHART_FILE_HEADERS[chart.node.id] ?? '') + Yaml.stringify(...objects));
    }
    return { cluster: cluster.name, dir: join(outDir, cluster.name), files, objectCount };
  });
  // One runbook for the environment, written into every cluster's directory; it lists each cluster's files.
  const runbook = istioRunbook(topology, relations, built.map((b, i) => ({ name: b.cluster.name, files: [...rendered[i].files.keys()], federatesWith: b.federatesWith })));
  const clusters = rendered.map((c) => ({ ...c, documents: new Map([['RUNBOOK.md', runbook]]) }));
  return { environment: topology.environment, clusters, notes: built.flatMap((b) => b.notes), relations };
}

/** Replaces each cluster's output directory with the rendered files. */
export function writeSynthResult(result: SynthResult): void {
  for (const cluster of result.clusters) {
    rmSync(cluster.dir, { recursive: true, force: true });
    mkdirSync(cluster.dir, { recursive: true });
    for (const [name, text] of cluster.files) writeFileSync(join(cluster.dir, name), text);
    for (const [name, text] of cluster.documents ?? []) writeFileSync(join(cluster.dir, name), text);
    const notes = result.notes.filter((n) => n.cluster === cluster.cluster);
    if (notes.length > 0) {
      writeFileSync(join(cluster.dir, 'NOTES.md'), `# Remaining steps for ${cluster.cluster}\n\n${notes.map((n) => `- ${n.text}`).join('\n')}\n`);
    }
  }
}
