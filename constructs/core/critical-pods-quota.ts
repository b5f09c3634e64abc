/**
 * A ResourceQuota scoped to the system-*-critical PriorityClasses. Kubernetes can limit those classes
 * to namespaces holding a matching quota (kube-apiserver AdmissionConfiguration for ResourceQuota,
 * `limitedResources` with a PriorityClass scope), and GKE does: pods asking for system-node-critical
 * outside kube-system are refused there unless their namespace has such a quota (PROVIDER_FACTS
 * "critical-priority-needs-quota"). The quota exists to admit them, not to budget them.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { commonLabels } from './names';
import { requireRange } from './props-error';

export const CRITICAL_PODS_QUOTA = 'critical-pods';

export interface CriticalPodsQuotaProps {
  readonly namespace: string;
  /** @default ["system-node-critical"] */
  readonly priorityClasses?: readonly string[];
  /** Upper bound on such pods in the namespace (a few DaemonSet pods per node). @default 1000 */
  readonly pods?: number;
}

export class CriticalPodsQuota extends Construct {
  readonly priorityClasses: readonly string[];

  constructor(scope: Construct, id: string, props: CriticalPodsQuotaProps) {
    super(scope, id);
    const pods = props.pods ?? 1000;
    requireRange('CriticalPodsQuota.pods', pods, 1, 100000);
    this.priorityClasses = [...(props.priorityClasses ?? ['system-node-critical'])];
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: CRITICAL_PODS_QUOTA, namespace: props.namespace, labels: commonLabels(CRITICAL_PODS_QUOTA) },
      spec: {
        hard: { pods: k8s.Quantity.fromNumber(pods) },
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [...this.priorityClasses] }] },
      },
    });
  }
}
