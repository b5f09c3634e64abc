/**
 * The Pulumi program: `pulumi up -s <env>` deploys clusters/<env>.yaml. Stack config:
 *   meshfed:environment        topology name (default: the stack name)
 *   meshfed:kubeconfigs        secret map of cluster name -> kubeconfig (until the GKE/EKS components create them)
 */
import * as pulumi from '@pulumi/pulumi';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadTopologyFile } from '../clusters';
import { ClusterDeployment } from '../infra/cluster-deployment';
import { CLIENT_SIDE_FILES, ISTIO_CHART_FILES } from '../synth/istio-charts';
import { renderTopology } from '../synth/synthesize';

/**
 * Files the stack does not apply: the IstioOperator is for istioctl only, and the Istio mesh objects need
 * Istio's CRDs and istiod, which the stack does not install with Helm yet (istioHelmValues() is ready for it).
 */
const NOT_APPLIED = new Set([...CLIENT_SIDE_FILES, `${ISTIO_CHART_FILES.istioMesh}.yaml`]);

export function deployEnvironment(environment: string, kubeconfigs: pulumi.Output<Record<string, string>>): Record<string, ClusterDeployment> {
  const topology = loadTopologyFile(join(__dirname, '..', 'clusters', `${environment}.yaml`));
  const rendered = renderTopology(topology, '/unused');
  const deployments: Record<string, ClusterDeployment> = {};
  for (const cluster of rendered.clusters) {
    const manifests = [...cluster.files].filter(([name]) => !NOT_APPLIED.has(name)).map(([name, yaml]) => ({
      name: name.replace(/\.yaml$/, ''),
      objects: parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>),
    }));
    const kubeconfig = kubeconfigs.apply((all) => {
      const value = all[cluster.cluster];
      if (value === undefined) throw new Error(`meshfed:kubeconfigs has no entry for cluster ${cluster.cluster}`);
      return value;
    });
    deployments[cluster.cluster] = new ClusterDeployment(cluster.cluster, { kubeconfig: pulumi.secret(kubeconfig), manifests });
  }
  return deployments;
}

const config = new pulumi.Config('meshfed');
const environment = config.get('environment') ?? pulumi.getStack();
export const clusters = Object.keys(deployEnvironment(environment, config.requireSecretObject<Record<string, string>>('kubeconfigs')));
