/** A GKE and an EKS cluster created and federated in one run of stacks/index.ts: no peering across clouds. */
import { join } from 'node:path';
import { mockCloudState } from '../infra/plan/mock-state';
import { fixturePem, MESH_PORTS, objsOf, stackProgram, x5c } from './helpers/stack-run';

const PEM: Record<string, string> = { 'g.example': fixturePem('foo.com'), 'e.example': fixturePem('bar.com') };
const run = stackProgram('prod', {
  'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'mixed2.yaml'),
  'gcp:project': 'meshfed-prod',
  'meshfed:apiAccessCidrs': '["192.0.2.0/28"]',
}, { state: { project: 'meshfed-prod', rootPems: PEM }, remoteSecrets: 2 });
const objs = objsOf(run);

const eksNat = () => run.ofType('aws:ec2/eip:Eip').filter((e) => e.name.startsWith('eks-1-nat-eip-'));

describe('mixed GKE + EKS stack (prod)', () => {
  it('federates both ways at the peer\'s external address with its generated root', () => {
    const bundle = (c: string) => objs(`${c}-35-federation`).find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint');
    for (const [cluster, peer, td] of [['gke-1', 'eks-1', 'e.example'], ['eks-1', 'gke-1', 'g.example']]) {
      const cftds = objs(`${cluster}-35-federation`).filter((o) => o.kind === 'ClusterFederatedTrustDomain');
      expect(cftds.map((o) => [o.spec.trustDomain, o.spec.bundleEndpointURL, JSON.parse(o.spec.trustDomainBundle).keys[0].x5c[0]])).toEqual(
        [[td, `https://${bundle(peer).spec.loadBalancerIP}:8443`, x5c(PEM[td])]],
      );
    }
    // EKS side: an internet-facing NLB on the stack's Elastic IPs, one per public subnet.
    const eks = bundle('eks-1').metadata.annotations;
    expect(eks['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internet-facing');
    expect(eks['service.beta.kubernetes.io/aws-load-balancer-eip-allocations']).toBe('eipalloc-eks-1-addresses-bundleEndpoint-us-east-1a,eipalloc-eks-1-addresses-bundleEndpoint-us-east-1b,eipalloc-eks-1-addresses-bundleEndpoint-us-east-1c');
    // GKE side: an external passthrough load balancer (no internal annotation).
    expect(bundle('gke-1').metadata.annotations ?? {}).not.toHaveProperty(['networking.gke.io/load-balancer-type']);
  });

  it('admits the other cloud by its NAT egress addresses: GCP firewalls from the EKS NAT Elastic IPs, AWS rules from GKE\'s Cloud NAT address', () => {
    expect(eksNat()).toHaveLength(3);
    const firewall = run.named('prod-net-gke-1-bundle-endpoint').inputs.sourceRanges as string[];
    expect(firewall).toHaveLength(3);
    for (const cidr of firewall) expect(cidr).toMatch(/^198\.51\.100\.\d+\/32$/);
    expect(run.named('prod-net-gke-1-eastwest').inputs.sourceRanges).toEqual(expect.arrayContaining([...firewall, '35.191.0.0/16', '130.211.0.0/22']));
    // The Services admit what the firewall admits.
    expect(objs('gke-1-35-federation').find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint').spec.loadBalancerSourceRanges).toEqual(firewall);
    const fromGke = run.ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.name.includes('-gke-1-'));
    expect(fromGke.map((r) => r.inputs.fromPort).sort()).toEqual([15021, 15443, 8443]);
    // The Cloud NAT address of gke-1's region, as the mock cloud fills it in.
    const nat = mockCloudState({ type: 'gcp:compute/address:Address', name: 'prod-net-us-central1-nat', inputs: { addressType: 'EXTERNAL' } })!.address;
    for (const r of fromGke) expect(r.inputs.cidrIpv4).toBe(`${nat}/32`);
    expect(run.named('eks-1-istio-istio-eastwestgateway').inputs.values.service.loadBalancerSourceRanges).toEqual([fromGke[0].inputs.cidrIpv4]);
  });

  it('lets the EKS istiod read the GKE API server: its NAT Elastic IPs are among the master authorized networks', () => {
    const firewall = run.named('prod-net-gke-1-bundle-endpoint').inputs.sourceRanges as string[];
    const authorized = run.named('gke-1').inputs.masterAuthorizedNetworksConfig.cidrBlocks as { cidrBlock: string; displayName: string }[];
    expect(authorized.filter((b) => b.displayName === 'meshfed NAT of eks-1').map((b) => b.cidrBlock).sort()).toEqual([...firewall].sort());
    expect(authorized.map((b) => b.cidrBlock)).toContain('192.0.2.0/28');
  });

  it('lets the GKE istiod read the EKS API server: a limited public endpoint also admits GKE\'s Cloud NAT address', () => {
    const nat = mockCloudState({ type: 'gcp:compute/address:Address', name: 'prod-net-us-central1-nat', inputs: { addressType: 'EXTERNAL' } })!.address;
    expect(run.named('eks-1-eks').inputs.vpcConfig.publicAccessCidrs).toEqual(['192.0.2.0/28', `${nat}/32`]);
  });

  it('never opens a mesh port to 0.0.0.0/0 in either cloud', () => {
    for (const r of run.ofType('gcp:compute/firewall:Firewall')) expect(r.inputs.sourceRanges).not.toContain('0.0.0.0/0');
    for (const r of run.ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((x) => MESH_PORTS.includes(x.inputs.fromPort))) expect(r.inputs.cidrIpv4).not.toBe('0.0.0.0/0');
  });

  it('creates one remote secret per ordered pair and deploys each cluster once, after its nodes', () => {
    const secrets = run.all().filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.name.startsWith('remote-secrets-')).map((r) => [r.name, r.provider]).sort();
    expect(secrets).toEqual([['remote-secrets-eks-1-istio-remote-secret-gke-1', 'eks-1-k8s'], ['remote-secrets-gke-1-istio-remote-secret-eks-1', 'gke-1-k8s']]);
    expect(run.named('gke-1-k8s').dependsOn).toEqual(expect.arrayContaining(['gke-1-pool']));
    expect(run.named('eks-1-k8s').dependsOn).toEqual(expect.arrayContaining(['eks-1-nodes']));
    for (const c of ['gke-1', 'eks-1']) expect(run.ofType('kubernetes:helm.sh/v3:Release').filter((r) => r.name === `${c}-istio-istiod`)).toHaveLength(1);
  });

  it('labels the EKS cluster\'s spire-server and istio-system for the controller\'s pod readiness gates, no GKE namespace', () => {
    const labelled = (cluster: string) => objs(`${cluster}-00-namespaces`)
      .filter((o) => o.kind === 'Namespace' && o.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled').map((o) => o.metadata.name).sort();
    expect(labelled('eks-1')).toEqual(['istio-system', 'spire-server']);
    expect(labelled('gke-1')).toEqual([]);
  });

  it('installs the AWS Load Balancer Controller on the EKS cluster only, before its internet-facing bundle endpoint', () => {
    const releases = run.ofType('kubernetes:helm.sh/v3:Release').filter((r) => r.inputs.chart === 'aws-load-balancer-controller');
    expect(releases.map((r) => [r.name, r.provider])).toEqual([['eks-1-aws-load-balancer-controller', 'eks-1-k8s']]);
    expect(releases[0].inputs.values).toMatchObject({ clusterName: 'prod-eks-1', region: 'us-east-1', enableServiceMutatorWebhook: false });
    // Every step of the cluster's layer starts after the prerequisites, the controller among them.
    const first = run.ofType('kubernetes:yaml/v2:ConfigGroup').filter((g) => g.name.startsWith('eks-1-')).sort((a, b) => a.name.localeCompare(b.name))[0];
    expect(first.dependsOn).toEqual(expect.arrayContaining(['eks-1-aws-load-balancer-controller']));
  });
});
