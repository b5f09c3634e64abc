/**
 * The topology picture: clusters grouped by cloud and region, with federation, nesting and east-west
 * links and their ports, as an SVG (laid out by elkjs) and as Mermaid source.
 *
 * Async because elkjs's layout API returns a promise. Deterministic: the same topology gives the same
 * bytes, whether laid out in this thread or in a worker (picture/layout.ts).
 */
import type { Topology } from '../clusters/model';
import { layOutHere, layOutInWorker } from './picture/layout';
import { renderMermaid } from './picture/mermaid';
import { pictureModel } from './picture/model';
import { drawSvg, elkGraph } from './picture/svg';

export { pictureModel, type PictureModel, type PictureEdge, type PictureCluster } from './picture/model';

export interface TopologyPicture {
  /** A standalone SVG document (no scripts, no external fonts). */
  readonly svg: string;
  /** Mermaid `flowchart LR` source. */
  readonly mermaid: string;
}

/** Renders the picture in this thread. */
export async function renderTopologyPicture(topology: Topology): Promise<TopologyPicture> {
  const model = pictureModel(topology);
  return { svg: drawSvg(model, await layOutHere(elkGraph(model))), mermaid: renderMermaid(model) };
}

/** A picture being laid out in a worker thread (startTopologyPicture). */
export interface PendingPicture {
  readonly picture: Promise<TopologyPicture>;
  /** Stops the layout when the caller gives up before awaiting it (a failed synth must not wait for it). */
  cancel(): void;
}

/** Starts rendering the picture with its layout in a worker thread, so the caller can build the manifests meanwhile. */
export function startTopologyPicture(topology: Topology): PendingPicture {
  const model = pictureModel(topology);
  const layout = layOutInWorker(elkGraph(model));
  const picture = layout.graph.then((laidOut) => ({ svg: drawSvg(model, laidOut), mermaid: renderMermaid(model) }));
  picture.catch(() => undefined); // see layOutInWorker: a cancelled layout is awaited by nobody
  return { picture, cancel: layout.cancel };
}
