/** GCP names derived from the topology (pure): length limits and per-project uniqueness. */
import { createHash } from 'node:crypto';

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 6);

/**
 * A service account id unique per environment and cluster in one project: 6..30 characters of
 * [a-z0-9-], starting with a letter (IAM's accountId rule).
 */
export function serviceAccountId(environment: string, cluster: string, purpose: string): string {
  const base = `${environment}-${cluster}-${purpose}`.replace(/[^a-z0-9-]/g, '-');
  if (base.length <= 30) return base;
  return `${base.slice(0, 23).replace(/-+$/, '')}-${shortHash(base)}`;
}

/** Network tag of a cluster's nodes: the firewall rules' target. */
export function nodeTag(environment: string, cluster: string): string {
  const base = `meshfed-${environment}-${cluster}`;
  return base.length <= 63 ? base : `${base.slice(0, 56).replace(/-+$/, '')}-${shortHash(base)}`;
}

/** Secondary range names of a cluster's subnet. */
export const SECONDARY_RANGE = { pods: 'pods', services: 'services' } as const;

/** A Cloud KMS key ring name (1..63 of [a-zA-Z0-9_-]) for a cluster's SPIRE keys, leaving room for a "-<6 hex>" suffix. */
export function spireKeyRingBase(environment: string, cluster: string): string {
  const base = `${environment}-${cluster}-spire`;
  return base.length <= 56 ? base : `${base.slice(0, 49).replace(/-+$/, '')}-${shortHash(base)}`;
}

/** A project-level custom role id (3..64 of [a-zA-Z0-9_.]) unique per environment. */
export function customRoleId(environment: string, purpose: string): string {
  const base = `meshfed.${purpose}.${environment.replace(/-/g, '_')}`;
  return base.length <= 64 ? base : `${base.slice(0, 57)}_${shortHash(base)}`;
}
