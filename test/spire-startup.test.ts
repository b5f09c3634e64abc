/**
 * What a real cluster needs of the SPIRE layer beyond valid schemas (issue #9): the settings each fix
 * depends on, pinned per construct. The image and provider side is checked generically in
 * platform-facts.test.ts.
 */
import { App, Chart } from 'cdk8s';
import {
  CA_NAMESPACE, K8sWorkloadRegistrar, OidcDiscoveryProvider, RegistrarDeployment, SpireControllerManager, SpireServer, SYSTEM_NAMESPACES,
} from '../constructs';
import { configOf, find, findAll, podSpec, problemsOf, synthShared, synthTopologyText, twoClusters, type ManifestObject as Obj } from './helpers/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

const nestedTopology = (childSpire = '') => `environment: nest
clusters:
  - name: root
    provider: gke
    region: us-central1
    trustDomain: foo.com
    cidr: 10.1.0.0/16
    serverEndpoint: { address: 203.0.113.5 }
  - name: kid
    provider: eks
    region: eu-west-1
    nestedUnder: root
    cidr: 10.2.0.0/16
${childSpire}`;

describe('agent DaemonSets (points 1, 2, 6)', () => {
  const { clusters } = synthShared(nestedTopology());
  const root = clusters.get('root')!.objects;
  const kid = clusters.get('kid')!.objects;

  it.each([['spire-agent', '/run/spire/agent-sockets'], ['spire-agent-upstream', '/run/spire/agent-sockets-upstream']])(
    '%s: a root init container chowns only its socket hostPath to the agent uid, with CHOWN alone', (name, hostDir) => {
      // Why no node needs preparing: kubelet makes a missing DirectoryOrCreate path root-owned 0755
      // (kubernetes/kubernetes pkg/volume/hostpath/host_path.go, makeDir), and this init container hands it
      // to uid 1000 on every pod start (README Deploy step 4).
      const spec = podSpec(find(kid, 'DaemonSet', name, 'spire-system'));
      expect(spec.initContainers).toHaveLength(1);
      const init = spec.initContainers[0];
      expect(init).toMatchObject({
        name: 'socket-dir-owner',
        command: ['chown', '1000:1000', '/tmp/spire-agent/public'],
        securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['CHOWN'] } },
      });
      expect(init.volumeMounts).toEqual([{ name: 'spire-agent-socket-dir', mountPath: '/tmp/spire-agent/public' }]);
      expect(spec.volumes.find((v: any) => v.name === 'spire-agent-socket-dir').hostPath.path).toBe(hostDir);
      // The agent itself stays non-root.
      expect(spec.securityContext.runAsUser).toBe(1000);
      expect(spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    });

  it('GKE gets a ResourceQuota in spire-system scoped to system-node-critical; EKS none', () => {
    const quota = find(root, 'ResourceQuota', 'critical-pods', 'spire-system') as Obj;
    expect(quota.spec.scopeSelector).toEqual({ matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-node-critical'] }] });
    expect(findAll(kid, 'ResourceQuota')).toEqual([]);
  });

  it('GKE agents dial the kubelet at the host IP without verification; EKS by node name, verified', () => {
    const gke = configOf(root, 'spire-agent', 'spire-system', 'agent.conf').plugins.WorkloadAttestor.k8s.plugin_data;
    expect(gke).toEqual({ node_name_env: 'MY_NODE_IP', skip_kubelet_verification: true });
    expect(podSpec(find(root, 'DaemonSet', 'spire-agent', 'spire-system')).containers[0].env)
      .toEqual([{ name: 'MY_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }]);
    for (const name of ['spire-agent', 'spire-agent-upstream']) {
      const eks = configOf(kid, name, 'spire-system', 'agent.conf').plugins.WorkloadAttestor.k8s.plugin_data;
      expect(eks).toEqual({ node_name_env: 'MY_NODE_NAME', skip_kubelet_verification: false });
    }
  });
});

describe('server pod (points 3, 4, 8, 11)', () => {
  const { clusters } = synthShared(nestedTopology());
  const root = clusters.get('root')!.objects;
  const kid = clusters.get('kid')!.objects;

  it('spire-controller-manager has a writable /tmp (memory emptyDir) for its webhook key pair', () => {
    const spec = podSpec(find(root, 'StatefulSet', 'spire-server', 'spire-server'));
    const cm = spec.containers.find((c: any) => c.name === 'spire-controller-manager');
    expect(cm.securityContext.readOnlyRootFilesystem).toBe(true);
    const mount = cm.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(mount.readOnly).toBeUndefined();
    expect(spec.volumes.find((v: any) => v.name === mount.name).emptyDir).toEqual({ medium: 'Memory', sizeLimit: '8Mi' });
  });

  it('wait-for-upstream-svid runs `spire-agent api fetch x509` as its command, not as args to `spire-agent run`', () => {
    const init = podSpec(find(kid, 'StatefulSet', 'spire-server', 'spire-server')).initContainers[0];
    expect(init.name).toBe('wait-for-upstream-svid');
    expect(init.command.slice(0, 4)).toEqual(['/opt/spire/bin/spire-agent', 'api', 'fetch', 'x509']);
    expect(init.args).toBeUndefined();
  });

  it('the controller manager owns only entries with its entryIDPrefix, and may update finalizers like upstream', () => {
    const cm = find(root, 'ConfigMap', 'spire-controller-manager', 'spire-server') as Obj;
    expect(JSON.parse(cm.data['controller-manager-config.yaml']).entryIDPrefix).toBe('meshfed');
    const rules = (find(root, 'ClusterRole', 'spire-controller-manager-spire-server') as Obj).rules;
    const finalizers = rules.filter((r: any) => r.resources.some((x: string) => x.endsWith('/finalizers')));
    expect(finalizers.flatMap((r: any) => r.resources).sort()).toEqual(['clusterfederatedtrustdomains/finalizers', 'clusterspiffeids/finalizers', 'clusterstaticentries/finalizers']);
    expect(new Set(finalizers.flatMap((r: any) => r.verbs))).toEqual(new Set(['update']));
  });

  it('the StatefulSet is governed by a headless Service; agents keep the ClusterIP one', () => {
    const sts = find(root, 'StatefulSet', 'spire-server', 'spire-server') as Obj;
    expect(sts.spec.serviceName).toBe('spire-server-headless');
    const headless = find(root, 'Service', 'spire-server-headless', 'spire-server') as Obj;
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(sts.spec.selector.matchLabels);
    const api = find(root, 'Service', 'spire-server', 'spire-server') as Obj;
    expect(api.spec.clusterIP).toBeUndefined();
    expect(api.spec.selector).toEqual(sts.spec.selector.matchLabels);
  });

  it('the generated root CA Certificate names its key usages', () => {
    const { clusters: dev } = synthTopologyText(twoClusters());
    const root = find(dev.get('cluster-1')!.objects, 'Certificate', 'spire-root-ca', CA_NAMESPACE) as Obj;
    expect(root.spec.usages).toEqual(['cert sign', 'crl sign', 'digital signature']);
  });

  it('entryIdPrefix must be a short label', () => {
    const server = new SpireServer(new Chart(new App(), 'c'), 's', { trustDomain: 'foo.com', clusterName: 'c1' });
    expect(() => new SpireControllerManager(server, 'cm', { server, clusterName: 'c1', entryIdPrefix: 'Meshfed.' }))
      .toThrow('SpireControllerManager.entryIdPrefix: "Meshfed." must be 1-32 lowercase letters, digits or "-", starting with a letter or digit');
  });
});

describe('legacy registrar webhook mode (point 5, 11)', () => {
  it('runs standalone by default, pins 1.3.6 and offers admission review v1 and v1beta1', () => {
    const { clusters } = synthTopologyText(twoClusters('    registrar: { kind: k8s-workload-registrar, mode: webhook, insecureSkipClientVerification: true, acknowledgeInsecureSkipClientVerification: true }'));
    const objects = clusters.get('cluster-1')!.objects;
    const deployment = find(objects, 'Deployment', 'k8s-workload-registrar', 'spire-server');
    expect(podSpec(deployment).containers[0].image).toBe('gcr.io/spiffe-io/k8s-workload-registrar:1.3.6');
    expect(podSpec(find(objects, 'StatefulSet', 'spire-server', 'spire-server')).containers.map((c: any) => c.name)).toEqual(['spire-server']);
    const hook = find(objects, 'ValidatingWebhookConfiguration', 'k8s-workload-registrar-spire-server') as Obj;
    expect(hook.webhooks[0].admissionReviewVersions).toEqual(['v1', 'v1beta1']);
  });

  it.each([
    ['as a sidecar', '{ kind: k8s-workload-registrar, mode: webhook, deployment: sidecar, insecureSkipClientVerification: true, acknowledgeInsecureSkipClientVerification: true }',
      /clusters\[0\]\.registrar\.deployment: "sidecar" is not allowed in mode webhook: .* use deployment: standalone \(the default in webhook mode\)$/],
    ['with client verification on a managed control plane', '{ kind: k8s-workload-registrar, mode: webhook }',
      /clusters\[0\]\.registrar\.mode: "webhook" cannot work on gke: the registrar verifies the API server's admission client certificate, .* use mode reconcile or crd/],
  ])('is refused at load time %s', (_name, registrar, expected) => {
    expect(problemsOf(twoClusters(`    registrar: ${registrar}`))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  const server = () => new SpireServer(new Chart(new App(), 'c'), 's', { trustDomain: 'foo.com', clusterName: 'c1', federation: { bundleEndpoint: { port: 8443, refreshHint: '300s' } } });

  it('the construct refuses a webhook sidecar', () => {
    const s = server();
    expect(() => new K8sWorkloadRegistrar(s, 'r', { server: s, cluster: 'c1', mode: 'webhook', deployment: RegistrarDeployment.sidecar() }))
      .toThrow("K8sWorkloadRegistrar.deployment: webhook mode runs only as RegistrarDeployment.standalone(); a sidecar that exits would take the SPIRE server pod's readiness with it");
  });

  it('a sidecar may not take the bundle endpoint port', () => {
    const s = server();
    expect(() => new K8sWorkloadRegistrar(s, 'r', { server: s, cluster: 'c1', metricsAddr: ':8443' }))
      .toThrow('K8sWorkloadRegistrar.metricsAddr: port 8443 is already used by the SPIRE server in the same pod (8081, 8080, 9988, 8443)');
  });
});

describe('OIDC discovery provider (point 7)', () => {
  it('runs in its own restricted namespace, which the controller manager watches and the ClusterSPIFFEID selects', () => {
    const { clusters } = synthTopologyText(twoClusters('    spire: { oidcDiscovery: { enabled: true } }'));
    const objects = clusters.get('cluster-1')!.objects;
    const ns = find(objects, 'Namespace', 'spire-oidc') as Obj;
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    find(objects, 'Deployment', 'spire-oidc-discovery-provider', 'spire-oidc');
    const ignored = JSON.parse((find(objects, 'ConfigMap', 'spire-controller-manager', 'spire-server') as Obj).data['controller-manager-config.yaml']).ignoreNamespaces;
    expect(ignored).not.toContain('spire-oidc');
    const id = find(objects, 'ClusterSPIFFEID', 'spire-oidc-discovery-provider') as Obj;
    expect(id.spec.namespaceSelector.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['spire-oidc'] }]);
  });

  it('refuses a namespace the controller manager ignores', () => {
    expect(SYSTEM_NAMESPACES).toContain('spire-server');
    expect(() => new OidcDiscoveryProvider(new Chart(new App(), 'c'), 'o', { trustDomain: 'foo.com', domains: ['oidc.foo.com'], namespace: 'spire-server' }))
      .toThrow('OidcDiscoveryProvider.namespace: "spire-server" is ignored by spire-controller-manager, so the provider would never get an SVID; use a namespace of its own (default spire-oidc)');
  });
});

describe('datastore and nesting guidance (points 9, 10, 11)', () => {
  it('a single sqlite server gets node-death instructions in NOTES; postgres gets the Secret to create', () => {
    const { result } = synthTopologyText(twoClusters('    spire: { replicas: 2, datastore: postgres }'));
    const notes = (c: string) => result.notes.filter((n) => n.cluster === c).map((n) => n.text);
    expect(notes('cluster-2')).toEqual(expect.arrayContaining([expect.stringMatching(
      /^SPIRE datastore \(sqlite, one server\): .* node\.kubernetes\.io\/out-of-service=nodeshutdown:NoExecute.* delete pod spire-server-0 --grace-period=0 --force.*postgres or mysql with spire\.replicas 2 or more\.$/)]));
    expect(notes('cluster-1')).toEqual(expect.arrayContaining([expect.stringMatching(/^SPIRE datastore \(postgres\): create Secret spire-server\/spire-datastore with key connection-string/)]));
    const runbook = (i: number) => result.clusters[i].documents?.get('RUNBOOK.md') ?? '';
    expect(runbook(1)).toMatch(/## \d+\. When the node of the single sqlite SPIRE server dies\n/);
    expect(runbook(1)).toContain('kubectl --context=cluster-2 taint node <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute');
    expect(runbook(0)).not.toContain('taint node');
  });

  it('a nested child defaults to half its parent\'s caTtl', () => {
    const { clusters } = synthShared(nestedTopology());
    expect(configOf(clusters.get('root')!.objects, 'spire-server', 'spire-server', 'server.conf').server.ca_ttl).toBe('24h');
    expect(configOf(clusters.get('kid')!.objects, 'spire-server', 'spire-server', 'server.conf').server.ca_ttl).toBe('12h');
  });

  it('a nested child may not ask for its parent\'s CA lifetime', () => {
    expect(problemsOf(nestedTopology('    spire: { caTtl: 24h }'))).toEqual([
      expect.stringMatching(/clusters\[1\]\.spire\.caTtl: "24h" must be shorter than the caTtl of root \(24h\): a nested server's CA is signed by its parent's and never outlives it \(leave it unset for half the parent's\)$/),
    ]);
  });

  it('the RUNBOOK does not wait for a nested parent\'s server before its children exist', () => {
    const { result } = synthShared(nestedTopology());
    const runbook = (name: string) => result.clusters.find((c) => c.cluster === name)?.documents?.get('RUNBOOK.md') ?? '';
    expect(runbook('root')).toContain('# later, once Secret spire-server/spire-nested-kubeconfigs exists (NOTES.md; needs kid installed): kubectl --context=root -n spire-server rollout status statefulset/spire-server --timeout=5m');
    expect(runbook('kid')).toContain('\nkubectl --context=kid -n spire-server rollout status statefulset/spire-server --timeout=5m');
  });
});
