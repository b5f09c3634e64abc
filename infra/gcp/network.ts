/**
 * The environment's GCP network: ONE VPC per environment, a subnet per created GKE cluster (its `cidr`,
 * with pods and services as secondary ranges), a Cloud Router + Cloud NAT per region with reserved egress
 * addresses (private nodes reach the internet and peers' public API endpoints through them, so those
 * endpoints can allow exactly these addresses), and the mesh's firewall rules (firewallRules()).
 *
 * Why one VPC and not one per cluster: GCP VPCs are global, so clusters in any region already route to each
 * other privately; peered per-cluster VPCs would need n(n-1)/2 peerings for a full mesh (peering is not
 * transitive) and count against per-network peering quotas, and internal load balancers with global access
 * serve other regions of the same VPC. Isolation between clusters comes from the firewall rules, which open
 * only the mesh's ports to peers' ranges.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec, Topology } from '../../clusters/model';
import type { ClusterRanges } from '../address-ranges';
import type { FirewallRule } from '../firewall-rules';
import { gcpNames, SECONDARY_RANGE } from '../../clusters/cloud-names';
import type { GcpApis } from './apis';

export interface GcpNetworkArgs {
  readonly topology: Topology;
  /** The GKE clusters this stack creates (each gets a subnet). */
  readonly clusters: readonly ClusterSpec[];
  readonly ranges: readonly ClusterRanges[];
  /** firewallRules(topology, ranges); rules whose target is not created here are skipped. */
  readonly rules: readonly FirewallRule[];
  /** The environment's enabled APIs (Compute Engine). */
  readonly apis: GcpApis;
  /**
   * NAT egress addresses (CIDRs) of a peer in another cloud (a rule's peerEgress): the sources its traffic
   * arrives from. Required when some rule names such a peer.
   */
  readonly egressOf?: (peer: string) => pulumi.Input<pulumi.Input<string>[]>;
}

export class GcpNetwork extends pulumi.ComponentResource {
  readonly network: gcp.compute.Network;
  readonly subnets: Readonly<Record<string, gcp.compute.Subnetwork>>;
  /** Reserved Cloud NAT egress addresses by region. */
  readonly natAddresses: Readonly<Record<string, gcp.compute.Address>>;
  readonly firewalls: Readonly<Record<string, gcp.compute.Firewall>>;
  /**
   * What the deploy into a cluster must wait for besides the cluster: its region's Cloud NAT (private nodes
   * have no external addresses, GKE "Private clusters" concept page, so images from registries outside Google,
   * e.g. quay.io and ghcr.io, come through it) and the firewall rules targeting its nodes (the control plane
   * calls the webhooks of the charts being installed through them).
   */
  readonly deployNeeds: (cluster: string) => pulumi.Resource[];

  constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:gcp:Network', name, {}, opts);
    const child = { parent: this };
    const env = args.topology.environment;
    this.network = new gcp.compute.Network(gcpNames.network(env), {
      autoCreateSubnetworks: false,
      routingMode: 'GLOBAL',
      description: `meshfed environment ${env}`,
    }, { ...child, dependsOn: args.apis.needs('compute') });

    const subnets: Record<string, gcp.compute.Subnetwork> = {};
    for (const cluster of args.clusters) {
      const ranges = args.ranges.find((r) => r.cluster === cluster.name)!;
      subnets[cluster.name] = new gcp.compute.Subnetwork(gcpNames.subnet(cluster.name), {
        network: this.network.id,
        region: cluster.region,
        ipCidrRange: ranges.nodes,
        secondaryIpRanges: [
          { rangeName: SECONDARY_RANGE.pods, ipCidrRange: ranges.pods },
          { rangeName: SECONDARY_RANGE.services, ipCidrRange: ranges.services },
        ],
        // Private nodes reach Google APIs (Artifact Registry, logging) without external addresses.
        privateIpGoogleAccess: true,
      }, child);
    }
    this.subnets = subnets;

    const natAddresses: Record<string, gcp.compute.Address> = {};
    const nats: Record<string, gcp.compute.RouterNat> = {};
    for (const region of [...new Set(args.clusters.map((c) => c.region))].sort()) {
      const router = new gcp.compute.Router(gcpNames.router(env, region), { network: this.network.id, region }, child);
      natAddresses[region] = new gcp.compute.Address(gcpNames.nat(env, region), { region, addressType: 'EXTERNAL', description: `Cloud NAT egress of meshfed ${env} in ${region}` }, { ...child, dependsOn: args.apis.needs('compute') });
      nats[region] = new gcp.compute.RouterNat(gcpNames.nat(env, region), {
        router: router.name,
        region,
        natIpAllocateOption: 'MANUAL_ONLY',
        natIps: [natAddresses[region].selfLink],
        sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
        subnetworks: args.clusters.filter((c) => c.region === region).map((c) => ({ name: subnets[c.name].id, sourceIpRangesToNats: ['ALL_IP_RANGES'] })),
        logConfig: { enable: true, filter: 'ERRORS_ONLY' },
      }, child);
    }
    this.natAddresses = natAddresses;

    const egressOf = (peer: string, rule: FirewallRule): pulumi.Output<string[]> => {
      if (!args.egressOf) throw new Error(`internal: firewall rule ${rule.name} admits ${peer} from another cloud, but GcpNetwork has no egressOf`);
      return pulumi.output(args.egressOf(peer)) as pulumi.Output<string[]>;
    };
    const created = new Set(args.clusters.map((c) => c.name));
    const firewalls: Record<string, gcp.compute.Firewall> = {};
    for (const rule of args.rules.filter((r) => created.has(r.target))) {
      firewalls[rule.name] = new gcp.compute.Firewall(gcpNames.firewall(env, rule.name), {
        network: this.network.id,
        direction: 'INGRESS',
        description: rule.description,
        allows: [{ protocol: 'tcp', ports: rule.ports.map(String) }],
        sourceRanges: rule.peerEgress.length === 0
          ? [...rule.sources]
          : pulumi.all([pulumi.output([...rule.sources]), ...rule.peerEgress.map((peer) => egressOf(peer, rule))]).apply((all) => all.flat()),
        targetTags: [gcpNames.nodeTag(env, rule.target)],
      }, child);
    }
    this.firewalls = firewalls;
    const regionOf = new Map(args.clusters.map((c) => [c.name, c.region]));
    this.deployNeeds = (cluster) => [
      nats[regionOf.get(cluster)!],
      ...args.rules.filter((r) => r.target === cluster).map((r) => firewalls[r.name]),
    ];
    this.registerOutputs({ network: this.network.id });
  }
}
