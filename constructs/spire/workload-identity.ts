/** ClusterSPIFFEID: which pods get which SPIFFE ID, and which foreign trust domains' bundles they receive. */
import { Construct } from 'constructs';
import { ClusterSpiffeid, ClusterSpiffeidSpecNamespaceSelectorMatchExpressions } from '../../imports/spire.spiffe.io';
import { commonLabels } from '../core/names';
import { PropsError, requireTrustDomain } from '../core/props-error';
import { MESHFED_CLASS_NAME, SYSTEM_NAMESPACES } from './controller-manager';

/** Istio's identity pattern: spiffe://<trust domain>/ns/<namespace>/sa/<service account>. */
export const ISTIO_SPIFFE_ID_TEMPLATE = 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}';

export interface WorkloadIdentityProps {
  /** Object name. @default "meshfed-workloads" */
  readonly name?: string;
  /** @default "meshfed" */
  readonly className?: string;
  /** @default ISTIO_SPIFFE_ID_TEMPLATE */
  readonly spiffeIdTemplate?: string;
  /** Pods in these namespaces get no entry (ignored when `namespaces` is set). @default SYSTEM_NAMESPACES */
  readonly excludedNamespaces?: readonly string[];
  /** Only pods in these namespaces. @default - every namespace but the excluded ones */
  readonly namespaces?: readonly string[];
  /** Only pods with these labels. @default - every pod */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Foreign trust domains whose bundles these workloads receive. @default - none */
  readonly federatesWith?: readonly string[];
  /** Lower applies first when several ClusterSPIFFEIDs match a pod. @default - unset */
  readonly fallback?: boolean;
}

export class WorkloadIdentity extends Construct {
  readonly resource: ClusterSpiffeid;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps = {}) {
    super(scope, id);
    const federatesWith = [...new Set(props.federatesWith ?? [])].sort();
    federatesWith.forEach((td, i) => requireTrustDomain(`WorkloadIdentity.federatesWith[${i}]`, td));
    this.resource = new ClusterSpiffeid(this, 'Resource', {
      metadata: { name: props.name ?? 'meshfed-workloads', labels: commonLabels('workload-identity') },
      spec: {
        className: props.className ?? MESHFED_CLASS_NAME,
        spiffeIdTemplate: props.spiffeIdTemplate ?? ISTIO_SPIFFE_ID_TEMPLATE,
        namespaceSelector: {
          matchExpressions: [namespaceExpression(props)],
        },
        ...(props.podLabels ? { podSelector: { matchLabels: { ...props.podLabels } } } : {}),
        ...(federatesWith.length > 0 ? { federatesWith } : {}),
        ...(props.fallback ? { fallback: true } : {}),
      },
    });
  }
}

function namespaceExpression(props: WorkloadIdentityProps): ClusterSpiffeidSpecNamespaceSelectorMatchExpressions {
  const key = 'kubernetes.io/metadata.name';
  if (props.namespaces !== undefined) {
    if (props.namespaces.length === 0) throw new PropsError('WorkloadIdentity.namespaces: must list at least one namespace when set');
    return { key, operator: 'In', values: [...props.namespaces] };
  }
  const excluded = props.excludedNamespaces ?? SYSTEM_NAMESPACES;
  if (excluded.length === 0) throw new PropsError('WorkloadIdentity.excludedNamespaces: must list at least one namespace (omit it for the system defaults)');
  return { key, operator: 'NotIn', values: [...excluded] };
}
