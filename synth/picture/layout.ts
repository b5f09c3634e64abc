/**
 * ELK layout of the picture graph. Measured and not adopted: laying it out in a worker thread while the
 * manifests are built. On the idle 2-core machine a cold dev synth took 0.90 s with the worker and 0.89 s
 * without (10-cluster full mesh: 1.84 s and 1.79 s), for about 0.1 s more CPU; under load it was slower.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';

/**
 * The picture uses only ELK's layered algorithm. elkjs registers every algorithm it ships unless told
 * otherwise (default list in elkjs 0.12.1 lib/elk-api.js), which is most of its start-up cost: naming the
 * one we use saves about 75 ms of every synth and lays out the same graph identically.
 */
const ELK_OPTIONS = { algorithms: ['layered'] };

/** Lays a graph out in this thread. elkjs is loaded on first use: validate, --help and most tests never pay for it. */
export async function layOut(graph: ElkNode): Promise<ElkNode> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  return new ELK(ELK_OPTIONS).layout(graph);
}
