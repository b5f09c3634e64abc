/** Pinned NLB addresses on AWS: scope from the mesh's clouds, distinct internal addresses per Service, EIP annotations. */
import { awsAddressScope, externalEndpointAnnotations, internalEndpoint } from '../infra/aws/load-balancer-addresses';
import { defaultZones, subnetLayout } from '../clusters/aws-subnets';
import { MIXED, THREE_EKS, topologyOf } from './helpers/aws-topologies';

const layout = subnetLayout('10.1.0.0/16', defaultZones('us-east-1'));

describe('load balancer addresses on AWS', () => {
  it('is internal when every other cluster is a peered EKS cluster, external when one is in another cloud', () => {
    const three = topologyOf(THREE_EKS);
    expect(three.clusters.map((c) => awsAddressScope(three, c))).toEqual(['internal', 'internal', 'internal']);
    const mixed = topologyOf(MIXED);
    expect(awsAddressScope(mixed, mixed.clusters[1])).toBe('external');
  });

  it('gives each Service its own private address in every zone and dials the first', () => {
    const kinds = ['bundleEndpoint', 'eastWestGateway', 'serverEndpoint'] as const;
    const all = kinds.map((k) => internalEndpoint('c1', layout, k));
    expect(all.map((e) => e.address)).toEqual(['10.1.0.10', '10.1.0.11', '10.1.0.12']);
    expect(all[1].annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-subnets': 'c1-private-us-east-1a,c1-private-us-east-1b,c1-private-us-east-1c',
      'service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses': '10.1.0.11,10.1.64.11,10.1.128.11',
      'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
    });
  });

  it('puts an internet-facing NLB on one Elastic IP per public subnet, keeping client addresses for the security group', () => {
    const annotations = externalEndpointAnnotations('c1', layout, ['eipalloc-a', 'eipalloc-b', 'eipalloc-c']);
    expect(annotations['service.beta.kubernetes.io/aws-load-balancer-subnets']).toBe('c1-public-us-east-1a,c1-public-us-east-1b,c1-public-us-east-1c');
    expect(annotations['service.beta.kubernetes.io/aws-load-balancer-eip-allocations']).toBe('eipalloc-a,eipalloc-b,eipalloc-c');
    expect(annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internet-facing');
    expect(annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']).toBe('preserve_client_ip.enabled=true');
    expect(() => externalEndpointAnnotations('c1', layout, ['eipalloc-a'])).toThrow('internal: 1 Elastic IPs for 3 subnets of c1');
  });
});
