/**
 * Cross-field rules on a topology that failed the schema, so one run reports every problem: each cluster
 * is parsed alone; a cluster whose bad keys are optional (a misspelled key, an out-of-range setting) is
 * repaired by dropping those keys (their defaults apply), a cluster whose required keys are bad is left
 * out, and the rules run on what remains. Rule problems that may only stem from a left-out cluster (its
 * name appears in them, or it was nested under the cluster they are about) are not reported: a fix of the
 * schema problem may resolve them, and a false report is worse than a late one.
 */
import type { z } from 'zod';
import type { PathSegment, Problem } from './problems';
import { CLUSTER, DNS_LABEL, TOPOLOGY, type TopologyParsed } from './schema';

type Issue = z.core.$ZodIssue;
type Mapping = Record<string, unknown>;

const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A copy of `value` without what each issue points at (unknown keys, invalid values); undefined when the value itself is bad. */
function withoutIssues(value: unknown, issues: readonly Issue[]): unknown {
  const copy: unknown = structuredClone(value);
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path, k]) : [path];
    for (const target of keys) {
      if (target.length === 0) return undefined;
      let parent: unknown = copy;
      for (const segment of target.slice(0, -1)) parent = isMapping(parent) || Array.isArray(parent) ? (parent as Record<PathSegment, unknown>)[segment] : undefined;
      if (isMapping(parent)) delete parent[target[target.length - 1] as string];
    }
  }
  return copy;
}

/** Parses with `schema`, then once more without the offending keys; the parsed value or undefined. */
function parseRepaired<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const first = schema.safeParse(value);
  if (first.success) return first.data;
  const repaired = withoutIssues(value, first.error.issues);
  if (repaired === undefined) return undefined;
  const second = schema.safeParse(repaired);
  return second.success ? second.data : undefined;
}

/** Rule problems of the parts of `data` that parse, with paths and messages in the file's cluster indices. */
export function partialRuleProblems(data: Mapping, rules: (parsed: TopologyParsed) => readonly Problem[]): Problem[] {
  const rawClusters = Array.isArray(data.clusters) ? data.clusters : [];
  const kept: { index: number; cluster: z.output<typeof CLUSTER> }[] = [];
  const dropped: Mapping[] = [];
  rawClusters.forEach((raw, index) => {
    const cluster = parseRepaired(CLUSTER, raw);
    if (cluster === undefined) dropped.push(isMapping(raw) ? raw : {});
    else kept.push({ index, cluster });
  });
  if (kept.length === 0) return [];
  // The top level with the parsed clusters; a bad top-level key is dropped (its default applies) like a cluster's.
  const rest: Mapping = { ...data, environment: typeof data.environment === 'string' && DNS_LABEL.test(data.environment) ? data.environment : 'environment' };
  delete rest.clusters;
  const top = parseRepaired(TOPOLOGY.omit({ clusters: true }), rest);
  if (top === undefined) return [];
  const parsed: TopologyParsed = { ...top, clusters: kept.map((k) => k.cluster) };

  const droppedNames = dropped.map((c) => c.name).filter((n): n is string => typeof n === 'string' && n !== '');
  const parentsOfDropped = new Set(dropped.map((c) => c.nestedUnder).filter((n): n is string => typeof n === 'string'));
  // Messages name a cluster quoted (`"b"`, formatValue) or in parentheses (`clusters[1] (b)`).
  const mentions = (text: string) => droppedNames.some((n) => text.includes(JSON.stringify(n)) || text.includes(`(${n})`));
  // Paths and messages (`overlaps clusters[0].cidr`) name clusters by their index in the file.
  const fileIndex = (i: number) => kept[i]?.index ?? i;
  const remapText = (text: string) => text.replace(/clusters\[(\d+)\]/g, (_, i: string) => `clusters[${fileIndex(Number(i))}]`);
  return rules(parsed)
    .filter((p) => !mentions(p.message))
    .filter((p) => !(p.path[0] === 'clusters' && typeof p.path[1] === 'number' && parentsOfDropped.has(parsed.clusters[p.path[1]]?.name ?? '')))
    .map((p) => ({
      path: p.path[0] === 'clusters' && typeof p.path[1] === 'number' ? ['clusters', fileIndex(p.path[1]), ...p.path.slice(2)] : p.path,
      message: remapText(p.message),
    }));
}
