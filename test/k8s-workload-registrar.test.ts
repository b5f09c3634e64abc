/** The legacy k8s-workload-registrar: config file per mode, objects per mode and deployment style, RBAC, errors. */
import { parse } from '@cdktf/hcl2json';
import { Chart, Testing } from 'cdk8s';
import { loadTopology } from '../clusters';
import {
  K8sWorkloadRegistrar, RegistrarDeployment, SpireServer, DataStore, K8S_WORKLOAD_REGISTRAR_IMAGES,
  type K8sWorkloadRegistrarProps,
} from '../constructs';
import { validateObject, type K8sObject } from './helpers/schema-validation';
import { find, findAll, problemsOf, synthTopologyText, twoClusters } from './helpers/synth';

const CONF = 'k8s-workload-registrar.conf';
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

function registrarTopology(registrar: string, spire = ''): string {
  return twoClusters(`    registrar: ${registrar}\n${spire}`);
}

async function configOf(objects: readonly K8sObject[]): Promise<Record<string, unknown>> {
  const cm = find(objects, 'ConfigMap', 'k8s-workload-registrar', 'spire-server') as K8sObject & { data: Record<string, string> };
  return parse(CONF, cm.data[CONF]) as Promise<Record<string, unknown>>;
}

function clusterOne(registrar: string, spire = '') {
  const { clusters, result } = synthTopologyText(registrarTopology(registrar, spire));
  return { objects: clusters.get('cluster-1')!.objects, files: clusters.get('cluster-1')!.files, notes: result.notes.filter((n) => n.cluster === 'cluster-1').map((n) => n.text) };
}

/** Rules as sorted "group/resource[/name]: verbs" lines (cdk8s-plus writes one rule per resource). */
function rulesOf(objects: readonly K8sObject[], kind: 'ClusterRole' | 'Role', name: string): string[] {
  const rules = (find(objects, kind, name) as K8sObject & { rules: Rule[] }).rules;
  return rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => {
    const names = r.resourceNames && r.resourceNames.length > 0 ? r.resourceNames : [''];
    return names.map((n) => `${g}/${res}${n ? `/${n}` : ''}: ${[...r.verbs].sort().join(',')}`);
  }))).sort();
}

