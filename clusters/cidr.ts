/** IPv4 CIDR arithmetic for validating cluster address ranges (pure, property-tested). */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses "a.b.c.d/n". Returns a reason string instead of throwing so the loader can report it with
 * the field path. Host bits must be zero: "10.0.0.1/16" is almost always a typo for a subnet.
 */
export function parseCidr(text: string): Ipv4Cidr | string {
  const m = CIDR_PATTERN.exec(text);
  if (!m) return 'is not an IPv4 CIDR (expected a.b.c.d/n)';
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return 'has an octet above 255';
  const prefixLength = Number(m[5]);
  if (prefixLength > 32) return 'has a prefix length above 32';
  const address = ipv4ToInt(octets);
  const network = (address & prefixMask(prefixLength)) >>> 0;
  if (network !== address) {
    return `has host bits set (the network address is ${formatCidr({ network, prefixLength })})`;
  }
  return { network, prefixLength };
}

export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function ipv4ToInt(octets: readonly number[]): number {
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${intToIpv4(cidr.network)}/${cidr.prefixLength}`;
}

/** Last address of the range, as an unsigned integer. */
export function lastAddress(cidr: Ipv4Cidr): number {
  return (cidr.network | (~prefixMask(cidr.prefixLength) >>> 0)) >>> 0;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** Splits a range into 2^extraBits equal subnets (for node / pod / service ranges of one cluster). */
export function subdivide(cidr: Ipv4Cidr, extraBits: number): Ipv4Cidr[] {
  const prefixLength = cidr.prefixLength + extraBits;
  if (extraBits < 0 || prefixLength > 32) {
    throw new Error(`cannot split ${formatCidr(cidr)} into /${prefixLength} subnets`);
  }
  const size = 2 ** (32 - prefixLength);
  return Array.from({ length: 2 ** extraBits }, (_, i) => ({
    network: (cidr.network + i * size) >>> 0,
    prefixLength,
  }));
}
