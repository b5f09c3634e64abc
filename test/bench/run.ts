/**
 * `npm run bench`: synthesis at fleet scale, cold process and in-process (issues #13 and #14).
 *
 * For clusters/dev.yaml and generated federated full meshes (test/bench/topology.ts) it measures:
 * - cold: `npm run synth -- --topology <file> --out <tmp>` and the direct node invocation of the package
 *   bin: wall time, peak RSS, files and bytes written;
 * - in-process (a fresh node per size): loadTopologyFile + renderTopology, objects, and the ratio to a
 *   bare YAML dump of the same objects;
 * - the offline plan of dev and 10 clusters (`meshfed plan` when the CLI has it, else `npm run plan`);
 * - a CPU profile of the in-process synthesis of one size (hotspots by file:line function).
 * Prints a table and PASS/GAP per target, writes bench/results.json. Never fails on a missed target.
 *
 * Settings (environment):
 *   BENCH_SIZES    cluster counts, comma-separated            default 2,10,50,100,200
 *   BENCH_RUNS     runs per figure, the median is reported    default 3
 *   BENCH_SLOW_MS  a size whose first cold run takes longer is run once   default 15000
 *   BENCH_PROFILE  cluster count to CPU-profile, 0 for none   default 100 (when measured)
 *   BENCH_OUT      results file                               default bench/results.json
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { directCli, directSynth, npmSynth, planCommand, readPackageJson, REPO_ROOT, type DirectCli } from './commands';
import { isProjectCode, summariseProfile, type CpuProfile, type Hotspot } from './cpu-profile';
import type { InProcessFigures } from './in-process';
import { median, peakRssMethod, runMeasured, treeSize, type CommandSpec, type ProcessRun } from './process';
import { checkTargets, type MeasuredSize, type TargetCheck } from './targets';
import { writeFullMeshTopology } from './topology';

interface Settings {
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly slowMs: number;
  readonly profileSize: number;
  readonly out: string;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  const sizes = (env.BENCH_SIZES ?? '2,10,50,100,200').split(',').map((s) => Number(s.trim()));
  return {
    sizes,
    runs: Math.max(1, Number(env.BENCH_RUNS ?? 3)),
    slowMs: Number(env.BENCH_SLOW_MS ?? 15_000),
    profileSize: Number(env.BENCH_PROFILE ?? 100),
    out: env.BENCH_OUT ?? join(REPO_ROOT, 'bench', 'results.json'),
  };
}

interface ColdFigures {
  readonly command: string;
  readonly runs: number;
  readonly wallMs: number[];
  readonly medianWallMs: number;
  readonly medianPeakRssBytes?: number;
  /** User + system CPU of the process tree. */
  readonly medianCpuMs?: number;
  readonly filesWritten: number;
  readonly bytesWritten: number;
  readonly failed?: string;
}

