/** Two EKS clusters in two regions under mocks: VPCs, peering, routes, security groups, IAM, add-ons, kubeconfig. */
import { parse } from 'yaml';
import { kubeconfigEndpoint } from '../infra/kubeconfig';
import { isWildcardAction, policyActions } from '../infra/aws/iam-policies';
import { MESH_PORTS } from '../infra/aws/security-rules';
import { TWO_EKS } from './helpers/aws-topologies';
import { awsMocks, ofType, runAwsProgram } from './helpers/aws-program';

const recorded = awsMocks('two-eks');
const named = (name: string) => {
  const r = recorded.get(name);
  if (!r) throw new Error(`no resource ${name}; have ${[...recorded.keys()].join(', ')}`);
  return r;
};

beforeAll(() => runAwsProgram(TWO_EKS, recorded));

describe('two EKS clusters', () => {
  it('gives each cluster a VPC with a private and a public subnet in each of three zones, tagged for load balancers', () => {
    const subnets = ofType(recorded, 'aws:ec2/subnet:Subnet').filter((s) => s.name.startsWith('east-'));
    expect(subnets.map((s) => [s.name, s.inputs.availabilityZone, s.inputs.cidrBlock, s.inputs.tags['kubernetes.io/role/elb'] ?? null, s.inputs.tags['kubernetes.io/role/internal-elb'] ?? null]).sort()).toEqual([
      ['east-private-us-east-1a', 'us-east-1a', '10.1.0.0/18', null, '1'],
      ['east-private-us-east-1b', 'us-east-1b', '10.1.64.0/18', null, '1'],
      ['east-private-us-east-1c', 'us-east-1c', '10.1.128.0/18', null, '1'],
      ['east-public-us-east-1a', 'us-east-1a', '10.1.192.0/20', '1', null],
      ['east-public-us-east-1b', 'us-east-1b', '10.1.208.0/20', '1', null],
      ['east-public-us-east-1c', 'us-east-1c', '10.1.224.0/20', '1', null],
    ]);
    expect(named('east-vpc').inputs.cidrBlock).toBe('10.1.0.0/16');
    expect(named('east-vpc').provider).toBe('aws-us-east-1');
    expect(named('west-vpc').provider).toBe('aws-us-west-2');
    // One NAT gateway (and Elastic IP) per zone, each private table defaulting to its zone's NAT.
    expect(ofType(recorded, 'aws:ec2/natGateway:NatGateway').filter((n) => n.name.startsWith('east-'))).toHaveLength(3);
    expect(named('east-rt-private-us-east-1b-default').inputs).toMatchObject({ destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'east-nat-us-east-1b-id' });
  });

  it('peers the two VPCs across regions: requested in us-east-1, accepted with the us-west-2 provider, DNS resolution on both sides', () => {
    expect(ofType(recorded, 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection').map((p) => [p.name, p.provider, p.inputs.peerRegion, p.inputs.vpcId, p.inputs.peerVpcId])).toEqual([
      ['east-to-west-connection', 'aws-us-east-1', 'us-west-2', 'east-vpc-id', 'west-vpc-id'],
    ]);
    expect(ofType(recorded, 'aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter').map((a) => [a.name, a.provider, a.inputs.autoAccept])).toEqual([
      ['east-to-west-accepter', 'aws-us-west-2', true],
    ]);
    const options = ofType(recorded, 'aws:ec2/peeringConnectionOptions:PeeringConnectionOptions').map((o) => [o.name, o.provider, o.inputs.requester ?? null, o.inputs.accepter ?? null]).sort();
    expect(options).toEqual([
      ['east-to-west-accepter-dns', 'aws-us-west-2', null, { allowRemoteVpcDnsResolution: true }],
      ['east-to-west-requester-dns', 'aws-us-east-1', { allowRemoteVpcDnsResolution: true }, null],
    ]);
  });

  it('routes to the peer range in every route table of both VPCs', () => {
    const peeringRoutes = ofType(recorded, 'aws:ec2/route:Route').filter((r) => r.inputs.vpcPeeringConnectionId !== undefined);
    const tables = ofType(recorded, 'aws:ec2/routeTable:RouteTable');
    expect(tables).toHaveLength(8);
    for (const table of tables) {
      const peer = table.name.startsWith('east-') ? '10.2.0.0/16' : '10.1.0.0/16';
      expect(peeringRoutes.filter((r) => r.inputs.routeTableId === `${table.name}-id`).map((r) => [r.inputs.destinationCidrBlock, r.inputs.vpcPeeringConnectionId])).toEqual([[peer, 'east-to-west-accepter-id']]);
    }
  });

  it('opens mesh ports on the cluster security group only to the peer VPC, its own VPC and the control plane', () => {
    const rules = ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.inputs.securityGroupId === 'sg-cluster-two-eks-east');
    expect(rules.map((r) => `${r.inputs.fromPort}-${r.inputs.toPort} ${r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId}`).sort()).toEqual([
      '10250-10250 east-control-plane-id',
      '15012-15012 east-control-plane-id',
      '15017-15017 east-control-plane-id',
      '15021-15021 10.1.0.0/16',
      '15021-15021 10.2.0.0/16',
      '15443-15443 10.1.0.0/16',
      '15443-15443 10.2.0.0/16',
      '8443-8443 10.1.0.0/16',
      '8443-8443 10.2.0.0/16',
      '9443-9443 east-control-plane-id',
    ]);
    for (const r of ofType(recorded, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')) {
      if (MESH_PORTS.includes(r.inputs.fromPort)) expect(r.inputs.cidrIpv4).not.toBe('0.0.0.0/0');
    }
    // The control plane's own group may only call the nodes' webhook ports.
    expect(ofType(recorded, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter((r) => r.name.startsWith('east-')).map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]).sort()).toEqual([
      [10250, 'sg-cluster-two-eks-east'], [15012, 'sg-cluster-two-eks-east'], [15017, 'sg-cluster-two-eks-east'], [9443, 'sg-cluster-two-eks-east'],
    ]);
  });

  it('creates the EKS cluster in the private subnets with private API access, deletion protection outside dev-like environments', () => {
    const east = named('east-eks').inputs;
    expect(east.name).toBe('two-eks-east');
    expect(east.version).toBe('1.30');
    expect(east.deletionProtection).toBe(true);
    expect(east.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, securityGroupIds: ['east-control-plane-id'] });
    expect(east.vpcConfig.subnetIds).toEqual(['east-private-us-east-1a-id', 'east-private-us-east-1b-id', 'east-private-us-east-1c-id']);
    expect(east.accessConfig).toEqual({ authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true });
    expect(named('east-oidc').inputs).toMatchObject({ url: 'https://oidc.eks.amazonaws.com/id/TWO-EKS-EAST', clientIdLists: ['sts.amazonaws.com'] });
  });

  it('runs a managed node group from nodePool after the VPC CNI add-on, with the node role\'s two managed policies', () => {
    const nodes = named('east-nodes');
    expect(nodes.inputs).toMatchObject({ instanceTypes: ['m6i.large'], scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 }, amiType: 'AL2023_x86_64_STANDARD' });
    expect(nodes.dependsOn).toEqual(expect.arrayContaining(['east-vpc-cni']));
    const attached = ofType(recorded, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs.role === 'east-node-role').map((a) => a.inputs.policyArn).sort();
    expect(attached).toEqual(['arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly', 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy']);
    expect(named('east-vpc-cni').inputs).toMatchObject({ addonName: 'vpc-cni', serviceAccountRoleArn: 'arn:aws:iam::123456789012:role/east-vpc-cni-irsa-role' });
  });

  it('installs the EBS CSI add-on with an IRSA role trusting only kube-system/ebs-csi-controller-sa', () => {
    expect(named('east-ebs-csi').inputs).toMatchObject({ addonName: 'aws-ebs-csi-driver', serviceAccountRoleArn: 'arn:aws:iam::123456789012:role/east-ebs-csi-irsa-role' });
    expect(named('east-ebs-csi').dependsOn).toContain('east-nodes');
    const trust = JSON.parse(ofType(recorded, 'aws:iam/role:Role').find((r) => r.name === 'east-ebs-csi-irsa-role')!.inputs.assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      'oidc.eks.amazonaws.com/id/TWO-EKS-EAST:sub': 'system:serviceaccount:kube-system:ebs-csi-controller-sa',
      'oidc.eks.amazonaws.com/id/TWO-EKS-EAST:aud': 'sts.amazonaws.com',
    });
    expect(ofType(recorded, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').find((a) => a.inputs.role === 'east-ebs-csi-irsa-role')!.inputs.policyArn).toBe('arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy');
  });

  it('has no IAM document with a wildcard action, and neither KMS, RDS nor access entries when not asked', () => {
    const documents = [
      ...ofType(recorded, 'aws:iam/role:Role').map((r) => JSON.parse(r.inputs.assumeRolePolicy)),
      ...ofType(recorded, 'aws:iam/rolePolicy:RolePolicy').map((r) => JSON.parse(r.inputs.policy)),
    ];
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.flatMap(policyActions).filter(isWildcardAction)).toEqual([]);
    expect([...recorded.keys()].filter((n) => /spire-kms|datastore|reader/.test(n))).toEqual([]);
    expect(ofType(recorded, 'aws:rds/instance:Instance')).toEqual([]);
  });

  it('registers one EksCluster and one Vpc component per cluster, under the environment', () => {
    expect(ofType(recorded, 'meshfed:aws:EksCluster').map((o) => o.name).sort()).toEqual(['east', 'west']);
    expect(ofType(recorded, 'meshfed:aws:Vpc').map((o) => o.name).sort()).toEqual(['east-network', 'west-network']);
  });
});

describe('EKS kubeconfig', () => {
  it('is readable by the stack\'s kubeconfigEndpoint and uses the exec plugin', async () => {
    const { eksKubeconfig } = await import('../infra/aws/kubeconfig');
    const text = eksKubeconfig({ clusterName: 'prod-east', endpoint: 'https://abc.gr7.us-east-1.eks.amazonaws.com', certificateAuthorityData: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64'), region: 'us-east-1' });
    expect(kubeconfigEndpoint('east', text).server).toBe('https://abc.gr7.us-east-1.eks.amazonaws.com');
    expect(parse(text).users[0].user.exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', 'prod-east', '--region', 'us-east-1', '--output', 'json'],
      interactiveMode: 'Never',
    });
  });
});
