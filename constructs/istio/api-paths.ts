/**
 * Every IstioOperator key path meshfed may emit, checked against the Istio 1.30 API. istioctl ignores
 * unknown meshConfig keys without a word, so a typo would silently drop a security setting; tests run
 * `disallowedKeyPaths` over the synthesized IstioOperator. Segments: `*` = any one map key (user-named
 * keys such as env names or labels), `**` = an opaque Kubernetes-typed subtree validated by Kubernetes.
 *
 * Sources (istio/istio and istio/api at the 1.30 release):
 * - operator/pkg/apis/types.go: IstioOperatorSpec (profile, meshConfig, values, components),
 *   IstioComponentSpec / GatewayComponentSpec (enabled, namespace, name, label, k8s),
 *   KubernetesResources (env, resources, replicaCount, hpaSpec, podDisruptionBudget, affinity,
 *   securityContext, service, serviceAnnotations, overlays), KubernetesOverlay / Patch (path, value).
 * - istio/api mesh/v1alpha1/config.proto: MeshConfig.trust_domain, trust_domain_aliases,
 *   ca_certificates (CertificateData: pem, spiffe_bundle_url, trust_domains), default_config.
 * - istio/api mesh/v1alpha1/proxy.proto: ProxyConfig.proxy_metadata, hold_application_until_proxy_starts.
 * - operator/pkg/apis/values_types.proto: GlobalConfig (meshID, multiCluster.clusterName, network,
 *   platform, defaultPodDisruptionBudget.enabled), PilotConfig.env, SidecarInjectorConfig.templates,
 *   IngressGatewayConfig.runAsRoot (under gateways.istio-ingressgateway).
 */

export type KeyPath = readonly string[];

const GATEWAY = ['spec', 'components', 'ingressGateways', '[]'];
const K8S = [...GATEWAY, 'k8s'];

export const ISTIO_OPERATOR_ALLOWED_PATHS: readonly KeyPath[] = [
  ['apiVersion'], ['kind'], ['metadata', 'name'], ['metadata', 'namespace'],
  ['spec', 'profile'],
  ['spec', 'meshConfig', 'trustDomain'],
  ['spec', 'meshConfig', 'trustDomainAliases', '[]'],
  ['spec', 'meshConfig', 'caCertificates', '[]', 'pem'],
  ['spec', 'meshConfig', 'caCertificates', '[]', 'spiffeBundleUrl'],
  ['spec', 'meshConfig', 'caCertificates', '[]', 'trustDomains', '[]'],
  ['spec', 'meshConfig', 'defaultConfig', 'proxyMetadata', '*'],
  ['spec', 'meshConfig', 'defaultConfig', 'holdApplicationUntilProxyStarts'],
  ['spec', 'values', 'global', 'meshID'],
  ['spec', 'values', 'global', 'multiCluster', 'clusterName'],
  ['spec', 'values', 'global', 'network'],
  ['spec', 'values', 'global', 'platform'],
  ['spec', 'values', 'global', 'defaultPodDisruptionBudget', 'enabled'],
  ['spec', 'values', 'global', 'proxy', 'seccompProfile', '**'],
  ['spec', 'values', 'pilot', 'env', '*'],
  ['spec', 'values', 'pilot', 'autoscaleMin'], ['spec', 'values', 'pilot', 'autoscaleMax'],
  ['spec', 'values', 'pilot', 'seccompProfile', '**'],
  ['spec', 'values', 'pilot', 'affinity', '**'],
  ['spec', 'values', 'pilot', 'topologySpreadConstraints', '**'],
  ['spec', 'values', 'cni', 'resourceQuotas', 'enabled'],
  ['spec', 'values', 'sidecarInjectorWebhook', 'templates', '*'],
  ['spec', 'values', 'sidecarInjectorWebhook', 'defaultTemplates', '[]'],
  ['spec', 'values', 'gateways', 'istio-ingressgateway', 'runAsRoot'],
  ['spec', 'components', 'base', 'enabled'],
  ['spec', 'components', 'pilot', 'enabled'],
  ['spec', 'components', 'cni', 'enabled'],
  ['spec', 'components', 'cni', 'namespace'],
  [...GATEWAY, 'name'], [...GATEWAY, 'namespace'], [...GATEWAY, 'enabled'], [...GATEWAY, 'label', '*'],
  [...K8S, 'env', '[]', 'name'], [...K8S, 'env', '[]', 'value'],
  [...K8S, 'resources', '**'],
  [...K8S, 'replicaCount'],
  [...K8S, 'hpaSpec', 'minReplicas'], [...K8S, 'hpaSpec', 'maxReplicas'],
  [...K8S, 'podDisruptionBudget', 'minAvailable'],
  [...K8S, 'affinity', '**'],
  [...K8S, 'securityContext', '**'],
  [...K8S, 'serviceAnnotations', '*'],
  [...K8S, 'service', 'type'], [...K8S, 'service', 'loadBalancerIP'], [...K8S, 'service', 'loadBalancerSourceRanges', '[]'],
  [...K8S, 'service', 'ports', '[]', 'name'], [...K8S, 'service', 'ports', '[]', 'port'],
  [...K8S, 'service', 'ports', '[]', 'targetPort'], [...K8S, 'service', 'ports', '[]', 'protocol'],
  [...K8S, 'overlays', '[]', 'apiVersion'], [...K8S, 'overlays', '[]', 'kind'], [...K8S, 'overlays', '[]', 'name'],
  [...K8S, 'overlays', '[]', 'patches', '[]', 'path'],
  [...K8S, 'overlays', '[]', 'patches', '[]', 'value', '**'],
];

