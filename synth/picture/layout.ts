/**
 * ELK layout of the picture graph, in this thread or in a worker thread.
 *
 * Loading elkjs (1.6 MB of JavaScript) and laying out the graph is about a fifth of a cold dev synth
 * (0.2 s of 1.2 s, CPU profile on the 2-core bench machine) and depends on the topology alone, so the CLI
 * runs it in a worker thread while the main thread builds the manifests. Both paths run the same elkjs
 * build with the same options on the same graph: the laid-out graph, and so the SVG, is the same.
 */
import { Worker } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api';

/**
 * The picture uses only ELK's layered algorithm. elkjs registers every algorithm it ships unless told
 * otherwise (default list in elkjs 0.12.1 lib/elk-api.js), which is most of its start-up cost: naming the
 * one we use saves about 75 ms of every synth and lays out the same graph identically.
 */
const ELK_OPTIONS = { algorithms: ['layered'] };

/** Lays a graph out in this thread. elkjs is loaded on first use: validate, --help and most tests never pay for it. */
export async function layOutHere(graph: ElkNode): Promise<ElkNode> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  return new ELK(ELK_OPTIONS).layout(graph);
}

/** A layout running in a worker thread: `graph` settles once; `cancel` stops the worker (no-op once settled). */
export interface PendingLayout {
  readonly graph: Promise<ElkNode>;
  cancel(): void;
}

/** The worker's whole program: the elkjs module and the graph come as workerData, the result or error goes back as one message. */
const WORKER_PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.elk);
new ELK(workerData.options).layout(workerData.graph).then(
  (graph) => parentPort.postMessage({ graph }),
  (err) => parentPort.postMessage({ error: String((err && err.message) || err) }),
);
`;

type WorkerReply = { readonly graph: ElkNode } | { readonly error: string };

/** Starts laying a graph out in a worker thread (elkjs resolved from this module, as layOutHere does). */
export function layOutInWorker(graph: ElkNode): PendingLayout {
  const worker = new Worker(WORKER_PROGRAM, { eval: true, workerData: { elk: require.resolve('elkjs/lib/elk.bundled.js'), options: ELK_OPTIONS, graph } });
  const result = new Promise<ElkNode>((resolve, reject) => {
    worker.once('message', (reply: WorkerReply) => {
      if ('error' in reply) reject(new Error(`topology picture layout failed: ${reply.error}`));
      else resolve(reply.graph);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`topology picture layout stopped (worker exit code ${code})`)));
  });
  // A caller that fails before awaiting the layout cancels it; its rejection is then nobody's concern.
  result.catch(() => undefined);
  return { graph: result, cancel: () => void worker.terminate() };
}
