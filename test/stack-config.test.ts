/** Stack contract: a bad topology fails before any resource is registered, with the loader's lines. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from './helpers/stack-run';
import { tempDirs } from './helpers/temp-dirs';

const dir = tempDirs('meshfed-stack-')();
const file = join(dir, 'broken.yaml');
writeFileSync(file, 'environment: dev\nclusters:\n- {name: a, provider: gke, region: us-central1, trustDomain: a.com, cidr: 10.10.0.0/33}\n');
const run = startStack('dev', { 'meshfed:topology': file, 'gcp:project': 'p', 'meshfed:apiAccessCidrs': '["192.0.2.1/32"]' }, []);

it('fails with the loader\'s problem lines and registers nothing', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(() => require('../stacks/index')).toThrow(`${file}:3: clusters[0].cidr: "10.10.0.0/33" has a prefix length above 32\n1 problem; nothing was deployed.`);
  expect(run.all()).toEqual([]);
});
