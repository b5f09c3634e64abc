/** Nested SPIRE: a root with two nested children, federated with a third trust domain. */
import { join } from 'node:path';
import { configOf, find, findAll, podSpec, synthTopologyText, type ManifestObject as Obj, type SynthesizedCluster } from './helpers/synth';
import { validateObject } from './helpers/schema-validation';

const FIXTURES = join(__dirname, 'fixtures');

const nested = (serverAddress = true) => `environment: nest
clusters:
  - name: root
    provider: gke
    region: us-central1
    trustDomain: foo.com
    cidr: 10.1.0.0/16
    rootCa:
      certificateFile: ${join(FIXTURES, 'foo.com.pem')}
    bundleEndpoint:
      address: 203.0.113.1
${serverAddress ? '    serverEndpoint:\n      address: spire.root.foo.com\n      port: 443\n' : ''}  - name: kid-a
    provider: gke
    region: us-east1
    nestedUnder: root
    cidr: 10.2.0.0/16
  - name: kid-b
    provider: eks
    region: eu-west-1
    nestedUnder: root
    cidr: 10.3.0.0/16
  - name: other
    provider: gke
    region: us-central1
    trustDomain: bar.com
    cidr: 10.4.0.0/16
    rootCa:
      certificateFile: ${join(FIXTURES, 'bar.com.pem')}
    bundleEndpoint:
      address: 203.0.113.2
federation: full-mesh
`;

const serverConf = (c: SynthesizedCluster) => configOf(c.objects, 'spire-server', 'spire-server', 'server.conf');

