/**
 * Istio's control plane and gateways for one cluster from the official Helm charts (ISTIO_HELM), with
 * the values meshfed's IstioModel gives (the same model the IstioOperator rendering is written from).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Topology } from '../clusters/model';
import { EASTWEST_GATEWAY } from '../constructs/istio/model';
import { ISTIO_HELM } from '../constructs/core/versions';
import { istioReleases } from './istio-releases';

export interface IstioInstallArgs {
  /** Which releases to install (their number and names), from the topology's shape. */
  readonly topology: Topology;
  /**
   * The topology completed with the stack's values (generated roots: with trustDomainAcceptance
   * caCertificates, istiod's meshConfig.caCertificates carries each peer's root PEM); the releases' values
   * come from it when given, through the same istioReleases.
   * @default - values from `topology`
   */
  readonly valuesTopology?: pulumi.Output<Topology>;
  /** Topology name of the cluster to install. */
  readonly cluster: string;
  readonly provider: k8s.Provider;
  /** What must be in place first: the istio-system namespace (with its network label) and the SPIRE layer. */
  readonly dependsOn?: pulumi.Resource[];
  /**
   * The east-west gateway Service's reserved address (the gateway chart's `service.loadBalancerIP`, istio/istio
   * manifests/charts/gateway/values.yaml). Its annotations come with the values of `valuesTopology`, which the
   * stack completed with its own (ClusterSpec.eastWestGatewayAnnotations).
   */
  readonly eastWestService?: {
    readonly loadBalancerIP: pulumi.Input<string>;
    /** Who may connect (the gateway chart's `service.loadBalancerSourceRanges`); empty keeps the model's. */
    readonly loadBalancerSourceRanges?: pulumi.Input<readonly string[]>;
  };
}

/** Gateway chart values with the Service's reserved address. */
function withServiceAddress(input: pulumi.Input<Record<string, unknown>>, service: NonNullable<IstioInstallArgs['eastWestService']>): pulumi.Output<Record<string, unknown>> {
  return pulumi.all([input, service.loadBalancerIP, service.loadBalancerSourceRanges ?? []]).apply(([values, loadBalancerIP, given]): Record<string, unknown> => {
    const current = (values.service ?? {}) as { loadBalancerSourceRanges?: string[] };
    const ranges = current.loadBalancerSourceRanges ?? (given.length > 0 ? [...given] : undefined);
    return {
      ...values,
      service: { ...current, loadBalancerIP, ...(ranges ? { loadBalancerSourceRanges: ranges } : {}) },
    };
  });
}

export class IstioInstall extends pulumi.ComponentResource {
  /** Helm releases by part (`base`, `cni`, `istiod`, then gateway names). */
  readonly releases: Readonly<Record<string, k8s.helm.v3.Release>>;
  /** The last step's releases (the gateways); depend on them to run once Istio is installed. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: IstioInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:k8s:IstioInstall', name, {}, opts);
    const releases: Record<string, k8s.helm.v3.Release> = {};
    let previousStep: pulumi.Resource[] = [...(args.dependsOn ?? [])];
    let currentStep: pulumi.Resource[] = [];
    let step = 0;
    for (const r of istioReleases(args.topology, args.cluster)) {
      if (r.step !== step) {
        previousStep = currentStep;
        currentStep = [];
        step = r.step;
      }
      const values: pulumi.Input<Record<string, unknown>> = args.valuesTopology
        ? args.valuesTopology.apply((t) => {
          const completed = istioReleases(t, args.cluster).find((c) => c.part === r.part);
          if (!completed) throw new Error(`internal: the completed topology has no Istio release ${r.part} for ${args.cluster}`);
          return completed.values as Record<string, unknown>;
        })
        : r.values;
      const release = new k8s.helm.v3.Release(`${name}-${r.part}`, {
        name: r.releaseName,
        chart: r.chart,
        version: ISTIO_HELM.version,
        repositoryOpts: { repo: ISTIO_HELM.repo },
        // No createNamespace: istio-system comes from meshfed's manifests, with its network label.
        namespace: r.namespace,
        values: r.part === EASTWEST_GATEWAY && args.eastWestService ? withServiceAddress(values, args.eastWestService) : values,
      }, { parent: this, provider: args.provider, dependsOn: previousStep });
      releases[r.part] = release;
      currentStep.push(release);
    }
    this.releases = releases;
    this.ready = currentStep;
    this.registerOutputs({ releases: this.releases, ready: this.ready });
  }
}
