/**
 * Cold-process measurements: run a command the way a user would and report wall time and peak RSS.
 * Peak RSS comes from GNU time (`/usr/bin/time -v`, the maximum resident set of the largest process in
 * the tree it waited for, e.g. the node under npm); without it, every node process in the tree reports
 * its own `process.resourceUsage().maxRSS` through a preload given in NODE_OPTIONS and the largest wins.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const GNU_TIME = '/usr/bin/time';

export interface ProcessRun {
  readonly wallMs: number;
  /** Undefined when neither GNU time nor the preload could report it. */
  readonly peakRssBytes?: number;
  /** User + system CPU time of the process tree: less sensitive than wall time to a busy machine. */
  readonly cpuMs?: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandSpec {
  /** What the table calls this invocation, e.g. "npm run synth". */
  readonly label: string;
  readonly argv: readonly string[];
  readonly cwd: string;
}

export function peakRssMethod(): 'gnu-time' | 'node-preload' {
  return existsSync(GNU_TIME) ? 'gnu-time' : 'node-preload';
}

export function runMeasured(command: CommandSpec): ProcessRun {
  return peakRssMethod() === 'gnu-time' ? runWithGnuTime(command) : runWithPreload(command);
}

function runWithGnuTime(command: CommandSpec): ProcessRun {
  const start = performance.now();
  const child = spawnSync(GNU_TIME, ['-v', ...command.argv], { cwd: command.cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - start;
  // GNU time appends its report to the child's stderr; the last match is its own.
  const matches = [...child.stderr.matchAll(/Maximum resident set size \(kbytes\): (\d+)/g)];
  const kib = matches.length > 0 ? Number(matches[matches.length - 1][1]) : undefined;
  const report = child.stderr.lastIndexOf('\tCommand being timed:');
  const cpuSeconds = ['User', 'System'].map((kind) => child.stderr.slice(report).match(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`))?.[1]);
  return {
    wallMs,
    ...(kib !== undefined ? { peakRssBytes: kib * 1024 } : {}),
    ...(report >= 0 && cpuSeconds.every((v) => v !== undefined) ? { cpuMs: cpuSeconds.reduce((sum, v) => sum + Number(v) * 1000, 0) } : {}),
    exitCode: child.status ?? 1,
    stdout: child.stdout,
    stderr: report >= 0 ? child.stderr.slice(0, report) : child.stderr,
  };
}

function runWithPreload(command: CommandSpec): ProcessRun {
  const dir = mkdtempSync(join(tmpdir(), 'meshfed-rss-'));
  try {
    const probe = join(dir, 'probe.js');
    const out = join(dir, 'rss.txt');
    // maxRSS is in KiB, the CPU times in microseconds (Node docs, process.resourceUsage).
    writeFileSync(probe, `process.on('exit', () => { const u = process.resourceUsage(); require('fs').appendFileSync(${JSON.stringify(out)}, u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });\n`);
    const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${probe}`.trim() };
    const start = performance.now();
    const child = spawnSync(command.argv[0], command.argv.slice(1), { cwd: command.cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
    const wallMs = performance.now() - start;
    const reports = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number)) : [];
    const kib = Math.max(...reports.map(([rss]) => rss));
    const cpuUs = reports.reduce((sum, [, cpu]) => sum + cpu, 0);
    return {
      wallMs,
      ...(reports.length > 0 && Number.isFinite(kib) ? { peakRssBytes: kib * 1024, cpuMs: cpuUs / 1000 } : {}),
      exitCode: child.status ?? 1,
      stdout: child.stdout,
      stderr: child.stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Files and bytes under `dir`, recursively. */
export function treeSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = treeSize(path);
      files += sub.files;
      bytes += sub.bytes;
    } else if (entry.isFile()) {
      files += 1;
      bytes += statSync(path).size;
    }
  }
  return { files, bytes };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
