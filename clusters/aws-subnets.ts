/**
 * Subnet layout of one EKS cluster's VPC, derived from the topology's `cidr` (pure, property-tested).
 *
 * Private subnets hold the nodes and, with the VPC CNI, every pod's address, so they get almost all of
 * the range; public subnets hold only NAT gateways and internet-facing load balancer nodes.
 * With n zones and k = ceil(log2(n + 1)), the VPC range is split into 2^k blocks: blocks 0..n-1 are the
 * private subnets, the last block is split again into 2^k public subnets of which the first n are used.
 * Blocks between n and 2^k - 1 stay free for later zones, so adding a zone never moves an existing subnet.
 */
import { formatCidr, parseCidr, subdivide, type Ipv4Cidr } from './cidr';

/**
 * Default number of availability zones: three, so a zone outage leaves two thirds of the nodes (a
 * majority for anything quorum-based, two of three SPIRE/istiod replicas) and RDS Multi-AZ has a
 * standby zone; EKS itself needs at least two zones for the control plane's subnets.
 */
export const DEFAULT_ZONE_COUNT = 3;
export const MIN_ZONES = 2;
export const MAX_ZONES = 6;
/** AWS's smallest subnet is a /28 (16 addresses, 5 reserved by AWS). */
export const SMALLEST_SUBNET_PREFIX = 28;

export interface ZoneSubnets {
  /** Availability zone name, e.g. "eu-west-1a". */
  readonly zone: string;
  /** Nodes and pods (tagged kubernetes.io/role/internal-elb). */
  readonly privateCidr: string;
  /** NAT gateway and internet-facing load balancers (tagged kubernetes.io/role/elb). */
  readonly publicCidr: string;
}

/**
 * Zone names when the topology gives none: "<region>a", "<region>b", ... A fixed rule instead of a
 * provider lookup keeps plan and preview offline and deterministic; regions whose accounts lack zone
 * "c" (e.g. us-west-1) must list `eks.availabilityZones`.
 */