describe('nested root with two children, federated with a third trust domain', () => {
  const { clusters, result } = synthTopologyText(nested());
  const root = clusters.get('root')!;
  const kids = ['kid-a', 'kid-b'];

  it('configures the root k8s_psat attestor and BundlePublisher for each child through its kubeconfig file', () => {
    const conf = serverConf(root);
    expect(conf.plugins.UpstreamAuthority['cert-manager']).toBeDefined();
    const psat = conf.plugins.NodeAttestor.k8s_psat.plugin_data.clusters;
    expect(Object.keys(psat)).toEqual(['kid-a', 'kid-b', 'root']);
    const publisher = conf.plugins.BundlePublisher.k8s_configmap.plugin_data.clusters;
    for (const kid of kids) {
      expect(psat[kid]).toEqual({ service_account_allow_list: ['spire-system:spire-agent-upstream'], kube_config_file: `/run/spire/nested-kubeconfigs/${kid}` });
      expect(publisher[kid]).toEqual({ configmap_name: 'spire-bundle-upstream', configmap_key: 'bundle.crt', namespace: 'spire-system', format: 'pem', kubeconfig_path: `/run/spire/nested-kubeconfigs/${kid}` });
    }
    const spec = podSpec(find(root.objects, 'StatefulSet', 'spire-server', 'spire-server') as Obj);
    const vol = spec.volumes.find((v: Obj) => v.secret?.secretName === 'spire-nested-kubeconfigs');
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: vol.name, mountPath: '/run/spire/nested-kubeconfigs', readOnly: true });
  });

  it('registers each child server as downstream under a node alias of that child', () => {
    for (const kid of kids) {
      const alias = find(root.objects, 'ClusterStaticEntry', `nested-${kid}-nodes`) as Obj;
      expect(alias.spec).toEqual({ className: 'meshfed', parentID: 'spiffe://foo.com/spire/server', spiffeID: `spiffe://foo.com/k8s-cluster/${kid}`, selectors: [`k8s_psat:cluster:${kid}`] });
      const server = find(root.objects, 'ClusterStaticEntry', `nested-${kid}-server`) as Obj;
      expect(server.spec).toEqual({ className: 'meshfed', parentID: `spiffe://foo.com/k8s-cluster/${kid}`, spiffeID: `spiffe://foo.com/k8s-cluster/${kid}/spire-server`, selectors: ['k8s:ns:spire-server', 'k8s:sa:spire-server'], downstream: true });
    }
    const svc = find(root.objects, 'Service', 'spire-server-nested', 'spire-server') as Obj;
    expect(svc.spec.ports).toEqual([{ name: 'grpc', port: 443, targetPort: 8081, protocol: 'TCP' }]);
  });

  describe.each(['kid-a', 'kid-b'])('child %s', (kid) => {
    const c = clusters.get(kid)!;
    const upstreamAgent = find(c.objects, 'DaemonSet', 'spire-agent-upstream', 'spire-system') as Obj;
    const upstreamConf = configOf(c.objects, 'spire-agent-upstream', 'spire-system', 'agent.conf');
    const upstreamCsi = find(c.objects, 'DaemonSet', 'spiffe-csi-driver-upstream', 'spire-system') as Obj;
    const server = find(c.objects, 'StatefulSet', 'spire-server', 'spire-server') as Obj;
    const conf = serverConf(c);

    it('runs an upstream agent attesting to the root, bootstrapped from spire-bundle-upstream', () => {
      expect(upstreamConf.agent).toMatchObject({ server_address: 'spire.root.foo.com', server_port: '443', trust_domain: 'foo.com' });
      expect(upstreamConf.plugins.NodeAttestor.k8s_psat.plugin_data.cluster).toBe(kid);
      const bundle = podSpec(upstreamAgent).volumes.find((v: Obj) => v.configMap?.name === 'spire-bundle-upstream');
      expect(bundle.configMap.items).toEqual([{ key: 'bundle.crt', path: 'bundle.crt' }]);
      expect(find(c.objects, 'ConfigMap', 'spire-bundle-upstream', 'spire-system').data).toBeUndefined();
    });

    it('wires upstream agent, upstream CSI driver and nested server by the same socket dir and driver name', () => {
      const hostDir = (ds: Obj, name: string) => podSpec(ds).volumes.find((v: Obj) => v.name === name).hostPath.path;
      expect(hostDir(upstreamAgent, 'spire-agent-socket-dir')).toBe('/run/spire/agent-sockets-upstream');
      expect(hostDir(upstreamCsi, 'spire-agent-socket-dir')).toBe('/run/spire/agent-sockets-upstream');
      expect(podSpec(upstreamCsi).containers[0].args).toEqual(expect.arrayContaining(['-plugin-name', 'upstream.csi.spiffe.io']));
      find(c.objects, 'CSIDriver', 'upstream.csi.spiffe.io');
      const socketName = upstreamConf.agent.socket_path.split('/').pop();
      const spec = podSpec(server);
      const csi = spec.volumes.find((v: Obj) => v.csi?.driver === 'upstream.csi.spiffe.io');
      const mount = spec.containers[0].volumeMounts.find((m: Obj) => m.name === csi.name);
      expect(conf.plugins.UpstreamAuthority.spire.plugin_data).toEqual({ server_address: 'spire.root.foo.com', server_port: '443', workload_api_socket: `${mount.mountPath}/${socketName}` });
      const init = spec.initContainers.find((x: Obj) => x.name === 'wait-for-upstream-svid');
      expect(init.command).toEqual(expect.arrayContaining(['-socketPath', `${mount.mountPath}/${socketName}`]));
      expect(init.volumeMounts).toContainEqual({ name: csi.name, mountPath: mount.mountPath, readOnly: true });
    });

    it('keeps the downstream agent and CSI driver on the nested server and the default names', () => {
      const agentConf = configOf(c.objects, 'spire-agent', 'spire-system', 'agent.conf');
      expect(agentConf.agent).toMatchObject({ server_address: 'spire-server.spire-server', trust_domain: 'foo.com' });
      expect(agentConf.agent.socket_path).toBe(upstreamConf.agent.socket_path);
      const agent = find(c.objects, 'DaemonSet', 'spire-agent', 'spire-system') as Obj;
      expect(podSpec(agent).volumes.find((v: Obj) => v.name === 'spire-agent-socket-dir').hostPath.path).toBe('/run/spire/agent-sockets');
      find(c.objects, 'CSIDriver', 'csi.spiffe.io');
      expect(conf.server.trust_domain).toBe('foo.com');
      expect(conf.plugins.UpstreamAuthority['cert-manager']).toBeUndefined();
      expect(c.files.has('10-cert-manager-ca.yaml')).toBe(false);
    });

    it('lets the root identity review tokens and patch only the upstream bundle ConfigMap', () => {
      const role = find(c.objects, 'Role', 'spire-parent-server-bundle', 'spire-system') as Obj;
      expect(role.rules).toEqual([{ apiGroups: [''], resourceNames: ['spire-bundle-upstream'], resources: ['configmaps'], verbs: ['get', 'patch'] }]);
      const binding = find(c.objects, 'RoleBinding', 'spire-parent-server-bundle', 'spire-system') as Obj;
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'spire-parent-server', namespace: 'spire-system', apiGroup: '' }]);
      const cr = find(c.objects, 'ClusterRole', 'spire-parent-server-spire-system') as Obj;
      expect(cr.rules).toContainEqual(expect.objectContaining({ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }));
      expect((find(c.objects, 'Secret', 'spire-parent-server-token', 'spire-system') as Obj).type).toBe('kubernetes.io/service-account-token');
    });

    it('federates with the third trust domain itself (no bundle endpoint of its own)', () => {
      const [cftd] = findAll(c.objects, 'ClusterFederatedTrustDomain') as Obj[];
      expect(cftd.spec).toMatchObject({ trustDomain: 'bar.com', bundleEndpointURL: 'https://203.0.113.2:8443' });
      expect(JSON.parse(cftd.spec.trustDomainBundle).keys).toHaveLength(1);
      expect((findAll(c.objects, 'ClusterSPIFFEID') as Obj[])[0].spec.federatesWith).toEqual(['bar.com']);
      expect(conf.server.federation).toBeUndefined();
    });

    it('has no cert-manager CA (its SPIRE CA is signed by the parent) and leaves istiod its own CA', () => {
      expect(findAll(c.objects, 'Certificate')).toEqual([]);
      expect(findAll(c.objects, 'Issuer')).toEqual([]);
      expect(c.objects.filter((o) => o.metadata.name === 'meshfed-ca')).toEqual([]);
    });

    it('says which components wait for which', () => {
      const text = result.notes.filter((n) => n.cluster === kid).map((n) => n.text).join('\n');
      expect(text).toContain('spire-agent-upstream pods stay in ContainerCreating until root');
      expect(text).toContain('wait-for-upstream-svid');
    });
  });

  it('lets the third trust domain federate with the root trust domain once', () => {
    const other = clusters.get('other')!;
    expect((findAll(other.objects, 'ClusterFederatedTrustDomain') as Obj[]).map((o) => o.spec.bundleEndpointURL)).toEqual(['https://203.0.113.1:8443']);
  });

  it('documents the kubeconfig Secret contract on the root', () => {
    const text = result.notes.filter((n) => n.cluster === 'root').map((n) => n.text).join('\n');
    expect(text).toContain('spire-server/spire-nested-kubeconfigs with one key per child (kid-a, kid-b)');
    expect(text).toContain('--from-file=kid-a=kid-a.kubeconfig --from-file=kid-b=kid-b.kubeconfig');
  });

  it('passes schema validation', () => {
    const failures = [...clusters.values()].flatMap((c) => c.objects.flatMap((o) => validateObject(o).map((e) => `${c.name} ${o.kind}/${o.metadata.name}: ${e}`)));
    expect(failures).toEqual([]);
  });
});

describe('nested child without the parent address', () => {
  const { clusters, result } = synthTopologyText(nested(false));
  it('dials a selectorless Service and says how to give it the address', () => {
    const c = clusters.get('kid-a')!;
    const svc = find(c.objects, 'Service', 'spire-upstream-server', 'spire-system') as Obj;
    expect(svc.spec.selector).toBeUndefined();
    expect(configOf(c.objects, 'spire-agent-upstream', 'spire-system', 'agent.conf').agent).toMatchObject({ server_address: 'spire-upstream-server.spire-system', server_port: '8081' });
    expect(result.notes).toContainEqual({ cluster: 'kid-a', text: expect.stringContaining('clusters[0].serverEndpoint.address') });
  });
});
