/**
 * Summarises a V8 .cpuprofile (the Profiler.stop format: nodes with callFrame and children, samples,
 * timeDeltas in microseconds) into the functions that take the time: self time, and inclusive time
 * counted once per sample even under recursion.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface Hotspot {
  /** `<file> <function>` for project TypeScript, `<file>:<line> <function>` for JavaScript; relative to the repository root. */
  readonly where: string;
  readonly selfMs: number;
  readonly inclusiveMs: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Every function with its times, largest inclusive first. */
  readonly functions: readonly Hotspot[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function where(frame: CallFrame, root: string): string {
  let file = frame.url;
  if (file.startsWith('file://')) file = fileURLToPath(file);
  if (file.startsWith('/')) file = relative(root, file);
  if (file === '') return frame.functionName;
  // Project .ts files run transpiled by ts-node, so the profile's line numbers are those of the emitted
  // JavaScript: name the function alone, and give the emitted line only to tell anonymous ones apart.
  if (file.endsWith('.ts')) return frame.functionName ? `${file} ${frame.functionName}` : `${file} (anonymous, emitted line ${frame.lineNumber + 1})`;
  return `${file}:${frame.lineNumber + 1} ${frame.functionName || '(anonymous)'}`;
}

export function summariseProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  samples.forEach((id, i) => {
    // A sample's time is the delta to the next sample (V8 records the delta since the previous one).
    const us = deltas[i + 1] ?? 0;
    totalUs += us;
    const leaf = byId.get(id);
    if (!leaf) return;
    const leafKey = where(leaf.callFrame, root);
    self.set(leafKey, (self.get(leafKey) ?? 0) + us);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      if (IDLE.has(node.callFrame.functionName) && node.callFrame.url === '') continue;
      const key = where(node.callFrame, root);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  });
  const keys = new Set([...self.keys(), ...inclusive.keys()]);
  const functions = [...keys]
    .map((key) => ({ where: key, selfMs: (self.get(key) ?? 0) / 1000, inclusiveMs: (inclusive.get(key) ?? 0) / 1000 }))
    .sort((a, b) => b.inclusiveMs - a.inclusiveMs || a.where.localeCompare(b.where));
  return { totalMs: totalUs / 1000, functions };
}

/** Functions in the project's own code (not node_modules, not node internals). */
export function isProjectCode(hotspot: Hotspot): boolean {
  return /^(bin|clusters|constructs|synth|infra|stacks|imports|lib)\//.test(hotspot.where);
}
