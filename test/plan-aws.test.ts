/** The offline plan of the AWS and mixed example environments: full resource trees, cross-cloud sources. */
import { join } from 'node:path';
import { runPlanCli } from '../infra/plan/cli';
import { Writable } from 'node:stream';

async function planJson(env: string): Promise<any> {
  let text = '';
  const stdout = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  const stderr = new Writable({ write(_chunk, _enc, done) { done(); } });
  const code = await runPlanCli({ env, json: true }, { stdout, stderr, cwd: join(__dirname, '..') });
  expect(code).toBe(0);
  return JSON.parse(text);
}

const find = (plan: any, cluster: string, name: string): any => plan.groups.find((g: any) => g.cluster === cluster).resources.find((r: any) => r.name === name);

describe('npm run plan (AWS)', () => {
  it('plans eks: three EKS clusters, pairwise peering, nested SPIRE on RDS, remote secrets and the Load Balancer Controller', async () => {
    const plan = await planJson('eks');
    expect(plan.counts['aws:eks/cluster:Cluster']).toBe(3);
    expect(plan.counts['aws:ec2/vpcPeeringConnection:VpcPeeringConnection']).toBe(3);
    expect(plan.counts['kubernetes:yaml/v2:ConfigGroup']).toBeGreaterThan(0);
    expect(find(plan, 'root', 'root-spire-nested-kubeconfigs').details).toEqual(['spire-server/spire-nested-kubeconfigs', 'type=Opaque']);
    expect(find(plan, 'root', 'root-eks').details).toContain('deletionProtection=true');
    // Root's SPIRE on RDS (no sqlite at the root of the nested tree), the Load Balancer Controller in every cluster.
    expect(plan.counts['aws:rds/instance:Instance']).toBe(1);
    expect(find(plan, 'root', 'root-spire-datastore-secret').details).toEqual(['spire-server/spire-datastore', 'type=Opaque']);
    for (const cluster of ['root', 'child-east', 'child-west']) {
      expect(find(plan, cluster, `${cluster}-aws-load-balancer-controller`).details).toEqual(['chart=aws-load-balancer-controller@3.5.0', 'namespace=kube-system']);
    }
  });

  it('plans mixed: the GKE firewall admits the EKS NAT Elastic IPs, the EKS security group the GKE Cloud NAT address', async () => {
    const plan = await planJson('mixed');
    expect(plan.groups.map((g: any) => g.cluster)).toEqual(['gke-hub', 'eks-edge', '(environment)']);
    const firewall = find(plan, 'gke-hub', 'mixed-net-gke-hub-bundle-endpoint').details;
    expect(firewall[0]).toBe('tcp=8443');
    expect(firewall[1]).toMatch(/^from=198\.51\.100\.\d+\/32,198\.51\.100\.\d+\/32,198\.51\.100\.\d+\/32$/);
    expect(find(plan, 'eks-edge', 'eks-edge-bundle-endpoint-8443-gke-hub-0').details).toEqual(['tcp=8443', expect.stringMatching(/^from=203\.0\.113\.\d+\/32$/)]);
  });

  it('plans mixed with the addresses and roots the file leaves out: a GCP address and Elastic IPs for the bundle endpoints, generated roots, federation at those addresses', async () => {
    const plan = await planJson('mixed');
    expect(find(plan, 'gke-hub', 'gke-hub-bundle-endpoint').details).toEqual(['EXTERNAL', 'region=us-central1']);
    expect(['a', 'b', 'c'].map((z) => find(plan, 'eks-edge', `eks-edge-addresses-bundleEndpoint-eu-west-1${z}`).type)).toEqual(Array(3).fill('aws:ec2/eip:Eip'));
    for (const c of ['gke-hub', 'eks-edge']) expect(find(plan, c, `${c}-spire-root-ca`).details).toEqual(['meshfed-ca/spire-root-ca', 'type=kubernetes.io/tls']);
    // Each side dials the address the other side's bundle endpoint Service takes.
    const bundleAddress = (c: string) => /addresses=spire-server-bundle-endpoint=(\S+)/.exec(find(plan, c, `${c}-35-federation`).details.join(' '))![1];
    expect(find(plan, 'eks-edge', 'eks-edge-35-federation').details).toContain(`federation=hub.example.org@https://${bundleAddress('gke-hub')}:8443+bundle`);
    expect(find(plan, 'gke-hub', 'gke-hub-35-federation').details).toContain(`federation=edge.example.net@https://${bundleAddress('eks-edge')}:8443+bundle`);
  });
});
