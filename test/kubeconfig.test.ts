/** Reading a peer's API endpoint out of its kubeconfig, with exact error texts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigEndpoint } from '../infra/kubeconfig';
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
