/**
 * In-process figures for one topology, run in its own node process (a fresh heap per size):
 * `node -r ts-node/register/transpile-only test/bench/in-process.ts <topology> <runs> [--profile <file>]`.
 * Times loadTopologyFile + renderTopology, then the floor: a bare YAML dump of the same objects with the
 * `yaml` package and the options cdk8s's Yaml.stringify passes (cdk8s 2.70.106, lib/yaml.js:
 * keepUndefined, lineWidth 0, YAML 1.1). Prints one JSON line (InProcessFigures) on stdout.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments, stringify } from 'yaml';
import { loadTopology, loadTopologyFile } from '../../clusters';
import { renderTopology, type SynthResult } from '../../synth/synthesize';
import { median } from './process';
import { BENCH_ROOT_PEM, fullMeshTopologyYaml } from './topology';

export interface InProcessFigures {
  readonly runs: number;
  readonly loadMs: number;
  readonly renderMs: number;
  /** load + render, median of the per-run sums. */
  readonly synthMs: number;
  readonly dumpMs: number;
  /** CPU time (user + system) of load + render and of the dump: steadier than wall time on a busy machine. */
  readonly synthCpuMs: number;
  readonly dumpCpuMs: number;
  readonly objects: number;
  /** What the writer would write (manifests and documents), counted in memory. */
  readonly renderedBytes: number;
  readonly renderedFiles: number;
  /** ClusterFederatedTrustDomain objects: N*(N-1) when every relationship of a full mesh is rendered. */
  readonly federationObjects: number;
}

const CDK8S_STRINGIFY_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;
const OUT_DIR = '/meshfed-bench-not-written';

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function manifestObjects(result: SynthResult): unknown[][] {
  return result.clusters.flatMap((c) =>
    [...c.files.values()].map((text) => parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as unknown)),
  );
}

function dump(files: readonly unknown[][]): number {
  let length = 0;
  for (const objects of files) length += objects.map((o) => stringify(o, CDK8S_STRINGIFY_OPTIONS)).join('---\n').length;
  return length;
}

export async function measureInProcess(topologyFile: string, runs: number, profileFile?: string): Promise<InProcessFigures> {
  // Warm-up: module initialisation and JIT on a small mesh, so run 1 is not charged for them.
  renderTopology(loadTopology(fullMeshTopologyYaml(2, BENCH_ROOT_PEM), 'warm-up.yaml'), OUT_DIR);
  const load: number[] = [];
  const render: number[] = [];
  const synth: number[] = [];
  const synthCpu: number[] = [];
  let result: SynthResult | undefined;
  for (let r = 0; r < runs; r++) {
    result = undefined;
    gc();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const topology = loadTopologyFile(topologyFile);
    const t1 = performance.now();
    result = renderTopology(topology, OUT_DIR);
    const t2 = performance.now();
    synthCpu.push(cpuMs(cpu0));
    load.push(t1 - t0);
    render.push(t2 - t1);
    synth.push(t2 - t0);
  }
  const last = result!;
  let renderedBytes = 0;
  let renderedFiles = 0;
  for (const c of last.clusters) {
    for (const text of [...c.files.values(), ...(c.documents?.values() ?? [])]) {
      renderedBytes += Buffer.byteLength(text);
      renderedFiles += 1;
    }
  }
  const objects = last.clusters.reduce((sum, c) => sum + c.objectCount, 0);
  const files = manifestObjects(last);
  const federationObjects = files.flat().filter((o) => (o as { kind?: unknown } | null)?.kind === 'ClusterFederatedTrustDomain').length;
  const dumps: number[] = [];
  const dumpCpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    gc();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    dump(files);
    dumps.push(performance.now() - t0);
    dumpCpu.push(cpuMs(cpu0));
  }
  if (profileFile !== undefined) await profile(topologyFile, profileFile);
  return {
    runs,
    loadMs: median(load),
    renderMs: median(render),
    synthMs: median(synth),
    dumpMs: median(dumps),
    synthCpuMs: median(synthCpu),
    dumpCpuMs: median(dumpCpu),
    objects,
    renderedBytes,
    renderedFiles,
    federationObjects,
  };
}

/** One more load + render under the V8 sampling profiler, written as a .cpuprofile (Chrome DevTools format). */
async function profile(topologyFile: string, profileFile: string): Promise<void> {
  gc();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  renderTopology(loadTopologyFile(topologyFile), OUT_DIR);
  const { profile: data } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync(profileFile, JSON.stringify(data));
}

if (require.main === module) {
  const [topologyFile, runsText, flag, profileFile] = process.argv.slice(2);
  if (topologyFile === undefined || (flag !== undefined && flag !== '--profile')) {
    process.stderr.write('usage: in-process.ts <topology> [runs] [--profile <file.cpuprofile>]\n');
    process.exit(2);
  }
  measureInProcess(topologyFile, Number(runsText ?? 3), profileFile).then(
    (figures) => process.stdout.write(`${JSON.stringify(figures)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
