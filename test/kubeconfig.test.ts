/** Reading a peer's API endpoint out of its kubeconfig, with exact error texts; the exec kubeconfig both clouds write. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { eksKubeconfig } from '../infra/aws/kubeconfig';
import { execKubeconfig, kubeconfigEndpoint } from '../infra/kubeconfig';
import { base64, kubeconfigYaml } from './helpers/pulumi-mocks';

const PEM = readFileSync(join(__dirname, 'fixtures', 'foo.com.pem'), 'utf8');

function withCluster(cluster: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: other
  cluster: { server: https://10.0.0.9, certificate-authority-data: ${base64('not used')} }
- name: eks
  cluster:
${cluster}
contexts:
- name: admin@eks
  context: { cluster: eks, user: admin }
current-context: admin@eks
users: [{ name: admin, user: { token: t } }]
`;
}

describe('kubeconfigEndpoint', () => {
  it("returns the current context's server and decoded inline CA", () => {
    expect(kubeconfigEndpoint('cluster-2', kubeconfigYaml('cluster-2', 'https://34.2.2.2', PEM))).toEqual({ server: 'https://34.2.2.2', caPem: PEM });
    expect(kubeconfigEndpoint('c', withCluster(`    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com\n    certificate-authority-data: ${base64(PEM)}`)))
      .toEqual({ server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', caPem: PEM });
  });

  it('names the cluster and the fix in every error', () => {
    expect(() => kubeconfigEndpoint('cluster-2', 'clusters: [a\n')).toThrow(/^meshfed:kubeconfigs\["cluster-2"\]: is not YAML \(.+\); expected a kubeconfig file's content$/);
    expect(() => kubeconfigEndpoint('cluster-2', 'kubeconfig-2')).toThrow('meshfed:kubeconfigs["cluster-2"]: is not YAML (not a mapping); expected a kubeconfig file\'s content');
    expect(() => kubeconfigEndpoint('cluster-2', kubeconfigYaml('cluster-2', 'https://34.2.2.2', PEM).replace(/^current-context: .*$/m, '')))
      .toThrow('meshfed:kubeconfigs["cluster-2"]: has no current-context; set it to the context that reaches cluster cluster-2');
    expect(() => kubeconfigEndpoint('cluster-2', kubeconfigYaml('cluster-2', 'https://34.2.2.2', PEM).replace(/^current-context: .*$/m, 'current-context: nope')))
      .toThrow('meshfed:kubeconfigs["cluster-2"]: current-context "nope" is not among its contexts (or names no cluster)');
    expect(() => kubeconfigEndpoint('c', withCluster('    server: https://1.2.3.4\n    certificate-authority: /home/me/.kube/ca.crt')))
      .toThrow('meshfed:kubeconfigs["c"]: cluster "eks" points to a CA file (certificate-authority: "/home/me/.kube/ca.crt"); inline it as certificate-authority-data (base64 PEM)');
    expect(() => kubeconfigEndpoint('c', withCluster('    server: https://1.2.3.4')))
      .toThrow('meshfed:kubeconfigs["c"]: cluster "eks" has no certificate-authority-data; inline the API server\'s CA (base64 PEM)');
    expect(() => kubeconfigEndpoint('c', withCluster(`    server: http://1.2.3.4\n    certificate-authority-data: ${base64(PEM)}`)))
      .toThrow('meshfed:kubeconfigs["c"]: cluster "eks" has server "http://1.2.3.4"; an https:// URL is required');
    expect(() => kubeconfigEndpoint('c', withCluster(`    server: https://1.2.3.4\n    certificate-authority-data: ${base64('garbage')}`)))
      .toThrow('meshfed:kubeconfigs["c"]: cluster "eks" certificate-authority-data does not decode to a PEM certificate');
    expect(() => kubeconfigEndpoint('c', withCluster(`    certificate-authority-data: ${base64(PEM)}`).replace('cluster: eks,', 'cluster: gone,')))
      .toThrow('meshfed:kubeconfigs["c"]: context "admin@eks" names cluster "gone", which is not among its clusters');
  });
});

describe('execKubeconfig (GKE and EKS)', () => {
  const ca = Buffer.from(PEM).toString('base64');

  it('GKE: gke-gcloud-auth-plugin with install hint and cluster info, readable by kubeconfigEndpoint', () => {
    const text = execKubeconfig({
      name: 'gke_p_us-central1_a',
      server: 'https://34.1.2.3',
      caDataBase64: ca,
      exec: { command: 'gke-gcloud-auth-plugin', installHint: 'Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin', provideClusterInfo: true },
    });
    expect(kubeconfigEndpoint('a', text)).toEqual({ server: 'https://34.1.2.3', caPem: PEM });
    const doc = parse(text);
    expect(doc['current-context']).toBe('gke_p_us-central1_a');
    expect(doc.contexts).toEqual([{ name: 'gke_p_us-central1_a', context: { cluster: 'gke_p_us-central1_a', user: 'gke_p_us-central1_a' } }]);
    expect(doc.users[0].user.exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'gke-gcloud-auth-plugin',
      installHint: 'Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin',
      provideClusterInfo: true,
    });
  });

  it('EKS: the same builder with `aws eks get-token`, an optional role and profile, never interactive', () => {
    const text = eksKubeconfig({ clusterName: 'prod-east', endpoint: 'https://abc.eks.amazonaws.com', certificateAuthorityData: ca, region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/deployer', profile: 'ops' });
    expect(kubeconfigEndpoint('east', text)).toEqual({ server: 'https://abc.eks.amazonaws.com', caPem: PEM });
    expect(parse(text).users[0]).toEqual({
      name: 'meshfed-prod-east',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', 'prod-east', '--region', 'us-east-1', '--role-arn', 'arn:aws:iam::123456789012:role/deployer', '--output', 'json'],
          env: [{ name: 'AWS_PROFILE', value: 'ops' }],
          interactiveMode: 'Never',
        },
      },
    });
  });
});
