/**
 * Safe replacement of synthesized cluster directories.
 *
 * meshfed owns only the directories it wrote: each carries a marker file naming the environment and
 * cluster. A directory without the marker is replaced only when it is empty, so `--out .` can never
 * delete a user's files. New trees are written into a staging directory next to the output directory
 * and renamed into place, so a crash leaves either the old or the new tree, never half of one.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Marks a directory as written by meshfed (kubectl ignores it: `apply -R` reads only .yaml/.yml/.json). */
export const OUTPUT_MARKER = '.meshfed-output';

/** What to write under one output directory: cluster directory name -> file name -> text. */
export interface OutputPlan {
  readonly environment: string;
  readonly outDir: string;
  readonly clusters: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Environment-level files written directly in outDir (file name -> text). @default - none */
  readonly files?: ReadonlyMap<string, string>;
  /** Keep this environment's other cluster directories (synth --cluster) instead of removing them as stale. @default false */
  readonly keepOtherClusters?: boolean;
}

/**
 * Marks the environment-level files meshfed wrote in an output directory: it names the environment and
 * the files, and only a file it lists (or a file that does not exist yet) is ever replaced.
 */
export const ENVIRONMENT_MARKER = '.meshfed-environment';

export function environmentMarkerText(environment: string, files: readonly string[]): string {
  return [
    `Written by meshfed synth: environment ${environment}, files: ${files.join(' ')}`,
    'meshfed replaces the files listed above on every synth; keep no edits in them.',
    `Without this file meshfed refuses to replace files of those names.`,
    '',
  ].join('\n');
}

/** The environment and the files an output directory's environment marker lists, or undefined. */
export function readEnvironmentMarker(outDir: string): { environment: string; files: string[] } | undefined {
  let text: string;
  try {
    text = readFileSync(join(outDir, ENVIRONMENT_MARKER), 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Written by meshfed synth: environment (\S+), files: (.*)$/m.exec(text);
  return match ? { environment: match[1], files: match[2].split(' ').filter((f) => f !== '') } : undefined;
}

/** The output cannot be written without destroying something meshfed does not own (exit code 2). */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

export function markerText(environment: string, cluster: string): string {
  return [
    `Written by meshfed synth: environment ${environment}, cluster ${cluster}.`,
    'meshfed replaces this directory on every synth and removes it when the cluster leaves the topology,',
    'so keep no files of your own here. Without this file meshfed refuses to touch the directory.',
    '',
  ].join('\n');
}

/** The environment and cluster a marked directory was written for, or undefined when it is not meshfed's. */
export function readMarker(dir: string): { environment: string; cluster: string } | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, OUTPUT_MARKER), 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Written by meshfed synth: environment (\S+), cluster (\S+)\.$/m.exec(text);
  return match ? { environment: match[1], cluster: match[2] } : undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    // ENOTDIR: a parent is a file; checkOutput reports that parent.
    if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw new OutputError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Throws OutputError unless every directory of the plan can be written; writes nothing. */
export function checkOutput(plan: OutputPlan): void {
  const outDir = resolve(plan.outDir);
  // The nearest existing ancestor must be a directory, or mkdir fails half-way.
  for (let dir = outDir; ; dir = dirname(dir)) {
    const stat = statOrUndefined(dir);
    if (stat !== undefined && !stat.isDirectory()) {
      throw new OutputError(`${dir}: is a file, not a directory; the output directory${dir === outDir ? '' : ` ${outDir} is under it and`} must be a directory or not exist yet`);
    }
    if (stat !== undefined || dirname(dir) === dir) break;
  }
  for (const cluster of plan.clusters.keys()) {
    const dir = join(outDir, cluster);
    const stat = statOrUndefined(dir);
    if (stat === undefined) continue;
    if (!stat.isDirectory() || stat.isSymbolicLink()) {
      throw new OutputError(`${dir}: exists and is not a directory meshfed wrote; meshfed replaces only directories holding ${OUTPUT_MARKER} or empty ones (move it away or choose another --out)`);
    }
    if (readMarker(dir) === undefined && readdirSync(dir).length > 0) {
      throw new OutputError(`${dir}: exists, is not empty and was not written by meshfed (no ${OUTPUT_MARKER}); meshfed replaces only directories it wrote or empty ones (move it away or choose another --out)`);
    }
  }
  checkEnvironmentFiles(plan, outDir);
}

/** Throws OutputError unless every environment-level file is absent or one meshfed wrote for this environment. */
function checkEnvironmentFiles(plan: OutputPlan, outDir: string): void {
  const files = [...(plan.files?.keys() ?? [])];
  if (files.length === 0) return;
  const marker = readEnvironmentMarker(outDir);
  const markerStat = statOrUndefined(join(outDir, ENVIRONMENT_MARKER));
  if (markerStat !== undefined && (!markerStat.isFile() || marker === undefined)) {
    throw new OutputError(`${join(outDir, ENVIRONMENT_MARKER)}: exists and is not a marker meshfed wrote (move it away or choose another --out)`);
  }
  if (marker !== undefined && marker.environment !== plan.environment) {
    throw new OutputError(`${outDir}: holds the environment files of ${marker.environment} (${ENVIRONMENT_MARKER}); environment ${plan.environment} needs its own --out`);
  }
  for (const name of files) {
    const path = join(outDir, name);
    const stat = statOrUndefined(path);
    if (stat === undefined) continue;
    if (!stat.isFile() || stat.isSymbolicLink() || !(marker?.files.includes(name) ?? false)) {
      throw new OutputError(`${path}: exists and was not written by meshfed (not listed in ${ENVIRONMENT_MARKER}); meshfed replaces only files it wrote (move it away or choose another --out)`);
    }
  }
}

/** Directories of `outDir` that meshfed wrote for `environment` and that the plan no longer has. */
function staleClusterDirs(plan: OutputPlan, outDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => !plan.clusters.has(name) && !name.startsWith('.'))
    .filter((name) => statOrUndefined(join(outDir, name))?.isDirectory() === true)
    .filter((name) => readMarker(join(outDir, name))?.environment === plan.environment)
    .sort();
}

