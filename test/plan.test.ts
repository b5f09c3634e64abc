/** The offline plan CLI: same validation and exit code as synth, the program's resources per cluster. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runPlanCli } from '../infra/plan/cli';
import { tempDirs } from './helpers/temp-dirs';

const sink = () => {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  return { stream, text: () => text };
};

async function plan(options: Parameters<typeof runPlanCli>[0]) {
  const out = sink();
  const err = sink();
  const code = await runPlanCli(options, { stdout: out.stream, stderr: err.stream, cwd: join(__dirname, '..') });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('npm run plan', () => {
  const tmp = tempDirs('meshfed-plan-');

  it('prints only the loader\'s problem lines and exits 2 on a bad topology', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'environment: dev\nclusters:\n- {name: a, provider: gke, region: us-central1, trustDomain: a.com, cidr: 10.10.0.0/16, podCidr: 10.10.0.0/16}\n');
    const result = await plan({ topology: file });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `${file}:3: clusters[0].podCidr: "10.10.0.0/16" overlaps clusters[0].cidr "10.10.0.0/16"; pod, service and control plane ranges must be disjoint from every cluster's ranges\n1 problem; nothing was planned.\n`,
    });
  });

  it('plans the dev environment as JSON: every cluster created, federated, with counts per type', async () => {
    const result = await plan({ env: 'dev', json: true });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.groups.map((g: any) => g.cluster)).toEqual(['cluster-1', 'cluster-2', '(environment)']);
    expect(json.counts['gcp:container/cluster:Cluster']).toBe(2);
    expect(json.counts['gcp:compute/firewall:Firewall']).toBe(6);
    expect(json.counts['tls:index/selfSignedCert:SelfSignedCert']).toBe(2);
    const federation = json.groups[0].resources.find((r: any) => r.name === 'cluster-1-35-federation');
    expect(federation.details.find((d: string) => d.startsWith('federation='))).toMatch(/^federation=bar\.com@https:\/\/10\.200\.\d+\.\d+:8443\+bundle$/);
  });

  it('plans a caCertificates topology without rootCa: the stack generates the roots synth would need', async () => {
    const result = await plan({ topology: join(__dirname, 'fixtures', 'topologies', 'ca-certificates.yaml'), json: true });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(JSON.parse(result.stdout).counts['tls:index/selfSignedCert:SelfSignedCert']).toBe(2);
  });

  it('shows where staging\'s SPIRE keys live: a Cloud KMS key ring per gke server, the aws_kms role per eks server, the EKS StorageClass', async () => {
    const result = await plan({ env: 'staging', json: true });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    const of = (cluster: string) => json.groups.find((g: any) => g.cluster === cluster).resources as { type: string; name: string; details: string[] }[];
    const server = (cluster: string) => of(cluster).find((r) => r.name === `${cluster}-20-spire-server`)!.details;
    expect(server('hub')).toContain('keyManager=gcp_kms');
    expect(server('edge')).toContain('keyManager=aws_kms');
    expect(of('hub').find((r) => r.type === 'gcp:kms/keyRing:KeyRing')!.details).toEqual(['location=us-central1', expect.stringMatching(/^name=staging-hub-spire-[0-9a-f]{6}$/)]);
    expect(of('edge').map((r) => r.name)).toEqual(expect.arrayContaining(['edge-spire-kms-irsa-role', 'edge-storage-class']));
    expect(json.counts['gcp:kms/keyRing:KeyRing']).toBe(2);
    expect(json.counts['gcp:projects/iAMCustomRole:IAMCustomRole']).toBe(1);
  });
});
