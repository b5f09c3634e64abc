/** A mixed GKE + EKS mesh under mocks: no peering across clouds; the GKE cluster's NAT egress addresses are the sources. */
import { MIXED } from './helpers/aws-topologies';
import { awsMocks, GKE_EGRESS, ofType, runAwsProgram } from './helpers/aws-program';

const recorded = awsMocks('mixed');
beforeAll(() => runAwsProgram(MIXED, recorded, () => ['bundleEndpoint', 'eastWestGateway']));

describe('mixed GKE + EKS', () => {
  it('creates AWS resources only for the EKS cluster and no peering', () => {
    expect(ofType(recorded, 'meshfed:aws:EksCluster').map((c) => c.name)).toEqual(['eks-1']);
    expect(ofType(recorded, 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection')).toEqual([]);
    expect(ofType(recorded, 'pulumi:providers:aws').map((p) => p.name)).toEqual(['aws-us-east-1']);
  });

  it('opens east-west, status and bundle endpoint ports to exactly the GKE cluster\'s egress addresses (plus its own VPC for the NLB)', () => {
    const rules = ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.cidrIpv4 !== undefined);
    for (const port of [15443, 15021, 8443]) {
      expect(rules.filter((r) => r.inputs.fromPort === port).map((r) => r.inputs.cidrIpv4).sort()).toEqual([...GKE_EGRESS['gke-1'], '10.70.0.0/16'].sort());
    }
    expect(rules.map((r) => r.inputs.cidrIpv4)).not.toContain('0.0.0.0/0');
  });

  it('reserves one NAT Elastic IP per zone: the EKS egress addresses the GCP firewall gets', () => {
    expect(ofType(recorded, 'aws:ec2/eip:Eip').filter((e) => e.name.includes('-nat-')).map((e) => [e.name, e.inputs.domain]).sort()).toEqual([
      ['eks-1-nat-eip-us-east-1a', 'vpc'], ['eks-1-nat-eip-us-east-1b', 'vpc'], ['eks-1-nat-eip-us-east-1c', 'vpc'],
    ]);
  });

  it('allocates one Elastic IP per zone for each internet-facing Service peers dial (the other cloud is not peered)', () => {
    expect(ofType(recorded, 'aws:ec2/eip:Eip').filter((e) => !e.name.includes('-nat-')).map((e) => e.name).sort()).toEqual([
      'eks-1-addresses-bundleEndpoint-us-east-1a', 'eks-1-addresses-bundleEndpoint-us-east-1b', 'eks-1-addresses-bundleEndpoint-us-east-1c',
      'eks-1-addresses-eastWestGateway-us-east-1a', 'eks-1-addresses-eastWestGateway-us-east-1b', 'eks-1-addresses-eastWestGateway-us-east-1c',
    ]);
  });
});
