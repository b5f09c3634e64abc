/** The SPIRE core of each cluster: configs parsed back and checked to agree across server, agent, CSI driver and Services. */
import { App, Chart } from 'cdk8s';
import {
  CertManagerCa, DataStore, PropsError, RootCaSource, SpireAgent, SpireServer, UpstreamAuthority,
} from '../constructs';
import { validateObject, type K8sObject } from './helpers/schema-validation';
import { configOf, find, findAll, synthTopologyText, twoClusters } from './helpers/synth';

type Pod = { spec: { template: { spec: Record<string, any> } } };
const podSpec = (o: K8sObject) => (o as unknown as Pod).spec.template.spec;

describe('dev-like cluster', () => {
  const { clusters } = synthTopologyText(twoClusters());
  const objects = clusters.get('cluster-1')!.objects;
  const server = configOf(objects, 'spire-server', 'spire-server', 'server.conf');
  const agent = configOf(objects, 'spire-agent', 'spire-system', 'agent.conf');

  it('server and agent agree on the trust domain, and it is the cluster\'s', () => {
    expect(server.server.trust_domain).toBe('foo.com');
    expect(agent.agent.trust_domain).toBe('foo.com');
    expect(configOf(clusters.get('cluster-2')!.objects, 'spire-server', 'spire-server', 'server.conf').server.trust_domain).toBe('bar.com');
  });

  it('agents dial the server Service on the server\'s bind port', () => {
    const svc = find(objects, 'Service', 'spire-server', 'spire-server') as any;
    expect(agent.agent.server_address).toBe('spire-server.spire-server');
    expect(agent.agent.server_port).toBe(server.server.bind_port);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 8081, targetPort: 8081 })]);
    const sts = find(objects, 'StatefulSet', 'spire-server', 'spire-server') as any;
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
  });

  it('k8s_psat: the server knows the agent\'s cluster name and service account, and the token audience matches', () => {
    const psat = server.plugins.NodeAttestor.k8s_psat.plugin_data;
    expect(Object.keys(psat.clusters)).toEqual([agent.plugins.NodeAttestor.k8s_psat.plugin_data.cluster]);
    expect(psat.clusters['cluster-1'].service_account_allow_list).toEqual(['spire-system:spire-agent']);
    const ds = podSpec(find(objects, 'DaemonSet', 'spire-agent', 'spire-system'));
    expect(ds.serviceAccountName).toBe('spire-agent');
    const token = ds.volumes.find((v: any) => v.name === 'spire-token').projected.sources[0].serviceAccountToken;
    expect(token.audience).toBe('spire-server');
    const mount = ds.containers[0].volumeMounts.find((m: any) => m.name === 'spire-token');
    expect(`${mount.mountPath}/${token.path}`).toBe(agent.plugins.NodeAttestor.k8s_psat.plugin_data.token_path);
  });

  it('the bundle the server publishes is the one the agent bootstraps from', () => {
    const publisher = server.plugins.BundlePublisher.k8s_configmap.plugin_data.clusters['cluster-1'];
    expect(publisher).toEqual({ configmap_name: 'spire-bundle', configmap_key: 'bundle.crt', namespace: 'spire-system', format: 'pem' });
    const ds = podSpec(find(objects, 'DaemonSet', 'spire-agent', 'spire-system'));
    const bundleVolume = ds.volumes.find((v: any) => v.configMap?.name === publisher.configmap_name);
    const mount = ds.containers[0].volumeMounts.find((m: any) => m.name === bundleVolume.name);
    expect(`${mount.mountPath}/${publisher.configmap_key}`).toBe(agent.agent.trust_bundle_path);
    expect(agent.agent.trust_bundle_format).toBe('pem');
    find(objects, 'ConfigMap', 'spire-bundle', 'spire-system');
    const role = find(objects, 'Role', 'spire-server-bundle', 'spire-system') as any;
    expect(role.rules).toEqual([expect.objectContaining({ resources: ['configmaps'], resourceNames: ['spire-bundle'], verbs: ['get', 'patch'] })]);
  });

  it('the Workload API socket dir is the same host dir for the agent and the CSI driver', () => {
    const ds = podSpec(find(objects, 'DaemonSet', 'spire-agent', 'spire-system'));
    const hostDir = ds.volumes.find((v: any) => v.hostPath).hostPath.path;
    const socketMount = ds.containers[0].volumeMounts.find((m: any) => m.name === ds.volumes.find((v: any) => v.hostPath).name);
    expect(agent.agent.socket_path).toBe(`${socketMount.mountPath}/spire-agent.sock`);
    const csi = podSpec(find(objects, 'DaemonSet', 'spiffe-csi-driver', 'spire-system'));
    const csiVolume = csi.volumes.find((v: any) => v.hostPath?.path === hostDir);
    expect(csiVolume).toBeDefined();
    const driver = csi.containers.find((c: any) => c.name === 'spiffe-csi-driver');
    const csiMount = driver.volumeMounts.find((m: any) => m.name === csiVolume.name);
    expect(driver.args[driver.args.indexOf('-workload-api-socket-dir') + 1]).toBe(csiMount.mountPath);
    expect(driver.args[driver.args.indexOf('-plugin-name') + 1]).toBe('csi.spiffe.io');
    find(objects, 'CSIDriver', 'csi.spiffe.io');
  });

  it('the agent runs with hostPID and resource requests, and nothing else relaxed', () => {
    const ds = podSpec(find(objects, 'DaemonSet', 'spire-agent', 'spire-system'));
    expect(ds.hostPID).toBe(true);
    expect(ds.hostNetwork).toBeFalsy();
    const c = ds.containers[0];
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(c.resources.limits.memory).toBe('512Mi');
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // GKE (twoClusters): the kubelet by host IP, unverified (PROVIDER_KUBELET_ACCESS); spire-startup.test.ts covers EKS.
    expect(agent.plugins.WorkloadAttestor.k8s.plugin_data).toEqual({ node_name_env: 'MY_NODE_IP', skip_kubelet_verification: true });
    expect(c.env).toEqual([expect.objectContaining({ name: 'MY_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } })]);
    // The only root container is the socket-dir-owner init container (CHOWN only).
    expect(ds.initContainers.map((i: any) => [i.name, i.securityContext.capabilities.add])).toEqual([['socket-dir-owner', ['CHOWN']]]);
  });

  it('exposes the agent resilience settings', () => {
    expect(agent.agent.rebootstrap_mode).toBe('auto');
    expect(agent.agent.rebootstrap_delay).toBe('10m');
    expect(agent.agent.experimental).toEqual({ sync_interval: '5s' });
    expect(agent.agent).not.toHaveProperty('retry_bootstrap');
    expect(agent.telemetry.Prometheus.port).toBe(9988);
    expect(server.telemetry.Prometheus.port).toBe(9988);
  });

  it('signs the server CA through cert-manager in its own namespace (meshfed-ca): self-signed issuer -> root Certificate -> CA Issuer', () => {
    const ua = server.plugins.UpstreamAuthority['cert-manager'].plugin_data;
    expect(ua).toEqual({ issuer_name: 'spire-ca', issuer_kind: 'Issuer', issuer_group: 'cert-manager.io', namespace: 'meshfed-ca' });
    const caIssuer = find(objects, 'Issuer', 'spire-ca', 'meshfed-ca') as any;
    const root = find(objects, 'Certificate', 'spire-root-ca', 'meshfed-ca') as any;
    expect(caIssuer.spec.ca.secretName).toBe(root.spec.secretName);
    expect(root.spec).toMatchObject({ isCA: true, uris: ['spiffe://foo.com'], issuerRef: { name: 'spire-selfsigned', kind: 'Issuer' } });
    expect((find(objects, 'Issuer', 'spire-selfsigned', 'meshfed-ca') as any).spec).toEqual({ selfSigned: {} });
    // The server's CertificateRequests go where the Issuer is, and it may create them only there.
    const role = find(objects, 'Role', 'spire-server-upstream-ca', 'meshfed-ca') as any;
    expect(role.rules[0]).toMatchObject({ apiGroups: ['cert-manager.io'], resources: ['certificaterequests'] });
    expect(role.rules[0].verbs).toContain('create');
    expect(objects.filter((o) => o.kind === 'ClusterIssuer')).toEqual([]);
  });

  it('keeps sqlite on a per-replica volume by default, with a single replica', () => {
    expect(server.plugins.DataStore.sql.plugin_data).toEqual({ database_type: 'sqlite3', connection_string: '/run/spire/data/datastore.sqlite3' });
    const sts = find(objects, 'StatefulSet', 'spire-server', 'spire-server') as any;
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    expect(findAll(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  it('runs spire-controller-manager next to the server with its class and trust domain', () => {
    const sts = find(objects, 'StatefulSet', 'spire-server', 'spire-server') as any;
    const names = sts.spec.template.spec.containers.map((c: any) => c.name);
    expect(names).toEqual(['spire-server', 'spire-controller-manager']);
    const cm = configOf(objects, 'spire-controller-manager', 'spire-server', 'controller-manager-config.yaml');
    expect(cm).toMatchObject({ trustDomain: 'foo.com', clusterName: 'cluster-1', className: 'meshfed', spireServerSocketPath: server.server.socket_path });
    const id = find(objects, 'ClusterSPIFFEID', 'meshfed-workloads') as any;
    expect(id.spec.className).toBe('meshfed');
    expect(id.spec.spiffeIDTemplate).toBe('spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}');
    expect(id.spec.namespaceSelector.matchExpressions[0]).toMatchObject({ operator: 'NotIn', values: expect.arrayContaining(['kube-system', 'spire-server', 'spire-system']) });
  });

  it('gives every container requests, a memory limit, a pinned image and a restricted context (CSI driver excepted)', () => {
    for (const o of objects.filter((x) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(x.kind))) {
      for (const c of podSpec(o).containers) {
        expect(c.image).toMatch(/:[\w.-]+$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.resources.requests.cpu).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
        expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        if (o.metadata.name !== 'spiffe-csi-driver') expect(c.securityContext.runAsNonRoot).toBe(true);
      }
    }
  });

  it('labels the namespaces with the Pod Security level their workloads need', () => {
    expect((find(objects, 'Namespace', 'spire-server') as any).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect((find(objects, 'Namespace', 'spire-system') as any).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
});

describe('replicated server on postgres', () => {
  const { clusters } = synthTopologyText(twoClusters('    spire: { replicas: 3, datastore: postgres }'));
  const objects = clusters.get('cluster-1')!.objects;
  const server = configOf(objects, 'spire-server', 'spire-server', 'server.conf');
  const sts = find(objects, 'StatefulSet', 'spire-server', 'spire-server') as any;

  it('reads the connection string from a Secret through -expandEnv, never inlining it', () => {
    expect(server.plugins.DataStore.sql.plugin_data).toEqual({ database_type: 'postgres', connection_string: '${SPIRE_DATASTORE_CONNECTION_STRING}' });
    const c = sts.spec.template.spec.containers[0];
    expect(c.args).toContain('-expandEnv');
    expect(c.env).toEqual([{ name: 'SPIRE_DATASTORE_CONNECTION_STRING', valueFrom: { secretKeyRef: { name: 'spire-datastore', key: 'connection-string' } } }]);
  });

  it('spreads replicas over nodes and keeps a PodDisruptionBudget', () => {
    expect(sts.spec.replicas).toBe(3);
    const term = sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.labelSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    const pdb = find(objects, 'PodDisruptionBudget', 'spire-server', 'spire-server') as any;
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: sts.spec.selector.matchLabels } });
    expect(validateObject(pdb)).toEqual([]);
  });
});

describe('construct props validation', () => {
  const chart = () => new Chart(new App(), 'c');
  it.each([
    [() => new SpireServer(chart(), 's', { trustDomain: 'Foo.com', clusterName: 'c' }), 'SpireServer.trustDomain: "Foo.com" is not a valid SPIFFE trust domain: it has characters outside the allowed set'],
    [() => new SpireServer(chart(), 's', { trustDomain: 'foo.com', clusterName: 'c', replicas: 2 }), 'SpireServer.replicas: 2 requires a postgres or mysql DataStore'],
    [() => new SpireServer(chart(), 's', { trustDomain: 'foo.com', clusterName: 'c', replicas: 0, dataStore: DataStore.mysql({ name: 'db', key: 'dsn' }) }), 'SpireServer.replicas: 0 must be a whole number from 1 to 9'],
    [() => new SpireServer(chart(), 's', { trustDomain: 'foo.com', clusterName: 'c', caTtl: '1 day' }), 'SpireServer.caTtl: "1 day" is not a Go duration'],
    [() => new SpireAgent(chart(), 'a', { trustDomain: 'foo.com', clusterName: 'c', serverAddress: 's', syncInterval: 'fast' }), 'SpireAgent.syncInterval: "fast" is not a Go duration'],
    [() => DataStore.postgres({ name: 'Bad_Name', key: 'k' }), 'DataStore.secretRef.name: "Bad_Name" must be a DNS label'],
    [() => UpstreamAuthority.certManager({ issuerName: '', namespace: 'ns' }), 'UpstreamAuthority.certManager.issuerName: must not be empty'],
    [() => new CertManagerCa(chart(), 'ca', { trustDomain: 'foo.com', root: RootCaSource.existingSecret('Not Valid') }), 'RootCaSource.existingSecret: "Not Valid" must be a DNS label'],
  ])('rejects bad props with a PropsError naming the prop (%#)', (build, message) => {
    expect(build).toThrow(PropsError);
    expect(build).toThrow(message);
  });

  it('uses a supplied root key pair instead of generating one', () => {
    const c = chart();
    new CertManagerCa(c, 'ca', { trustDomain: 'foo.com', root: RootCaSource.existingSecret('foo-root') });
    const objs = c.toJson() as K8sObject[];
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Issuer/spire-ca']);
    expect((objs[0] as any).spec.ca.secretName).toBe('foo-root');
  });
});