/**
 * Writes the plan (call checkOutput first, for every plan, so that a refusal writes nothing at all).
 * Returns the stale cluster directories it removed.
 */
export function writeOutput(plan: OutputPlan): string[] {
  checkOutput(plan);
  const outDir = resolve(plan.outDir);
  mkdirSync(outDir, { recursive: true });
  // Staging next to outDir (same file system, so rename is atomic), outside it (kubectl apply -R never sees it).
  const staging = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.meshfed-staging-`));
  try {
    for (const [cluster, files] of plan.clusters) {
      const dir = join(staging, 'new', cluster);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of files) writeFileSync(join(dir, name), text);
      writeFileSync(join(dir, OUTPUT_MARKER), markerText(plan.environment, cluster));
    }
    const stale = plan.keepOtherClusters === true ? [] : staleClusterDirs(plan, outDir);
    const old = join(staging, 'old');
    mkdirSync(old);
    for (const cluster of plan.clusters.keys()) {
      const target = join(outDir, cluster);
      if (statOrUndefined(target) !== undefined) renameSync(target, join(old, cluster));
      renameSync(join(staging, 'new', cluster), target);
    }
    for (const name of stale) renameSync(join(outDir, name), join(old, name));
    writeEnvironmentFiles(plan, outDir, staging);
    return stale.map((name) => join(outDir, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Environment-level files: the marker first (it lists the old and new files, every one of which checkOutput
 * found absent or meshfed's), then each file renamed into place from staging, so none is ever half written.
 * Files the previous synth listed and this one does not write are removed.
 */
function writeEnvironmentFiles(plan: OutputPlan, outDir: string, staging: string): void {
  const files = plan.files ?? new Map<string, string>();
  const previous = readEnvironmentMarker(outDir);
  if (files.size === 0) return;
  const names = [...files.keys()].sort();
  const gone = (previous?.environment === plan.environment ? previous.files : []).filter((f) => !files.has(f));
  const put = (name: string, text: string) => {
    writeFileSync(join(staging, name), text);
    renameSync(join(staging, name), join(outDir, name));
  };
  put(ENVIRONMENT_MARKER, environmentMarkerText(plan.environment, [...new Set([...names, ...gone])].sort()));
  for (const name of names) put(name, files.get(name)!);
  for (const name of gone) {
    const stat = statOrUndefined(join(outDir, name));
    if (stat?.isFile() === true) rmSync(join(outDir, name));
  }
  put(ENVIRONMENT_MARKER, environmentMarkerText(plan.environment, names));
}
