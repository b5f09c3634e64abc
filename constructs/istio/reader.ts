/**
 * The reader side of endpoint discovery: the identity that peer clusters' istiods use (through a remote
 * secret) to watch this cluster's Services, EndpointSlices, Pods and Nodes. It mirrors what
 * `istioctl create-remote-secret` sets up, under its own name so it never collides with the
 * istio-reader objects the istiod chart owns: pass `--service-account meshfed-istio-reader
 * --create-service-account=false` to istioctl, or let the Pulumi stack read the token Secret.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { istioLabels } from './cross-network-gateway';
import { ISTIO_SYSTEM_NAMESPACE } from './model';

export const ISTIO_READER_SERVICE_ACCOUNT = 'meshfed-istio-reader';
export const ISTIO_READER_TOKEN_SECRET = 'meshfed-istio-reader-token';
export const ISTIO_READER_CLUSTER_ROLE = 'meshfed-istio-reader';

export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

export interface IstioReaderProps {
  /**
   * Let readers get ConfigMaps: needed when istiod trusts peers through meshConfig.caCertificates (it then
   * reads the trust-bundle ConfigMaps of remote clusters). @default false
   */
  readonly readConfigMaps?: boolean;
}

const READ = ['get', 'list', 'watch'];

/**
 * What a peer's istiod reads here, compared rule by rule with upstream's reader role (istio/istio 1.30.3
 * manifests/charts/istio-control/istio-discovery/templates/reader-clusterrole.yaml); docs/istio.md
 * "Endpoint discovery" says what each omitted rule costs.
 * - Kept from upstream: core discovery objects, EndpointSlices, ReplicaSets, WorkloadEntries, MCS reads,
 *   token and access reviews.
 * - Added to match upstream: CustomResourceDefinitions (istiod's client waits for its CRD informer before a
 *   remote cluster counts as synced, pkg/kube/multicluster/cluster.go Run -> RunAndWait) and Gateway API /
 *   x-k8s Gateways (the cluster's Gateways collection, waited for in the same place). Neither holds secrets.
 * - Omitted: Secrets (a peer would read every credential of this cluster, the reason for the separate
 *   account); all other Istio config groups (a multi-primary istiod reads config from its own cluster only);
 *   ServiceExport create/delete (MCS auto-export, off by default).
 */
export function istioReaderRules(props: IstioReaderProps = {}): PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['endpoints', 'namespaces', 'nodes', 'pods', 'replicationcontrollers', 'services', ...(props.readConfigMaps ? ['configmaps'] : [])].sort(), verbs: READ },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
    { apiGroups: ['networking.istio.io'], resources: ['workloadentries', 'workloadgroups'], verbs: READ },
    { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceexports', 'serviceimports'], verbs: READ },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
    { apiGroups: ['gateway.networking.k8s.io', 'networking.x-k8s.io'], resources: ['gateways'], verbs: READ },
  ];
}

export class IstioReader extends Construct {
  constructor(scope: Construct, id: string, props: IstioReaderProps = {}) {
    super(scope, id);
    const labels = istioLabels('istio-reader');
    new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: ISTIO_READER_SERVICE_ACCOUNT, namespace: ISTIO_SYSTEM_NAMESPACE, labels },
    });
    // A long-lived token for the remote secret; Kubernetes fills in token and ca.crt, so no data here.
    new ApiObject(this, 'TokenSecret', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        name: ISTIO_READER_TOKEN_SECRET,
        namespace: ISTIO_SYSTEM_NAMESPACE,
        labels,
        annotations: { 'kubernetes.io/service-account.name': ISTIO_READER_SERVICE_ACCOUNT },
      },
    });
    new ApiObject(this, 'ClusterRole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: ISTIO_READER_CLUSTER_ROLE, labels },
      rules: istioReaderRules(props),
    });
    new ApiObject(this, 'ClusterRoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: ISTIO_READER_CLUSTER_ROLE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ISTIO_READER_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: ISTIO_READER_SERVICE_ACCOUNT, namespace: ISTIO_SYSTEM_NAMESPACE }],
    });
  }
}
