/**
 * Deploys one cluster's layer of the mesh: the pinned prerequisites (cert-manager with its CRDs, the
 * SPIRE CRDs) through their official Helm charts, then meshfed's synthesized manifests in install
 * order, each step depending on the previous one.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { PREREQUISITES } from '../constructs/versions';

export interface ManifestFile {
  /** `NN-<concern>.yaml`; files are applied in this order. */
  readonly name: string;
  readonly objects: readonly Record<string, unknown>[];
}

export interface ClusterDeploymentArgs {
  /** Kubeconfig of the target cluster (a secret Output from the cluster component or stack config). */
  readonly kubeconfig: pulumi.Input<string>;
  /** The cluster's synthesized manifests (synth/synthesize.ts), in install order. */
  readonly manifests: readonly ManifestFile[];
}

export const SPIRE_CRDS_CHART = { chart: 'spire-crds', repo: 'https://spiffe.github.io/helm-charts-hardened/', version: '0.6.0' } as const;

export class ClusterDeployment extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  /** The last manifest group; depend on it to run after the cluster's mesh layer is applied. */
  readonly ready: pulumi.Resource;

  constructor(name: string, args: ClusterDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:k8s:ClusterDeployment', name, {}, opts);
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: args.kubeconfig }, { parent: this });
    const childOpts = (dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions => ({ parent: this, provider: this.provider, dependsOn });

    const cm = PREREQUISITES.certManager;
    const certManager = new k8s.helm.v3.Release(`${name}-cert-manager`, {
      chart: cm.chart,
      version: cm.version,
      repositoryOpts: { repo: cm.repo },
      namespace: 'cert-manager',
      createNamespace: true,
      values: cm.values,
    }, childOpts([]));
    const spireCrds = new k8s.helm.v3.Release(`${name}-spire-crds`, {
      chart: SPIRE_CRDS_CHART.chart,
      version: SPIRE_CRDS_CHART.version,
      repositoryOpts: { repo: SPIRE_CRDS_CHART.repo },
      namespace: 'spire-server',
      createNamespace: true,
    }, childOpts([]));

    let previous: pulumi.Resource[] = [certManager, spireCrds];
    for (const file of args.manifests) {
      const group = new k8s.yaml.v2.ConfigGroup(`${name}-${file.name}`, { objs: file.objects.map((o) => ({ ...o })) }, childOpts(previous));
      previous = [group];
    }
    this.ready = previous[0];
    this.registerOutputs({ ready: this.ready });
  }
}