function expectValid(objects: readonly K8sObject[]): void {
  const failures = objects.flatMap((o) => validateObject(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
  expect(failures).toEqual([]);
}

const WEBHOOK_KINDS = ['ValidatingWebhookConfiguration', 'Certificate', 'Issuer'];

describe('reconcile mode (default), sidecar (default)', () => {
  const { objects, notes, files } = clusterOne('{ kind: k8s-workload-registrar }');

  it('writes the HCL config with the registrar keys, meshfed values and upstream defaults', async () => {
    const config = await configOf(objects);
    expect(config).toEqual({
      mode: 'reconcile',
      log_level: 'info',
      trust_domain: 'foo.com',
      cluster: 'cluster-1',
      server_socket_path: '/tmp/spire-server/private/api.sock',
      disabled_namespaces: expect.arrayContaining(['kube-system', 'kube-public', 'spire-server', 'spire-system']),
      leader_election: false,
      leader_election_resource_lock: 'leases',
      metrics_addr: ':8082',
      controller_name: 'spire-k8s-registrar',
      add_pod_dns_names: false,
      cluster_dns_zone: 'cluster.local',
    });
  });

  it('agrees with the server: same trust domain, cluster is a k8s_psat cluster', async () => {
    const config = await configOf(objects);
    const server = JSON.parse((find(objects, 'ConfigMap', 'spire-server', 'spire-server') as K8sObject & { data: Record<string, string> }).data['server.conf']);
    expect(server.server.trust_domain).toBe(config.trust_domain);
    expect(Object.keys(server.plugins.NodeAttestor.k8s_psat.plugin_data.clusters)).toContain(config.cluster);
  });

  it('runs in the server pod, sharing the admin socket, with the reconcile image, probes and resources', () => {
    expect(files.has('25-k8s-workload-registrar.yaml')).toBe(false);
    const sts = find(objects, 'StatefulSet', 'spire-server') as K8sObject & { spec: any };
    const c = sts.spec.template.spec.containers.find((x: { name: string }) => x.name === 'k8s-workload-registrar');
    expect(c.image).toBe(K8S_WORKLOAD_REGISTRAR_IMAGES.reconcile);
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ mountPath: '/tmp/spire-server/private', name: 'spire-server-socket', readOnly: true }]));
    expect(c.livenessProbe.httpGet.port).toBe(8082);
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  it('replaces the controller manager and ClusterSPIFFEID; emits no webhook objects or SpiffeIDs', () => {
    expect(findAll(objects, 'ClusterSPIFFEID')).toEqual([]);
    expect(objects.some((o) => o.metadata.name.startsWith('spire-controller-manager'))).toBe(false);
    for (const kind of [...WEBHOOK_KINDS.filter((k) => k !== 'Issuer'), 'SpiffeID']) {
      expect(objects.filter((o) => o.kind === kind && o.metadata.name.startsWith('k8s-workload-registrar'))).toEqual([]);
    }
    find(objects, 'Service', 'k8s-workload-registrar-metrics', 'spire-server');
  });

  it('grants get/list/watch on pods and nodes only, to the server service account, no leader election role', () => {
    expect(rulesOf(objects, 'ClusterRole', 'k8s-workload-registrar-spire-server')).toEqual(['/nodes: get,list,watch', '/pods: get,list,watch']);
    const binding = find(objects, 'ClusterRoleBinding', 'k8s-workload-registrar-spire-server') as K8sObject & { subjects: { name: string }[] };
    expect(binding.subjects.map((s) => s.name)).toEqual(['spire-server']);
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'k8s-workload-registrar-leader-election')).toEqual([]);
  });

  it('notes deprecation, version skew, parent IDs and the federation annotation for the peers', () => {
    expect(notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/deprecated and unmaintained upstream.*outside SPIRE's supported version skew with the SPIRE 1\.15\.3 server.*controller-manager.*default for new clusters/),
      expect.stringContaining('spiffe://foo.com/spire-k8s-registrar/cluster-1/node/<node>'),
      expect.stringContaining('spiffe.io/federatesWith: "bar.com"'),
    ]));
  });

  it('passes schema validation', () => expectValid(objects));
});

describe('crd mode', () => {
  const { objects, notes } = clusterOne('{ kind: k8s-workload-registrar, mode: crd, identity: pod-annotation }', '    spire: { replicas: 2, datastore: postgres }\n');

  it('writes crd keys, leader election on with two sidecars', async () => {
    const config = await configOf(objects);
    expect(config).toMatchObject({
      mode: 'crd', pod_annotation: 'spiffe.io/spiffe-id', leader_election: true, leader_election_resource_lock: 'leases',
      metrics_bind_addr: ':8082', add_svc_dns_name: true, pod_controller: true, webhook_enabled: false,
    });
    expect(config).not.toHaveProperty('metrics_addr');
    expect(config).not.toHaveProperty('addr');
  });

  it('grants SpiffeID management, endpoints for service DNS names, and leader election on one lease', () => {
    expect(rulesOf(objects, 'ClusterRole', 'k8s-workload-registrar-spire-server')).toEqual([
      '/endpoints: get,list,watch', '/nodes: get,list,watch', '/pods: get,list,watch',
      'spiffeid.spiffe.io/spiffeids/status: get,patch,update', 'spiffeid.spiffe.io/spiffeids: create,delete,get,list,patch,update,watch',
    ]);
    expect(rulesOf(objects, 'Role', 'k8s-workload-registrar-leader-election')).toEqual([
      '/events: create,patch', 'coordination.k8s.io/leases/spire-k8s-registrar-leader-election: get,update', 'coordination.k8s.io/leases: create',
    ]);
  });

  it('has no webhook objects and notes the SpiffeID CRD prerequisite', () => {
    expect(findAll(objects, 'ValidatingWebhookConfiguration').filter((o) => o.metadata.name.startsWith('k8s-workload-registrar'))).toEqual([]);
    expect(notes).toEqual(expect.arrayContaining([expect.stringContaining('install the SpiffeID CRD')]));
  });

  it('passes schema validation', () => expectValid(objects));
});

