/** CIDR arithmetic: property tests against a brute-force model. */
import fc from 'fast-check';
import { cidrsOverlap, formatCidr, intToIpv4, lastAddress, parseCidr, prefixMask, subdivide, type Ipv4Cidr } from '../clusters/cidr';

const cidrArb = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(
  ([address, prefixLength]): Ipv4Cidr => ({ network: (address & prefixMask(prefixLength)) >>> 0, prefixLength }),
);

describe('CIDR helpers', () => {
  it('round-trips format and parse', () => {
    fc.assert(fc.property(cidrArb, (c) => expect(parseCidr(formatCidr(c))).toEqual(c)));
  });

  it('overlap is symmetric and equals "one contains the other\'s network address"', () => {
    fc.assert(
      fc.property(cidrArb, cidrArb, (a, b) => {
        const contains = (x: Ipv4Cidr, addr: number) => addr >= x.network && addr <= lastAddress(x);
        expect(cidrsOverlap(a, b)).toBe(cidrsOverlap(b, a));
        expect(cidrsOverlap(a, b)).toBe(contains(a, b.network) || contains(b, a.network));
      }),
    );
  });

  it('subdivides into disjoint subnets that exactly cover the range', () => {
    fc.assert(
      fc.property(cidrArb.filter((c) => c.prefixLength <= 28), fc.integer({ min: 0, max: 4 }), (c, bits) => {
        const parts = subdivide(c, bits);
        expect(parts).toHaveLength(2 ** bits);
        expect(parts[0].network).toBe(c.network);
        expect(lastAddress(parts[parts.length - 1])).toBe(lastAddress(c));
        for (let i = 1; i < parts.length; i++) {
          expect(parts[i].network).toBe(lastAddress(parts[i - 1]) + 1);
          expect(cidrsOverlap(parts[i], parts[i - 1])).toBe(false);
        }
      }),
    );
  });

  it.each([
    ['10.0.0.0/8', undefined],
    ['10.0.0.1/8', 'has host bits set (the network address is 10.0.0.0/8)'],
    ['256.0.0.0/8', 'has an octet above 255'],
    ['10.0.0.0/33', 'has a prefix length above 32'],
    ['10.0.0.0', 'is not an IPv4 CIDR (expected a.b.c.d/n)'],
    ['fd00::/8', 'is not an IPv4 CIDR (expected a.b.c.d/n)'],
  ])('parses %s', (text, problem) => {
    const r = parseCidr(text);
    if (problem === undefined) expect(typeof r).toBe('object');
    else expect(r).toBe(problem);
  });

  it('formats addresses', () => {
    expect(intToIpv4(0x0a0a0001)).toBe('10.10.0.1');
  });
});
