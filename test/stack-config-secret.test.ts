/**
 * stacks/index.ts end to end: a kubeconfig set as the whole of meshfed:kubeconfigs (without --path) is YAML,
 * not JSON. The stack refuses it before registering anything, without printing the secret (Pulumi's own
 * Config.getObject would: its ConfigTypeError message carries the value, @pulumi/pulumi config.js).
 */
import { kubeconfigYaml } from './helpers/pulumi-mocks';
import { fixturePem, startStack } from './helpers/stack-run';

const kubeconfig = kubeconfigYaml('cluster-1', 'https://203.0.113.9', fixturePem('foo.com'));
const run = startStack('dev', { 'meshfed:kubeconfigs': kubeconfig, 'gcp:project': 'p', 'meshfed:apiAccessCidrs': '["192.0.2.1/32"]' }, ['meshfed:kubeconfigs']);

it('refuses a kubeconfigs value that is not JSON, naming the key and the fix, never the value, and registers nothing', () => {
  let message = '';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../stacks/index');
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toBe('meshfed:kubeconfigs is not JSON (its value is secret, so not shown; a kubeconfig set without --path is YAML); allowed: an object of cluster name to kubeconfig text; set one entry per existing cluster: `pulumi config set --secret --path \'meshfed:kubeconfigs["<cluster>"]\' "$(cat <cluster>.kubeconfig)"`');
  expect(kubeconfig).toContain('admin-token-not-for-peers');
  expect(message).not.toContain('admin-token-not-for-peers');
  expect(run.registrations).toEqual([]);
});
