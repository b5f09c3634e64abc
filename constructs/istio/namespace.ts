/** The istio-system namespace, labelled with the cluster's Istio network (istiod reads it for its own endpoints). */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ISTIO_SYSTEM_NAMESPACE } from './model';
import { podSecurityLabels } from '../core/namespaces';
import { requireDnsLabel } from '../core/props-error';

export const NETWORK_LABEL = 'topology.istio.io/network';

export interface IstioNamespaceProps {
  /** Istio network of this cluster, e.g. "network1". */
  readonly network: string;
  /**
   * Labels added to the namespace's own, e.g. a load balancer controller's pod readiness gate injection
   * for the east-west gateway's Service.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

export class IstioNamespace extends Construct {
  readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: IstioNamespaceProps) {
    super(scope, id);
    requireDnsLabel('IstioNamespace.network', props.network);
    this.namespace = new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: ISTIO_SYSTEM_NAMESPACE,
        labels: {
          ...props.labels,
          [NETWORK_LABEL]: props.network,
          // istiod and the gateways meet "restricted"; Istio CNI runs in kube-system on GKE.
          ...podSecurityLabels('restricted'),
        },
      },
    });
  }
}
