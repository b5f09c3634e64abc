/**
 * The AWS Load Balancer Controller on every EKS cluster the stack creates (pure facts and chart values;
 * AwsEnvironment creates its IRSA role, the deploy layer installs the release before the mesh).
 *
 * Why it is needed: the Services peers dial on EKS (bundle endpoint, east-west gateway, nested server
 * API) carry `service.beta.kubernetes.io/aws-load-balancer-type: external` with IP targets, and internal
 * ones `...-private-ipv4-addresses`. Only this controller acts on them: it takes a Service without
 * `spec.loadBalancerClass` when the type is `external` with target type `ip` or `instance` (or `nlb-ip`)
 * (pkg/service/service_utils.go IsServiceSupported, kubernetes-sigs/aws-load-balancer-controller v3.5.0),
 * and the in-tree provider ignores `external` ones (docs/guide/service/nlb.md, v3.5.0). Installed on
 * every created EKS cluster, not only where such a Service exists: the stack pins the mesh endpoints of
 * every EKS cluster with peers with them, a user's own Services (topology `annotations`) may name them
 * too, and two small pods cost less than a Service that silently never gets its load balancer.
 *
 * Why its Service mutator webhook is off (chart value `enableServiceMutatorWebhook`, default true in
 * aws/eks-charts stable/aws-load-balancer-controller 3.5.0):
 *  - on CREATE it sets `spec.loadBalancerClass: service.k8s.aws/nlb` on every LoadBalancer Service that
 *    has none, whatever its annotations (webhooks/core/service_mutator.go MutateCreate, v3.5.0). The
 *    Services meshfed leaves to the in-tree provider (`aws-load-balancer-type: nlb`: the ingress gateway,
 *    synth's internal exposure) would move to this controller, whose defaults differ: scheme `internal`
 *    (docs/guide/service/annotations.md, v3.5.0) where the in-tree NLB is internet-facing;
 *  - its failurePolicy is Fail on every Service CREATE (chart serviceMutatorWebhookConfig), so while the
 *    controller is down no Service could be created in the cluster.
 * With it off, each Service keeps the controller its annotations name. Its other webhooks (chart
 * templates/webhook.yaml, 3.5.0) stay off meshfed's path: pod mutators only in namespaces or for pods
 * labelled for them (readiness gates: failurePolicy Ignore), and Fail ones only for its own kinds
 * (TargetGroupBinding, IngressClassParams, GlobalAccelerator) and for Ingresses, which meshfed renders none of.
 */
import type { ServiceAccountRef } from './iam-policies';

/** aws/eks-charts (https://aws.github.io/eks-charts), chart aws-load-balancer-controller 3.5.0 = controller v3.5.0. */
export const LOAD_BALANCER_CONTROLLER = {
  chart: 'aws-load-balancer-controller',
  repo: 'https://aws.github.io/eks-charts',
  version: '3.5.0',
  appVersion: 'v3.5.0',
  releaseName: 'aws-load-balancer-controller',
  namespace: 'kube-system',
} as const;

/** The service account the controller runs as (chart `serviceAccount.name`, set explicitly); its IRSA role trusts exactly this one. */
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'kube-system', name: 'aws-load-balancer-controller' };

/**
 * The port its admission webhooks are served on, which the EKS control plane must reach on the nodes:
 * chart value `webhookBindPort` (container port `webhook-server`), controller flag --webhook-bind-port,
 * default 9443 (pkg/config/runtime_config.go defaultWebhookBindPort, v3.5.0). Set explicitly, so the
 * security group rule and the chart cannot drift apart.
 */
export const LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT = 9443;

export interface LoadBalancerControllerValuesArgs {
  /** The EKS cluster's AWS name (`--cluster-name`; the controller tags and finds its resources by it). */
  readonly clusterName: string;
  readonly region: string;
  /** The cluster's VPC (`--aws-vpc-id`), so the controller does not need the instance metadata service to find it. */
  readonly vpcId: string;
  /** ARN of the IRSA role, annotated on the service account. */
  readonly roleArn: string;
}

/** Chart values (aws/eks-charts stable/aws-load-balancer-controller/values.yaml at 3.5.0). */
export function loadBalancerControllerValues(args: LoadBalancerControllerValuesArgs): Record<string, unknown> {
  const selector = { 'app.kubernetes.io/name': LOAD_BALANCER_CONTROLLER.chart, 'app.kubernetes.io/instance': LOAD_BALANCER_CONTROLLER.releaseName };
  return {
    clusterName: args.clusterName,
    region: args.region,
    vpcId: args.vpcId,
    serviceAccount: {
      create: true,
      name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.name,
      annotations: { 'eks.amazonaws.com/role-arn': args.roleArn },
    },
    enableServiceMutatorWebhook: false,
    webhookBindPort: LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT,
    // Two replicas (leader election) behind a PDB: the chart renders the PDB only when replicaCount > 1.
    replicaCount: 2,
    podDisruptionBudget: { maxUnavailable: 1 },
    // The chart's default affinity spreads over nodes; spread over zones too, so a zone outage keeps one.
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    // The chart's defaults (non-root, read-only root, no privilege escalation) plus the rest of Pod Security restricted.
    securityContext: {
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}
