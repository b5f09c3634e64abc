/** Topology loading: defaults, resolution, and one exact error per broken rule (path, value, rule). */
import { loadTopology, federatedTrustDomains } from '../clusters';
import { problemsOf, twoClusters } from './helpers/synth';

const cluster = (name: string, td: string | undefined, cidr: string, extra = '') =>
  `  - name: ${name}
    provider: gke
    region: us-central1
${td === undefined ? '' : `    trustDomain: ${td}\n`}    cidr: ${cidr}
${extra}`;

describe('loading a valid topology', () => {
  it('applies the documented defaults', () => {
    const t = loadTopology(twoClusters(), 't.yaml');
    expect(t.meshId).toBe('mesh1');
    expect(t.federation).toBe('full-mesh');
    expect(t.samples).toBe(true);
    const [c1] = t.clusters;
    expect(c1.spire).toMatchObject({ replicas: 1, datastore: 'sqlite', caTtl: '24h', x509SvidTtl: '1h' });
    expect(c1.spire.agent).toEqual({ syncInterval: '5s', rebootstrapMode: 'auto', rebootstrapDelay: '10m' });
    expect(c1.registrar).toEqual({ kind: 'controller-manager' });
    expect(c1.root).toBe('cluster-1');
  });

  it('defaults the network to <name>-network and keeps cluster order', () => {
    const t = loadTopology(`environment: e\nclusters:\n${cluster('b', 'b.org', '10.2.0.0/16')}${cluster('a', 'a.org', '10.1.0.0/16')}`);
    expect(t.clusters.map((c) => [c.name, c.network])).toEqual([['b', 'b-network'], ['a', 'a-network']]);
  });

  it('gives a nested cluster its root trust domain, through several levels', () => {
    const t = loadTopology(`environment: e\nclusters:\n${cluster('leaf', undefined, '10.3.0.0/16', '    nestedUnder: mid\n')}${cluster('mid', undefined, '10.2.0.0/16', '    nestedUnder: top\n')}${cluster('top', 'top.org', '10.1.0.0/16')}`);
    expect(t.clusters.map((c) => [c.name, c.trustDomain, c.root])).toEqual([
      ['leaf', 'top.org', 'top'], ['mid', 'top.org', 'top'], ['top', 'top.org', 'top'],
    ]);
  });

  it('defaults the k8s-workload-registrar mode to reconcile', () => {
    const t = loadTopology(twoClusters('    registrar: { kind: k8s-workload-registrar }'));
    expect(t.clusters[0].registrar).toMatchObject({ kind: 'k8s-workload-registrar', mode: 'reconcile' });
  });

  it('computes federation peers for full-mesh, pairs and none', () => {
    const three = (fed: string) => `environment: e\nclusters:\n${cluster('a', 'a.org', '10.1.0.0/16')}${cluster('b', 'b.org', '10.2.0.0/16')}${cluster('c', 'c.org', '10.3.0.0/16')}${cluster('a2', undefined, '10.4.0.0/16', '    nestedUnder: a\n')}federation: ${fed}\n`;
    const full = loadTopology(three('full-mesh'));
    expect(federatedTrustDomains(full, 'a')).toEqual(['b.org', 'c.org']);
    expect(federatedTrustDomains(full, 'a2')).toEqual(['b.org', 'c.org']);
    const pairs = loadTopology(three('[[a, b]]'));
    expect(federatedTrustDomains(pairs, 'a')).toEqual(['b.org']);
    expect(federatedTrustDomains(pairs, 'b')).toEqual(['a.org']);
    expect(federatedTrustDomains(pairs, 'c')).toEqual([]);
    expect(federatedTrustDomains(pairs, 'a2')).toEqual(['b.org']);
    expect(federatedTrustDomains(loadTopology(three('none')), 'a')).toEqual([]);
  });
});

