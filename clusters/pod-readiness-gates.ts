/**
 * Which namespaces of an EKS cluster get the AWS Load Balancer Controller's pod readiness gates (pure).
 *
 * With IP targets the NLB sends traffic straight to pods, and a pod is Ready (so a rolling update moves
 * on and removes an old one) before the NLB has registered it and found it healthy: with one or two
 * replicas the target group can hold only Initial and Draining targets and peers are cut off. The
 * controller prevents it with a readiness gate that turns true only once the pod's target is Healthy,
 * injected by its pod mutator webhook on pod CREATE, and only in namespaces labelled
 * `elbv2.k8s.aws/pod-readiness-gate-inject: enabled` (the chart's default namespaceSelector of webhook
 * mpod.elbv2.k8s.aws, failurePolicy Ignore) and only for IP targets
 * (kubernetes-sigs/aws-load-balancer-controller docs/deploy/pod_readiness_gate.md and
 * helm/aws-load-balancer-controller/templates/webhook.yaml, v3.5.0). Instance targets are nodes: no gate.
 */
import { lbControllerIpTargets, servedByLbController } from './aws-subnets';
import { eastWestServiceAnnotations, type ClusterSpec, type EndpointSpec } from './model';

/** The namespace label the controller's pod mutator webhook selects. */
export const POD_READINESS_GATE_INJECT_LABEL: Readonly<Record<string, string>> = { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' };

/** The Services of a cluster that the controller may serve, by the namespace their pods run in. */
export interface LbControllerServices {
  /** The SPIRE server's bundle endpoint and server API Services (spire-server namespace). */
  readonly spireServer: readonly (Readonly<Record<string, string>> | undefined)[];
  /** The east-west gateway's Service (istio-system). */
  readonly istioSystem: readonly (Readonly<Record<string, string>> | undefined)[];
}

const loadBalancer = (ep: EndpointSpec | undefined) => (ep?.serviceType === 'LoadBalancer' ? ep.annotations : undefined);

/** Annotations of the LoadBalancer Services meshfed renders for a cluster, by namespace. */
export function lbControllerServices(cluster: ClusterSpec): LbControllerServices {
  return {
    spireServer: [loadBalancer(cluster.bundleEndpoint), loadBalancer(cluster.serverEndpoint)],
    istioSystem: [eastWestServiceAnnotations(cluster)],
  };
}

/** Per namespace: whether it gets POD_READINESS_GATE_INJECT_LABEL (only on EKS, where the controller runs). */
export function readinessGateNamespaces(cluster: ClusterSpec): { readonly spireServer: boolean; readonly istioSystem: boolean } {
  if (cluster.provider !== 'eks') return { spireServer: false, istioSystem: false };
  const services = lbControllerServices(cluster);
  return { spireServer: services.spireServer.some(lbControllerIpTargets), istioSystem: services.istioSystem.some(lbControllerIpTargets) };
}

/** Whether any Service of an EKS cluster needs the controller (for synth's note to clusters the stack does not create). */
export function needsLbController(cluster: ClusterSpec): boolean {
  if (cluster.provider !== 'eks') return false;
  const services = lbControllerServices(cluster);
  return [...services.spireServer, ...services.istioSystem].some(servedByLbController);
}
