/**
 * The topology picture: clusters grouped by cloud and region, with federation, nesting and east-west
 * links and their ports, as an SVG (laid out by elkjs) and as Mermaid source.
 *
 * Async because elkjs's layout API returns a promise. Deterministic: the same topology gives the same bytes.
 */
import type { Topology } from '../clusters/model';
import { layOut } from './picture/layout';
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

export async function renderTopologyPicture(topology: Topology): Promise<TopologyPicture> {
  const model = pictureModel(topology);
  return { svg: drawSvg(model, await layOut(elkGraph(model))), mermaid: renderMermaid(model) };
}
