/**
 * What Istio's charts render from meshfed's values, checked against Pod Security admission of the namespace
 * each workload lands in, per provider (issue #10, "a check that catches this class of defect"). Schema and
 * policy checks cannot see this: the charts, not meshfed, write these pods. The chart behaviour comes from
 * ISTIO_CHART_FACTS (with their sources), the images' users and shells from ISTIO_IMAGE_FACTS.
 */
import { parse } from 'yaml';
import { istioClusterValues } from '../clusters/istio-values';
import { istioHelmValues } from '../constructs/istio/helm-values';
import { GATEWAY_INJECTION_TEMPLATES, waitForSocketContainer } from '../constructs/istio/gateway-pod';
import { istioModel, ISTIO_SYSTEM_NAMESPACE } from '../constructs/istio/model';
import { istioOperatorSpec } from '../constructs/istio/operator';
import { imageFacts, ISTIO_CHART_FACTS, ISTIO_PROVIDER_FACTS, type ImageFacts } from '../constructs/platform-facts';
import { ISTIO_VERSION } from '../constructs/core/versions';
import { DEV_TOPOLOGY, find, synthTopologyText } from './helpers/synth';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Obj = Record<string, any>;
type Level = 'privileged' | 'baseline' | 'restricted';

const ENVIRONMENTS = [['dev', DEV_TOPOLOGY], ['staging', readFileSync(join(__dirname, '..', 'clusters', 'staging.yaml'), 'utf8')]] as const;

function factsOf(image: string): ImageFacts {
  const f = imageFacts(image);
  if (!f) throw new Error(`no image facts for ${image}`);
  return f;
}

/**
 * Pod Security "restricted" violations of one container (pod-level settings inherited), as the admission
 * controller checks them; the image's default user counts where neither level sets runAsUser.
 */
export function restrictedViolations(pod: Obj, container: Obj, image: ImageFacts): string[] {
  const sc = container.securityContext ?? {};
  const psc = pod.securityContext ?? {};
  const out: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  if ((pod.volumes ?? []).some((v: Obj) => v.hostPath)) out.push('hostPath volume');
  if (sc.privileged) out.push('privileged');
  if (sc.allowPrivilegeEscalation !== false) out.push('allowPrivilegeEscalation must be false');
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push('capabilities must drop ALL');
  const added = (sc.capabilities?.add ?? []).filter((c: string) => c !== 'NET_BIND_SERVICE');
  if (added.length > 0) out.push(`adds capabilities ${added.join(',')}`);
  const seccomp = (sc.seccompProfile ?? psc.seccompProfile)?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push('seccompProfile must be RuntimeDefault or Localhost');
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) out.push('runAsNonRoot must be true');
  const uid = sc.runAsUser ?? psc.runAsUser ?? image.user;
  if (uid === 0 || uid === 'root') out.push(`runs as root (image user ${String(image.user)}, no runAsUser)`);
  return out;
}

function levelOf(ns: Obj | undefined, namespace: string, provider: 'gke' | 'eks'): Level {
  if (ns) return ns.metadata.labels['pod-security.kubernetes.io/enforce'] as Level;
  const fact = ISTIO_PROVIDER_FACTS.find((f) => f.provider === provider && f.namespace === namespace && f.podSecurity);
  if (!fact) throw new Error(`no Pod Security level known for ${namespace} on ${provider}`);
  return fact.podSecurity!;
}

