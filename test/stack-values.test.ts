/** The topology completed with the stack's roots and addresses: synth then leaves nothing for the user but what the stack does itself. */
import { join } from 'node:path';
import { loadTopologyFile } from '../clusters/load';
import { renderTopology } from '../synth/synthesize';
import { endpointsToReserve } from '../infra/cluster-infra';
import { GENERATED_ROOT_CA_FILE, PLACEHOLDER_ROOT_PEM, placeholderServerCloud, placeholderValues, stackShape, withStackValues } from '../infra/stack-values';

const dev = loadTopologyFile(join(__dirname, '..', 'clusters', 'dev.yaml'));

describe('withStackValues', () => {
  const values = placeholderValues({ 'cluster-1': { rootCa: true, addresses: ['bundleEndpoint'] }, 'cluster-2': { rootCa: true, addresses: ['bundleEndpoint'] } });
  // What mesh-program passes for created clusters: each load balancer's sources are its firewall rule's.
  const ranges = { bundleEndpoint: ['10.20.0.0/16'], eastWestGateway: ['10.20.0.0/16', '35.191.0.0/16'] };
  values['cluster-1'] = { ...values['cluster-1'], annotations: { bundleEndpoint: { 'networking.gke.io/load-balancer-type': 'Internal' } }, sourceRanges: ranges };
  values['cluster-2'] = { ...values['cluster-2'], sourceRanges: { bundleEndpoint: ['10.10.0.0/16'], eastWestGateway: ['10.10.0.0/16'] } };
  const completed = withStackValues(dev, values);

  it('fills each root\'s generated CA (created by the stack) and reserved bundle endpoint', () => {
    expect(completed.clusters[0].rootCa).toEqual({ certificateFile: GENERATED_ROOT_CA_FILE, certificatePem: PLACEHOLDER_ROOT_PEM, secretName: 'spire-root-ca', secretCreatedByStack: true });
    expect(completed.clusters[0].bundleEndpoint).toEqual({ port: 8443, serviceType: 'LoadBalancer', annotations: { 'networking.gke.io/load-balancer-type': 'Internal' }, address: '192.0.2.1', loadBalancerSourceRanges: ['10.20.0.0/16'] });
    expect(completed.clusters[0].istio.eastWestGateway).toEqual({ annotations: {}, loadBalancerSourceRanges: ['10.20.0.0/16', '35.191.0.0/16'] });
    expect(dev.clusters[0].bundleEndpoint).toBeUndefined();
  });

  // The sqlite note is guidance for a node failure, not a step of the install.
  const steps = (notes: readonly { text: string }[]) => notes.filter((n) => !n.text.startsWith('SPIRE datastore (sqlite'));
  it('leaves synth no steps for dev but the remote secrets, which the stack creates', () => {
    const before = steps(renderTopology(dev, '/unused').notes);
    expect(before.filter((n) => !n.text.startsWith('create the remote secrets')).length).toBeGreaterThan(0);
    const after = steps(renderTopology(completed, '/unused').notes);
    expect(after.map((n) => n.text.split(' ').slice(0, 4).join(' '))).toEqual(['create the remote secrets', 'create the remote secrets']);
  });

  it('gives the east-west gateway the stack\'s annotations with the topology\'s own on top, as for the SPIRE endpoints', () => {
    const mine = { 'networking.gke.io/load-balancer-type': 'External', 'example.com/owner': 'platform' };
    const own = { ...dev, clusters: dev.clusters.map((c, i) => (i === 0 ? { ...c, istio: { ...c.istio, eastWestGateway: { annotations: mine } } } : c)) };
    const stack = { 'networking.gke.io/load-balancer-type': 'Internal', 'cloud.google.com/l4-rbs': 'enabled' };
    const done = withStackValues(own, { 'cluster-1': { annotations: { eastWestGateway: stack } } });
    expect(done.clusters[0].eastWestGatewayAnnotations).toEqual({ ...stack, ...mine });
    expect(done.clusters[0].istio.eastWestGateway?.annotations).toEqual(mine);
  });

  it('reserves bundle endpoint and east-west addresses for dev\'s clusters', () => {
    expect(dev.clusters.map((c) => endpointsToReserve(dev, c))).toEqual([['bundleEndpoint', 'eastWestGateway'], ['bundleEndpoint', 'eastWestGateway']]);
  });
});

