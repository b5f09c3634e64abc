/**
 * The Pulumi program: `pulumi up -s <env>` deploys clusters/<env>.yaml. Stack config:
 *   meshfed:environment        topology name (default: the stack name)
 *   meshfed:kubeconfigs        secret map of cluster name -> kubeconfig (until the GKE/EKS components create them);
 *                              the current context's server and inline certificate-authority-data are also
 *                              what peers' remote secrets use to reach the cluster
 *
 * Per cluster (ClusterDeployment): cert-manager and SPIRE CRDs (Helm) -> every synthesized file sorting
 * before 60-istio-operator.yaml, one ConfigGroup each, in file order (cert-manager Certificates are awaited
 * until Ready) -> Istio from its Helm charts (IstioInstall: base -> cni -> istiod -> gateways) -> every file
 * after it (65-istio-mesh and later). 60-istio-operator.yaml (istioctl only) is never applied. Then, across
 * clusters, one remote secret per discovery pair (RemoteSecrets), built from the peer's kubeconfig and the
 * outputs of its reader token Secret (which the stack creates and awaits until the token is filled in).
 */
import * as pulumi from '@pulumi/pulumi';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadTopologyFile } from '../clusters';
import { discoveryPairs } from '../constructs/istio-remote-secret';
import { ClusterDeployment } from '../infra/cluster-deployment';
import { RemoteSecrets } from '../infra/remote-secrets';
import { renderTopology } from '../synth/synthesize';

export interface EnvironmentDeployment {
  readonly clusters: Record<string, ClusterDeployment>;
  readonly remoteSecrets: RemoteSecrets;
}

export function deployEnvironment(environment: string, kubeconfigs: pulumi.Output<Record<string, string>>): EnvironmentDeployment {
  const topology = loadTopologyFile(join(__dirname, '..', 'clusters', `${environment}.yaml`));
  const rendered = renderTopology(topology, '/unused');
  const clusters: Record<string, ClusterDeployment> = {};
  for (const cluster of rendered.clusters) {
    const manifests = [...cluster.files].map(([name, yaml]) => ({
      name,
      objects: parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>).filter((o) => o !== null),
    }));
    const kubeconfig = kubeconfigs.apply((all) => {
      const value = all[cluster.cluster];
      if (value === undefined) throw new Error(`meshfed:kubeconfigs has no entry for cluster ${cluster.cluster}`);
      return value;
    });
    clusters[cluster.cluster] = new ClusterDeployment(cluster.cluster, { kubeconfig: pulumi.secret(kubeconfig), topology, cluster: cluster.cluster, manifests });
  }
  const remoteSecrets = new RemoteSecrets('remote-secrets', { pairs: discoveryPairs(topology, rendered.relations), clusters });
  return { clusters, remoteSecrets };
}

const config = new pulumi.Config('meshfed');
const environment = config.get('environment') ?? pulumi.getStack();
const deployed = deployEnvironment(environment, config.requireSecretObject<Record<string, string>>('kubeconfigs'));
export const clusters = Object.keys(deployed.clusters);
/** `<cluster>/istio-remote-secret-<peer>` for every discovery pair. */
export const remoteSecrets = Object.keys(deployed.remoteSecrets.secrets);
