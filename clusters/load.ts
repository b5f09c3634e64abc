/** Reads, validates and resolves a topology file. Every problem of the file is reported at once. */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { resolveTopology, type Topology } from './model';
import { formatPath, formatValue, TopologyError, type PathSegment, type Problem } from './problems';
import { readRootCertificates } from './root-certificate';
import { topologyProblems } from './rules';
import { resolvedIstioProblems } from './istio-rules';
import { partialRuleProblems } from './partial';
import { TOPOLOGY, type TopologyParsed } from './schema';
import { closest } from './suggest';

/**
 * Loads `file`; throws TopologyError listing every problem (`<source>:<line>: <path>: <message>`).
 * `source` names the file in messages (the path as the user typed it); relative references in the file
 * resolve against the file's own directory.
 */
export function loadTopologyFile(file: string, source = file, options: Omit<LoadOptions, 'baseDir'> = {}): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TopologyError(source, [`${source}: cannot read the topology file (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  return loadTopology(text, source, { ...options, baseDir: dirname(file) });
}

export interface LoadOptions {
  /** Directory that relative file references (rootCa.certificateFile) resolve against. @default - the directory of `source` */
  readonly baseDir?: string;
  /**
   * The reader is the Pulumi stack, which generates a root CA for every root trust domain without `rootCa`
   * (infra/root-ca.ts) and renders with it: rules that need such a root's PEM accept its absence.
   * @default false - synth has no other source for a root's PEM than rootCa.certificateFile
   */
  readonly rootsFromStack?: boolean;
}

/** Parses topology YAML text; `source` names it in error messages. */
export function loadTopology(text: string, source = '<topology>', options: LoadOptions = {}): Topology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopologyError(
      source,
      doc.errors.map((e) => `${source}:${lineCounter.linePos(e.pos[0]).line}: invalid YAML: ${firstLine(e.message)}`),
    );
  }
  const data: unknown = doc.toJS();
  const lineOf = (path: readonly PathSegment[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const render = (problems: readonly Problem[]) =>
    problems.map((p) => {
      const line = lineOf(p.path);
      return `${source}${line === undefined ? '' : `:${line}`}: ${formatPath(p.path)}: ${p.message}`;
    });

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TopologyError(source, [`${source}: the topology must be a YAML mapping with environment and clusters`]);
  }
  const baseDir = options.baseDir ?? dirname(source);
  const ruleProblems = (t: TopologyParsed): Problem[] => [...topologyProblems(t), ...readRootCertificates(t, baseDir).problems];
  const parsed = TOPOLOGY.safeParse(data);
  if (!parsed.success) {
    // One pass: the cross-field rules also run on the clusters that did parse (partial.ts).
    const schemaProblems = parsed.error.issues.flatMap((issue) => issueProblems(issue, data));
    const all = [...schemaProblems, ...partialRuleProblems(data as Record<string, unknown>, ruleProblems)];
    // In file order, so a user fixes them top to bottom (sort is stable: one line keeps the order found).
    throw new TopologyError(source, render(all.map((p) => ({ p, line: lineOf(p.path) ?? 0 })).sort((a, b) => a.line - b.line).map(({ p }) => p)));
  }
  const certificates = readRootCertificates(parsed.data, baseDir);
  const problems = [...topologyProblems(parsed.data), ...certificates.problems];
  if (problems.length > 0) throw new TopologyError(source, render(problems));
  const topology = resolveTopology(parsed.data, certificates.pems);
  const resolved = options.rootsFromStack ? [] : resolvedIstioProblems(topology);
  if (resolved.length > 0) throw new TopologyError(source, render(resolved));
  return topology;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

type Issue = z.core.$ZodIssue;

/** Keys that moved (`<parent>.<key>` -> message), so a topology written for an older meshfed is told the new key. */
const MOVED_KEYS: Readonly<Record<string, string>> = {
  'eks.kms': 'moved: use spire.keyManager: kms (one key for both clouds: Cloud KMS on gke, AWS KMS on eks)',
};

const hasKey = (value: unknown, key: string): boolean => value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key);

function issueProblems(issue: Issue, data: unknown): Problem[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      const parent = path[path.length - 1];
      return issue.keys.map((key) => {
        const moved = MOVED_KEYS[`${String(parent)}.${key}`];
        if (moved !== undefined) return { path: [...path, key], message: moved };
        // Only a key the document does not already have is a likely meaning of the typo.
        const hint = closest(key, allowed.filter((k) => !hasKey(valueAt(data, path), k)));
        return {
          path: [...path, key],
          message: `unknown key${hint === undefined ? '' : `; did you mean \`${hint}\`?`}${allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : ''}`,
        };
      });
    }
    case 'invalid_type':
      return [
        value === undefined
          ? { path, message: 'is required' }
          : { path, message: `${formatValue(value)} must be ${article(issue.expected)}` },
      ];
    case 'invalid_value':
      return [{ path, message: `${formatValue(value)} is not allowed (one of: ${issue.values.map((v) => String(v)).join(' | ')})` }];
    case 'invalid_union':
      if (path.length === 1 && path[0] === 'federation') {
        return [{ path, message: `${formatValue(value)} must be "full-mesh", "none" or a list of [clusterA, clusterB] pairs` }];
      }
      return [{ path, message: `${formatValue(value)} does not match any allowed form` }];
    case 'too_small':
      if (issue.origin === 'array' && path.length === 1 && path[0] === 'clusters') {
        return [{ path, message: issue.message }];
      }
      return [{ path, message: `${formatValue(value)} must be ${issue.origin === 'array' ? 'a list with ' : ''}at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}` }];
    case 'too_big':
      return [{ path, message: `${formatValue(value)} must be ${issue.origin === 'array' ? 'a list with ' : ''}at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}` }];
    default:
      return [{ path, message: `${formatValue(value)} ${issue.message}` }];
  }
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  if (expected === 'tuple') return 'a [clusterA, clusterB] pair';
  return `a ${expected}`;
}

/** The keys the schema allows at a path (for "unknown key" hints). */
function allowedKeys(path: readonly PathSegment[]): string[] {
  let schema: z.ZodType | undefined = TOPOLOGY;
  for (const segment of path) {
    schema = schema && unwrap(schema);
    if (!schema) return [];
    const def = schema._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    if (def.type === 'object' && typeof segment === 'string') schema = def.shape?.[segment];
    else if (def.type === 'array' && typeof segment === 'number') schema = def.element;
    else return [];
  }
  schema = schema && unwrap(schema);
  const def = schema?._zod.def as { type: string; shape?: Record<string, z.ZodType> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'prefault') && def.innerType) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}