describe('an endpoint whose address the topology gives (no address reserved)', () => {
  const eks = loadTopologyFile(join(__dirname, '..', 'clusters', 'eks.yaml'));
  const root = eks.clusters.find((c) => c.name === 'root')!;

  it('keeps the address and annotations and takes the firewall rule\'s sources: eks.yaml\'s internal NLB admits only the children', () => {
    expect(endpointsToReserve(eks, root)).toEqual(['eastWestGateway']);
    const completed = withStackValues(eks, { root: { sourceRanges: { serverEndpoint: ['10.101.0.0/16', '10.102.0.0/16'] } } });
    expect(completed.clusters[0].serverEndpoint).toEqual({ ...root.serverEndpoint, loadBalancerSourceRanges: ['10.101.0.0/16', '10.102.0.0/16'] });
    const nested = renderTopology(completed, '/unused').clusters[0].files.get('25-nested-spire.yaml')!;
    expect(nested).toContain('loadBalancerSourceRanges:\n    - 10.101.0.0/16\n    - 10.102.0.0/16');
    expect(nested).toContain('loadBalancerIP: 10.100.0.10');
  });

  it('keeps ranges the topology gives, and leaves a Service that is not a LoadBalancer alone', () => {
    const given = withStackValues({ ...eks, clusters: eks.clusters.map((c) => (c === root ? { ...c, serverEndpoint: { ...c.serverEndpoint!, loadBalancerSourceRanges: ['10.101.0.0/24'] } } : c)) },
      { root: { sourceRanges: { serverEndpoint: ['10.101.0.0/16'] } } });
    expect(given.clusters[0].serverEndpoint!.loadBalancerSourceRanges).toEqual(['10.101.0.0/24']);
    const clusterIp = { ...eks, clusters: eks.clusters.map((c) => (c === root ? { ...c, serverEndpoint: { ...c.serverEndpoint!, serviceType: 'ClusterIP' as const } } : c)) };
    expect(withStackValues(clusterIp, { root: { sourceRanges: { serverEndpoint: ['10.101.0.0/16'] } } }).clusters[0].serverEndpoint).toBe(clusterIp.clusters[0].serverEndpoint);
  });
});

describe('the SPIRE server\'s cloud values', () => {
  const staging = loadTopologyFile(join(__dirname, '..', 'clusters', 'staging.yaml'));
  const shaped = stackShape(staging, new Set(staging.clusters.map((c) => c.name)));

  it('stand in where the stack puts them: gke kms a service account and key ring, eks a role, key policy and the gp3 class', () => {
    expect(placeholderServerCloud(staging.clusters[0])).toEqual({
      identity: { kind: 'gcp-service-account', email: 'placeholder@placeholder-project.iam.gserviceaccount.com' },
      kms: { kind: 'gcp', keyRing: 'projects/placeholder-project/locations/us-central1/keyRings/placeholder' },
    });
    expect(placeholderServerCloud(staging.clusters[3])).toEqual({
      identity: { kind: 'aws-role', roleArn: 'arn:aws:iam::000000000000:role/placeholder' },
      kms: { kind: 'aws', region: 'eu-west-1', keyPolicy: '{}' },
      storageClassName: 'meshfed-gp3-encrypted',
    });
    expect(placeholderServerCloud(dev.clusters[0])).toBeUndefined();
  });

  it('leave existing clusters alone and clear the keyManager note once known', () => {
    expect(stackShape(staging, new Set()).clusters.map((c) => c.serverCloud)).toEqual([undefined, undefined, undefined, undefined]);
    const kmsNotes = (t: typeof staging) => renderTopology(t, '/unused').notes.filter((n) => n.text.startsWith('spire.keyManager kms'));
    expect(kmsNotes(staging).map((n) => n.cluster)).toEqual(['hub', 'hub-east', 'hub-west', 'edge']);
    expect(kmsNotes(shaped)).toEqual([]);
  });
});
