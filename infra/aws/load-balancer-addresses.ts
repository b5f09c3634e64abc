/**
 * Addresses of the Services peers dial on an EKS cluster (bundle endpoint, east-west gateway, nested
 * server API), known before the load balancers exist. An NLB's address is not a reservable resource
 * the way a GCP address is, so meshfed pins the NLB to addresses it chose or allocated
 * (AWS Load Balancer Controller annotations, kubernetes-sigs/aws-load-balancer-controller
 * docs/guide/service/annotations.md, v3.5):
 *  - internal (every other cluster of the mesh is an EKS cluster, reached over peering): one fixed
 *    private address per private subnet (`...-private-ipv4-addresses` with `...-subnets`);
 *  - external (a peer in another cloud): one Elastic IP per public subnet allocated by the stack
 *    (`...-eip-allocations` with `...-subnets`; in-tree since Kubernetes 1.16 too, kubernetes/kubernetes#69263).
 * Peers dial the first zone's address; cross-zone load balancing lets that NLB node reach targets
 * in every zone.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec, Topology } from '../../clusters/model';
import { internalNlbAnnotations, NLB_CROSS_ZONE, subnetName, type ZoneSubnets } from '../../clusters/aws-subnets';

import type { AddressScope, EndpointKind } from '../cluster-infra';

export type { AddressScope, EndpointKind };

/** Host offset inside each private subnet per Service, so the three internal NLBs never share an address. */
export const INTERNAL_HOST_OFFSET: Readonly<Record<EndpointKind, number>> = { bundleEndpoint: 10, eastWestGateway: 11, serverEndpoint: 12 };

/** Internal when every other cluster of the mesh is an EKS cluster (peered VPCs), external otherwise. */
export function awsAddressScope(topology: Topology, cluster: ClusterSpec): AddressScope {
  return topology.clusters.every((c) => c.name === cluster.name || c.provider === 'eks') ? 'internal' : 'external';
}

/** Internal scope: the fixed private addresses and the Service annotations of one kind (pure). */
export function internalEndpoint(clusterName: string, layout: readonly ZoneSubnets[], kind: EndpointKind): { address: string; annotations: Record<string, string> } {
  const { addresses, annotations } = internalNlbAnnotations(clusterName, layout, INTERNAL_HOST_OFFSET[kind]);
  return { address: addresses[0], annotations };
}

/** External scope: annotations for an internet-facing NLB on the given Elastic IP allocations, one per public subnet (pure). */
export function externalEndpointAnnotations(clusterName: string, layout: readonly ZoneSubnets[], allocationIds: readonly string[]): Record<string, string> {
  if (allocationIds.length !== layout.length) throw new Error(`internal: ${allocationIds.length} Elastic IPs for ${layout.length} subnets of ${clusterName}`);
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    'service.beta.kubernetes.io/aws-load-balancer-subnets': layout.map((s) => subnetName(clusterName, 'public', s.zone)).join(','),
    'service.beta.kubernetes.io/aws-load-balancer-eip-allocations': allocationIds.join(','),
    // Keep the peers' addresses as the source, so the node security group's per-peer rules (and not
    // the own-VPC health-check rule) decide who gets in. The Service should also set
    // spec.loadBalancerSourceRanges to the same peers, which the controller turns into the NLB's own rules.
    'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
    ...NLB_CROSS_ZONE,
  };
}

export interface EndpointAddress {
  /** What peers dial (the first zone's address). */
  readonly address: pulumi.Output<string>;
  /** Annotations for the Service of this kind. */
  readonly annotations: pulumi.Output<Record<string, string>>;
}

export interface LoadBalancerAddressesArgs {
  readonly clusterName: string;
  readonly layout: readonly ZoneSubnets[];
  readonly scope: AddressScope;
  /** endpointsToReserve(topology, cluster) of the provider-agnostic wiring. */
  readonly kinds: readonly EndpointKind[];
}

/** Elastic IPs (external scope) or fixed private addresses (internal scope) per Service kind. */
export class LoadBalancerAddresses extends pulumi.ComponentResource {
  readonly endpoints: Readonly<Partial<Record<EndpointKind, EndpointAddress>>>;

  constructor(name: string, args: LoadBalancerAddressesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:LoadBalancerAddresses', name, {}, opts);
    const endpoints: Partial<Record<EndpointKind, EndpointAddress>> = {};
    for (const kind of args.kinds) {
      if (args.scope === 'internal') {
        const fixed = internalEndpoint(args.clusterName, args.layout, kind);
        endpoints[kind] = { address: pulumi.output(fixed.address), annotations: pulumi.output(fixed.annotations) };
        continue;
      }
      const eips = args.layout.map((s) => new aws.ec2.Eip(`${name}-${kind}-${s.zone}`, { domain: 'vpc', tags: { Name: `${args.clusterName}-${kind}-${s.zone}` } }, { parent: this }));
      endpoints[kind] = {
        address: eips[0].publicIp,
        annotations: pulumi.all(eips.map((e) => e.allocationId)).apply((ids) => externalEndpointAnnotations(args.clusterName, args.layout, ids)),
      };
    }
    this.endpoints = endpoints;
    this.registerOutputs({});
  }
}