interface SizeResult {
  /** Cluster count, or "dev". */
  readonly name: string;
  readonly topology: string;
  readonly cold: ColdFigures[];
  readonly inProcess?: InProcessFigures & { readonly synthToDumpRatio: number; readonly synthToDumpCpuRatio: number };
  readonly inProcessFailed?: string;
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Runs a cold synth `runs` times (once if the first run is slow), measuring the output of the last run. */
function cold(makeCommand: (out: string) => CommandSpec, workDir: string, s: Settings): ColdFigures {
  const wallMs: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  let written = { files: 0, bytes: 0 };
  let command: CommandSpec | undefined;
  for (let r = 0; r < s.runs; r++) {
    const out = join(workDir, `out-${r}`);
    command = makeCommand(out);
    const run: ProcessRun = runMeasured(command);
    if (run.exitCode !== 0) {
      rmSync(out, { recursive: true, force: true });
      return { command: command.label, runs: r, wallMs, medianWallMs: NaN, filesWritten: 0, bytesWritten: 0, failed: `exit ${run.exitCode}: ${tail(run.stderr)}` };
    }
    wallMs.push(run.wallMs);
    if (run.peakRssBytes !== undefined) rss.push(run.peakRssBytes);
    if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
    written = treeSize(out);
    rmSync(out, { recursive: true, force: true });
    if (run.wallMs > s.slowMs) break;
  }
  return {
    command: command!.label,
    runs: wallMs.length,
    wallMs,
    medianWallMs: median(wallMs),
    ...(rss.length > 0 ? { medianPeakRssBytes: median(rss) } : {}),
    ...(cpu.length > 0 ? { medianCpuMs: median(cpu) } : {}),
    filesWritten: written.files,
    bytesWritten: written.bytes,
  };
}

function inProcess(topology: string, runs: number, profileFile?: string): InProcessFigures {
  const script = join(__dirname, 'in-process.ts');
  const register = require.resolve('ts-node/register/transpile-only', { paths: [REPO_ROOT] });
  const args = ['--expose-gc', '-r', register, script, topology, String(runs), ...(profileFile ? ['--profile', profileFile] : [])];
  const child = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`in-process run exited ${child.status}: ${tail(child.stderr)}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as InProcessFigures;
}

function measureSize(name: string, topology: string, cli: DirectCli, workDir: string, s: Settings, profileFile?: string): SizeResult {
  process.stderr.write(`bench: ${name === 'dev' ? 'dev' : `${name} clusters`} ...\n`);
  const npm = cold((out) => npmSynth(topology, out), workDir, s);
  const direct = cold((out) => directSynth(cli, topology, out), workDir, s);
  const slow = npm.wallMs.length > 0 && npm.wallMs[0] > s.slowMs;
  const base = { name, topology: relative(REPO_ROOT, topology), cold: [npm, direct] };
  try {
    const figures = inProcess(topology, slow ? 1 : s.runs, profileFile);
    return { ...base, inProcess: { ...figures, synthToDumpRatio: figures.synthMs / figures.dumpMs, synthToDumpCpuRatio: figures.synthCpuMs / figures.dumpCpuMs } };
  } catch (err) {
    return { ...base, inProcessFailed: (err as Error).message };
  }
}

interface PlanResult {
  readonly name: string;
  readonly status: 'measured' | 'not available' | 'failed';
  readonly command?: string;
  readonly wallMs?: number;
  readonly cpuMs?: number;
  readonly peakRssBytes?: number;
  readonly detail?: string;
}

function plan(name: string, topology: string, cli: DirectCli): PlanResult {
  const command = planCommand(cli, topology);
  if (command === undefined) return { name, status: 'not available', detail: 'neither a "plan" command in the CLI nor a "plan" script in package.json' };
  process.stderr.write(`bench: plan ${name} (${command.label}) ...\n`);
  const run = runMeasured(command);
  if (run.exitCode !== 0) return { name, status: 'failed', command: command.label, wallMs: run.wallMs, detail: `exit ${run.exitCode}: ${tail(run.stderr)}` };
  return {
    name,
    status: 'measured',
    command: command.label,
    wallMs: run.wallMs,
    ...(run.cpuMs !== undefined ? { cpuMs: run.cpuMs } : {}),
    ...(run.peakRssBytes !== undefined ? { peakRssBytes: run.peakRssBytes } : {}),
  };
}

function buildIfNeeded(cli: DirectCli): { wallMs: number } | undefined {
  if (!cli.needsBuild) return undefined;
  if (readPackageJson().scripts?.build === undefined) return undefined;
  process.stderr.write('bench: npm run build (the bin target or lib/ is missing or older than the sources) ...\n');
  const run = runMeasured({ label: 'npm run build', argv: ['npm', 'run', 'build'], cwd: REPO_ROOT });
  if (run.exitCode !== 0) throw new Error(`npm run build failed: ${tail(run.stderr)}`);
  return { wallMs: run.wallMs };
}

// ---- output -------------------------------------------------------------------------------------

const sec = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`);
const ms = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(0)} ms`);
const mib = (b: number | undefined) => (b === undefined ? '-' : `${(b / 1024 ** 2).toFixed(0)} MiB`);
const mbytes = (b: number | undefined) => (b === undefined ? '-' : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} KB`);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ')).join('\n');
}

function resultsTable(results: readonly SizeResult[], cli: DirectCli): string {
  const header = ['size', 'runs', 'npm run synth', 'cpu', cli.label, 'cpu', 'peak RSS', 'objects', 'CFTDs', 'files', 'written', 'in-process', 'yaml dump', 'ratio', 'cpu ratio'];
  const rows = results.map((r) => {
    const [npm, direct] = r.cold;
    const ip = r.inProcess;
    return [
      r.name,
      `${npm.runs}/${direct.runs}/${ip?.runs ?? 0}`,
      npm.failed ? 'FAILED' : sec(npm.medianWallMs),
      sec(npm.medianCpuMs),
      direct.failed ? 'FAILED' : sec(direct.medianWallMs),
      sec(direct.medianCpuMs),
      mib(npm.medianPeakRssBytes),
      ip ? String(ip.objects) : '-',
      ip ? String(ip.federationObjects) : '-',
      String(npm.filesWritten),
      mbytes(npm.bytesWritten),
      ms(ip?.synthMs),
      ms(ip?.dumpMs),
      ip ? `${ip.synthToDumpRatio.toFixed(2)}x` : '-',
      ip ? `${ip.synthToDumpCpuRatio.toFixed(2)}x` : '-',
    ];
  });
  return table([header, ...rows]);
}

function measuredForTargets(results: readonly SizeResult[], plans: readonly PlanResult[]): MeasuredSize[] {
  // A plan of a size whose synth was not measured (e.g. 10 outside BENCH_SIZES) still meets its target.
  const planOnly = plans.filter((p) => p.status === 'measured' && p.wallMs !== undefined && !results.some((r) => r.name === p.name));
  return [...planOnly.map((p) => ({ name: p.name, planWallMs: p.wallMs })), ...results.map((r) => {
    const npm = r.cold[0];
    const planned = plans.find((p) => p.name === r.name && p.status === 'measured');
    return {
      name: r.name,
      ...(planned?.wallMs !== undefined ? { planWallMs: planned.wallMs } : {}),
      ...(npm.failed ? {} : { coldWallMs: npm.medianWallMs, bytesWritten: npm.bytesWritten }),
      ...(npm.medianPeakRssBytes !== undefined ? { peakRssBytes: npm.medianPeakRssBytes } : {}),
      ...(r.inProcess ? { synthToDumpRatio: r.inProcess.synthToDumpRatio } : {}),
    };
  })];
}

