/**
 * The Pulumi program: `pulumi up -s <env>` builds the environment of one topology file (infra/mesh-program.ts).
 * Stack config:
 *   meshfed:topology        path of the topology file, relative to the project directory (default clusters/<stack>.yaml)
 *   meshfed:kubeconfigs     optional secret map cluster name -> kubeconfig: these clusters exist and are only
 *                           deployed into; every other cluster is created (provider gke: GCP network, GKE cluster;
 *                           provider eks: VPCs peered pairwise, EKS cluster, IAM; all eks clusters or none)
 *   meshfed:apiAccessCidrs  CIDRs that may reach created clusters' API servers (the machine running pulumi)
 *   gcp:project, gcp:region the GCP provider's own settings, when gke clusters are created
 * A topology that does not load fails before any resource is registered, with the loader's lines.
 */
import * as pulumi from '@pulumi/pulumi';
import { isAbsolute, join } from 'node:path';
import { loadTopologyFile, TopologyError, type Topology } from '../clusters';
import { deployMesh, StackConfigError } from '../infra/mesh-program';

const config = new pulumi.Config('meshfed');
const file = config.get('topology') ?? join('clusters', `${pulumi.getStack()}.yaml`);
const projectDir = join(__dirname, '..');

function load(): Topology {
  try {
    const path = isAbsolute(file) ? file : join(projectDir, file);
    return loadTopologyFile(path, path, { rootsFromStack: true });
  } catch (err) {
    if (err instanceof TopologyError) throw new StackConfigError(`${err.problems.join('\n')}\n${err.problems.length} problem${err.problems.length > 1 ? 's' : ''}; nothing was deployed.`);
    throw err;
  }
}

const topology = load();
const existingClusters = Object.keys(config.getObject<Record<string, string>>('kubeconfigs') ?? {});
const gcpConfig = new pulumi.Config('gcp');
const program = deployMesh({
  topology,
  existingClusters,
  ...(existingClusters.length > 0 ? { kubeconfigs: config.requireSecretObject<Record<string, string>>('kubeconfigs') } : {}),
  gcp: { ...(gcpConfig.get('project') ? { project: gcpConfig.get('project')! } : {}), apiAccessCidrs: config.getObject<string[]>('apiAccessCidrs') ?? [] },
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
