/**
 * The IstioOperator (install.istio.io/v1alpha1) for `istioctl install -f`. It is read client-side by
 * istioctl (the in-cluster operator and its CRD are gone since Istio 1.24), so it is synthesized as its own
 * file and never `kubectl apply`-ed. Every field comes from the IstioModel; istio-api-paths.ts lists the
 * key paths this file may contain.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  gatewayAffinity, gatewayContainerSecurityContext, gatewayPodSecurityContext, injectionTemplates, socketVolume, socketVolumeMount,
  waitForSocketContainer,
} from './istio-gateway-pod';
import { type GatewayModel, type IstioModel, ISTIO_SYSTEM_NAMESPACE } from './istio-model';

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
  };
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
      service: { type: 'LoadBalancer', ports: gw.ports.map((p) => ({ ...p })) },
      // Socket volume + wait container: patched in because the gateway chart has no values for init containers.
      overlays: [{
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: gw.name,
        patches: [
          { path: `spec.template.spec.volumes.[name:${socketVolume().name as string}]`, value: socketVolume() },
          { path: `spec.template.spec.containers.[name:istio-proxy].volumeMounts.[name:${socketVolume().name as string}]`, value: socketVolumeMount() },
          { path: 'spec.template.spec.containers.[name:istio-proxy].securityContext', value: gatewayContainerSecurityContext() },
          { path: 'spec.template.spec.initContainers', value: [waitForSocketContainer()] },
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
      pilot: { env: { ...model.istiodEnv } },
      sidecarInjectorWebhook: { templates: injectionTemplates(model) },
      // Gateways run as Istio's proxy uid; the policy checker reads this flag.
      gateways: { 'istio-ingressgateway': { runAsRoot: false } },
    },
    components: {
      base: { enabled: true },
      pilot: { enabled: true },
      // Istio CNI sets up traffic redirection, so injected pods need no NET_ADMIN init container and
      // application namespaces can enforce Pod Security "restricted".
      cni: { enabled: true, ...(model.cniNamespace !== ISTIO_SYSTEM_NAMESPACE ? { namespace: model.cniNamespace } : {}) },
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
