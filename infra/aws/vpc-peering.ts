/**
 * One VPC peering connection between two EKS clusters' VPCs: requested in the requester's region,
 * accepted by a separate resource with the accepter region's provider (cross-region peering cannot be
 * auto-accepted by the request), private DNS resolution across the connection on both sides, and the
 * routes of peeringRoutes() on both sides.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PeeringPair, PeeringRoute } from './peering';
import type { Vpc } from './vpc';

export interface PeeringSide {
  readonly vpc: Vpc;
  /** The AWS provider of the side's region. */
  readonly provider: aws.Provider;
}

export interface VpcPeeringArgs {
  readonly pair: PeeringPair;
  readonly requester: PeeringSide;
  readonly accepter: PeeringSide;
  /** peeringRoutes() entries of this pair. */
  readonly routes: readonly PeeringRoute[];
}

export class VpcPeering extends pulumi.ComponentResource {
  readonly connection: aws.ec2.VpcPeeringConnection;
  readonly accepter: aws.ec2.VpcPeeringConnectionAccepter;
  readonly routes: aws.ec2.Route[];

  constructor(name: string, args: VpcPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:VpcPeering', name, {}, opts);
    const { pair, requester, accepter } = args;
    const tags = { Name: pair.name, 'meshfed.dev/peering': pair.name };
    this.connection = new aws.ec2.VpcPeeringConnection(`${name}-connection`, {
      vpcId: requester.vpc.vpc.id,
      peerVpcId: accepter.vpc.vpc.id,
      peerRegion: pair.accepterRegion,
      autoAccept: false,
      tags,
    }, { parent: this, provider: requester.provider });
    this.accepter = new aws.ec2.VpcPeeringConnectionAccepter(`${name}-accepter`, {
      vpcPeeringConnectionId: this.connection.id,
      autoAccept: true,
      tags,
    }, { parent: this, provider: accepter.provider });

    // Options can only be set on an active connection, each side with its own region's provider.
    const active = { parent: this, dependsOn: [this.accepter] };
    new aws.ec2.PeeringConnectionOptions(`${name}-requester-dns`, {
      vpcPeeringConnectionId: this.accepter.id,
      requester: { allowRemoteVpcDnsResolution: true },
    }, { ...active, provider: requester.provider });
    new aws.ec2.PeeringConnectionOptions(`${name}-accepter-dns`, {
      vpcPeeringConnectionId: this.accepter.id,
      accepter: { allowRemoteVpcDnsResolution: true },
    }, { ...active, provider: accepter.provider });

    const sideOf = (cluster: string): PeeringSide => {
      if (cluster === pair.requester) return requester;
      if (cluster === pair.accepter) return accepter;
      throw new Error(`internal: route for ${cluster} in peering ${pair.name}`);
    };
    this.routes = args.routes.map((r) => {
      const side = sideOf(r.cluster);
      const table = side.vpc.routeTables[r.routeTable];
      if (!table) throw new Error(`internal: ${r.cluster} has no route table ${r.routeTable}`);
      return new aws.ec2.Route(r.name, {
        routeTableId: table.id,
        destinationCidrBlock: r.destinationCidr,
        vpcPeeringConnectionId: this.accepter.id,
      }, { ...active, provider: side.provider });
    });

    this.registerOutputs({ connectionId: this.connection.id });
  }
}