function hotspotLines(title: string, spots: readonly Hotspot[], key: 'selfMs' | 'inclusiveMs', n: number): string[] {
  const top = [...spots].sort((a, b) => b[key] - a[key]).slice(0, n);
  return [title, ...top.map((h) => `  ${h[key].toFixed(0).padStart(7)} ms  ${h.where}`)];
}

function gitCommit(): string | undefined {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function main(): void {
  const s = settings(process.env);
  const work = mkdtempSync(join(tmpdir(), 'meshfed-bench-'));
  const cli = directCli();
  const startLoad = loadavg();
  try {
    const build = buildIfNeeded(cli);
    const results: SizeResult[] = [measureSize('dev', join(REPO_ROOT, 'clusters', 'dev.yaml'), cli, work, s)];
    const profileFile = join(work, 'synth.cpuprofile');
    let profiled = false;
    const topologies = new Map<number, string>();
    for (const n of s.sizes) {
      const topology = writeFullMeshTopology(join(work, `topology-${n}`), n);
      topologies.set(n, topology);
      const profile = n === s.profileSize;
      results.push(measureSize(String(n), topology, cli, work, s, profile ? profileFile : undefined));
      profiled ||= profile && results[results.length - 1].inProcess !== undefined;
    }
    const plans = [plan('dev', join(REPO_ROOT, 'clusters', 'dev.yaml'), cli), plan('10', topologies.get(10) ?? writeFullMeshTopology(join(work, 'topology-10'), 10), cli)];
    const targets: TargetCheck[] = checkTargets(measuredForTargets(results, plans));
    const summary = profiled ? summariseProfile(JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile, REPO_ROOT) : undefined;

    const out: string[] = [''];
    out.push(`meshfed bench: node ${process.version}, ${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, load average ${startLoad.map((l) => l.toFixed(2)).join(' ')} at start`);
    out.push(`cold figures are medians of up to ${s.runs} runs (a size whose first run exceeds ${s.slowMs / 1000} s runs once); runs column = npm/direct/in-process; cpu = user+system of the process tree; peak RSS via ${peakRssMethod()} of npm run synth`);
    if (startLoad[0] > cpus().length) out.push(`WARNING: load average ${startLoad[0].toFixed(1)} exceeds ${cpus().length} CPUs: wall times include waiting for other processes; compare cpu columns`);
    if (build) out.push(`npm run build before the runs: ${sec(build.wallMs)}`);
    out.push('', resultsTable(results, cli), '');
    for (const r of results) {
      for (const c of r.cold) if (c.failed) out.push(`${r.name}: ${c.command} FAILED ${c.failed}`);
      if (r.inProcessFailed) out.push(`${r.name}: in-process FAILED ${r.inProcessFailed}`);
    }
    out.push('offline plan:');
    for (const p of plans) out.push(`  ${p.name}: ${p.status === 'measured' ? `${sec(p.wallMs)} (cpu ${sec(p.cpuMs)}), peak RSS ${mib(p.peakRssBytes)}, ${p.command}` : `${p.status}${p.detail ? ` (${p.detail})` : ''}`}`);
    out.push('', 'targets (a GAP is reported, never a failure):');
    for (const t of targets) out.push(`  ${t.status.padEnd(12)} ${t.target} [${t.issue}]: ${t.measured}`);
    if (summary) {
      const project = summary.functions.filter(isProjectCode);
      out.push('', `CPU profile of in-process synthesis, ${s.profileSize} clusters (${summary.totalMs.toFixed(0)} ms sampled):`);
      out.push(...hotspotLines('project functions by inclusive time:', project, 'inclusiveMs', 15));
      out.push(...hotspotLines('all functions by self time:', summary.functions, 'selfMs', 15));
    }
    process.stdout.write(`${out.join('\n')}\n`);

    const record = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      machine: { platform: platform(), release: release(), arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemBytes: totalmem(), loadAverageAtStart: startLoad, loadAverageAtEnd: loadavg() },
      settings: { ...s, out: relative(REPO_ROOT, s.out), peakRss: peakRssMethod(), directCli: cli.label },
      ...(build ? { buildMs: build.wallMs } : {}),
      sizes: results,
      plans,
      targets,
      ...(summary
        ? {
            profile: {
              clusters: s.profileSize,
              sampledMs: summary.totalMs,
              projectByInclusive: summary.functions.filter(isProjectCode).slice(0, 30),
              bySelf: [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, 30),
            },
          }
        : {}),
    };
    mkdirSync(dirname(s.out), { recursive: true });
    writeFileSync(s.out, `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`\nwrote ${relative(process.cwd(), s.out)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
