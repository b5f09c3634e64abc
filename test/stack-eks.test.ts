/** Two EKS clusters created and federated in one run of stacks/index.ts (peered VPCs, internal NLBs). */
import { join } from 'node:path';
import { fixturePem, MESH_PORTS, objsOf, registrationsInsideApply, resolve, stackProgram, x5c } from './helpers/stack-run';

const PEM: Record<string, string> = { 'east.example': fixturePem('foo.com'), 'west.example': fixturePem('bar.com') };
const CLUSTERS = ['east', 'west'] as const;
const TD = { east: 'east.example', west: 'west.example' } as const;
const run = stackProgram('prod', { 'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'eks2.yaml') }, { state: { rootPems: PEM }, remoteSecrets: 2 });
const objs = objsOf(run);

describe('2-EKS stack (prod)', () => {
  it('needs no GCP settings and creates both EKS clusters with deletion protection', () => {
    expect(run.ofType('aws:eks/cluster:Cluster').map((c) => c.name).sort()).toEqual(['east-eks', 'west-eks']);
    for (const c of run.ofType('aws:eks/cluster:Cluster')) expect(c.inputs.deletionProtection).toBe(true);
    expect(run.ofType('gcp:compute/network:Network')).toHaveLength(0);
  });

  it('gives each cluster one ClusterFederatedTrustDomain per peer, at the peer\'s pinned internal NLB address with its generated root', () => {
    const bundle = (c: string) => objs(`${c}-35-federation`).find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint');
    for (const cluster of CLUSTERS) {
      const peer = CLUSTERS.find((p) => p !== cluster)!;
      const cftds = objs(`${cluster}-35-federation`).filter((o) => o.kind === 'ClusterFederatedTrustDomain');
      expect(cftds.map((o) => [o.spec.trustDomain, o.spec.bundleEndpointURL, JSON.parse(o.spec.trustDomainBundle).keys[0].x5c[0]])).toEqual(
        [[TD[peer], `https://${bundle(peer).spec.loadBalancerIP}:8443`, x5c(PEM[TD[peer]])]],
      );
      // The bundle endpoint's Service carries its own NLB annotations (AWS Load Balancer Controller), resolved with the address.
      const annotations = bundle(cluster).metadata.annotations;
      expect(annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internal');
      expect(annotations['service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses'].split(',')[0]).toBe(bundle(cluster).spec.loadBalancerIP);
    }
    expect(bundle('east').spec.loadBalancerIP).toBe('10.1.0.10');
  });

  it('pins the east-west gateway to its own private addresses, with its own annotations', () => {
    const values = run.named('east-istio-istio-eastwestgateway').inputs.values.service;
    expect(values.loadBalancerIP).toBe('10.1.0.11');
    expect(values.annotations['service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses'].split(',')[0]).toBe('10.1.0.11');
    expect(values.annotations['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('external');
  });

  it('labels spire-server and istio-system for the controller\'s pod readiness gates: their bundle endpoint and east-west gateway have IP targets', () => {
    // aws-load-balancer-controller docs/deploy/pod_readiness_gate.md (v3.5.0): the gate is injected only in namespaces with this label.
    for (const cluster of CLUSTERS) {
      const namespaces = objs(`${cluster}-00-namespaces`).filter((o) => o.kind === 'Namespace');
      const labelled = namespaces.filter((o) => o.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled').map((o) => o.metadata.name).sort();
      expect([cluster, labelled]).toEqual([cluster, ['istio-system', 'spire-server']]);
    }
  });

  it('creates one remote secret per ordered pair and deploys each cluster once, after its node group', () => {
    const secrets = run.all().filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.name.startsWith('remote-secrets-')).map((r) => [r.name, r.provider]).sort();
    expect(secrets).toEqual([['remote-secrets-east-istio-remote-secret-west', 'east-k8s'], ['remote-secrets-west-istio-remote-secret-east', 'west-k8s']]);
    for (const c of CLUSTERS) {
      expect(run.ofType('pulumi:providers:kubernetes').filter((p) => p.name === `${c}-k8s`)).toHaveLength(1);
      expect(run.ofType('kubernetes:helm.sh/v3:Release').filter((r) => r.name === `${c}-istio-istiod`)).toHaveLength(1);
      expect(run.named(`${c}-k8s`).dependsOn).toEqual(expect.arrayContaining([`${c}-nodes`]));
    }
  });

  it('never opens a mesh port to 0.0.0.0/0', () => {
    const rules = run.ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => MESH_PORTS.includes(r.inputs.fromPort));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.inputs.cidrIpv4).not.toBe('0.0.0.0/0');
  });

  it('exports each cluster like a GKE one, kubeconfigs secret', async () => {
    const east = await resolve(run.stack.clusters.east);
    expect(east).toMatchObject({ trustDomain: 'east.example', apiEndpoint: 'https://prod-east.gr7.eks.amazonaws.com', eastWestAddress: '10.1.0.11', bundleEndpointUrl: 'https://10.1.0.10:8443' });
    await expect(pulumiIsSecret(run.stack.kubeconfigs)).resolves.toBe(true);
    const kubeconfigs = await resolve<Record<string, string>>(run.stack.kubeconfigs);
    expect(kubeconfigs.west).toContain('get-token');
  });

  it('constructs no resource inside an Output\'s apply callback', () => {
    expect(registrationsInsideApply(run)).toEqual({ insideApply: [], untracked: [] });
    expect(run.registrations.length).toBeGreaterThan(50);
  });
});

describe('2-EKS stack: AWS Load Balancer Controller', () => {
  /** Whether `name` waits for `target`, directly or through what it depends on. */
  const waitsFor = (name: string, target: string): boolean => {
    const seen = new Set<string>();
    const queue = [name];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (next === target) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(run.recorded.get(next)?.dependsOn ?? []));
    }
    return false;
  };

  it('installs the pinned chart into kube-system of each cluster, with its cluster name, region, VPC and IRSA role', () => {
    for (const [cluster, region] of [['east', 'us-east-1'], ['west', 'us-west-2']] as const) {
      const release = run.named(`${cluster}-aws-load-balancer-controller`);
      expect(release.provider).toBe(`${cluster}-k8s`);
      expect(release.inputs).toMatchObject({ name: 'aws-load-balancer-controller', chart: 'aws-load-balancer-controller', version: '3.5.0', repositoryOpts: { repo: 'https://aws.github.io/eks-charts' }, namespace: 'kube-system' });
      const vpc = run.ofType('aws:ec2/vpc:Vpc').find((v) => v.name.startsWith(`${cluster}-`))!;
      expect(release.inputs.values).toMatchObject({ clusterName: `prod-${cluster}`, region, vpcId: `${vpc.name}-id`, enableServiceMutatorWebhook: false, webhookBindPort: 9443 });
      expect(release.inputs.values.serviceAccount).toEqual({
        create: true,
        name: 'aws-load-balancer-controller',
        annotations: { 'eks.amazonaws.com/role-arn': expect.stringMatching(new RegExp(`^arn:aws:iam::\\d{12}:role/${cluster}-lb-controller-irsa-role$`)) },
      });
    }
  });

  it('gives it an IRSA role only kube-system/aws-load-balancer-controller can assume, whose policy has no wildcard action', () => {
    const trust = JSON.parse(run.named('east-lb-controller-irsa-role').inputs.assumeRolePolicy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
    const conditions = trust.Statement[0].Condition.StringEquals;
    expect(Object.entries(conditions).filter(([k]) => k.endsWith(':sub')).map(([, v]) => v)).toEqual(['system:serviceaccount:kube-system:aws-load-balancer-controller']);
    const policy = JSON.parse(run.named('east-lb-controller-irsa-role-inline').inputs.policy);
    const actions: string[] = policy.Statement.flatMap((st: any) => [st.Action].flat());
    expect(actions).toContain('elasticloadbalancing:CreateLoadBalancer');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('is installed after its role and before every manifest and release that creates one of its Services', () => {
    for (const cluster of CLUSTERS) {
      const release = `${cluster}-aws-load-balancer-controller`;
      expect(waitsFor(release, `${cluster}-lb-controller-irsa-role-inline`)).toBe(true);
      const lbcServices = run.ofType('kubernetes:yaml/v2:ConfigGroup').filter((g) => g.name.startsWith(`${cluster}-`) && (g.inputs.objs ?? []).some((o: any) =>
        o.kind === 'Service' && o.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-type'] === 'external'));
      expect(lbcServices.map((g) => g.name)).toContain(`${cluster}-35-federation`);
      for (const g of lbcServices) expect(waitsFor(g.name, release)).toBe(true);
      expect(run.named(`${cluster}-istio-istio-eastwestgateway`).inputs.values.service.annotations['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('external');
      expect(waitsFor(`${cluster}-istio-istio-eastwestgateway`, release)).toBe(true);
    }
  });

  it('lets only the EKS control plane reach its webhook port on the nodes', () => {
    const rules = run.ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter((r) => r.name.startsWith('east-') && r.inputs.fromPort === 9443);
    expect(rules.map((r) => r.name)).toEqual(['east-webhook-9443-control-plane']);
    expect(rules[0].inputs).toMatchObject({ toPort: 9443, ipProtocol: 'tcp', referencedSecurityGroupId: 'east-control-plane-id' });
    expect(rules[0].inputs.cidrIpv4).toBeUndefined();
    expect(rules[0].inputs.description).toContain('AWS Load Balancer Controller webhook');
  });
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pulumiIsSecret = (o: unknown): Promise<boolean> => (require('@pulumi/pulumi') as typeof import('@pulumi/pulumi')).isSecret(o as any);
