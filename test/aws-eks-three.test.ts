/** Three EKS clusters (two regions) under mocks: three peerings, routes to both peers in every route table. */
import { THREE_EKS } from './helpers/aws-topologies';
import { awsMocks, ofType, runAwsProgram } from './helpers/aws-program';

const recorded = awsMocks('prod');
beforeAll(() => runAwsProgram(THREE_EKS, recorded));

const CIDR: Record<string, string> = { a: '10.11.0.0/16', b: '10.12.0.0/16', c: '10.13.0.0/16' };

describe('three EKS clusters', () => {
  it('creates three peering connections, same-region accepted in eu-west-1, cross-region in eu-central-1', () => {
    const accepters = ofType(recorded, 'aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter').map((a) => [a.name, a.provider]).sort();
    expect(accepters).toEqual([['a-to-b-accepter', 'aws-eu-west-1'], ['a-to-c-accepter', 'aws-eu-central-1'], ['b-to-c-accepter', 'aws-eu-central-1']]);
    expect(ofType(recorded, 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection').map((p) => [p.name, p.inputs.peerRegion]).sort()).toEqual([
      ['a-to-b-connection', 'eu-west-1'], ['a-to-c-connection', 'eu-central-1'], ['b-to-c-connection', 'eu-central-1'],
    ]);
  });

  it('gives every route table of every VPC a route to each of the other two VPCs over the right connection', () => {
    const tables = ofType(recorded, 'aws:ec2/routeTable:RouteTable');
    expect(tables).toHaveLength(12);
    const routes = ofType(recorded, 'aws:ec2/route:Route').filter((r) => r.inputs.vpcPeeringConnectionId !== undefined);
    expect(routes).toHaveLength(24);
    for (const table of tables) {
      const own = table.name.split('-')[0];
      const expected = Object.keys(CIDR).filter((n) => n !== own).map((peer) => [CIDR[peer], `${[own, peer].sort().join('-to-')}-accepter-id`]);
      const actual = routes.filter((r) => r.inputs.routeTableId === `${table.name}-id`).map((r) => [r.inputs.destinationCidrBlock, r.inputs.vpcPeeringConnectionId]);
      expect(actual.sort()).toEqual(expected.sort());
    }
  });

  it('opens each cluster\'s east-west and bundle endpoint ports to both peers\' VPCs', () => {
    const rules = ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === 'sg-cluster-prod-c');
    for (const port of [15443, 15021, 8443]) {
      expect(rules.filter((r) => r.inputs.fromPort === port).map((r) => r.inputs.cidrIpv4).sort()).toEqual([CIDR.a, CIDR.b, CIDR.c]);
    }
  });
});
