/** EKS VPC subnet layout: per-zone private and public subnets, inside the VPC, disjoint, stable. */
import fc from 'fast-check';
import { cidrsOverlap, formatCidr, lastAddress, parseCidr, prefixMask, type Ipv4Cidr } from '../clusters/cidr';
import { join } from 'node:path';
import { loadTopologyFile } from '../clusters';
import { defaultZones, internalNlbAnnotations, mergeServiceAnnotations, NLB_CROSS_ZONE, subnetLayout, subnetLayoutProblem } from '../clusters/aws-subnets';

const parsed = (text: string): Ipv4Cidr => parseCidr(text) as Ipv4Cidr;
const vpcArb = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 8, max: 24 }))
  .map(([address, prefixLength]) => formatCidr({ network: (address & prefixMask(prefixLength)) >>> 0, prefixLength }));
const zonesArb = fc.integer({ min: 2, max: 6 }).map((n) => defaultZones('eu-west-1', n));

describe('subnetLayout', () => {
  it('splits a /16 over three zones: /18 private subnets and /20 public ones in the last quarter', () => {
    expect(subnetLayout('10.1.0.0/16', defaultZones('us-east-1'))).toEqual([
      { zone: 'us-east-1a', privateCidr: '10.1.0.0/18', publicCidr: '10.1.192.0/20' },
      { zone: 'us-east-1b', privateCidr: '10.1.64.0/18', publicCidr: '10.1.208.0/20' },
      { zone: 'us-east-1c', privateCidr: '10.1.128.0/18', publicCidr: '10.1.224.0/20' },
    ]);
  });

  it('defaults to three zones named after the region', () => {
    expect(defaultZones('eu-central-1')).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']);
  });

  it('keeps every subnet inside the VPC, disjoint from every other, at least a /28, one of each per zone', () => {
    fc.assert(
      fc.property(vpcArb, zonesArb, (cidr, zones) => {
        fc.pre(subnetLayoutProblem(cidr, zones.length) === undefined);
        const layout = subnetLayout(cidr, zones);
        expect(layout.map((s) => s.zone)).toEqual(zones);
        const vpc = parsed(cidr);
        const all = layout.flatMap((s) => [parsed(s.privateCidr), parsed(s.publicCidr)]);
        for (const [i, s] of all.entries()) {
          expect(s.network >= vpc.network && lastAddress(s) <= lastAddress(vpc)).toBe(true);
          expect(s.prefixLength).toBeLessThanOrEqual(28);
          for (const other of all.slice(i + 1)) expect(cidrsOverlap(s, other)).toBe(false);
        }
        // Nodes and pods live in the private subnets: each is larger than any public one.
        expect(parsed(layout[0].privateCidr).prefixLength).toBeLessThan(parsed(layout[0].publicCidr).prefixLength);
      }),
    );
  });

  it('is deterministic and adding a zone never moves an existing subnet of the same block size', () => {
    fc.assert(
      fc.property(vpcArb, fc.integer({ min: 2, max: 5 }), (cidr, n) => {
        fc.pre(subnetLayoutProblem(cidr, n + 1) === undefined);
        const zones = defaultZones('us-east-1', n + 1);
        expect(subnetLayout(cidr, zones)).toEqual(subnetLayout(cidr, zones));
        const sameBits = Math.ceil(Math.log2(n + 1)) === Math.ceil(Math.log2(n + 2));
        if (sameBits) expect(subnetLayout(cidr, zones).slice(0, n)).toEqual(subnetLayout(cidr, zones.slice(0, n)));
      }),
    );
  });

  it('refuses layouts AWS cannot create, naming the size', () => {
    expect(subnetLayoutProblem('10.1.0.0/24', 3)).toBeUndefined();
    expect(subnetLayoutProblem('10.1.0.0/24', 4)).toBe(
      "10.1.0.0/24 is too small for 4 availability zones (public subnets would be /30; AWS's smallest subnet is a /28)",
    );
    expect(subnetLayoutProblem('10.1.0.0/16', 1)).toBe('needs 2 to 6 availability zones, got 1');
    expect(() => subnetLayout('10.1.0.0/16', ['a', 'a'])).toThrow('subnet layout: availability zones repeat (a, a)');
  });
});

describe('internalNlbAnnotations', () => {
  it('pins an internal NLB to one private address per zone, subnets named as the Vpc names them', () => {
    const result = internalNlbAnnotations('root', subnetLayout('10.100.0.0/16', defaultZones('us-east-1')));
    expect(result.addresses).toEqual(['10.100.0.10', '10.100.64.10', '10.100.128.10']);
    expect(result.annotations['service.beta.kubernetes.io/aws-load-balancer-subnets']).toBe('root-private-us-east-1a,root-private-us-east-1b,root-private-us-east-1c');
    expect(() => internalNlbAnnotations('root', subnetLayout('10.100.0.0/16', defaultZones('us-east-1')), 2)).toThrow("internal NLB: host offset 2 is outside 10.100.0.0/18's usable addresses");
  });

  it('is what clusters/eks.yaml writes for root\'s server endpoint (the example dials an address the stack can pin)', () => {
    const root = loadTopologyFile(join(__dirname, '..', 'clusters', 'eks.yaml')).clusters.find((c) => c.name === 'root')!;
    const expected = internalNlbAnnotations('root', subnetLayout(root.cidr, defaultZones(root.region)));
    expect(root.serverEndpoint!.annotations).toEqual(expected.annotations);
    expect(expected.addresses).toContain(root.serverEndpoint!.address);
  });
});

describe('mergeServiceAnnotations', () => {
  const ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-attributes';
  it('lets the topology\'s annotations win, merging the load balancer attributes per attribute', () => {
    const stack = { ...NLB_CROSS_ZONE, 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' };
    const given = { [ATTRIBUTES]: 'deletion_protection.enabled=true', 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' };
    expect(mergeServiceAnnotations(stack, given)).toEqual({
      [ATTRIBUTES]: 'load_balancing.cross_zone.enabled=true,deletion_protection.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
    // The topology may turn an attribute of the stack's off explicitly.
    expect(mergeServiceAnnotations(stack, { [ATTRIBUTES]: 'load_balancing.cross_zone.enabled=false' })[ATTRIBUTES]).toBe('load_balancing.cross_zone.enabled=false');
    expect(mergeServiceAnnotations({}, { a: 'b' })).toEqual({ a: 'b' });
  });
});
