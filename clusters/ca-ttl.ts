/**
 * SPIRE CA lifetimes across nesting. A nested server's CA is signed by its parent's server, whose
 * signature never outlives the parent's own CA, so a child asking for the parent's lifetime is capped
 * and rotates on the parent's schedule instead of its own. Children therefore default to half their
 * parent's caTtl, and an explicit child caTtl must be shorter than the parent's.
 */
import type { ClusterParsed } from './schema';

export const ROOT_CA_TTL = '24h';

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds of a Go duration the schema accepted ("1h30m"). */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
  return total;
}

/** A whole number of seconds as the shortest Go duration ("12h", "90m", "45s"). */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.floor(seconds));
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** The caTtl a cluster's server uses: its own, else half its parent's, else ROOT_CA_TTL. */
export function resolveCaTtl(cluster: ClusterParsed, byName: ReadonlyMap<string, ClusterParsed>, seen = new Set<string>()): string {
  if (cluster.spire.caTtl !== undefined) return cluster.spire.caTtl;
  const parent = cluster.nestedUnder === undefined ? undefined : byName.get(cluster.nestedUnder);
  if (parent === undefined || seen.has(parent.name)) return ROOT_CA_TTL;
  seen.add(cluster.name);
  return formatDuration(durationSeconds(resolveCaTtl(parent, byName, seen)) / 2);
}