describe('webhook mode, standalone with two replicas', () => {
  // GKE and EKS cannot present an admission client certificate, so webhook mode loads only without client verification.
  const { objects, files, notes } = clusterOne('{ kind: k8s-workload-registrar, mode: webhook, deployment: standalone, replicas: 2, identity: pod-label, podLabel: app-id, insecureSkipClientVerification: true, acknowledgeInsecureSkipClientVerification: true }');
  const chart = files.get('25-k8s-workload-registrar.yaml')!;

  it('writes webhook keys, server_address with the agent socket, the 1.3.x image', async () => {
    const config = await configOf(objects);
    expect(config).toMatchObject({
      mode: 'webhook', pod_label: 'app-id', addr: ':8443', server_address: 'spire-server.spire-server:8081',
      agent_socket_path: '/spiffe-workload-api/spire-agent.sock', insecure_skip_client_verification: true,
      cert_path: '/run/spire/registrar-tls/tls.crt', key_path: '/run/spire/registrar-tls/tls.key', cacert_path: '/run/spire/registrar-client-ca/ca.crt',
    });
    expect(config).not.toHaveProperty('server_socket_path');
    expect(config).not.toHaveProperty('leader_election');
    const dep = find(chart, 'Deployment', 'k8s-workload-registrar', 'spire-server') as K8sObject & { spec: any };
    expect(dep.spec.template.spec.containers[0].image).toBe('gcr.io/spiffe-io/k8s-workload-registrar:1.3.6');
    expect(dep.spec.template.spec.volumes).toEqual(expect.arrayContaining([expect.objectContaining({ csi: expect.objectContaining({ driver: 'csi.spiffe.io' }) })]));
    expect(dep.spec.template.spec.containers[0].readinessProbe.tcpSocket.port).toBe(8443);
  });

  it('spreads replicas with a PDB and required anti-affinity', () => {
    find(chart, 'PodDisruptionBudget', 'k8s-workload-registrar', 'spire-server');
    const dep = find(chart, 'Deployment', 'k8s-workload-registrar') as K8sObject & { spec: any };
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
  });

  it('registers a pod webhook that never blocks admission, with a cert-manager serving certificate', () => {
    const hook = find(chart, 'ValidatingWebhookConfiguration', 'k8s-workload-registrar-spire-server') as K8sObject & { webhooks: any[] };
    expect(hook.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'spire-server/k8s-workload-registrar-webhook' });
    expect(hook.webhooks[0]).toMatchObject({ failurePolicy: 'Ignore', sideEffects: 'None', rules: [{ resources: ['pods'], operations: ['CREATE', 'DELETE'] }] });
    expect(hook.webhooks[0].clientConfig.service).toMatchObject({ name: 'k8s-workload-registrar-webhook', path: '/validate' });
    const cert = find(chart, 'Certificate', 'k8s-workload-registrar-webhook', 'spire-server') as K8sObject & { spec: any };
    expect(cert.spec.dnsNames).toContain('k8s-workload-registrar-webhook.spire-server.svc');
    expect(cert.spec.secretName).toBe('k8s-workload-registrar-webhook-tls');
    find(chart, 'Service', 'k8s-workload-registrar-webhook', 'spire-server');
  });

  it('needs no Kubernetes API access: no RBAC, no token, no SpiffeIDs', () => {
    expect(chart.filter((o) => ['ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding', 'SpiffeID'].includes(o.kind))).toEqual([]);
    expect((find(chart, 'ServiceAccount', 'k8s-workload-registrar') as K8sObject & { automountServiceAccountToken: boolean }).automountServiceAccountToken).toBe(false);
  });

  it('notes the admin entry and that client verification is off', () => {
    expect(notes).toEqual(expect.arrayContaining([expect.stringContaining('-admin -spiffeID spiffe://foo.com/ns/spire-server/sa/k8s-workload-registrar'), expect.stringContaining('client verification is OFF (acknowledged)')]));
  });

  it('passes schema validation', () => expectValid(objects));
});

describe('reconcile mode, standalone with leader election', () => {
  const { objects, files } = clusterOne('{ kind: k8s-workload-registrar, deployment: standalone, replicas: 3 }');
  it('enables leader election by default, binds RBAC to its own service account', async () => {
    expect(await configOf(objects)).toMatchObject({ leader_election: true, metrics_addr: ':8080', server_address: 'spire-server.spire-server:8081' });
    const chart = files.get('25-k8s-workload-registrar.yaml')!;
    const binding = find(chart, 'RoleBinding', 'k8s-workload-registrar-leader-election') as K8sObject & { subjects: { name: string }[] };
    expect(binding.subjects.map((s) => s.name)).toEqual(['k8s-workload-registrar']);
    expect(rulesOf(chart, 'Role', 'k8s-workload-registrar-leader-election')).toContain('coordination.k8s.io/leases/spire-k8s-registrar-leader-election: get,update');
    expectValid(objects);
  });
});

