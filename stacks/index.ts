/**
 * The Pulumi program: `pulumi up -s <env>` builds the environment of one topology file (infra/mesh-program.ts).
 * Stack config:
 *   meshfed:topology        path of the topology file, relative to the project directory (default clusters/<stack>.yaml)
 *   meshfed:kubeconfigs     optional secret map cluster name -> kubeconfig: these clusters exist and are only
 *                           deployed into; every other cluster is created (provider gke: GCP network, GKE cluster;
 *                           provider eks: VPCs peered pairwise, EKS cluster, IAM; all eks clusters or none)
 *   meshfed:apiAccessCidrs  IPv4 CIDRs that may reach created gke clusters' API servers (the machine running
 *                           pulumi); required when gke clusters are created, 0.0.0.0/0 refused
 *   gcp:project, gcp:region the GCP provider's own settings, when gke clusters are created
 * A topology that does not load, or a config value that is missing or malformed, fails before any resource
 * is registered: the loader's lines, or a message naming the key, the value (never a secret one) and what is
 * allowed (infra/stack-config.ts, deployMesh).
 */
import * as pulumi from '@pulumi/pulumi';
import { join } from 'node:path';
import { loadTopologyFile, TopologyError, type Topology } from '../clusters';
import { deployMesh, StackConfigError } from '../infra/mesh-program';
import { apiAccessCidrsConfig, kubeconfigsConfig, topologyFile } from '../infra/stack-config';

const config = new pulumi.Config('meshfed');
const projectDir = join(__dirname, '..');

function load(path: string): Topology {
  try {
    return loadTopologyFile(path, path, { rootsFromStack: true });
  } catch (err) {
    if (err instanceof TopologyError) throw new StackConfigError(`${err.problems.join('\n')}\n${err.problems.length} problem${err.problems.length > 1 ? 's' : ''}; nothing was deployed.`);
    throw err;
  }
}

// Every config key is read and checked before the first resource is registered (infra/stack-config.ts).
const topology = load(topologyFile(config.get('topology'), pulumi.getStack(), projectDir));
const givenKubeconfigs = kubeconfigsConfig(config.get('kubeconfigs'));
const apiAccessCidrs = apiAccessCidrsConfig(config.get('apiAccessCidrs'));
const gcpConfig = new pulumi.Config('gcp');
const gcpProject = gcpConfig.get('project');
const program = deployMesh({
  topology,
  existingClusters: Object.keys(givenKubeconfigs ?? {}),
  ...(givenKubeconfigs ? { kubeconfigs: pulumi.secret(givenKubeconfigs) } : {}),
  gcp: { ...(gcpProject ? { project: gcpProject } : {}), apiAccessCidrs },
});

export const environment = topology.environment;
export const clusters = Object.fromEntries(Object.entries(program.outputs).map(([name, o]) => [name, {
  trustDomain: o.trustDomain,
  apiEndpoint: o.apiEndpoint,
  ...(o.eastWestAddress ? { eastWestAddress: o.eastWestAddress } : {}),
  ...(o.bundleEndpointUrl ? { bundleEndpointUrl: o.bundleEndpointUrl } : {}),
  ...(o.rootCaCert ? { rootCaCert: o.rootCaCert } : {}),
}]));
/** `<cluster>/istio-remote-secret-<peer>` for every discovery pair. */
export const remoteSecrets = Object.keys(program.remoteSecrets.secrets);
/** Secret: a kubeconfig per cluster (created clusters authenticate with gke-gcloud-auth-plugin or `aws eks get-token`). */
export const kubeconfigs = program.kubeconfigs;
