/** Federation across trust domains: per-server peers, URLs, SPIFFE IDs, bootstrap bundles, notes and load errors. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../clusters';
import { configOf, find, findAll, synthTopologyText, type SynthesizedCluster } from './helpers/synth';
import { validateObject, type K8sObject } from './helpers/schema-validation';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = K8sObject & Record<string, any>;
const FIXTURES = join(__dirname, 'fixtures');
const TDS = ['foo.com', 'bar.com', 'baz.org', 'qux.net', 'rsa.io'];
const certFile = (td: string) => join(FIXTURES, td === 'rsa.io' ? 'rsa-root.pem' : `${td}.pem`);
const address = (i: number) => `203.0.113.${10 + i}`;

interface Opts { readonly address?: boolean; readonly rootCa?: boolean; readonly registrar?: string }
function topology(n: number, federation: string, opts: (i: number) => Opts = () => ({})): string {
  const clusters = Array.from({ length: n }, (_, i) => {
    const o = { address: true, rootCa: true, ...opts(i) };
    return `  - name: c${i}
    provider: gke
    region: us-central1
    trustDomain: ${TDS[i]}
    cidr: 10.${10 + i}.0.0/16
${o.rootCa ? `    rootCa:\n      certificateFile: ${certFile(TDS[i])}\n` : ''}${o.address ? `    bundleEndpoint:\n      address: ${address(i)}\n` : ''}${o.registrar ? `    registrar:\n      kind: ${o.registrar}\n` : ''}`;
  }).join('');
  return `environment: fed\nclusters:\n${clusters}federation: ${federation}\n`;
}

const cftds = (c: SynthesizedCluster) => findAll(c.objects, 'ClusterFederatedTrustDomain') as Obj[];
const csids = (c: SynthesizedCluster) => findAll(c.objects, 'ClusterSPIFFEID') as Obj[];
const serverConf = (c: SynthesizedCluster) => configOf(c.objects, 'spire-server', 'spire-server', 'server.conf');
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

function expectValid(clusters: Map<string, SynthesizedCluster>): void {
  const failures = [...clusters.values()].flatMap((c) => c.objects.flatMap((o) => validateObject(o).map((e) => `${c.name} ${o.kind}/${o.metadata.name}: ${e}`)));
  expect(failures).toEqual([]);
}

describe.each([
  ['2 clusters, full mesh', 2, 'full-mesh', { c0: ['bar.com'], c1: ['foo.com'] }],
  ['3 clusters, one pair', 3, '[[c0, c2]]', { c0: ['baz.org'], c1: [], c2: ['foo.com'] }],
  ['3 clusters, none', 3, 'none', { c0: [], c1: [], c2: [] }],
  ['5 clusters, full mesh', 5, 'full-mesh', Object.fromEntries(TDS.map((td, i) => [`c${i}`, TDS.filter((x) => x !== td).sort()]))],
  ['5 clusters, pairs', 5, '[[c0, c1], [c1, c2], [c4, c0]]', { c0: ['bar.com', 'rsa.io'], c1: ['baz.org', 'foo.com'], c2: ['bar.com'], c3: [], c4: ['foo.com'] }],
] as const)('%s', (_name, n, federation, expected) => {
  const { clusters, result } = synthTopologyText(topology(n, federation));
  const peersOf = expected as Record<string, readonly string[]>;

  it('gives each server exactly its peers, with the peer root bundle endpoint URL and server SPIFFE ID', () => {
    for (const c of clusters.values()) {
      const want = peersOf[c.name];
      const got = cftds(c).map((o) => o.spec).sort((a, b) => a.trustDomain.localeCompare(b.trustDomain));
      expect(got.map((s) => s.trustDomain)).toEqual(want);
      for (const spec of got) {
        const i = TDS.indexOf(spec.trustDomain);
        expect(spec.bundleEndpointURL).toBe(`https://${address(i)}:8443`);
        expect(spec.bundleEndpointProfile).toEqual({ type: 'https_spiffe', endpointSPIFFEID: `spiffe://${spec.trustDomain}/spire/server` });
        expect(spec.className).toBe('meshfed');
      }
    }
  });

  it('renders each bootstrap bundle as a SPIFFE bundle holding the right peer root', () => {
    for (const c of clusters.values()) {
      for (const o of cftds(c)) {
        const bundle = JSON.parse(o.spec.trustDomainBundle);
        expect(bundle.spiffe_sequence).toBe(1);
        expect(bundle.spiffe_refresh_hint).toBe(300);
        expect(bundle.keys).toHaveLength(1);
        expect(bundle.keys[0].use).toBe('x509-svid');
        const der = Buffer.from(bundle.keys[0].x5c[0], 'base64');
        expect(new X509Certificate(der).fingerprint256).toBe(fingerprint(readFileSync(certFile(o.spec.trustDomain), 'utf8')));
      }
    }
  });

  it('federates the workload ClusterSPIFFEIDs with exactly the peers', () => {
    for (const c of clusters.values()) {
      for (const id of csids(c)) expect(id.spec.federatesWith ?? []).toEqual(peersOf[c.name]);
    }
  });

  it('exposes a bundle endpoint (https_spiffe, 8443, refresh hint) on exactly the federating servers', () => {
    for (const c of clusters.values()) {
      const federating = peersOf[c.name].length > 0;
      const conf = serverConf(c);
      if (federating) {
        expect(conf.server.federation.bundle_endpoint).toEqual({ address: '0.0.0.0', port: 8443, refresh_hint: '300s', profile: { https_spiffe: {} } });
        const svc = find(c.objects, 'Service', 'spire-server-bundle-endpoint', 'spire-server') as Obj;
        expect(svc.spec.type).toBe('LoadBalancer');
        expect(svc.spec.ports).toEqual([{ name: 'https', port: 8443, targetPort: 8443, protocol: 'TCP' }]);
        const sts = find(c.objects, 'StatefulSet', 'spire-server', 'spire-server') as Obj;
        expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
      } else {
        expect(conf.server.federation).toBeUndefined();
        expect(c.objects.filter((o) => o.metadata.name === 'spire-server-bundle-endpoint')).toEqual([]);
      }
      expect(conf.server.federation?.federates_with).toBeUndefined();
    }
    expect(result.notes.filter((x) => /federation/.test(x.text))).toEqual([]);
  });

  it('passes schema validation', () => expectValid(clusters));
});

describe('missing values', () => {
  it('omits the relationship of a peer without an address and says which key is missing', () => {
    const { clusters, result } = synthTopologyText(topology(3, 'full-mesh', (i) => ({ address: i !== 1 })));
    expect(cftds(clusters.get('c0')!).map((o) => o.spec.trustDomain)).toEqual(['baz.org']);
    expect(csids(clusters.get('c0')!)[0].spec.federatesWith).toEqual(['baz.org']);
    expect(result.notes).toContainEqual({ cluster: 'c0', text: expect.stringContaining('federation with bar.com: nothing rendered because clusters[1].bundleEndpoint.address (c1) is not set') });
    expect(result.notes).toContainEqual({ cluster: 'c1', text: expect.stringContaining('until clusters[1].bundleEndpoint.address is set') });
    expect(JSON.stringify([...clusters.values()].map((c) => c.objects))).not.toMatch(/https:\/\/(undefined|:)/);
    expectValid(clusters);
  });

  it('keeps a peer whose root is unknown out of federatesWith, renders the relationship without bundle and prints the bundle commands', () => {
    const { clusters, result } = synthTopologyText(topology(2, 'full-mesh', (i) => ({ rootCa: i === 0 })));
    const c0 = clusters.get('c0')!;
    const [cftd] = cftds(c0);
    expect(cftd.spec.trustDomain).toBe('bar.com');
    expect(cftd.spec.trustDomainBundle).toBeUndefined();
    expect(csids(c0)[0].spec.federatesWith).toBeUndefined();
    expect(csids(clusters.get('c1')!)[0].spec.federatesWith).toEqual(['foo.com']);
    const note = result.notes.find((x) => x.cluster === 'c0' && x.text.startsWith('federation with bar.com'))!;
    expect(note.text).toContain('clusters[1].rootCa.certificateFile');
    expect(note.text).toContain('kubectl --context c1 -n spire-server exec spire-server-0 -c spire-server -- /opt/spire/bin/spire-server bundle show -format spiffe');
    expect(note.text).toContain('bundle set -format spiffe -id spiffe://bar.com');
  });

  it('uses the supplied root Secret for the cert-manager CA Issuer of a root with rootCa', () => {
    const { clusters } = synthTopologyText(topology(2, 'full-mesh'));
    const c0 = clusters.get('c0')!;
    expect((find(c0.objects, 'Issuer', 'spire-ca', 'meshfed-ca') as Obj).spec.ca.secretName).toBe('spire-root-ca');
    // No generated root and no istiod intermediate under it: no Certificate at all.
    expect(findAll(c0.objects, 'Certificate')).toEqual([]);
  });
});

describe('legacy registrar', () => {
  const { clusters, result } = synthTopologyText(topology(3, 'full-mesh', () => ({ registrar: 'k8s-workload-registrar' })));

  it('renders federates_with blocks for exactly the peers and no ClusterFederatedTrustDomain', () => {
    for (const [name, c] of clusters) {
      const i = Number(name.slice(1));
      const peers = TDS.slice(0, 3).filter((_, j) => j !== i).sort();
      const fw = serverConf(c).server.federation.federates_with;
      expect(Object.keys(fw)).toEqual(peers);
      for (const td of peers) {
        expect(fw[td]).toEqual({ bundle_endpoint_url: `https://${address(TDS.indexOf(td))}:8443`, bundle_endpoint_profile: { https_spiffe: { endpoint_spiffe_id: `spiffe://${td}/spire/server` } } });
      }
      expect(cftds(c)).toEqual([]);
      const cm = find(c.objects, 'ConfigMap', 'spire-federation-bootstrap', 'spire-server') as Obj;
      expect(Object.keys(cm.data)).toEqual(peers.map((td) => `${td}.json`));
      for (const td of peers) {
        const key = JSON.parse(cm.data[`${td}.json`]).keys[0];
        expect(new X509Certificate(Buffer.from(key.x5c[0], 'base64')).fingerprint256).toBe(fingerprint(readFileSync(certFile(td), 'utf8')));
      }
      expect(result.notes.find((x) => x.cluster === name && x.text.startsWith('federation (legacy registrar)'))?.text).toContain(`bundle set -format spiffe -id spiffe://${peers[0]}`);
    }
  });
});

describe('load-time errors', () => {
  const base = (extra: string, fed = 'full-mesh') => `environment: e
clusters:
  - name: a
    provider: gke
    region: us-central1
    trustDomain: a.org
    cidr: 10.1.0.0/16
${extra}  - name: b
    provider: gke
    region: us-central1
    nestedUnder: a
    cidr: 10.2.0.0/16
federation: ${fed}
`;
  it.each([
    ['a bundle endpoint address with a scheme', '    bundleEndpoint:\n      address: https://x.org\n', /^e\.yaml:\d+: clusters\[0\]\.bundleEndpoint\.address: "https:\/\/x\.org" has a scheme \(a DNS name such as/],
    ['a bundle endpoint address with a port', '    bundleEndpoint:\n      address: x.org:8443\n', /clusters\[0\]\.bundleEndpoint\.address: "x\.org:8443" has a port \(set port instead\)/],
    ['a bundle endpoint address that is not a host', '    bundleEndpoint:\n      address: "bad host!"\n', /clusters\[0\]\.bundleEndpoint\.address: "bad host!" is not a valid host name/],
    ['an invalid IP-like address', '    serverEndpoint:\n      address: 10.0.0.999\n', /clusters\[0\]\.serverEndpoint\.address: "10\.0\.0\.999" is not a valid IP address/],
    ['a certificate file that does not parse', `    rootCa:\n      certificateFile: ${join(FIXTURES, 'garbage.pem')}\n`, /clusters\[0\]\.rootCa\.certificateFile: ".*garbage\.pem" certificate 1 does not parse as X\.509 .*; it must hold the PEM root CA certificate\(s\) of a\.org/],
    ['a missing certificate file', '    rootCa:\n      certificateFile: nope/none.pem\n', /clusters\[0\]\.rootCa\.certificateFile: "nope\/none\.pem" cannot be read \(ENOENT\); paths are relative to the topology file/],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => loadTopology(base(extra), 'e.yaml')).toThrow(message);
  });
  // A certificate that is not a CA: cli-errors.test.ts checks the whole message, with the file under a long path.

  it('rejects a federation pair across a root and its nested child', () => {
    expect(() => loadTopology(base('', '[[a, b]]'), 'e.yaml')).toThrow(/federation\[0\]\[1\]: "b" is nested under a; federation pairs name root clusters \(use "a"/);
  });

  it('rejects root-only keys on a nested cluster and serverEndpoint without children', () => {
    const text = base('').replace('    nestedUnder: a\n', `    nestedUnder: a\n    bundleEndpoint:\n      address: b.org\n    rootCa:\n      certificateFile: ${join(FIXTURES, 'foo.com.pem')}\n    serverEndpoint:\n      address: b.org\n`);
    expect(() => loadTopology(text, 'e.yaml')).toThrow(/clusters\[1\]\.rootCa: applies only to root clusters; b is nested under a, set it there/);
    expect(() => loadTopology(text, 'e.yaml')).toThrow(/clusters\[1\]\.bundleEndpoint: applies only to root clusters/);
    expect(() => loadTopology(text, 'e.yaml')).toThrow(/clusters\[1\]\.serverEndpoint: is only used by nested clusters and no cluster is nestedUnder b/);
  });

  it('accepts IPv4, IPv6 and DNS names, and brackets IPv6 in URLs', () => {
    const text = topology(2, 'full-mesh').replace(`address: ${address(1)}`, 'address: "2001:db8::1"').replace(`address: ${address(0)}`, 'address: spire.foo.com');
    const { clusters } = synthTopologyText(text);
    expect(cftds(clusters.get('c0')!)[0].spec.bundleEndpointURL).toBe('https://[2001:db8::1]:8443');
    expect(cftds(clusters.get('c1')!)[0].spec.bundleEndpointURL).toBe('https://spire.foo.com:8443');
  });
});
