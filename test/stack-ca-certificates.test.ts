/**
 * istio.trustDomainAcceptance caCertificates with roots the stack generates: the stack and the offline plan
 * load the topology (synth refuses it without rootCa PEMs), and each istiod's meshConfig.caCertificates
 * carries its peer's generated root, scoped to the peer's trust domain.
 */
import { join } from 'node:path';
import { loadTopologyFile, TopologyError } from '../clusters';
import { fixturePem, stackProgram } from './helpers/stack-run';

const FILE = join(__dirname, 'fixtures', 'topologies', 'ca-certificates.yaml');
const PEM = { 'foo.com': fixturePem('foo.com'), 'bar.com': fixturePem('bar.com') };
const run = stackProgram('dev', { 'meshfed:topology': FILE, 'gcp:project': 'meshfed-test', 'meshfed:apiAccessCidrs': '["198.51.100.7/32"]' }, {
  state: { project: 'meshfed-test', rootPems: PEM },
  remoteSecrets: 2,
});

it('gives each istiod its peer\'s generated root as caCertificates, keeping the aliases', () => {
  for (const [cluster, peer] of [['cluster-1', 'bar.com'], ['cluster-2', 'foo.com']] as const) {
    const meshConfig = run.named(`${cluster}-istio-istiod`).inputs.values.meshConfig;
    expect(meshConfig.caCertificates).toEqual([{ pem: PEM[peer], trustDomains: [peer] }]);
    expect(meshConfig.trustDomainAliases).toEqual([peer]);
  }
  // The generated roots are the ones written into the peers' CA Issuer Secrets.
  expect(run.named('cluster-2-spire-root-ca').inputs.stringData['tls.crt']).toBe(PEM['bar.com']);
});

it('is refused by synth\'s loading, which has no other source for the PEMs than rootCa', () => {
  expect(() => loadTopologyFile(FILE, 'ca-certificates.yaml')).toThrow(TopologyError);
  expect(() => loadTopologyFile(FILE, 'ca-certificates.yaml')).toThrow(/clusters\[0\]\.rootCa\.certificateFile: is required by istio\.trustDomainAcceptance "caCertificates"/);
  expect(loadTopologyFile(FILE, 'ca-certificates.yaml', { rootsFromStack: true }).istio.trustDomainAcceptance).toBe('caCertificates');
});
