/**
 * The address ranges of every cluster of an environment, as a pure function of the topology: the nodes'
 * range (`cidr`), the pods' and services' ranges (GKE subnet secondary ranges) and the control plane's
 * private /28. Ranges the topology gives are kept (load-time rules checked them); the others are derived
 * in file order from RFC 1918 space, skipping anything already taken, so they never overlap any cluster's
 * range or each other. Adding a cluster at the end of the file never moves an existing cluster's ranges.
 */
import { cidrsOverlap, formatCidr, parseCidr, type Ipv4Cidr } from '../clusters/cidr';
import type { Topology } from '../clusters/model';

export interface ClusterRanges {
  readonly cluster: string;
  /** Nodes (the subnet's primary range): the topology's `cidr`. */
  readonly nodes: string;
  /** Pods (secondary range). */
  readonly pods: string;
  /** Services (secondary range). */
  readonly services: string;
  /** Control plane private range (a /28). */
  readonly controlPlane: string;
}

/** Prefix lengths of derived ranges: a /16 of pods is 256 nodes at GKE's default /24 per node. */
export const DERIVED_PREFIX = { pods: 16, services: 20, controlPlane: 28 } as const;

/** Pods and services come from 10.0.0.0/8, scanned from its top so they stay clear of the usual 10.x node ranges. */
const POD_SERVICE_POOL = must('10.0.0.0/8');
/** Control planes from 172.16.0.0/12, scanned from its bottom. */
const CONTROL_PLANE_POOL = must('172.16.0.0/12');

function must(text: string): Ipv4Cidr {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(`internal: ${text} ${c}`);
  return c;
}

/** The first block of `prefixLength` in `pool` (in scan order) that overlaps nothing taken. */
function allocate(pool: Ipv4Cidr, prefixLength: number, fromTop: boolean, taken: readonly Ipv4Cidr[], what: string): Ipv4Cidr {
  const size = 2 ** (32 - prefixLength);
  const count = 2 ** (prefixLength - pool.prefixLength);
  for (let n = 0; n < count; n++) {
    const index = fromTop ? count - 1 - n : n;
    const candidate = { network: (pool.network + index * size) >>> 0, prefixLength };
    if (!taken.some((t) => cidrsOverlap(t, candidate))) return candidate;
  }
  throw new Error(`no free /${prefixLength} left in ${formatCidr(pool)} for ${what}; give it explicitly in the topology`);
}

/** Ranges of every cluster, in file order. */
export function clusterRanges(topology: Topology): ClusterRanges[] {
  const explicit = (text: string | undefined): Ipv4Cidr | undefined => (text === undefined ? undefined : must(text));
  const taken: Ipv4Cidr[] = [];
  for (const c of topology.clusters) {
    for (const text of [c.cidr, c.podCidr, c.serviceCidr, c.cloud.controlPlaneCidr]) {
      const given = explicit(text);
      if (given) taken.push(given);
    }
  }
  return topology.clusters.map((c) => {
    const take = (given: string | undefined, pool: Ipv4Cidr, prefix: number, fromTop: boolean, what: string): string => {
      if (given !== undefined) return given;
      const range = allocate(pool, prefix, fromTop, taken, `${c.name}'s ${what}`);
      taken.push(range);
      return formatCidr(range);
    };
    return {
      cluster: c.name,
      nodes: c.cidr,
      pods: take(c.podCidr, POD_SERVICE_POOL, DERIVED_PREFIX.pods, true, 'pods (podCidr)'),
      services: take(c.serviceCidr, POD_SERVICE_POOL, DERIVED_PREFIX.services, true, 'services (serviceCidr)'),
      controlPlane: take(c.cloud.controlPlaneCidr, CONTROL_PLANE_POOL, DERIVED_PREFIX.controlPlane, false, 'control plane (cloud.controlPlaneCidr)'),
    };
  });
}

/** Every range of the result as parsed CIDRs (for overlap checks). */
export function allRanges(ranges: readonly ClusterRanges[]): { cluster: string; kind: keyof Omit<ClusterRanges, 'cluster'>; cidr: Ipv4Cidr }[] {
  return ranges.flatMap((r) => (['nodes', 'pods', 'services', 'controlPlane'] as const).map((kind) => ({ cluster: r.cluster, kind, cidr: must(r[kind]) })));
}