/** meshConfig paths shared by the IstioOperator (under spec) and the istiod chart (at the top level). */
const MESH_CONFIG = ISTIO_OPERATOR_ALLOWED_PATHS.filter((p) => p[1] === 'meshConfig').map((p) => p.slice(1));

/**
 * Value paths meshfed may set per official Helm chart of the pinned release. Helm ignores unknown values
 * as silently as istioctl, so a misspelled one would drop a setting. Sources
 * (istio/istio manifests/charts at 1.30): base/values.yaml (global.istioNamespace); istio-cni/values.yaml
 * (global.platform); istio-control/istio-discovery/values.yaml (env, cni.enabled, meshConfig,
 * sidecarInjectorWebhook.templates, global.meshID / multiCluster.clusterName / network / platform /
 * defaultPodDisruptionBudget.enabled); gateway/values.yaml and templates/deployment.yaml (name, labels,
 * networkGateway, env, service.type/annotations/ports, resources, replicaCount, autoscaling, podDisruptionBudget,
 * affinity, securityContext, containerSecurityContext, podAnnotations).
 */
export const ISTIO_HELM_ALLOWED_PATHS: Readonly<Record<'base' | 'cni' | 'istiod' | 'gateway', readonly KeyPath[]>> = {
  base: [['global', 'istioNamespace']],
  cni: [['global'], ['global', 'platform'], ['resourceQuotas', 'enabled']],
  istiod: [
    ['global', 'meshID'], ['global', 'multiCluster', 'clusterName'], ['global', 'network'], ['global', 'platform'],
    ['global', 'defaultPodDisruptionBudget', 'enabled'], ['global', 'proxy', 'seccompProfile', '**'],
    ['env', '*'], ['cni', 'enabled'], ['sidecarInjectorWebhook', 'templates', '*'], ['sidecarInjectorWebhook', 'defaultTemplates', '[]'],
    ['autoscaleMin'], ['autoscaleMax'], ['seccompProfile', '**'], ['affinity', '**'], ['topologySpreadConstraints', '**'],
    ...MESH_CONFIG,
  ],
  gateway: [
    ['name'], ['labels', '*'], ['env'], ['env', '*'],
    ['service', 'type'], ['service', 'annotations', '*'], ['service', 'loadBalancerIP'], ['service', 'loadBalancerSourceRanges', '[]'],
    ['service', 'ports', '[]', 'name'], ['service', 'ports', '[]', 'port'], ['service', 'ports', '[]', 'targetPort'], ['service', 'ports', '[]', 'protocol'],
    ['resources', '**'], ['replicaCount'],
    ['autoscaling', 'enabled'], ['autoscaling', 'minReplicas'], ['autoscaling', 'maxReplicas'],
    ['podDisruptionBudget', 'minAvailable'],
    ['affinity', '**'], ['topologySpreadConstraints', '**'], ['securityContext', '**'], ['rbac', 'enabled'], ['containerSecurityContext', '**'], ['podAnnotations', '*'],
  ],
};

/** Leaf key paths of a JSON value; array elements are the segment `[]`. */
export function keyPaths(value: unknown, prefix: KeyPath = []): KeyPath[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[...prefix, '[]']];
    return value.flatMap((v) => keyPaths(v, [...prefix, '[]']));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return [prefix];
    return entries.flatMap(([k, v]) => keyPaths(v, [...prefix, k]));
  }
  return [prefix];
}

export function pathAllowed(path: KeyPath, allowed: readonly KeyPath[] = ISTIO_OPERATOR_ALLOWED_PATHS): boolean {
  return allowed.some((pattern) => matches(pattern, path));
}

function matches(pattern: KeyPath, path: KeyPath): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '**') return path.length > i;
    if (i >= path.length) return false;
    if (pattern[i] === '*' ? path[i] === '[]' : pattern[i] !== path[i]) return false;
  }
  return pattern.length === path.length;
}

/** Key paths of `obj` (an IstioOperator) that the pinned Istio API does not have, joined with "." for messages. */
export function disallowedKeyPaths(obj: unknown, allowed: readonly KeyPath[] = ISTIO_OPERATOR_ALLOWED_PATHS): string[] {
  const bad = keyPaths(obj).filter((p) => !pathAllowed(p, allowed)).map((p) => p.join('.'));
  return [...new Set(bad)].sort();
}