describe('construct errors', () => {
  const make = (props: Partial<K8sWorkloadRegistrarProps>, serverReplicas = 1) => {
    const chart = new Chart(Testing.app(), 'test');
    const server = new SpireServer(chart, 'Server', {
      trustDomain: 'foo.com', clusterName: 'c1', replicas: serverReplicas,
      dataStore: serverReplicas > 1 ? DataStore.fromTopology('postgres', { name: 'db', key: 'dsn' }) : undefined,
    });
    return () => new K8sWorkloadRegistrar(chart, 'Reg', { server, cluster: 'c1', ...props });
  };

  it.each<[string, Partial<K8sWorkloadRegistrarProps>, RegExp]>([
    ['unknown log level', { logLevel: 'verbose' as never }, /^K8sWorkloadRegistrar\.logLevel: "verbose" is not allowed \(one of: panic \| fatal \| error \| warn \| info \| debug \| trace\)$/],
    ['both server address and socket', { serverAddress: 'spire-server:8081', serverSocketPath: '/tmp/s.sock' }, /^K8sWorkloadRegistrar\.serverAddress: exactly one of serverAddress \("spire-server:8081"\) and serverSocketPath \("\/tmp\/s\.sock"\) must be set/],
    ['pod label with pod annotation', { podLabel: 'a', podAnnotation: 'b' }, /^K8sWorkloadRegistrar\.podLabel: "a" cannot be combined with podAnnotation "b"/],
    ['trust domain mismatch', { trustDomain: 'bar.com' }, /^K8sWorkloadRegistrar\.trustDomain: "bar\.com" differs from the SPIRE server's trust domain "foo\.com"/],
    ['cluster not known to k8s_psat', { cluster: 'other' }, /^K8sWorkloadRegistrar\.cluster: "other" is not a k8s_psat cluster of the SPIRE server \(c1\)/],
    ['insecure skip without acknowledgement', { mode: 'webhook', insecureSkipClientVerification: true }, /^K8sWorkloadRegistrar\.insecureSkipClientVerification: true lets anyone .* set acknowledgeInsecureSkipClientVerification: true/],
    ['standalone replicas without leader election', { deployment: RegistrarDeployment.standalone({ replicas: 2 }) }, /^K8sWorkloadRegistrar\.leaderElection: must be true with 2 registrar replicas, or/],
    ['a webhook key in reconcile mode', { addr: ':9443' }, /^K8sWorkloadRegistrar\.addr: applies only to mode webhook, not reconcile$/],
    ['SpiffeIDs outside crd mode', { mode: 'webhook', deployment: RegistrarDeployment.standalone(), spiffeIds: [] }, /^K8sWorkloadRegistrar\.spiffeIds: applies only to mode crd, not webhook$/],
    ['a sidecar metrics port taken by the server', { metricsAddr: ':8080' }, /^K8sWorkloadRegistrar\.metricsAddr: port 8080 is already used by the SPIRE server in the same pod/],
    ['configmaps lock with leader election', { leaderElection: true, leaderElectionResourceLock: 'configmaps' }, /leaderElectionResourceLock: "configmaps" is no longer supported/],
  ])('%s', (_name, props, expected) => {
    expect(make(props)).toThrow(expected);
  });

  it('rejects two sidecars (two server replicas) without leader election', () => {
    expect(make({ mode: 'crd' }, 2)).toThrow(/^K8sWorkloadRegistrar\.leaderElection: must be true with 2 registrar replicas \(one per SPIRE server replica\)/);
  });

  it('accepts insecure skip with acknowledgement, and warns', () => {
    const reg = make({ mode: 'webhook', deployment: RegistrarDeployment.standalone(), insecureSkipClientVerification: true, acknowledgeInsecureSkipClientVerification: true })();
    expect(reg.warnings).toEqual(expect.arrayContaining([expect.stringContaining('insecure_skip_client_verification = true')]));
    expect(reg.configText).toMatch(/^insecure_skip_client_verification\s+= true$/m);
  });

  it('emits SpiffeID objects in crd mode, typed and schema-valid, and renders identity templates with context', async () => {
    const reg = make({
      mode: 'crd', identityTemplate: 'region/{{.Context.Region}}/ns/{{.Pod.Namespace}}', context: { Region: 'us' },
      spiffeIds: [{ name: 'legacy-db', namespace: 'db', spec: { spiffeId: 'spiffe://foo.com/db', parentId: 'spiffe://foo.com/k8s-workload-registrar/c1/node/n1', selector: { namespace: 'db', podLabel: { app: 'db' } }, federatesWith: ['bar.com'] } }],
    })();
    const objects = Testing.synth(reg.node.scope as Chart) as K8sObject[];
    const sid = find(objects, 'SpiffeID', 'legacy-db', 'db');
    expect(validateObject(sid)).toEqual([]);
    expect(await parse(CONF, reg.configText)).toMatchObject({ identity_template: 'region/{{.Context.Region}}/ns/{{.Pod.Namespace}}', context: { Region: 'us' } });
  });

  it('is deterministic', () => {
    const a = make({ mode: 'crd', dnsNameTemplates: ['{{.Pod.Name}}'] })().configText;
    const b = make({ mode: 'crd', dnsNameTemplates: ['{{.Pod.Name}}'] })().configText;
    expect(a).toBe(b);
  });
});

describe('topology rules', () => {
  it.each<[string, string, RegExp]>([
    ['registrar keys for the controller manager', '{ deployment: standalone }', /clusters\[0\]\.registrar\.deployment: "standalone" applies only to kind k8s-workload-registrar; remove it or set registrar\.kind: k8s-workload-registrar$/],
    ['replicas for a sidecar', '{ kind: k8s-workload-registrar, replicas: 2 }', /clusters\[0\]\.registrar\.replicas: 2 applies only to registrar\.deployment: standalone/],
    ['replicas > 1 without leader election', '{ kind: k8s-workload-registrar, deployment: standalone, replicas: 2, leaderElection: false }', /clusters\[0\]\.registrar\.leaderElection: false is not allowed with 2 registrar replicas in mode reconcile/],
    ['a pod label without identity pod-label', '{ kind: k8s-workload-registrar, podLabel: app }', /clusters\[0\]\.registrar\.podLabel: "app" applies only to registrar\.identity: pod-label \(identity is service-account\)$/],
    ['insecure skip outside webhook mode', '{ kind: k8s-workload-registrar, insecureSkipClientVerification: false }', /clusters\[0\]\.registrar\.insecureSkipClientVerification: false applies only to mode webhook \(mode is reconcile\)$/],
    ['insecure skip without acknowledgement', '{ kind: k8s-workload-registrar, mode: webhook, insecureSkipClientVerification: true }', /clusters\[0\]\.registrar\.insecureSkipClientVerification: true lets anyone .* acknowledgeInsecureSkipClientVerification: true/],
    ['an unknown log level', '{ kind: k8s-workload-registrar, logLevel: verbose }', /clusters\[0\]\.registrar\.logLevel: "verbose" is not allowed \(one of: panic \| fatal \| error \| warn \| info \| debug \| trace\)$/],
  ])('%s', (_name, registrar, expected) => {
    expect(problemsOf(registrarTopology(registrar))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('keeps rejecting mode for the controller manager', () => {
    expect(problemsOf(registrarTopology('{ mode: crd }'))).toEqual(expect.arrayContaining([expect.stringMatching(/registrar\.mode: "crd" applies only to kind k8s-workload-registrar/)]));
  });

  it('resolves defaults', () => {
    const t = loadTopology(registrarTopology('{ kind: k8s-workload-registrar, identity: pod-annotation }'), 'env.yaml');
    expect(t.clusters[0].registrar).toEqual({
      kind: 'k8s-workload-registrar', mode: 'reconcile',
      legacy: {
        deployment: 'sidecar', replicas: 1, leaderElection: false, identity: 'pod-annotation', podAnnotation: 'spiffe.io/spiffe-id',
        logLevel: 'info', insecureSkipClientVerification: false, acknowledgeInsecureSkipClientVerification: false,
      },
    });
  });
});

