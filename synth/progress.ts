/** Progress of a long synth on stderr: a line per cluster, or one updating bar on a terminal. */

/** Topologies with fewer clusters synthesize in a moment: no progress output. */
export const PROGRESS_MIN_CLUSTERS = 10;

const BAR_WIDTH = 24;

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface Progress {
  cluster(done: number, total: number, name: string, objects: number): void;
  /** Ends the bar's line on a terminal (so the next message starts on its own line). */
  end(): void;
}

const silent: Progress = { cluster: () => undefined, end: () => undefined };

/** A reporter for a topology of `clusters` clusters: silent below PROGRESS_MIN_CLUSTERS or when `enabled` is false. */
export function progressReporter(stream: ProgressStream, clusters: number, enabled: boolean): Progress {
  if (!enabled || clusters < PROGRESS_MIN_CLUSTERS) return silent;
  if (stream.isTTY !== true) {
    // A log (CI, a pipe) keeps every line: "[3/50] cluster-x  41 objects".
    return { cluster: (done, total, name, objects) => stream.write(`[${done}/${total}] ${name}  ${objects} objects\n`), end: () => undefined };
  }
  let drawn = false;
  return {
    cluster(done, total, name, objects) {
      const filled = Math.round((done / total) * BAR_WIDTH);
      // \r returns to the line start, ESC[K clears what a longer previous name left behind.
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${name}  ${objects} objects\x1b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