describe('the restricted checker itself', () => {
  const image = factsOf(`docker.io/istio/pilot:${ISTIO_VERSION}`);
  const good = { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
  it('accepts a compliant container and names each violation', () => {
    expect(restrictedViolations({}, good, image)).toEqual([]);
    expect(restrictedViolations({}, { securityContext: { ...good.securityContext, seccompProfile: undefined } }, image)).toEqual(['seccompProfile must be RuntimeDefault or Localhost']);
    expect(restrictedViolations({}, good, factsOf('busybox:1.37.0'))).toEqual(['runs as root (image user root, no runAsUser)']);
    expect(restrictedViolations({ hostNetwork: true }, good, image)).toEqual(['host namespaces']);
  });
});

describe.each(ENVIRONMENTS)('%s', (_env, text) => {
  const { topology, clusters } = synthTopologyText(text);

  describe.each(topology.clusters.map((c) => c.name))('cluster %s', (name) => {
    const objects = clusters.get(name)!.objects;
    const model = istioModel(istioClusterValues(topology, name));
    const provider = model.provider;
    const iop = istioOperatorSpec(model) as Obj;
    const helm = istioHelmValues(model) as unknown as Obj;
    const namespace = (n: string) => objects.find((o) => o.kind === 'Namespace' && o.metadata.name === n);
    const level = (n: string) => levelOf(namespace(n), n, provider);

    // istiod: the chart's fixed container settings plus the seccomp profile only meshfed's value gives.
    it(`istiod passes ${ISTIO_SYSTEM_NAMESPACE}'s Pod Security level in both renderings (${ISTIO_CHART_FACTS.istiodSeccompFromValue.id})`, () => {
      expect(level(ISTIO_SYSTEM_NAMESPACE)).toBe('restricted');
      const chartFixed = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
      for (const seccompProfile of [iop.values.pilot.seccompProfile, helm.istiod.seccompProfile]) {
        const container = { securityContext: { ...chartFixed, ...(seccompProfile ? { seccompProfile } : {}) } };
        expect(restrictedViolations({}, container, factsOf(`docker.io/istio/pilot:${ISTIO_VERSION}`))).toEqual([]);
      }
    });

    it(`istiod has a PDB and spreads over nodes and zones (${ISTIO_CHART_FACTS.istiodPdbNeedsTwo.id})`, () => {
      for (const v of [iop.values.pilot, helm.istiod]) {
        expect(v.autoscaleMin).toBeGreaterThan(1);
        expect(v.autoscaleMax).toBeGreaterThanOrEqual(v.autoscaleMin);
        expect(v.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
        expect(v.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
      }
      expect(iop.values.global.defaultPodDisruptionBudget.enabled).toBe(true);
      expect(helm.istiod.global.defaultPodDisruptionBudget.enabled).toBe(true);
    });

    it(`installs the CNI node agent only where Pod Security is privileged (${ISTIO_CHART_FACTS.cniNeedsPrivileged.id})`, () => {
      expect(iop.components.cni.namespace).toBe(model.cniNamespace);
      expect(level(model.cniNamespace)).toBe('privileged');
      // ... and without the GKE profile's ResourceQuota in kube-system.
      expect(iop.values.cni.resourceQuotas.enabled).toBe(false);
      expect(helm.cni.resourceQuotas.enabled).toBe(false);
    });

    it('gives gateway pods and their wait container settings that pass istio-system\'s level in both renderings', () => {
      const proxy = factsOf(`docker.io/istio/proxyv2:${ISTIO_VERSION}`);
      const wait = waitForSocketContainer() as Obj;
      expect(factsOf(wait.image).shell).toBe(true); // `sh -c` needs a shell in the image
      for (const gw of iop.components.ingressGateways as Obj[]) {
        const pod = { securityContext: gw.k8s.securityContext };
        const patches = gw.k8s.overlays[0].patches as Obj[];
        const container = { securityContext: patches.find((p) => p.path.endsWith('[name:istio-proxy].securityContext'))!.value };
        expect(restrictedViolations(pod, container, proxy)).toEqual([]);
        expect(restrictedViolations(pod, patches.find((p) => p.path === 'spec.template.spec.initContainers')!.value[0], factsOf(wait.image))).toEqual([]);
      }
      for (const gw of Object.values(helm.gateways) as Obj[]) {
        // A non-empty securityContext replaces the chart's default sysctl pod context.
        expect(Object.keys(gw.securityContext).length).toBeGreaterThan(0);
        expect(restrictedViolations({ securityContext: gw.securityContext }, { securityContext: gw.containerSecurityContext }, proxy)).toEqual([]);
        expect(gw.podAnnotations['inject.istio.io/templates']).toBe(GATEWAY_INJECTION_TEMPLATES);
      }
      const spireGateway = parse(helm.istiod.sidecarInjectorWebhook.templates['spire-gateway']) as Obj;
      expect(restrictedViolations({ securityContext: (Object.values(helm.gateways)[0] as Obj).securityContext }, spireGateway.spec.initContainers[0], factsOf(wait.image))).toEqual([]);
    });

    it(`gives injected proxies a seccomp profile and no NET_ADMIN in restricted app namespaces (${ISTIO_CHART_FACTS.proxySeccompFromGlobal.id})`, () => {
      for (const values of [iop.values, helm.istiod]) {
        expect(values.global.proxy.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      }
      expect(helm.istiod.cni.enabled).toBe(true);
      expect(iop.components.cni.enabled).toBe(true);
      // What the sidecar template renders with pilot.cni.enabled (injection-template.yaml), plus the seccomp value:
      const injected = {
        securityContext: {
          allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true,
          runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, seccompProfile: helm.istiod.global.proxy.seccompProfile,
        },
      };
      const samples = objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['istio-injection'] === 'enabled');
      for (const ns of samples) {
        expect(level(ns.metadata.name)).toBe('restricted');
        expect(restrictedViolations({}, injected, factsOf(`docker.io/istio/proxyv2:${ISTIO_VERSION}`))).toEqual([]);
      }
      // Sample containers are consistent with their images' users.
      for (const d of (objects as Obj[]).filter((o) => o.kind === 'Deployment' && samples.some((ns) => ns.metadata.name === o.metadata.namespace))) {
        const pod = d.spec.template.spec;
        for (const c of pod.containers) expect([c.name, restrictedViolations(pod, c, factsOf(c.image))]).toEqual([c.name, []]);
      }
    });

    it('publishes only 15021 and 15443 on the east-west gateway, never the chart\'s network-gateway list', () => {
      const ew = helm.gateways['istio-eastwestgateway'];
      expect(ew.networkGateway).toBeUndefined(); // ISTIO_CHART_FACTS.gatewayNetworkGatewayPorts
      expect(ew.service.ports.map((p: Obj) => p.port)).toEqual([15021, 15443]);
      expect((find(objects, 'Namespace', ISTIO_SYSTEM_NAMESPACE) as Obj).metadata.labels['topology.istio.io/network']).toBe(model.network);
    });
  });
});
