/**
 * One EKS cluster's VPC: private and public subnet per availability zone (subnetLayout), internet
 * gateway, NAT gateway(s) with Elastic IPs, and route tables. The NAT Elastic IPs are the cluster's
 * egress addresses: reserved, so known before any node exists, and given to the other cloud's
 * firewall as sources in mixed meshes.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { routeTableKeys, subnetLayout, subnetName, type ZoneSubnets } from '../../clusters/aws-subnets';

export interface VpcArgs {
  /** Topology name of the cluster (subnet tags name it for load balancer discovery). */
  readonly clusterName: string;
  readonly cidr: string;
  readonly availabilityZones: readonly string[];
  /** one-per-zone: a zone outage keeps the other zones' egress; single: one NAT gateway in the first zone. */
  readonly natGateways: 'one-per-zone' | 'single';
  readonly tags?: Readonly<Record<string, string>>;
}

export class Vpc extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly layout: readonly ZoneSubnets[];
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly publicSubnets: aws.ec2.Subnet[];
  /** By routeTableKeys(): "public" and "private-<zone>". */
  readonly routeTables: Readonly<Record<string, aws.ec2.RouteTable>>;
  /** The private subnets' default routes through NAT and their table associations: nodes there reach ECR and the EKS API only once these exist. */
  readonly privateEgress: pulumi.Resource[];
  /** The NAT gateways' public addresses as /32 CIDRs: the cluster's egress to other clouds. */
  readonly egressCidrs: pulumi.Output<string>[];

  constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:Vpc', name, {}, opts);
    const child = { parent: this };
    const prefix = args.clusterName;
    const tags = (extra: Record<string, string>) => ({ ...args.tags, 'meshfed.dev/cluster': args.clusterName, ...extra });
    this.layout = subnetLayout(args.cidr, args.availabilityZones);

    this.vpc = new aws.ec2.Vpc(`${prefix}-vpc`, {
      cidrBlock: args.cidr,
      // Private DNS of the EKS endpoint and peered DNS resolution need both.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tags({ Name: `${prefix}-vpc` }),
    }, child);
    const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: 'shared' };
    this.publicSubnets = this.layout.map((s) => new aws.ec2.Subnet(subnetName(prefix, 'public', s.zone), {
      vpcId: this.vpc.id,
      cidrBlock: s.publicCidr,
      availabilityZone: s.zone,
      // Nothing launched here needs a public address except what asks for one (NAT, internet-facing NLBs).
      mapPublicIpOnLaunch: false,
      tags: tags({ Name: subnetName(prefix, 'public', s.zone), 'kubernetes.io/role/elb': '1', ...clusterTag }),
    }, child));
    this.privateSubnets = this.layout.map((s) => new aws.ec2.Subnet(subnetName(prefix, 'private', s.zone), {
      vpcId: this.vpc.id,
      cidrBlock: s.privateCidr,
      availabilityZone: s.zone,
      tags: tags({ Name: subnetName(prefix, 'private', s.zone), 'kubernetes.io/role/internal-elb': '1', ...clusterTag }),
    }, child));

    const igw = new aws.ec2.InternetGateway(`${prefix}-igw`, { vpcId: this.vpc.id, tags: tags({ Name: `${prefix}-igw` }) }, child);
    const natZones = args.natGateways === 'single' ? this.layout.slice(0, 1) : this.layout;
    const eips = natZones.map((s) => new aws.ec2.Eip(`${prefix}-nat-eip-${s.zone}`, { domain: 'vpc', tags: tags({ Name: `${prefix}-nat-${s.zone}` }) }, { parent: this, dependsOn: [igw] }));
    const nats = natZones.map((s, i) => new aws.ec2.NatGateway(`${prefix}-nat-${s.zone}`, {
      allocationId: eips[i].allocationId,
      subnetId: this.publicSubnets[this.layout.indexOf(s)].id,
      tags: tags({ Name: `${prefix}-nat-${s.zone}` }),
    }, { parent: this, dependsOn: [igw] }));
    this.egressCidrs = eips.map((eip) => eip.publicIp.apply((ip) => `${ip}/32`));

    const tables: Record<string, aws.ec2.RouteTable> = {};
    const privateEgress: pulumi.Resource[] = [];
    const keys = routeTableKeys(args.availabilityZones);
    const publicTable = new aws.ec2.RouteTable(`${prefix}-rt-${keys[0]}`, { vpcId: this.vpc.id, tags: tags({ Name: `${prefix}-${keys[0]}` }) }, child);
    tables[keys[0]] = publicTable;
    new aws.ec2.Route(`${prefix}-rt-public-default`, { routeTableId: publicTable.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id }, child);
    this.layout.forEach((s, i) => {
      new aws.ec2.RouteTableAssociation(`${prefix}-rta-public-${s.zone}`, { subnetId: this.publicSubnets[i].id, routeTableId: publicTable.id }, child);
      const key = keys[i + 1];
      const table = new aws.ec2.RouteTable(`${prefix}-rt-${key}`, { vpcId: this.vpc.id, tags: tags({ Name: `${prefix}-${key}` }) }, child);
      tables[key] = table;
      const nat = nats[args.natGateways === 'single' ? 0 : i];
      privateEgress.push(
        new aws.ec2.Route(`${prefix}-rt-${key}-default`, { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id }, child),
        new aws.ec2.RouteTableAssociation(`${prefix}-rta-private-${s.zone}`, { subnetId: this.privateSubnets[i].id, routeTableId: table.id }, child),
      );
    });
    this.routeTables = tables;
    this.privateEgress = privateEgress;

    this.registerOutputs({ vpcId: this.vpc.id, egressCidrs: this.egressCidrs });
  }
}
