/** A nested EKS tree under mocks: the root's SPIRE server API open to its children's VPCs only, over peering. */
import { NESTED_EKS } from './helpers/aws-topologies';
import { awsMocks, ofType, runAwsProgram } from './helpers/aws-program';

const recorded = awsMocks('nested');
beforeAll(() => runAwsProgram(NESTED_EKS, recorded));

const rulesOf = (cluster: string) => ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === `sg-cluster-nested-${cluster}`);

describe('nested EKS clusters', () => {
  it('peers the root with both children (and the children with each other)', () => {
    expect(ofType(recorded, 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection').map((p) => p.name).sort()).toEqual([
      'child-a-to-child-b-connection', 'root-to-child-a-connection', 'root-to-child-b-connection',
    ]);
  });

  it('opens 8081 on the root to the two children\'s ranges and its own VPC (internal NLB), nowhere else', () => {
    expect(rulesOf('root').filter((r) => r.inputs.fromPort === 8081).map((r) => r.inputs.cidrIpv4).sort()).toEqual(['10.50.0.0/16', '10.51.0.0/16', '10.52.0.0/16']);
    expect(rulesOf('child-a').filter((r) => r.inputs.fromPort === 8081)).toEqual([]);
    // federation: none - no bundle endpoint rules.
    expect(ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.fromPort === 8443)).toEqual([]);
  });

  it('routes the children\'s private tables to the root range', () => {
    const routes = ofType(recorded, 'aws:ec2/route:Route').filter((r) => r.inputs.routeTableId === 'child-b-rt-private-us-east-2a-id' && r.inputs.vpcPeeringConnectionId);
    expect(routes.map((r) => [r.inputs.destinationCidrBlock, r.inputs.vpcPeeringConnectionId]).sort()).toEqual([
      ['10.50.0.0/16', 'root-to-child-b-accepter-id'],
      ['10.51.0.0/16', 'child-a-to-child-b-accepter-id'],
    ]);
  });
});
