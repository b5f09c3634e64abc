/** Mixed mode: one cluster given in meshfed:kubeconfigs exists; the others are created and reach it externally. */
import { join } from 'node:path';
import { kubeconfigYaml } from './helpers/pulumi-mocks';
import { fixturePem, objsOf, stackProgram } from './helpers/stack-run';

const CA = fixturePem('foo.com');
// Only east and west authenticate each other (2 remote secrets): the existing cluster's bundle endpoint address is unknown.
const run = stackProgram('prod', {
  'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'mesh3.yaml'),
  'meshfed:kubeconfigs': JSON.stringify({ central: kubeconfigYaml('central', 'https://203.0.113.50', CA) }),
  'gcp:project': 'meshfed-prod',
  'meshfed:apiAccessCidrs': '["192.0.2.0/28"]',
}, { secretKeys: ['meshfed:kubeconfigs'], remoteSecrets: 2 });
const objs = objsOf(run);

it('creates only the clusters not named in meshfed:kubeconfigs', () => {
  expect(run.ofType('gcp:container/cluster:Cluster').map((c) => c.name).sort()).toEqual(['east', 'west']);
  expect(run.ofType('gcp:compute/subnetwork:Subnetwork').map((c) => c.name).sort()).toEqual(['east-subnet', 'west-subnet']);
  expect(run.ofType('gcp:compute/firewall:Firewall').filter((r) => r.name.includes('central'))).toEqual([]);
  expect(run.named('central-k8s').dependsOn).toEqual([]);
});

it('reserves external addresses when a peer is outside the environment\'s network, and still federates everyone', () => {
  for (const c of ['east', 'west']) {
    expect(run.named(`${c}-bundle-endpoint`).inputs.addressType).toBe('EXTERNAL');
    const svc = objs(`${c}-35-federation`).find((o) => o.kind === 'Service');
    expect(svc.spec.loadBalancerIP).toMatch(/^203\.0\.113\.\d+$/);
    expect(svc.metadata.annotations).toBeUndefined();
  }
  // The existing cluster has no reserved address (not in the topology either): peers render nothing for it yet,
  // and its own federation objects point at the created clusters' external addresses.
  const central = objs('central-35-federation').filter((o) => o.kind === 'ClusterFederatedTrustDomain').map((o) => o.spec.trustDomain).sort();
  expect(central).toEqual(['east.example', 'west.example']);
  expect(objs('east-35-federation').filter((o) => o.kind === 'ClusterFederatedTrustDomain').map((o) => o.spec.trustDomain)).toEqual(['west.example']);
  const remote = run.all().filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.name.startsWith('remote-secrets-')).map((r) => r.name).sort();
  expect(remote).toEqual(['remote-secrets-east-istio-remote-secret-west', 'remote-secrets-west-istio-remote-secret-east']);
  // Its generated root is still written into it.
  expect(run.named('central-spire-root-ca').provider).toBe('central-k8s');
});
