/** Istio multi-primary, multi-network mesh on SPIRE identities: model, both renderings, synthesized objects. */
import { parse } from 'yaml';
import { istioClusterValues, type IstioClusterValues } from '../clusters/istio-values';
import { federatedTrustDomains, type Topology } from '../clusters/model';
import { disallowedKeyPaths, ISTIO_HELM_ALLOWED_PATHS, keyPaths, pathAllowed } from '../constructs/istio/api-paths';
import { istioHelmValues } from '../constructs/istio/helm-values';
import {
  EASTWEST_GATEWAY, INGRESS_GATEWAY, istioModel, spireTemplatePatch, TrustDomainAcceptance, WORKLOAD_SOCKET_DIR,
} from '../constructs/istio/model';
import { istioOperatorSpec } from '../constructs/istio/operator';
import { istioReaderRules } from '../constructs/istio/reader';
import { validateObject } from './helpers/schema-validation';
import { configOf, find, findAll, synthTopologyText, THREE_CLUSTERS, DEV_TOPOLOGY, twoClusters, type SynthesizedCluster } from './helpers/synth';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEV = DEV_TOPOLOGY;
const THREE = THREE_CLUSTERS;

type Obj = Record<string, any>;

describe.each([['dev', DEV], ['three clusters', THREE]])('%s topology', (_label, text) => {
  const { topology, clusters } = synthTopologyText(text);

  describe.each(topology.clusters.map((c) => c.name))('cluster %s', (name) => {
    const c = clusters.get(name) as SynthesizedCluster;
    const spec = topology.clusters.find((x) => x.name === name)!;
    const peers = federatedTrustDomains(topology, name);
    const iop = find(c.objects, 'IstioOperator', `meshfed-${name}`, 'istio-system') as Obj;

    it('puts the IstioOperator alone in 60-istio-operator.yaml', () => {
      expect(c.files.get('60-istio-operator.yaml')?.map((o) => o.kind)).toEqual(['IstioOperator']);
    });

    it('gives Istio the SPIRE trust domain, mesh ID, cluster name and network', () => {
      const server = configOf(c.objects, 'spire-server', 'spire-server', 'server.conf');
      const agent = configOf(c.objects, 'spire-agent', 'spire-system', 'agent.conf');
      expect(iop.spec.meshConfig.trustDomain).toBe(server.server.trust_domain);
      expect(iop.spec.meshConfig.trustDomain).toBe(agent.agent.trust_domain);
      expect(iop.spec.values.global).toMatchObject({ meshID: topology.meshId, multiCluster: { clusterName: name }, network: spec.network });
      const ns = find(c.objects, 'Namespace', 'istio-system');
      expect(ns.metadata.labels?.['topology.istio.io/network']).toBe(spec.network);
    });

    it('accepts exactly the federated peers as trust domain aliases', () => {
      expect(peers.length).toBeGreaterThan(0);
      expect(iop.spec.meshConfig.trustDomainAliases).toEqual(peers);
      expect(iop.spec.meshConfig.caCertificates).toBeUndefined();
    });

    it('has the SPIRE agent serve every bundle as ROOTCA and hide the local-only one', () => {
      const agent = configOf(c.objects, 'spire-agent', 'spire-system', 'agent.conf');
      expect(agent.agent.sds).toEqual({ default_svid_name: 'default', default_bundle_name: 'null', default_all_bundles_name: 'ROOTCA' });
    });

    it('gives app and gateway pods (istio-system) entries that federate with every bootstrapped peer', () => {
      // federatesWith names only peers whose bundle the cluster already holds (a ClusterFederatedTrustDomain
      // with a bootstrap bundle): SPIRE rejects entries federating with a trust domain it has no bundle for.
      const bootstrapped = (findAll(c.objects, 'ClusterFederatedTrustDomain') as Obj[])
        .filter((t) => t.spec.trustDomainBundle !== undefined).map((t) => t.spec.trustDomain as string).sort();
      expect(peers).toEqual(expect.arrayContaining(bootstrapped));
      const ids = findAll(c.objects, 'ClusterSPIFFEID') as Obj[];
      const matching = (ns: string) => ids.filter((id) => id.spec.namespaceSelector.matchExpressions.every((e: Obj) =>
        e.operator === 'In' ? e.values.includes(ns) : e.operator === 'NotIn' ? !e.values.includes(ns) : false));
      for (const ns of ['istio-system', 'helloworld', 'sleep']) {
        expect(matching(ns).length).toBeGreaterThan(0);
        for (const id of matching(ns)) expect(id.spec.federatesWith ?? []).toEqual(bootstrapped);
      }
    });

    it('turns on DNS capture and istiod address allocation, without obsolete variables', () => {
      const meta = iop.spec.meshConfig.defaultConfig.proxyMetadata;
      expect(meta.ISTIO_META_DNS_CAPTURE).toBe('true');
      expect(iop.spec.values.pilot.env.PILOT_ENABLE_IP_AUTOALLOCATE).toBe('true');
      const all = JSON.stringify(iop);
      for (const obsolete of ['ISTIO_META_DNS_AUTO_ALLOCATE', 'AUTO_RELOAD_PLUGIN_CERTS', 'ISTIO_META_ROUTER_MODE']) expect(all).not.toContain(obsolete);
    });

    it('injects the SPIRE socket into the container list the injector uses for this Kubernetes version', () => {
      const native = Number(spec.kubernetesVersion.split('.')[1]) >= 33;
      expect(iop.spec.values.pilot.env.ENABLE_NATIVE_SIDECARS).toBe(String(native));
      const template = parse(iop.spec.values.sidecarInjectorWebhook.templates.spire) as Obj;
      const list = native ? 'initContainers' : 'containers';
      expect(Object.keys(template.spec).sort()).toEqual([list, 'volumes'].sort());
      // istio-agent must look for the socket name the SPIRE agent creates, but only where the socket is
      // mounted: with a non-default name and no socket it exits (pkg/istio-agent/agent.go), so the name is
      // set on istio-proxy by the template, never mesh-wide (issue #10 point 4).
      const agent = configOf(c.objects, 'spire-agent', 'spire-system', 'agent.conf');
      const socketName = agent.agent.socket_path.split('/').pop();
      expect(template.spec[list]).toEqual([{
        name: 'istio-proxy',
        env: [{ name: 'WORKLOAD_IDENTITY_SOCKET_FILE', value: socketName }],
        volumeMounts: [{ name: 'workload-socket', mountPath: WORKLOAD_SOCKET_DIR, readOnly: true }],
      }]);
      expect(template.spec.volumes).toEqual([{ name: 'workload-socket', csi: { driver: 'csi.spiffe.io', readOnly: true }, emptyDir: null }]);
      expect(iop.spec.meshConfig.defaultConfig.proxyMetadata.WORKLOAD_IDENTITY_SOCKET_FILE).toBeUndefined();
      // Every injected pod gets the socket, also without the templates annotation.
      expect(iop.spec.values.sidecarInjectorWebhook.defaultTemplates).toEqual(['sidecar', 'spire']);
      for (const gw of iop.spec.components.ingressGateways as Obj[]) {
        expect(gw.k8s.env).toContainEqual({ name: 'WORKLOAD_IDENTITY_SOCKET_FILE', value: socketName });
      }
    });

    it('declares an east-west gateway for its network with status and TLS ports on an L4 passthrough LB', () => {
      const gw = (iop.spec.components.ingressGateways as Obj[]).find((g) => g.name === EASTWEST_GATEWAY)!;
      expect(gw.label).toEqual({ app: EASTWEST_GATEWAY, istio: 'eastwestgateway', 'topology.istio.io/network': spec.network });
      expect(gw.k8s.env).toContainEqual({ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: spec.network });
      expect(gw.k8s.service.ports.map((p: Obj) => [p.name, p.port])).toEqual([['status-port', 15021], ['tls', 15443]]);
      const annotations = JSON.stringify(gw.k8s.serviceAnnotations);
      expect(annotations).not.toMatch(/proxy-protocol|ssl-cert|backend-protocol/);
      if (spec.provider === 'eks') {
        // The in-tree AWS cloud provider's NLB: no AWS Load Balancer Controller needed (issue #10 point 3).
        expect(gw.k8s.serviceAnnotations['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('nlb');
        expect(annotations).not.toMatch(/nlb-target-type|aws-load-balancer-scheme/);
      } else {
        expect(gw.k8s.serviceAnnotations).toEqual({ 'cloud.google.com/l4-rbs': 'enabled' });
      }
      for (const g of iop.spec.components.ingressGateways as Obj[]) {
        expect(g.k8s.resources.requests).toBeDefined();
        expect(g.k8s.podDisruptionBudget.minAvailable).toBe(1);
        expect(g.k8s.hpaSpec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(g.k8s.affinity.podAntiAffinity).toBeDefined();
        const patches = g.k8s.overlays[0].patches as Obj[];
        expect(patches.find((p) => p.path === 'spec.template.spec.topologySpreadConstraints')!.value[0].topologyKey).toBe('topology.kubernetes.io/zone');
        const init = patches.find((p) => p.path === 'spec.template.spec.initContainers')!.value[0];
        expect(init.command.join(' ')).toContain(`${WORKLOAD_SOCKET_DIR}/spire-agent.sock`);
        expect(patches.map((p) => p.path)).toContain('spec.template.spec.volumes.[name:workload-socket]');
      }
      expect(iop.spec.values.gateways['istio-ingressgateway'].runAsRoot).toBe(false);
    });

    // Issue #10 points 10 and 11: istiod's CA must not chain to the root SPIRE-backed peers trust, and the
    // root key must sit where no workload's Role can read Secrets.
    it('keeps istiod off the SPIRE root and the root key out of istio-system', () => {
      expect(findAll(c.objects, 'Certificate').filter((o) => o.metadata.namespace === 'istio-system')).toEqual([]);
      expect(findAll(c.objects, 'Issuer').filter((o) => o.metadata.namespace === 'istio-system')).toEqual([]);
      expect(c.objects.filter((o) => o.kind === 'Secret' && o.metadata.name === 'cacerts')).toEqual([]);
      expect(findAll(c.objects, 'ClusterIssuer')).toEqual([]);
      if (spec.nestedUnder === undefined) {
        const issuer = find(c.objects, 'Issuer', 'spire-ca', 'meshfed-ca') as Obj;
        const server = configOf(c.objects, 'spire-server', 'spire-server', 'server.conf');
        expect(server.plugins.UpstreamAuthority['cert-manager'].plugin_data).toMatchObject({ issuer_name: 'spire-ca', namespace: 'meshfed-ca' });
        expect(issuer.spec.ca.secretName).toBeDefined();
        expect((find(c.objects, 'Namespace', 'meshfed-ca') as Obj).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      }
      // Nothing meshfed renders may read Secrets in meshfed-ca: no Role there grants them, no ClusterRole at all.
      const grantsSecrets = (o: Obj) => (o.rules ?? []).some((r: Obj) => r.resources?.some((x: string) => x === 'secrets' || x === '*'));
      expect(findAll(c.objects, 'Role').filter((o) => o.metadata.namespace === 'meshfed-ca' && grantsSecrets(o))).toEqual([]);
      expect(findAll(c.objects, 'ClusterRole').filter(grantsSecrets).map((o) => o.metadata.name)).toEqual([]);
    });

    it('gives Helm-installed gateways the SPIRE socket and the wait container through the spire-gateway template', () => {
      const values = istioHelmValues(istioModel(istioClusterValues(topology, name))) as unknown as Obj;
      const template = parse(values.istiod.sidecarInjectorWebhook.templates['spire-gateway'] as string) as Obj;
      // Istio's gateway template mounts workload-socket into istio-proxy but backs it with an emptyDir: the
      // strategic merge patch deletes that source (null) and gives the CSI one, and adds no second mount.
      expect(template.spec.volumes).toEqual([{ name: 'workload-socket', csi: { driver: 'csi.spiffe.io', readOnly: true }, emptyDir: null }]);
      expect(template.spec.containers).toBeUndefined();
      const [wait] = template.spec.initContainers as Obj[];
      expect(wait.command.join(' ')).toContain(`-S ${WORKLOAD_SOCKET_DIR}/spire-agent.sock`);
      expect(wait.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(wait.resources.limits.memory).toBeDefined();
      for (const gw of Object.values(values.gateways) as Obj[]) {
        expect(gw.podAnnotations).toEqual({ 'inject.istio.io/templates': 'gateway,spire-gateway' });
        // The socket volume comes from the template only: a second declaration in the chart would collide.
        expect(gw.volumes).toBeUndefined();
      }
      // Issue #10 point 8: no networkGateway value (it forces ports 15012/15017 and a second network label);
      // the label, env and ports are set directly.
      const ew = values.gateways[EASTWEST_GATEWAY];
      expect(ew.networkGateway).toBeUndefined();
      expect(ew.labels['topology.istio.io/network']).toBe(spec.network);
      expect(ew.env.ISTIO_META_REQUESTED_NETWORK_VIEW).toBe(spec.network);
      expect(ew.service.ports.map((p: Obj) => p.port)).toEqual([15021, 15443]);
      // Passthrough only: no SDS Role over istio-system's Secrets (istiod's CA key is there).
      expect(ew.rbac).toEqual({ enabled: false });
      expect(values.gateways[INGRESS_GATEWAY].rbac).toBeUndefined();
    });

    it('exposes *.local through the cross-network Gateway and enforces STRICT mTLS', () => {
      const gw = find(c.objects, 'Gateway', 'cross-network-gateway', 'istio-system') as Obj;
      expect(gw.apiVersion).toBe('networking.istio.io/v1');
      expect(gw.spec).toEqual({
        selector: { istio: 'eastwestgateway' },
        servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }],
      });
      expect((find(c.objects, 'PeerAuthentication', 'default', 'istio-system') as Obj).spec).toEqual({ mtls: { mode: 'STRICT' } });
    });

    it('has the reader service account, its token Secret (no data) and a read-only ClusterRole', () => {
      find(c.objects, 'ServiceAccount', 'meshfed-istio-reader', 'istio-system');
      const secret = find(c.objects, 'Secret', 'meshfed-istio-reader-token', 'istio-system') as Obj;
      expect(secret.type).toBe('kubernetes.io/service-account-token');
      expect(secret.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'meshfed-istio-reader' });
      expect(secret.data).toBeUndefined();
      const role = find(c.objects, 'ClusterRole', 'meshfed-istio-reader') as Obj;
      const verbs = new Set((role.rules as Obj[]).flatMap((r) => r.verbs));
      expect([...verbs].sort()).toEqual(['create', 'get', 'list', 'watch']);
      expect(JSON.stringify(role.rules)).not.toMatch(/"secrets"|"\*"/);
      const binding = find(c.objects, 'ClusterRoleBinding', 'meshfed-istio-reader') as Obj;
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'meshfed-istio-reader', namespace: 'istio-system' }]);
    });

    it('emits only IstioOperator key paths that Istio 1.30 has', () => {
      expect(disallowedKeyPaths(iop)).toEqual([]);
    });

    it("sets only Helm values that the pinned charts have", () => {
      const values = istioHelmValues(istioModel(istioClusterValues(topology, name)));
      expect(disallowedKeyPaths(values.base, ISTIO_HELM_ALLOWED_PATHS.base)).toEqual([]);
      expect(disallowedKeyPaths(values.cni, ISTIO_HELM_ALLOWED_PATHS.cni)).toEqual([]);
      expect(disallowedKeyPaths(values.istiod, ISTIO_HELM_ALLOWED_PATHS.istiod)).toEqual([]);
      for (const gw of Object.values(values.gateways)) expect(disallowedKeyPaths(gw, ISTIO_HELM_ALLOWED_PATHS.gateway)).toEqual([]);
    });

    it('renders Helm values that agree with the IstioOperator on every setting meshfed controls', () => {
      const model = istioModel(istioClusterValues(topology, name));
      expect(controlledFromHelm(istioHelmValues(model) as unknown as Obj)).toEqual(controlledFromOperator(istioOperatorSpec(model)));
    });

    it('passes schema validation, object by object', () => {
      const failures = c.objects.map((o) => [`${o.kind}/${o.metadata.name}`, validateObject(o)] as const).filter(([, e]) => e.length > 0);
      expect(failures).toEqual([]);
    });
  });
});

