/** The SPIRE namespaces, with Pod Security Admission levels that match what runs in them. */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE } from './names';

export interface SpireNamespacesProps {
  /** @default "spire-server" */
  readonly serverNamespace?: string;
  /** @default "spire-system" */
  readonly agentNamespace?: string;
  /**
   * Labels added to the server namespace's own, e.g. a load balancer controller's pod readiness gate
   * injection for the Services in front of the server.
   * @default - none
   */
  readonly serverLabels?: Readonly<Record<string, string>>;
}

/** Pod Security Standards version the `enforce` level is pinned to, so a cluster upgrade cannot tighten it unannounced. */
export const PSA_VERSION = 'v1.28';

/**
 * Pod Security Admission labels: `enforce` at the given level, always warn and audit against restricted,
 * so any exception shows in audit logs and kubectl warnings.
 */
export function podSecurityLabels(enforce: 'restricted' | 'baseline' | 'privileged'): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/enforce-version': PSA_VERSION,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
  };
}

export class SpireNamespaces extends Construct {
  constructor(scope: Construct, id: string, props: SpireNamespacesProps = {}) {
    super(scope, id);
    const psa = podSecurityLabels;
    new kplus.Namespace(this, 'Server', {
      metadata: { name: props.serverNamespace ?? SPIRE_SERVER_NAMESPACE, labels: { ...props.serverLabels, ...psa('restricted') } },
    });
    // Agents need hostPID and a host socket directory, the CSI driver privileged mount propagation.
    new kplus.Namespace(this, 'Agents', {
      metadata: { name: props.agentNamespace ?? SPIRE_SYSTEM_NAMESPACE, labels: psa('privileged') },
    });
  }
}
