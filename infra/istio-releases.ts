/**
 * The Helm releases of Istio's official charts for one cluster, in install order, as a pure function of
 * the topology: IstioInstall creates exactly these, and tests read them without Pulumi.
 */
import { istioClusterValues } from '../clusters/istio-values';
import type { Topology } from '../clusters/model';
import { type HelmValues, istioHelmValues } from '../constructs/istio/helm-values';
import { ISTIO_SYSTEM_NAMESPACE, istioModel } from '../constructs/istio/model';

export interface IstioRelease {
  /** Suffix of the Pulumi resource name (`<component>-<part>`). */
  readonly part: string;
  /** Helm release name. */
  readonly releaseName: string;
  /** Chart in ISTIO_HELM.repo (constructs/versions.ts), at ISTIO_HELM.version. */
  readonly chart: 'base' | 'cni' | 'istiod' | 'gateway';
  readonly namespace: string;
  readonly values: HelmValues;
  /** Install step: a release starts after every release of the step before; releases of one step run in parallel. */
  readonly step: number;
}

/**
 * base (CRDs) -> cni -> istiod -> one `gateway` release per gateway (named after it). The CNI node agent
 * is system-node-critical; GKE admits such pods only in kube-system (or with a ResourceQuota for that
 * priority class), so on GKE it goes there, as the IstioOperator rendering does too.
 */
export function istioReleases(topology: Topology, cluster: string): IstioRelease[] {
  const model = istioModel(istioClusterValues(topology, cluster));
  const values = istioHelmValues(model);
  return [
    { part: 'base', releaseName: 'istio-base', chart: 'base', namespace: ISTIO_SYSTEM_NAMESPACE, values: values.base, step: 0 },
    { part: 'cni', releaseName: 'istio-cni', chart: 'cni', namespace: model.cniNamespace, values: values.cni, step: 1 },
    { part: 'istiod', releaseName: 'istiod', chart: 'istiod', namespace: ISTIO_SYSTEM_NAMESPACE, values: values.istiod, step: 2 },
    ...Object.entries(values.gateways).map(([gateway, v]) => (
      { part: gateway, releaseName: gateway, chart: 'gateway' as const, namespace: ISTIO_SYSTEM_NAMESPACE, values: v, step: 3 })),
  ];
}