/** The settings meshfed controls, read from each rendering into one shape. */
function controlledFromOperator(spec: Obj): Obj {
  return {
    meshConfig: spec.meshConfig,
    global: spec.values.global,
    istiod: spec.values.pilot,
    injector: spec.values.sidecarInjectorWebhook,
    cni: [spec.components.cni.enabled, spec.components.cni.namespace, spec.values.cni],
    gateways: Object.fromEntries((spec.components.ingressGateways as Obj[]).map((g) => [g.name, {
      // istioctl's gateway component puts `label` on the pods and the Service as given.
      podLabels: Object.entries(g.label).sort(),
      serviceLabels: Object.entries(g.label).sort(),
      env: (g.k8s.env ?? []).map((e: Obj) => [e.name, e.value]).sort(),
      ports: g.k8s.service.ports,
      loadBalancer: [g.k8s.service.loadBalancerIP, g.k8s.service.loadBalancerSourceRanges],
      topologySpread: g.k8s.overlays[0].patches.find((p: Obj) => p.path === 'spec.template.spec.topologySpreadConstraints').value,
      serviceType: g.k8s.service.type,
      serviceAnnotations: g.k8s.serviceAnnotations,
      resources: g.k8s.resources,
      replicas: [g.k8s.replicaCount, g.k8s.hpaSpec.minReplicas, g.k8s.hpaSpec.maxReplicas],
      pdb: g.k8s.podDisruptionBudget,
      affinity: g.k8s.affinity,
      podSecurityContext: g.k8s.securityContext,
      containerSecurityContext: g.k8s.overlays[0].patches.find((p: Obj) => p.path.endsWith('[name:istio-proxy].securityContext')).value,
      socketVolume: g.k8s.overlays[0].patches.find((p: Obj) => p.path.includes('volumes.')).value,
      initContainers: g.k8s.overlays[0].patches.find((p: Obj) => p.path === 'spec.template.spec.initContainers').value,
    }])),
  };
}