describe('rejecting a broken topology', () => {
  it.each([
    ['invalid YAML, with its line', 'environment: dev\nclusters: [\n', /^env\.yaml:3: invalid YAML: /],
    ['a document that is not a mapping', '- a\n- b\n', /^env\.yaml: the topology must be a YAML mapping with environment and clusters$/],
    ['a missing required key', 'environment: dev\n', /^env\.yaml:1: clusters: is required$/],
    ['an unknown top-level key', `${twoClusters()}meshes: 2\n`, /^env\.yaml:\d+: meshes: unknown key; did you mean `mesh`\? \(allowed here: environment, mesh, clusters, federation, samples, istio\)$/],
    ['an unknown cluster key', twoClusters('    trustdomain: x.org'), /^env\.yaml:\d+: clusters\[0\]\.trustdomain: unknown key \(allowed here: name, provider, region, trustDomain, network, cidr, nestedUnder, /],
    ['a bad provider', twoClusters().replace('provider: gke', 'provider: aks'), /^env\.yaml:4: clusters\[0\]\.provider: "aks" is not allowed \(one of: gke \| eks\)$/],
    ['an environment that is not a DNS label', twoClusters().replace('environment: test', 'environment: Test_1'), /^env\.yaml:1: environment: "Test_1" must be a DNS label/],
    ['a cluster name that is not a DNS label', twoClusters().replace('name: cluster-1', 'name: Cluster.1'), /clusters\[0\]\.name: "Cluster\.1" must be a DNS label/],
    ['a duplicate cluster name', twoClusters().replace('name: cluster-2', 'name: cluster-1'), /^env\.yaml:10: clusters\[1\]\.name: "cluster-1" is already the name of clusters\[0\]; cluster names must be unique$/],
    ['an upper-case trust domain', twoClusters().replace('trustDomain: foo.com', 'trustDomain: Foo.com'), /^env\.yaml:6: clusters\[0\]\.trustDomain: "Foo\.com" is not a valid SPIFFE trust domain: it has characters outside the allowed set \(lowercase letters, digits, '\.', '-', '_'; no scheme, port or path; at most 255 characters\)$/],
    ['a trust domain with a scheme', twoClusters().replace('trustDomain: foo.com', 'trustDomain: spiffe://foo.com'), /clusters\[0\]\.trustDomain: "spiffe:\/\/foo\.com" is not a valid SPIFFE trust domain: it has a scheme/],
    ['a trust domain with a port', twoClusters().replace('trustDomain: foo.com', 'trustDomain: "foo.com:8443"'), /clusters\[0\]\.trustDomain: "foo\.com:8443" is not a valid SPIFFE trust domain: it has a port/],
    ['a trust domain with a path', twoClusters().replace('trustDomain: foo.com', 'trustDomain: foo.com/x'), /clusters\[0\]\.trustDomain: "foo\.com\/x" is not a valid SPIFFE trust domain: it has a path/],
    ['a trust domain over 255 characters', twoClusters().replace('trustDomain: foo.com', `trustDomain: ${'a'.repeat(256)}`), /is not a valid SPIFFE trust domain: it is 256 characters long/],
    ['a missing trust domain on a root', twoClusters().replace('    trustDomain: foo.com\n', ''), /^env\.yaml:\d+: clusters\[0\]\.trustDomain: is required unless nestedUnder is set$/],
    ['two roots sharing a trust domain', twoClusters().replace('trustDomain: bar.com', 'trustDomain: foo.com'), /clusters\[1\]\.trustDomain: "foo\.com" is already the trust domain of clusters\[0\] \(cluster-1\); clusters share a trust domain only through nestedUnder/],
    ['an invalid CIDR', twoClusters().replace('10.10.0.0/16', '10.10.0.0'), /clusters\[0\]\.cidr: "10\.10\.0\.0" is not an IPv4 CIDR \(expected a\.b\.c\.d\/n\)$/],
    ['a CIDR with an octet above 255', twoClusters().replace('10.10.0.0/16', '10.300.0.0/16'), /clusters\[0\]\.cidr: "10\.300\.0\.0\/16" has an octet above 255$/],
    ['a CIDR with host bits', twoClusters().replace('10.10.0.0/16', '10.10.0.1/16'), /clusters\[0\]\.cidr: "10\.10\.0\.1\/16" has host bits set \(the network address is 10\.10\.0\.0\/16\)$/],
    ['overlapping CIDRs', twoClusters().replace('10.20.0.0/16', '10.10.128.0/17'), /clusters\[1\]\.cidr: "10\.10\.128\.0\/17" overlaps clusters\[0\]\.cidr "10\.10\.0\.0\/16" \(cluster-1\); cluster ranges must be disjoint/],
    ['nestedUnder naming an unknown cluster', twoClusters('    nestedUnder: cluster-9'), /clusters\[0\]\.nestedUnder: "cluster-9" is not a cluster of this file \(clusters: cluster-1, cluster-2\)$/],
    ['a nesting cycle', `environment: e\nclusters:\n${cluster('a', undefined, '10.1.0.0/16', '    nestedUnder: b\n')}${cluster('b', undefined, '10.2.0.0/16', '    nestedUnder: a\n')}`, /clusters\[0\]\.nestedUnder: "b" forms a nesting cycle \(a -> b -> a\)/],
    ['a nested cluster with a different trust domain', `environment: e\nclusters:\n${cluster('a', 'a.org', '10.1.0.0/16')}${cluster('b', 'b.org', '10.2.0.0/16', '    nestedUnder: a\n')}`, /clusters\[1\]\.trustDomain: "b\.org" differs from "a\.org" of its nesting root a/],
    ['a federation pair naming an unknown cluster', `${twoClusters()}federation: [[cluster-1, cluster-3]]\n`, /federation\[0\]\[1\]: "cluster-3" is not a cluster of this file \(clusters: cluster-1, cluster-2\)$/],
    ['a cluster federated with itself', `${twoClusters()}federation: [[cluster-1, cluster-1]]\n`, /federation\[0\]: \["cluster-1","cluster-1"\] pairs a cluster with itself$/],
    ['a federation pair across a root and its child', `environment: e\nclusters:\n${cluster('a', 'a.org', '10.1.0.0/16')}${cluster('b', undefined, '10.2.0.0/16', '    nestedUnder: a\n')}federation: [[a, b]]\n`, /federation\[0\]\[1\]: "b" is nested under a; federation pairs name root clusters/],
    ['a malformed federation value', `${twoClusters()}federation: everything\n`, /federation: "everything" must be "full-mesh", "none" or a list of \[clusterA, clusterB\] pairs$/],
    ['replicas above 1 with sqlite', twoClusters('    spire: { replicas: 3 }'), /clusters\[0\]\.spire\.replicas: 3 requires spire\.datastore postgres or mysql: each sqlite replica would keep its own registrations and CA state$/],
    ['a registrar mode for the controller manager', twoClusters('    registrar: { mode: webhook }'), /clusters\[0\]\.registrar\.mode: "webhook" applies only to kind k8s-workload-registrar; remove it or set registrar\.kind: k8s-workload-registrar$/],
    ['a bad duration', twoClusters('    spire: { caTtl: 1day }'), /clusters\[0\]\.spire\.caTtl: "1day" must be a Go duration/],
    ['a wrong type', twoClusters('    spire: { replicas: two }'), /clusters\[0\]\.spire\.replicas: "two" must be a number$/],
    ['samples that is not a boolean', `${twoClusters()}samples: "yes"\n`, /^env\.yaml:16: samples: "yes" must be a boolean$/],
    ['an unknown trust domain acceptance', `${twoClusters()}istio: { trustDomainAcceptance: both }\n`, /^env\.yaml:16: istio\.trustDomainAcceptance: "both" is not allowed \(one of: aliases \| caCertificates\)$/],
    ['gateway replicas max below min', `${twoClusters()}istio: { gatewayReplicas: { min: 3, max: 2 } }\n`, /^env\.yaml:16: istio\.gatewayReplicas\.max: 2 is less than min 3; the gateways' autoscaler needs min <= max$/],
    ['zero gateway replicas', `${twoClusters()}istio: { gatewayReplicas: { min: 0 } }\n`, /istio\.gatewayReplicas\.min: 0 must be at least 1$/],
    ['native sidecars before Kubernetes 1.29', twoClusters('    kubernetesVersion: "1.28"\n    istio: { nativeSidecars: true }'), /clusters\[0\]\.istio\.nativeSidecars: true needs Kubernetes 1\.29 or later \(sidecar containers\); cluster-1 runs 1\.28$/],
    ['caCertificates without the peers\' roots', `${twoClusters()}istio: { trustDomainAcceptance: caCertificates }\n`, /^env\.yaml:\d+: clusters\[1\]\.rootCa\.certificateFile: is required by istio\.trustDomainAcceptance "caCertificates": cluster-2 roots the federated trust domain bar\.com/],
  ])('%s', (_name, yaml, expected) => {
    expect(problemsOf(yaml)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('reports every problem of the file at once', () => {
    const problems = problemsOf(
      twoClusters('    spire: { replicas: 2 }').replace('trustDomain: foo.com', 'trustDomain: FOO').replace('10.20.0.0/16', '10.10.0.0/16'),
    );
    expect(problems).toHaveLength(3);
  });
});
