/**
 * Helm values for Istio's official charts (base, cni, istiod, gateway), written from the same IstioModel
 * as the IstioOperator. The Pulumi stacks pass them to `helm.v3.Release`s of ISTIO_HELM.repo at
 * ISTIO_HELM.version. Value names follow manifests/charts/{base,istio-cni,istio-control/istio-discovery,
 * gateway}/values.yaml of the pinned release: in the istiod chart the former `pilot.*` values are top-level.
 */
import {
  GATEWAY_INJECTION_TEMPLATES, gatewayAffinity, gatewayContainerSecurityContext, gatewayPodSecurityContext, gatewayServiceSpec, zoneSpread,
} from './gateway-pod';
import { type GatewayModel, INJECTION_TEMPLATES_ANNOTATION, type IstioModel } from './model';
import { cniValuesOf, globalValuesOf, istiodValuesOf, meshConfigOf, sidecarInjectorValuesOf } from './operator';

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
    // `labels` reach the Service, Deployment and pods (gateway chart _helpers.tpl gateway.labels), so the
    // east-west Service carries topology.istio.io/network, by which istiod finds network gateways. No
    // `networkGateway` value: with it the chart renders its own port list (15021, 15443, 15012, 15017 in
    // templates/service.yaml, ignoring service.ports) and a second network label on the pods.
    labels: { ...gw.labels },
    env: { ...gw.env },
    service: { type: 'LoadBalancer', annotations: { ...gw.serviceAnnotations }, ...gatewayServiceSpec(gw), ports: gw.ports.map((p) => ({ ...p })) },
    resources: { requests: { ...gw.resources.requests }, limits: { ...gw.resources.limits } },
    replicaCount: gw.minReplicas,
    autoscaling: { enabled: true, minReplicas: gw.minReplicas, maxReplicas: gw.maxReplicas },
    podDisruptionBudget: { minAvailable: gw.pdbMinAvailable },
    affinity: gatewayAffinity(gw),
    topologySpreadConstraints: zoneSpread({ istio: gw.labels.istio }),
    securityContext: gatewayPodSecurityContext(),
    containerSecurityContext: gatewayContainerSecurityContext(),
    // The chart has initContainers/volumes values, but the socket's CSI source and the wait container come
    // from the spire-gateway injection template, the same patch for every gateway (Istio's gateway template
    // declares and mounts the socket volume). Helm merges
    // this key into the chart's default podAnnotations, which keep sidecar.istio.io/inject and Prometheus'.
    podAnnotations: { [INJECTION_TEMPLATES_ANNOTATION]: GATEWAY_INJECTION_TEMPLATES },
    // The east-west gateway only passes TLS through and never serves credentialName Secrets, so it gets no
    // SDS Role over istio-system's Secrets (gateway chart templates/role.yaml, `rbac.enabled`), which hold
    // istiod's own CA key.
    ...(gw.role === 'eastwest' ? { rbac: { enabled: false } } : {}),
  };
}

export function istioHelmValues(model: IstioModel): IstioHelmValues {
  const global = globalValuesOf(model);
  return {
    base: { global: { istioNamespace: 'istio-system' } },
    cni: { global: { ...(model.platform ? { platform: model.platform } : {}) }, ...cniValuesOf() },
    istiod: {
      global,
      meshConfig: meshConfigOf(model),
      ...istiodValuesOf(model),
      // Istio CNI is installed (the cni release), so the injector must not add the NET_ADMIN istio-init
      // container that Pod Security "restricted" rejects; istioctl derives this from components.cni.
      cni: { enabled: true },
      sidecarInjectorWebhook: sidecarInjectorValuesOf(model),
    },
    gateways: Object.fromEntries(model.gateways.map((gw) => [gw.name, gatewayValues(gw)])),
  };
}