/**
 * What the 1.30.3 `gateway` chart renders from its values, for the settings meshfed controls (not a
 * re-implementation; each line cites the template): a `networkGateway` value would change ports, labels and
 * env behind meshfed's back, so it is modelled and must stay unset.
 */
function gatewayChartRenders(g: Obj): Obj {
  const network = g.networkGateway as string | undefined;
  // service.yaml: with networkGateway, a fixed list (15021, 15443, 15012, 15017) instead of service.ports.
  const ports = network
    ? [15021, 15443, 15012, 15017].map((port) => ({ port }))
    : g.service.ports;
  // deployment.yaml: labels minus app/istio (those come from the selector labels), then networkGateway's
  // network label again; _helpers.tpl gateway.labels for the Service, plus networkGateway's label.
  const selector: [string, string][] = [['app', g.labels.app], ['istio', g.labels.istio]];
  const extra = Object.entries(g.labels as Record<string, string>).filter(([k]) => k !== 'app' && k !== 'istio');
  const fromNetwork: [string, string][] = network ? [['topology.istio.io/network', network]] : [];
  return {
    podLabels: [...selector, ...extra, ...fromNetwork].sort(),
    serviceLabels: [...selector, ...extra, ...fromNetwork].sort(),
    // deployment.yaml: networkGateway's ISTIO_META_REQUESTED_NETWORK_VIEW first, then `env`.
    env: [...(network ? [['ISTIO_META_REQUESTED_NETWORK_VIEW', network]] : []), ...Object.entries(g.env ?? {})].sort(),
    ports,
    loadBalancer: [g.service.loadBalancerIP, g.service.loadBalancerSourceRanges],
    topologySpread: g.topologySpreadConstraints,
  };
}

