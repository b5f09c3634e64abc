/**
 * Helm values for Istio's official charts (base, cni, istiod, gateway), written from the same IstioModel
 * as the IstioOperator. The Pulumi stacks pass them to `helm.v3.Release`s of ISTIO_HELM.repo at
 * ISTIO_HELM.version. Value names follow manifests/charts/{base,istio-cni,istio-control/istio-discovery,
 * gateway}/values.yaml of the pinned release: in the istiod chart the former `pilot.*` values are top-level.
 */
import {
  GATEWAY_INJECTION_TEMPLATES, gatewayAffinity, gatewayContainerSecurityContext, gatewayPodSecurityContext, injectionTemplates,
} from './istio-gateway-pod';
import { type GatewayModel, INJECTION_TEMPLATES_ANNOTATION, type IstioModel } from './istio-model';
import { globalValuesOf, meshConfigOf } from './istio-operator';

export type HelmValues = Record<string, unknown>;

export interface IstioHelmValues {
  readonly base: HelmValues;
  readonly cni: HelmValues;
  readonly istiod: HelmValues;
  /** Release name (the gateway's name) -> values of the `gateway` chart. */
  readonly gateways: Readonly<Record<string, HelmValues>>;
}

function gatewayValues(gw: GatewayModel): HelmValues {
  return {
    name: gw.name,
    labels: { ...gw.labels },
    ...(gw.networkGateway ? { networkGateway: gw.networkGateway } : {}),
    // The chart sets ISTIO_META_REQUESTED_NETWORK_VIEW itself from networkGateway; `env` carries the rest.
    env: Object.fromEntries(Object.entries(gw.env).filter(([k]) => !(gw.networkGateway && k === 'ISTIO_META_REQUESTED_NETWORK_VIEW'))),
    service: { type: 'LoadBalancer', annotations: { ...gw.serviceAnnotations }, ports: gw.ports.map((p) => ({ ...p })) },
    resources: { requests: { ...gw.resources.requests }, limits: { ...gw.resources.limits } },
    replicaCount: gw.minReplicas,
    autoscaling: { enabled: true, minReplicas: gw.minReplicas, maxReplicas: gw.maxReplicas },
    podDisruptionBudget: { minAvailable: gw.pdbMinAvailable },
    affinity: gatewayAffinity(gw),
    securityContext: gatewayPodSecurityContext(),
    containerSecurityContext: gatewayContainerSecurityContext(),
    // The chart has no value for init containers, so the socket's CSI source and the wait container come
    // from the spire-gateway injection template (Istio's gateway template mounts the socket). Helm merges
    // this key into the chart's default podAnnotations, which keep sidecar.istio.io/inject and Prometheus'.
    podAnnotations: { [INJECTION_TEMPLATES_ANNOTATION]: GATEWAY_INJECTION_TEMPLATES },
  };
}

export function istioHelmValues(model: IstioModel): IstioHelmValues {
  const global = globalValuesOf(model);
  return {
    base: { global: { istioNamespace: 'istio-system' } },
    cni: { global: { ...(model.platform ? { platform: model.platform } : {}) } },
    istiod: {
      global,
      meshConfig: meshConfigOf(model),
      env: { ...model.istiodEnv },
      // Istio CNI is installed (the cni release), so the injector must not add the NET_ADMIN istio-init
      // container that Pod Security "restricted" rejects; istioctl derives this from components.cni.
      cni: { enabled: true },
      sidecarInjectorWebhook: { templates: injectionTemplates(model) },
    },
    gateways: Object.fromEntries(model.gateways.map((gw) => [gw.name, gatewayValues(gw)])),
  };
}
