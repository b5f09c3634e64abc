/**
 * The performance targets of issues #13 and #14, checked against measured figures. A missed target is
 * reported as GAP and never fails the process: goals live in the benchmark, not in tests.
 */
export const GIB = 1024 ** 3;
export const MB = 1000 ** 2;

/** What the targets read of one measured size (cold figures are those of `npm run synth`). */
export interface MeasuredSize {
  /** Cluster count, or "dev" for clusters/dev.yaml. */
  readonly name: string;
  readonly coldWallMs?: number;
  readonly peakRssBytes?: number;
  readonly bytesWritten?: number;
  readonly synthToDumpRatio?: number;
  /** Wall time of the offline plan of this topology (cold process). */
  readonly planWallMs?: number;
}

export type TargetStatus = 'PASS' | 'GAP' | 'NOT MEASURED';

export interface TargetCheck {
  readonly issue: string;
  readonly target: string;
  readonly measured: string;
  readonly status: TargetStatus;
}

interface Target {
  readonly issue: string;
  readonly size: string;
  readonly target: string;
  readonly value: (m: MeasuredSize) => number | undefined;
  readonly limit: number;
  readonly format: (value: number) => string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const times = (ratio: number) => `${ratio.toFixed(2)}x`;
const wall = (m: MeasuredSize) => m.coldWallMs;
const rss = (m: MeasuredSize) => m.peakRssBytes;
const ratio = (m: MeasuredSize) => m.synthToDumpRatio;

export const TARGETS: readonly Target[] = [
  { issue: '#14', size: '2', target: '2 clusters, cold npm run synth < 1.5 s', value: wall, limit: 1500, format: seconds },
  { issue: '#13', size: 'dev', target: 'dev (clusters/dev.yaml), cold npm run synth < 1.5 s', value: wall, limit: 1500, format: seconds },
  { issue: '#13 #14', size: '100', target: '100 clusters, cold npm run synth < 10 s', value: wall, limit: 10_000, format: seconds },
  { issue: '#13 #14', size: '100', target: '100 clusters, peak RSS < 1 GiB', value: rss, limit: GIB, format: mib },
  { issue: '#14', size: '100', target: '100 clusters, written < 100 MB', value: (m) => m.bytesWritten, limit: 100 * MB, format: mb },
  { issue: '#14', size: '200', target: '200 clusters, cold npm run synth < 25 s', value: wall, limit: 25_000, format: seconds },
  { issue: '#14', size: '100', target: '100 clusters, in-process synthesis < 2x bare YAML dump', value: ratio, limit: 2, format: times },
  { issue: '#13', size: '100', target: '100 clusters, in-process synthesis < 3x bare YAML dump', value: ratio, limit: 3, format: times },
  { issue: '#13', size: 'dev', target: 'dev, offline plan < 10 s', value: (m) => m.planWallMs, limit: 10_000, format: seconds },
  { issue: '#13', size: '10', target: '10 clusters, offline plan < 30 s', value: (m) => m.planWallMs, limit: 30_000, format: seconds },
];

export function checkTargets(measured: readonly MeasuredSize[]): TargetCheck[] {
  return TARGETS.map((t) => {
    const size = measured.find((m) => m.name === t.size);
    const value = size ? t.value(size) : undefined;
    if (value === undefined) return { issue: t.issue, target: t.target, measured: 'not measured', status: 'NOT MEASURED' };
    return { issue: t.issue, target: t.target, measured: t.format(value), status: value < t.limit ? 'PASS' : 'GAP' };
  });
}