function controlledFromHelm(values: Obj): Obj {
  // Helm-installed gateways get the socket and the wait container from the injection template they name.
  const gatewayPatch = (g: Obj): Obj => {
    const names = String(g.podAnnotations['inject.istio.io/templates']).split(',');
    expect(names).toEqual(['gateway', 'spire-gateway']);
    return parse(values.istiod.sidecarInjectorWebhook.templates[names[1]]).spec;
  };
  return {
    meshConfig: values.istiod.meshConfig,
    global: values.istiod.global,
    istiod: {
      env: values.istiod.env, autoscaleMin: values.istiod.autoscaleMin, autoscaleMax: values.istiod.autoscaleMax,
      seccompProfile: values.istiod.seccompProfile, affinity: values.istiod.affinity, topologySpreadConstraints: values.istiod.topologySpreadConstraints,
    },
    injector: values.istiod.sidecarInjectorWebhook,
    cni: [values.istiod.cni.enabled, 'kube-system', (({ global: _g, ...rest }) => rest)(values.cni)],
    gateways: Object.fromEntries(Object.entries(values.gateways as Record<string, Obj>).map(([name, g]) => [name, {
      ...gatewayChartRenders(g),
      serviceType: g.service.type,
      serviceAnnotations: g.service.annotations,
      resources: g.resources,
      replicas: [g.replicaCount, g.autoscaling.minReplicas, g.autoscaling.maxReplicas],
      pdb: g.podDisruptionBudget,
      affinity: g.affinity,
      podSecurityContext: g.securityContext,
      containerSecurityContext: g.containerSecurityContext,
      // The patch also deletes the gateway template's emptyDir source (see the spire-gateway test).
      socketVolume: (({ emptyDir: _deleted, ...v }) => v)(gatewayPatch(g).volumes[0]),
      initContainers: gatewayPatch(g).initContainers,
    }])),
  };
}