export function defaultZones(region: string, count = DEFAULT_ZONE_COUNT): string[] {
  return Array.from({ length: count }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

function blockBits(zoneCount: number): number {
  return Math.ceil(Math.log2(zoneCount + 1));
}

/** Why `cidr` cannot hold `zoneCount` zones' subnets, or undefined when it can (for load-time rules). */
export function subnetLayoutProblem(cidr: string, zoneCount: number): string | undefined {
  if (!Number.isInteger(zoneCount) || zoneCount < MIN_ZONES || zoneCount > MAX_ZONES) {
    return `needs ${MIN_ZONES} to ${MAX_ZONES} availability zones, got ${zoneCount}`;
  }
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') return `cidr ${parsed}`;
  const publicPrefix = parsed.prefixLength + 2 * blockBits(zoneCount);
  if (publicPrefix > SMALLEST_SUBNET_PREFIX) {
    return `${cidr} is too small for ${zoneCount} availability zones (public subnets would be /${publicPrefix}; AWS's smallest subnet is a /${SMALLEST_SUBNET_PREFIX})`;
  }
  return undefined;
}

/** Private and public subnet per zone, in the order of `zones`. Throws when subnetLayoutProblem() would report. */
export function subnetLayout(cidr: string, zones: readonly string[]): ZoneSubnets[] {
  const problem = subnetLayoutProblem(cidr, zones.length);
  if (problem !== undefined) throw new Error(`subnet layout: ${problem}`);
  if (new Set(zones).size !== zones.length) throw new Error(`subnet layout: availability zones repeat (${zones.join(', ')})`);
  const vpc = parseCidr(cidr) as Ipv4Cidr;
  const k = blockBits(zones.length);
  const blocks = subdivide(vpc, k);
  const publics = subdivide(blocks[blocks.length - 1], k);
  return zones.map((zone, i) => ({ zone, privateCidr: formatCidr(blocks[i]), publicCidr: formatCidr(publics[i]) }));
}

/** Route table keys of a cluster's VPC: one public table, one private table per zone (its NAT gateway). */
export function routeTableKeys(zones: readonly string[]): string[] {
  return ['public', ...zones.map((zone) => `private-${zone}`)];
}

/** Name tag of a cluster's subnet (Vpc names them so; the AWS Load Balancer Controller accepts Name tags in aws-load-balancer-subnets). */
export function subnetName(clusterName: string, tier: 'private' | 'public', zone: string): string {
  return `${clusterName}-${tier}-${zone}`;
}

/** The AWS Load Balancer Controller's Service annotation keys (docs/guide/service/annotations.md, v3.5.0). */
const LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
const NLB_ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-attributes';

/**
 * Peers dial one zone's address of a pinned NLB; cross-zone load balancing (off by default on NLBs) lets that
 * zone's NLB node reach targets in every zone (docs/guide/service/annotations.md, v3.5.0, load balancer attributes).
 */
export const NLB_CROSS_ZONE: Readonly<Record<string, string>> = { [NLB_ATTRIBUTES]: 'load_balancing.cross_zone.enabled=true' };

/**
 * Service annotations the stack sets with the topology's own over them; the controller's comma-separated
 * `key=value` load balancer attributes are merged per attribute (the topology's value wins), so a user's
 * attribute does not silently drop the stack's cross-zone setting.
 */
export function mergeServiceAnnotations(stack: Readonly<Record<string, string>>, given: Readonly<Record<string, string>>): Record<string, string> {
  const merged = { ...stack, ...given };
  if (stack[NLB_ATTRIBUTES] !== undefined && given[NLB_ATTRIBUTES] !== undefined) {
    const pairs = (text: string) => text.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => [p.split('=')[0].trim(), p] as const);
    merged[NLB_ATTRIBUTES] = [...new Map([...pairs(stack[NLB_ATTRIBUTES]), ...pairs(given[NLB_ATTRIBUTES])]).values()].join(',');
  }
  return merged;
}

/**
 * Service annotations that pin an internal NLB (AWS Load Balancer Controller, IP targets) to fixed
 * private addresses, one per private subnet: the address at `hostOffset` inside each zone's subnet.
 * An internal NLB's private addresses are the AWS counterpart of a reserved internal address on GCP:
 * known before the load balancer exists, so peers' configuration can name them.
 * (kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md, v3.5: subnets by
 * ID or Name tag; private-ipv4-addresses one per subnet, from the subnets' ranges, internal only.)
 */
export function internalNlbAnnotations(clusterName: string, layout: readonly ZoneSubnets[], hostOffset = 10): { annotations: Record<string, string>; addresses: string[] } {
  const addresses = layout.map((s) => {
    const subnet = parseCidr(s.privateCidr) as Ipv4Cidr;
    // AWS reserves the first four addresses and the last one of every subnet.
    if (hostOffset < 4 || hostOffset >= 2 ** (32 - subnet.prefixLength) - 1) throw new Error(`internal NLB: host offset ${hostOffset} is outside ${s.privateCidr}'s usable addresses`);
    return formatCidr({ network: (subnet.network + hostOffset) >>> 0, prefixLength: 32 }).replace('/32', '');
  });
  return {
    addresses,
    annotations: {
      [LB_TYPE]: 'external',
      [TARGET_TYPE]: 'ip',
      [NLB_ADDRESS_ANNOTATIONS.scheme]: 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-subnets': layout.map((s) => subnetName(clusterName, 'private', s.zone)).join(','),
      [NLB_ADDRESS_ANNOTATIONS.privateIpv4]: addresses.join(','),
      ...NLB_CROSS_ZONE,
    },
  };
}

/** The AWS Load Balancer Controller's annotations that fix an NLB's addresses (docs/guide/service/annotations.md, v3.5.0). */
export const NLB_ADDRESS_ANNOTATIONS = {
  scheme: 'service.beta.kubernetes.io/aws-load-balancer-scheme',
  /** Internal NLBs: one private address per subnet. */
  privateIpv4: 'service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses',
  /** Internet-facing NLBs: one Elastic IP allocation per subnet. */
  eipAllocations: 'service.beta.kubernetes.io/aws-load-balancer-eip-allocations',
} as const;

/**
 * Whether the controller serves a Service with these annotations, and with IP targets: type `nlb-ip`, or
 * type `external` with target type `ip` (pkg/service/service_utils.go checkAWSLoadBalancerTypeAnnotation, v3.5.0).
 */
export function lbControllerIpTargets(annotations: Readonly<Record<string, string>> | undefined): boolean {
  const type = annotations?.[LB_TYPE];
  return type === 'nlb-ip' || (type === 'external' && annotations?.[TARGET_TYPE] === 'ip');
}

/** Whether the controller serves a Service with these annotations at all (IP or instance targets). */
export function servedByLbController(annotations: Readonly<Record<string, string>> | undefined): boolean {
  const type = annotations?.[LB_TYPE];
  return type === 'nlb-ip' || (type === 'external' && ['ip', 'instance'].includes(annotations?.[TARGET_TYPE] ?? ''));
}

/**
 * How an NLB is pinned to `address` (AWS ignores spec.loadBalancerIP): `private-ipv4` when the annotations
 * list it among an internal NLB's private addresses, `eip` when an internet-facing NLB takes Elastic IP
 * allocations (their addresses are known only to AWS, so trusted to include it), `none` otherwise. Both are
 * annotations of the AWS Load Balancer Controller, which serves only Services it is given (type `external`
 * or `nlb-ip`; the stack turns its Service mutator off): on an in-tree `nlb` Service they pin nothing.
 */
export function nlbAddressPin(annotations: Readonly<Record<string, string>> | undefined, address: string): 'private-ipv4' | 'eip' | 'none' {
  const list = (key: string) => (annotations?.[key] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (!servedByLbController(annotations)) return 'none';
  const internal = annotations?.[NLB_ADDRESS_ANNOTATIONS.scheme] === 'internal';
  if (internal && list(NLB_ADDRESS_ANNOTATIONS.privateIpv4).includes(address)) return 'private-ipv4';
  if (!internal && list(NLB_ADDRESS_ANNOTATIONS.eipAllocations).length > 0) return 'eip';
  return 'none';
}
