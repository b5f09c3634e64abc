/** The picture's layout in a worker thread (what the CLI runs) gives the same picture as in this thread. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layOutHere, layOutInWorker } from '../synth/picture/layout';
import { pictureModel } from '../synth/picture/model';
import { elkGraph } from '../synth/picture/svg';
import { PICTURE_FILES, PICTURE_SVG_MAX_CLUSTERS, renderTopology, startPicture, withTopologyPicture } from '../synth/synthesize';
import { renderTopologyPicture, startTopologyPicture } from '../synth/topology-picture';
import { fullMeshTopologyYaml } from './bench/topology';
import { environment, FIVE_CLUSTERS, topologyText } from './helpers/picture';

function withoutObjectNumbers(graph: unknown): unknown {
  return JSON.parse(JSON.stringify(graph, (key, value: unknown) => (key === '$H' ? undefined : value)));
}

describe('picture layout in a worker thread', () => {
  it.each([['dev', () => environment('dev')], ['staging', () => environment('staging')], ['five clusters', () => topologyText(FIVE_CLUSTERS)]])(
    '%s: the laid-out graph and the SVG equal the in-thread ones',
    async (_name, topology) => {
      const graph = elkGraph(pictureModel(topology()));
      // elkjs numbers its objects ($H, a per-module counter that no drawing reads): compare the rest.
      expect(withoutObjectNumbers(await layOutInWorker(graph).graph)).toEqual(withoutObjectNumbers(await layOutHere(graph)));
      expect(await startTopologyPicture(topology()).picture).toEqual(await renderTopologyPicture(topology()));
    },
  );

  it('rejects with the layout error when elkjs refuses the graph', async () => {
    // An edge to a node that does not exist: elkjs names it in its error.
    const graph = { id: 'root', children: [{ id: 'a', width: 10, height: 10 }], edges: [{ id: 'e', sources: ['a'], targets: ['missing'] }] };
    await expect(layOutInWorker(graph).graph).rejects.toThrow(/^topology picture layout failed: .*missing/);
  });

  it('cancel stops the worker: the pending layout rejects, and nothing else is left to wait for', async () => {
    const pending = layOutInWorker(elkGraph(pictureModel(topologyText(FIVE_CLUSTERS))));
    pending.cancel();
    await expect(pending.graph).rejects.toThrow(/^topology picture layout stopped \(worker exit code \d+\)$/);
  });
});

describe('which synth draws topology.svg', () => {
  // The bench's full mesh, root certificate relative to clusters/ (where topologyText resolves files).
  const mesh = (n: number) => topologyText(fullMeshTopologyYaml(n, 'certs/hub.example.org.pem'));

  it(`lays out an SVG for up to ${PICTURE_SVG_MAX_CLUSTERS} clusters, and only for the whole environment`, () => {
    const atLimit = startPicture(mesh(PICTURE_SVG_MAX_CLUSTERS));
    expect(atLimit).toBeDefined();
    atLimit?.cancel(); // its layout takes seconds; that it starts is what this test is about
    expect(startPicture(mesh(PICTURE_SVG_MAX_CLUSTERS + 1))).toBeUndefined();
    expect(startPicture(mesh(2), 'c001')).toBeUndefined();
  });

  it(`above ${PICTURE_SVG_MAX_CLUSTERS} clusters writes the Mermaid source only, and the environment RUNBOOK says so`, async () => {
    const topology = mesh(PICTURE_SVG_MAX_CLUSTERS + 1);
    const result = await withTopologyPicture(renderTopology(topology, 'out'), topology);
    expect([...result.environmentFiles.keys()].sort()).toEqual(['RUNBOOK.md', PICTURE_FILES.mermaid]);
    expect(result.environmentFiles.get(PICTURE_FILES.mermaid)).toMatch(/^flowchart LR/);
    expect(result.environmentFiles.get('RUNBOOK.md')).toContain(`no SVG is laid out above ${PICTURE_SVG_MAX_CLUSTERS} clusters`);
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toContain(`above ${PICTURE_SVG_MAX_CLUSTERS} clusters only \`topology.mmd\``);
  });
});