describe('istio settings from the topology file', () => {
  const STAGING = readFileSync(join(__dirname, '..', 'clusters', 'staging.yaml'), 'utf8');
  const { topology, clusters } = synthTopologyText(`${STAGING}istio:\n  trustDomainAcceptance: caCertificates\n  gatewayReplicas: { min: 3, max: 7 }\n`);
  const pem = (name: string) => topology.clusters.find((c) => c.name === name)!.rootCa!.certificatePem;

  it.each([['hub', 'edge.example.net', 'edge'], ['hub-east', 'edge.example.net', 'edge'], ['edge', 'hub.example.org', 'hub']])(
    'scopes each peer root to its trust domain in %s (caCertificates from rootCa PEMs, aliases kept for SAN matching)', (name, peer, peerRoot) => {
      const c = clusters.get(name)!;
      const iop = find(c.objects, 'IstioOperator', `meshfed-${name}`, 'istio-system') as Obj;
      // Aliases stay: istiod expands the SANs it expects of peers' endpoints only with them (point 5).
      expect(iop.spec.meshConfig.trustDomainAliases).toEqual([peer]);
      expect(iop.spec.meshConfig.caCertificates).toEqual([{ pem: pem(peerRoot), trustDomains: [peer] }]);
      expect(disallowedKeyPaths(iop)).toEqual([]);
      // Remote istiods read trust bundle ConfigMaps through the reader.
      expect((find(c.objects, 'ClusterRole', 'meshfed-istio-reader') as Obj).rules[0].resources).toContain('configmaps');
      const model = istioModel(istioClusterValues(topology, name));
      expect(controlledFromHelm(istioHelmValues(model) as unknown as Obj)).toEqual(controlledFromOperator(istioOperatorSpec(model)));
    });

  it('sizes both gateways as the topology says, in both renderings', () => {
    const model = istioModel(istioClusterValues(topology, 'edge'));
    for (const g of (istioOperatorSpec(model) as Obj).components.ingressGateways as Obj[]) expect(g.k8s.hpaSpec).toEqual({ minReplicas: 3, maxReplicas: 7 });
    for (const g of Object.values(istioHelmValues(model).gateways) as Obj[]) expect(g.autoscaling).toEqual({ enabled: true, minReplicas: 3, maxReplicas: 7 });
  });

  it('lets a cluster choose its native-sidecar mode against the version default', () => {
    const { topology: t } = synthTopologyText(twoClusters('    kubernetesVersion: "1.33"\n    istio: { nativeSidecars: false }'));
    expect(istioModel(istioClusterValues(t, 'cluster-1')).nativeSidecars).toBe(false);
    expect(istioModel(istioClusterValues(t, 'cluster-2')).nativeSidecars).toBe(false);
    const { topology: on } = synthTopologyText(twoClusters('    istio: { nativeSidecars: true }'));
    expect(istioModel(istioClusterValues(on, 'cluster-1')).spireTemplate).toContain('initContainers');
    expect(istioModel(istioClusterValues(on, 'cluster-1')).istiodEnv.ENABLE_NATIVE_SIDECARS).toBe('true');
  });
});

