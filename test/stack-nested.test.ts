/** Nested SPIRE created in one run: the parent's kubeconfig Secret from the children's tokens, the reserved server address. */
import { parse } from 'yaml';
import { join } from 'node:path';
import { findCluster, loadTopologyFile } from '../clusters';
import { apiReaders } from '../infra/cluster-infra';
import { kubeconfigEndpoint } from '../infra/kubeconfig';
import { isSecretValue } from './helpers/pulumi-mocks';
import { objsOf, stackProgram } from './helpers/stack-run';

const run = stackProgram('dev-nested', {
  'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'nested.yaml'),
  'gcp:project': 'p',
  'meshfed:apiAccessCidrs': '["192.0.2.0/28"]',
}, { remoteSecrets: 6 });
const objs = objsOf(run);

beforeAll(async () => {
  // The parent's kubeconfig Secret is created after the children's tokens resolve, past the remote secrets.
  await new Promise((r) => setTimeout(r, 500));
});

it('creates the parent\'s spire-nested-kubeconfigs Secret from each child\'s endpoint, CA and spire-parent-server token', () => {
  const secret = run.named('hub-spire-nested-kubeconfigs');
  expect([secret.inputs.metadata.namespace, secret.inputs.metadata.name, secret.provider]).toEqual(['spire-server', 'spire-nested-kubeconfigs', 'hub-k8s']);
  expect(Object.keys(secret.inputs.stringData).sort()).toEqual(['hub-east', 'hub-west']);
  expect(isSecretValue(secret.raw.stringData)).toBe(true);
  for (const child of ['hub-east', 'hub-west']) {
    const kubeconfig = secret.inputs.stringData[child];
    expect(kubeconfigEndpoint(child, kubeconfig).server).toMatch(/^https:\/\/198\.51\.100\.\d+$/);
    expect(parse(kubeconfig).users).toEqual([{ name: 'spire-parent-server', user: { token: `token-of-${child}` } }]);
    expect(secret.dependsOn).toContain(`${child}-spire-parent-server-token`);
    // The child's token is its own resource after its 15 file; the upstream agent is not awaited (it needs the parent).
    expect(run.named(`${child}-spire-parent-server-token`).dependsOn).toEqual(expect.arrayContaining([`${child}-15-spire-upstream`]));
    const agent = objs(`${child}-15-spire-upstream`).find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'spire-agent-upstream');
    expect(agent.metadata.annotations['pulumi.com/skipAwait']).toBe('true');
    expect(objs(`${child}-15-spire-upstream`).filter((o) => o.kind === 'Secret')).toEqual([]);
  }
  expect(run.named('hub-20-spire-server').dependsOn).toContain('hub-spire-nested-kubeconfigs');
});

it('reserves the parent server\'s address and the children dial it', () => {
  const svc = objs('hub-25-nested-spire').find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-nested');
  expect(svc.spec.loadBalancerIP).toMatch(/^10\.200\.\d+\.\d+$/);
  const upstream = objs('hub-east-15-spire-upstream').find((o) => o.kind === 'ConfigMap' && /agent/.test(o.metadata.name) && JSON.stringify(o.data).includes('server_address'));
  expect(JSON.stringify(upstream.data)).toContain(svc.spec.loadBalancerIP);
  expect(objs('hub-east-15-spire-upstream').filter((o) => o.kind === 'Service' && o.metadata.name === 'spire-upstream-server')).toEqual([]);
});

it('admits the parent\'s NAT egress to each child\'s API server (the parent reads its children), besides the istiods that read it', () => {
  const authorized = (c: string) => (run.named(c).inputs.masterAuthorizedNetworksConfig.cidrBlocks as { cidrBlock: string; displayName: string }[]).map((b) => b.displayName);
  // One trust domain: the three istiods also read each other; the parent is a reader even with no discovery pair.
  expect(authorized('hub-east')).toEqual(['meshfed deployer', 'meshfed NAT us-central1', 'meshfed NAT us-west1']);
  expect(authorized('hub-west')).toEqual(['meshfed deployer', 'meshfed NAT us-central1', 'meshfed NAT us-east1']);
  const topology = loadTopologyFile(join(__dirname, 'fixtures', 'topologies', 'nested.yaml'));
  expect(apiReaders([], findCluster(topology, 'hub-east'))).toEqual(['hub']);
  expect(apiReaders([], findCluster(topology, 'hub'))).toEqual([]);
});
