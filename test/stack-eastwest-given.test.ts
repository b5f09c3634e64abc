/**
 * The east-west gateway of created clusters with values the topology gives: its own annotations win over the
 * stack's in the deployed gateway values (as for the SPIRE endpoints), and a given address is used as it is
 * (no address reserved).
 */
import { join } from 'node:path';
import { fixturePem, stackProgram } from './helpers/stack-run';

const FILE = join(__dirname, 'fixtures', 'topologies', 'eastwest-given.yaml');
const PEM = { 'foo.com': fixturePem('foo.com'), 'bar.com': fixturePem('bar.com') };
const run = stackProgram('dev', { 'meshfed:topology': FILE, 'gcp:project': 'meshfed-test', 'meshfed:apiAccessCidrs': '["198.51.100.7/32"]' }, {
  state: { project: 'meshfed-test', rootPems: PEM },
  remoteSecrets: 2,
});
const eastWest = (cluster: string) => run.named(`${cluster}-istio-istio-eastwestgateway`).inputs.values.service;

it('deploys the topology\'s east-west annotations over the stack\'s, keeping the stack\'s other keys and the reserved address', () => {
  const service = eastWest('cluster-1');
  expect(service.annotations).toMatchObject({
    'networking.gke.io/load-balancer-type': 'Internal',
    'networking.gke.io/internal-load-balancer-allow-global-access': 'false',
    'example.com/owner': 'platform',
  });
  expect(service.loadBalancerIP).toMatch(/^10\.200\.\d+\.\d+$/);
});

it('reserves no address for an east-west gateway whose address the topology gives, and deploys that address', () => {
  const reserved = run.ofType('gcp:compute/address:Address').map((a) => a.name);
  expect(reserved.filter((n) => n.includes('east-west'))).toEqual([expect.stringContaining('cluster-1')]);
  expect(eastWest('cluster-2').loadBalancerIP).toBe('10.20.0.40');
  // Still limited to the peers and Google's health checkers, as the firewall rule is.
  expect(eastWest('cluster-2').loadBalancerSourceRanges).toEqual(expect.arrayContaining(['10.10.0.0/16', '35.191.0.0/16', '130.211.0.0/22']));
});