describe('istio model options', () => {
  const { topology } = synthTopologyText(twoClusters());

  it('lists one caCertificates entry per peer, scoped to it, when asked, and lets readers get ConfigMaps', () => {
    const model = istioModel(istioClusterValues(topology, 'cluster-1'), {
      acceptance: TrustDomainAcceptance.caCertificates({ 'bar.com': { spiffeBundleUrl: 'https://spire-bundle.bar.com:8443' } }),
    });
    const mesh = istioOperatorSpec(model).meshConfig as Obj;
    expect(mesh.trustDomainAliases).toEqual(['bar.com']);
    expect(mesh.caCertificates).toEqual([{ spiffeBundleUrl: 'https://spire-bundle.bar.com:8443', trustDomains: ['bar.com'] }]);
    expect(disallowedKeyPaths({ spec: istioOperatorSpec(model) })).toEqual([]);
    expect(istioReaderRules({ readConfigMaps: true })[0].resources).toContain('configmaps');
    expect(istioReaderRules()[0].resources).not.toContain('configmaps');
  });

  it('refuses caCertificates that miss a peer or name a non-peer', () => {
    expect(() => istioModel(istioClusterValues(topology, 'cluster-1'), { acceptance: TrustDomainAcceptance.caCertificates({}) }))
      .toThrow('TrustDomainAcceptance.caCertificates: no bundle URL or PEM for federated trust domain(s) bar.com');
    expect(() => istioModel(istioClusterValues(topology, 'cluster-1'), {
      acceptance: TrustDomainAcceptance.caCertificates({ 'bar.com': { pem: 'x' }, 'baz.com': { pem: 'y' } }),
    })).toThrow('TrustDomainAcceptance.caCertificates: baz.com is not a federated peer of this cluster (peers: bar.com)');
  });

  it('patches the container list of the chosen native-sidecar mode, overriding the version default', () => {
    expect(Object.keys((spireTemplatePatch(true).spec as Obj))).toContain('initContainers');
    expect(Object.keys((spireTemplatePatch(false).spec as Obj))).toContain('containers');
    expect(istioModel(istioClusterValues(topology, 'cluster-1'), { nativeSidecars: false }).istiodEnv.ENABLE_NATIVE_SIDECARS).toBe('false');
    expect(istioModel(istioClusterValues(topology, 'cluster-1'), { nativeSidecars: true }).spireTemplate).toContain('initContainers');
    const old = synthTopologyText(twoClusters('    kubernetesVersion: "1.28"')).topology;
    expect(istioModel(istioClusterValues(old, 'cluster-1')).nativeSidecars).toBe(false);
    expect(() => istioModel(istioClusterValues(old, 'cluster-1'), { nativeSidecars: true }))
      .toThrow('istioModel.nativeSidecars: Kubernetes 1.28 has no sidecar containers (needs 1.29+)');
  });

  it('rejects misspelled Helm values (the chart allow-lists can fail)', () => {
    expect(disallowedKeyPaths({ env: { A: '1' }, meshConfig: { trustDomian: 'x' }, cni: { enable: true } }, ISTIO_HELM_ALLOWED_PATHS.istiod))
      .toEqual(['cni.enable', 'meshConfig.trustDomian']);
    expect(disallowedKeyPaths({ podAnnotation: { a: 'b' } }, ISTIO_HELM_ALLOWED_PATHS.gateway)).toEqual(['podAnnotation.a']);
  });

  it('rejects misspelled IstioOperator keys (the allow-list can fail)', () => {
    expect(disallowedKeyPaths({ spec: { meshConfig: { trustDomainAlias: ['x'], defaultConfig: { proxyMetadata: { ANY: '1' } } } } }))
      .toEqual(['spec.meshConfig.trustDomainAlias.[]']);
    expect(pathAllowed(['spec', 'values', 'pilot', 'env', 'FOO'])).toBe(true);
    expect(keyPaths({ a: [{ b: 1 }] })).toEqual([['a', '[]', 'b']]);
  });

  it('builds from plain values written by hand: no topology, every relation given (meshfed/istio with plain props)', () => {
    const values: IstioClusterValues = {
      clusterName: 'east', provider: 'eks', kubernetesVersion: '1.33', meshId: 'mesh', network: 'net-east', trustDomain: 'foo.example',
      peerTrustDomains: ['bar.example'], peerRootPems: { 'bar.example': 'PEM' }, trustDomainAcceptance: 'caCertificates',
      eastWestExposure: { consumers: ['west'], internal: true, sourceRanges: ['10.2.0.0/16'], rangesFrom: 'consumer-cidrs' },
      gatewayReplicas: { min: 3, max: 4 },
    };
    const model = istioModel(values);
    expect(model.trustDomainAliases).toEqual(['bar.example']);
    expect(model.caCertificates).toEqual([{ pem: 'PEM', trustDomains: ['bar.example'] }]);
    expect(model.nativeSidecars).toBe(true); // Kubernetes 1.33
    const eastWest = model.gateways.find((g) => g.role === 'eastwest')!;
    expect(eastWest.exposure).toBe(values.eastWestExposure);
    expect(eastWest.serviceAnnotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb', 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
    });
    expect([eastWest.minReplicas, eastWest.maxReplicas]).toEqual([3, 4]);
    expect(() => istioModel({ ...values, clusterName: 'East' }))
      .toThrow('istioModel.clusterName: "East" must be a DNS label (lowercase letters, digits, \'-\', at most 63 characters)');
    expect(() => istioModel({ ...values, peerTrustDomains: ['bar.example', 'Baz'], peerRootPems: {} }))
      .toThrow(/^istioModel\.peerTrustDomains\[1\]: "Baz" is not a valid SPIFFE trust domain/);
    expect(() => istioModel({ ...values, network: '' })).toThrow('istioModel.network: must not be empty');
  });

  it('names both gateways', () => {
    expect(istioModel(istioClusterValues(topology, 'cluster-2')).gateways.map((g) => g.name)).toEqual([INGRESS_GATEWAY, EASTWEST_GATEWAY]);
  });
});

