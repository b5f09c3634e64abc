/** Facts about GKE and EKS that change what meshfed may render for them. */
import type { KubeletAccess } from '../spire/agent-config';
import type { ProviderFact } from './types';

export const PROVIDER_FACTS: readonly ProviderFact[] = [
  {
    provider: 'gke',
    id: 'critical-priority-needs-quota',
    fact:
      'Pods with priorityClassName system-node-critical or system-cluster-critical are admitted outside kube-system only when ' +
      'their namespace has a ResourceQuota whose scopeSelector names that PriorityClass (GKE limits these classes with a ' +
      'PriorityClass-scoped quota in kube-system, so the ResourceQuota admission plugin treats them as limited resources).',
    source:
      'Kubernetes docs "Resource Quotas: Limit Priority Class consumption by default"; istio/istio manifests/charts/istio-cni ' +
      '(ResourceQuota scoped to system-node-critical for installs outside kube-system); fluxcd/flux2 PR #3879 and NVIDIA/aicr PR #921 ' +
      '(GKE refuses such pods without the quota)',
  },
  {
    provider: 'gke',
    id: 'kubelet-serving-cert-ip-san',
    fact:
      'The kubelet serving certificate on GKE nodes names the node by IP address, not by node name, so a client dialling ' +
      'https://<nodeName>:10250 with host name verification fails; the issuer of that certificate could not be verified from here.',
    source: 'spiffe/spire issue #6146 (GKE kubelet certificate SAN is the node IP); spiffe/helm-charts-hardened charts/spire/charts/spire-agent/values.yaml (kubeletAddress.mode hostip, workloadAttestors.k8s.verification.type default skip)',
  },
  {
    provider: 'gke',
    id: 'no-admission-client-certificate',
    fact: 'The managed control plane cannot be configured (AdmissionConfiguration kubeConfigFile) to present a client certificate to admission webhooks.',
    source: 'spiffe/spire v1.3.6 support/k8s/k8s-workload-registrar/README.md (webhook mode needs the API server to authenticate with a client certificate); GKE and EKS do not expose kube-apiserver flags',
  },
  {
    provider: 'eks',
    id: 'no-admission-client-certificate',
    fact: 'The managed control plane cannot be configured (AdmissionConfiguration kubeConfigFile) to present a client certificate to admission webhooks.',
    source: 'spiffe/spire v1.3.6 support/k8s/k8s-workload-registrar/README.md (webhook mode needs the API server to authenticate with a client certificate); GKE and EKS do not expose kube-apiserver flags',
  },
];

/** The provider facts of one provider, by id. */
export function providerHas(provider: ProviderFact['provider'], id: string): boolean {
  return PROVIDER_FACTS.some((f) => f.provider === provider && f.id === id);
}

/**
 * Default kubelet access of the agents' workload attestor per provider. GKE: the node's IP (its
 * kubelet certificate names the IP, fact "kubelet-serving-cert-ip-san") without certificate
 * verification, as upstream's hardened chart defaults to; the trade-off is that the agent trusts
 * whatever answers on <host IP>:10250, which only the node or its network can spoof. EKS: unchanged,
 * by node name with the certificate verified against the cluster CA.
 */
export const PROVIDER_KUBELET_ACCESS: Readonly<Record<ProviderFact['provider'], KubeletAccess>> = {
  gke: { address: 'host-ip', verify: false },
  eks: { address: 'node-name', verify: true },
};
