/** The picture's layout in a worker thread (what the CLI runs) gives the same picture as in this thread. */
import { layOutHere, layOutInWorker } from '../synth/picture/layout';
import { pictureModel } from '../synth/picture/model';
import { elkGraph } from '../synth/picture/svg';
import { renderTopologyPicture, startTopologyPicture } from '../synth/topology-picture';
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