export type { Topology };

describe('RUNBOOK.md', () => {
  const { result } = synthTopologyText(DEV);
  const runbookOf = (r: typeof result, name: string) => r.clusters.find((c) => c.cluster === name)?.documents?.get('RUNBOOK.md') ?? '';
  const runbook = runbookOf(result, 'cluster-1');

  it("holds the cluster's own steps only: no other cluster's context or files", () => {
    expect(runbook).not.toContain('cluster-2');
    expect(runbookOf(result, 'cluster-2')).not.toContain('cluster-1');
    expect(runbook).toContain('Run every command from this directory (`cluster-1/` of the synth output, e.g. `dist/dev/cluster-1`)');
  });

  it('installs every synthesized file of the cluster, in file order, by paths relative to its directory, with istioctl for the IstioOperator only', () => {
    for (const c of result.clusters) {
      const text = runbookOf(result, c.cluster);
      const steps = text.split('\n').filter((l) => /^(kubectl --context=\S+ apply -f|istioctl install) /.test(l));
      expect(steps.map((l) => l.split(' ').pop())).toEqual([...c.files.keys()]);
      expect(steps.filter((l) => l.startsWith('istioctl '))).toEqual([`istioctl install --context=${c.cluster} -y -f 60-istio-operator.yaml`]);
    }
  });

  it('numbers its sections without gaps', () => {
    for (const c of result.clusters) {
      const numbers = runbookOf(result, c.cluster).split('\n').filter((l) => l.startsWith('## ')).map((l) => Number(/^## (\d+)\./.exec(l)?.[1]));
      expect(numbers.length).toBeGreaterThan(3);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
  });

  it("waits for the CA Issuer (the SPIRE server's UpstreamAuthority signs through it), the SPIRE server and the agents before going on", () => {
    const lines = runbook.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('helm --kube-context=cluster-1 upgrade --install cert-manager cert-manager --repo https://charts.jetstack.io --version v1.16.5')).toBeGreaterThan(0);
    const caWait = at('kubectl --context=cluster-1 -n meshfed-ca wait --for=condition=Ready issuer/spire-ca');
    expect(caWait).toBeGreaterThan(at('apply -f 10-cert-manager-ca.yaml'));
    expect(caWait).toBeLessThan(at('apply -f 20-spire-server.yaml'));
    expect(at('rollout status statefulset/spire-server')).toBeLessThan(at('apply -f 30-spire-agent.yaml'));
    expect(at('rollout status daemonset/spire-agent')).toBeLessThan(at('istioctl install --context=cluster-1'));
  });

  it('says what to expect from each cluster: identities, its own helloworld version, entries as rendered', () => {
    expect(runbook).toContain('Expect URI:spiffe://foo.com/ns/sleep/sa/sleep.');
    // dev.yaml has no bundle endpoint addresses yet, so nothing federates until they are supplied, and no
    // cluster can authenticate the other's endpoints: each answers with its own version only (point 6).
    expect(runbook).toContain('Expect answers from helloworld-v1 when run in cluster-1.');
    expect(runbookOf(result, 'cluster-2')).toContain('Expect answers from helloworld-v2 when run in cluster-2.');
    expect(runbook).not.toContain('Remote secrets');
    expect(runbook).not.toContain('Endpoints through the east-west gateway');
    expect(runbook).toContain('Expect FederatesWith: (none). bar.com will join once its bundle endpoint address and root CA are in the topology (see NOTES.md).');
    // spire-controller-manager's entries carry k8s:pod-uid selectors, so select by SPIFFE ID (point 7).
    expect(runbook).toContain('entry show -socketPath /tmp/spire-server/private/api.sock -spiffeID spiffe://foo.com/ns/sleep/sa/sleep');
    expect(runbook).not.toContain('-selector k8s:ns:sleep');
  });

  it('the environment runbook (written once) says the default environment does not connect its clusters yet', () => {
    const env = result.environmentFiles.get('RUNBOOK.md') ?? '';
    expect(env).toContain('No two clusters trust each other yet: no federation relationship is rendered');
    expect(env).toContain('- cluster-1 (gke us-central1): trust domain foo.com, root; discovers the endpoints of 0 other clusters. Steps: `cluster-1/RUNBOOK.md`.');
  });

  it('expects both versions and shows failover where federation is rendered (staging)', () => {
    const staging = synthTopologyText(readFileSync(join(__dirname, '..', 'clusters', 'staging.yaml'), 'utf8')).result;
    const text = staging.clusters[0].documents?.get('RUNBOOK.md') ?? '';
    expect(text).toContain('Expect answers from helloworld-v1 and helloworld-v2 when run in hub.');
    expect(text).toContain('scale deploy/helloworld-v1 --replicas=0');
    expect(text).toMatch(/## 2\. Remote secrets \(endpoint discovery\)\n/);
  });

  it('a one-cluster environment speaks of no second cluster', () => {
    const one = synthTopologyText(DEV.replace(/\n  - name: cluster-2[\s\S]*?(?=\n[a-z]|$)/, '\n')).result;
    expect(one.clusters.map((c) => c.cluster)).toEqual(['cluster-1']);
    const env = one.environmentFiles.get('RUNBOOK.md') ?? '';
    expect(env).toContain('One cluster: SPIRE issues the workload identities');
    expect(`${env}${runbookOf(one, 'cluster-1')}`).not.toMatch(/second|cluster-2|other cluster|peers'/);
  });

  it('expects only the versions a cluster can reach when trust domains do not federate', () => {
    const { result: isolated } = synthTopologyText(twoClusters('', 'federation: none\n'));
    expect(runbookOf(isolated, 'cluster-1')).toContain('Expect answers from helloworld-v1 when run in cluster-1.');
    expect(runbookOf(isolated, 'cluster-2')).toContain('Expect answers from helloworld-v2 when run in cluster-2.');
  });

  it('lists the bootstrapped peers as FederatesWith when addresses and roots are known', () => {
    const staging = synthTopologyText(readFileSync(join(__dirname, '..', 'clusters', 'staging.yaml'), 'utf8')).result;
    const text = staging.clusters[0].documents?.get('RUNBOOK.md') ?? '';
    expect(text).toMatch(/Expect FederatesWith: [a-z.]+\.[a-z]+\./);
  });
});
