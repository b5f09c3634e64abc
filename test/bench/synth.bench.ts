/**
 * Synthesis benchmark: load + build + render for topologies of 2, 5 and 10 clusters (full-mesh).
 * Goal: a 10-cluster environment synthesizes in well under 2 s on the 2-core reference machine.
 * Run with `npm run bench`; prints median wall time per size.
 */
import { performance } from 'node:perf_hooks';
import { loadTopology } from '../../clusters';
import { renderTopology } from '../../synth/synthesize';

function topology(n: number): string {
  const clusters = Array.from({ length: n }, (_, i) => `  - name: c${i + 1}
    provider: ${i % 2 === 0 ? 'gke' : 'eks'}
    region: ${i % 2 === 0 ? 'us-central1' : 'us-east-1'}
    trustDomain: td${i + 1}.example
    cidr: 10.${i + 1}.0.0/16
`).join('');
  return `environment: bench\nclusters:\n${clusters}federation: full-mesh\n`;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
for (const n of [2, 5, 10]) {
  const text = topology(n);
  const times: number[] = [];
  let objects = 0;
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const result = renderTopology(loadTopology(text, `bench-${n}.yaml`), '/unused');
    times.push(performance.now() - start);
    objects = result.clusters.reduce((sum, c) => sum + c.objectCount, 0);
  }
  times.sort((a, b) => a - b);
  console.log(`${String(n).padStart(2)} clusters: ${objects} objects, median ${times[Math.floor(times.length / 2)].toFixed(0)} ms over ${RUNS} runs`);
}
