/**
 * The IstioOperator (install.istio.io/v1alpha1) for `istioctl install -f`. It is read client-side by
 * istioctl (the in-cluster operator and its CRD are gone since Istio 1.24), so it is synthesized as its own
 * file and never `kubectl apply`-ed. Every field comes from the IstioModel; api-paths.ts lists the
 * key paths this file may contain.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  gatewayAffinity, gatewayContainerSecurityContext, gatewayPodSecurityContext, gatewayServiceSpec, injectionTemplates, ISTIOD_POD_LABELS,
  socketVolume, socketVolumeMount, spreadAffinity, waitForSocketContainer, zoneSpread,
} from './gateway-pod';
import {
  DEFAULT_INJECTION_TEMPLATES, type GatewayModel, type IstioModel, ISTIO_SYSTEM_NAMESPACE, RUNTIME_DEFAULT_SECCOMP,
} from './model';

export const ISTIO_OPERATOR_API_VERSION = 'install.istio.io/v1alpha1';

export function meshConfigOf(model: IstioModel): Record<string, unknown> {
  return {
    trustDomain: model.trustDomain,
    ...(model.trustDomainAliases.length > 0 ? { trustDomainAliases: [...model.trustDomainAliases] } : {}),
    ...(model.caCertificates.length > 0 ? { caCertificates: model.caCertificates.map((c) => ({ ...c, trustDomains: [...c.trustDomains] })) } : {}),
    defaultConfig: {
      proxyMetadata: { ...model.proxyMetadata },
      // Apps start after their proxy has its SPIRE certificate.
      holdApplicationUntilProxyStarts: true,
    },
  };
}

export function globalValuesOf(model: IstioModel): Record<string, unknown> {
  return {
    meshID: model.meshId,
    multiCluster: { clusterName: model.clusterName },
    network: model.network,
    ...(model.platform ? { platform: model.platform } : {}),
    defaultPodDisruptionBudget: { enabled: true },
    // Injected istio-proxy and istio-validation containers (injection-template.yaml reads
    // global.proxy.seccompProfile): Pod Security "restricted" needs it where the pod sets none.
    proxy: { seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP } },
  };
}

/**
 * istiod's scheduling and security values, the same keys in IstioOperator `values.pilot` and at the top
 * level of the istiod chart (istio-discovery values.yaml: autoscaleMin/Max, seccompProfile, affinity,
 * topologySpreadConstraints; replicaCount is deprecated there and unused while the HPA is on, its default). The chart renders a PDB only when autoscaleMin > 1
 * (templates/poddisruptionbudget.yaml), and the injection webhook fails closed, so min is 2.
 */
export function istiodValuesOf(model: IstioModel): Record<string, unknown> {
  return {
    env: { ...model.istiodEnv },
    autoscaleMin: model.istiodReplicas.min,
    autoscaleMax: model.istiodReplicas.max,
    // The chart sets runAsNonRoot, drop ALL, no privilege escalation and a read-only root, but a seccomp
    // profile only from this value (templates/deployment.yaml); istio-system enforces "restricted".
    seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP },
    affinity: spreadAffinity({ app: ISTIOD_POD_LABELS.app }),
    topologySpreadConstraints: zoneSpread({ app: ISTIOD_POD_LABELS.app }),
  };
}

/** The injector's templates and the defaults for pods that name none (both renderings). */
export function sidecarInjectorValuesOf(model: IstioModel): Record<string, unknown> {
  return { templates: injectionTemplates(model), defaultTemplates: [...DEFAULT_INJECTION_TEMPLATES] };
}

/** Values of the istio-cni chart meshfed sets in both renderings. */
export function cniValuesOf(): Record<string, unknown> {
  // The GKE platform profile turns a system-node-critical ResourceQuota on in the release namespace;
  // kube-system needs none, and istioctl turns it off there too (operator/pkg/render/manifest.go
  // clusterSpecificSettings: values.cni.resourceQuotas.enabled=false).
  return { resourceQuotas: { enabled: false } };
}

function gatewayComponent(gw: GatewayModel): Record<string, unknown> {
  return {
    name: gw.name,
    namespace: ISTIO_SYSTEM_NAMESPACE,
    enabled: true,
    label: { ...gw.labels },
    k8s: {
      ...(Object.keys(gw.env).length > 0 ? { env: Object.entries(gw.env).map(([name, value]) => ({ name, value })) } : {}),
      resources: { requests: { ...gw.resources.requests }, limits: { ...gw.resources.limits } },
      replicaCount: gw.minReplicas,
      hpaSpec: { minReplicas: gw.minReplicas, maxReplicas: gw.maxReplicas },
      podDisruptionBudget: { minAvailable: gw.pdbMinAvailable },
      affinity: gatewayAffinity(gw),
      securityContext: gatewayPodSecurityContext(),
      serviceAnnotations: { ...gw.serviceAnnotations },
      service: { type: 'LoadBalancer', ...gatewayServiceSpec(gw), ports: gw.ports.map((p) => ({ ...p })) },
      // Socket volume, wait container, zone spread: patched in because KubernetesResources has no fields for them.
      overlays: [{
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: gw.name,
        patches: [
          { path: `spec.template.spec.volumes.[name:${socketVolume().name as string}]`, value: socketVolume() },
          { path: `spec.template.spec.containers.[name:istio-proxy].volumeMounts.[name:${socketVolume().name as string}]`, value: socketVolumeMount() },
          { path: 'spec.template.spec.containers.[name:istio-proxy].securityContext', value: gatewayContainerSecurityContext() },
          { path: 'spec.template.spec.initContainers', value: [waitForSocketContainer()] },
          // KubernetesResources has no topologySpreadConstraints (operator/pkg/apis/types.go).
          { path: 'spec.template.spec.topologySpreadConstraints', value: zoneSpread({ istio: gw.labels.istio }) },
        ],
      }],
    },
  };
}

/** `spec` of the IstioOperator. */
export function istioOperatorSpec(model: IstioModel): Record<string, unknown> {
  return {
    profile: 'default',
    meshConfig: meshConfigOf(model),
    values: {
      global: globalValuesOf(model),
      pilot: istiodValuesOf(model),
      cni: cniValuesOf(),
      sidecarInjectorWebhook: sidecarInjectorValuesOf(model),
      // Gateways run as Istio's proxy uid; the policy checker reads this flag.
      gateways: { 'istio-ingressgateway': { runAsRoot: false } },
    },
    components: {
      base: { enabled: true },
      pilot: { enabled: true },
      // Istio CNI sets up traffic redirection, so injected pods need no NET_ADMIN init container and
      // application namespaces can enforce Pod Security "restricted".
      // In kube-system: the node agent runs as root with host paths, which istio-system's "restricted" refuses.
      cni: { enabled: true, namespace: model.cniNamespace },
      ingressGateways: model.gateways.map(gatewayComponent),
    },
  };
}

export interface IstioOperatorManifestProps {
  readonly model: IstioModel;
}

export class IstioOperatorManifest extends Construct {
  readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: IstioOperatorManifestProps) {
    super(scope, id);
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: ISTIO_OPERATOR_API_VERSION,
      kind: 'IstioOperator',
      metadata: { name: `meshfed-${props.model.clusterName}`, namespace: ISTIO_SYSTEM_NAMESPACE },
      spec: istioOperatorSpec(props.model),
    });
  }
}
