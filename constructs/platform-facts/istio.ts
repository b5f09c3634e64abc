/** Facts about the pinned Istio images and the images meshfed adds to Istio pods (ISTIO_WAIT_IMAGE, samples). */
import type { ImageFacts } from './types';

const ISTIO = 'istio/istio 1.30.3';

/** The helloworld samples: both versions are built from the same Dockerfile. */
function helloworldFacts(version: 'v1' | 'v2'): ImageFacts {
  return {
    repository: `docker.io/istio/examples-helloworld-${version}`,
    tag: '1.0',
    entrypoint: [],
    cmd: ['gunicorn', '-b', '[::]:5000', 'app:app', '-k', 'gevent'],
    // No USER: root; meshfed's pod sets a non-root uid.
    user: 'root',
    shell: true,
    // gunicorn's worker heartbeat files go to the temp dir.
    writes: ['/tmp'],
    source: `${ISTIO} samples/helloworld/src/Dockerfile (CMD gunicorn, no USER); the 1.0 tag predates it, same entrypoint and user`,
  };
}

export const ISTIO_IMAGE_FACTS: readonly ImageFacts[] = [
  {
    // Injected as istio-proxy (sidecar and gateway templates) and as istio-validation (CNI mode).
    repository: 'docker.io/istio/proxyv2',
    tag: '1.30.3',
    entrypoint: ['/usr/local/bin/pilot-agent'],
    // No USER in the Dockerfile: root unless the pod says otherwise. The injection templates set
    // runAsUser/runAsGroup 1337 and runAsNonRoot when Istio CNI is on.
    user: 'root',
    // The default "debug" base distribution has a shell (the distroless variant has none).
    shell: true,
    // Envoy's bootstrap and admin socket, istio-agent's SDS/XDS sockets and its credentials: the templates
    // mount emptyDirs istio-envoy, istio-data, workload-socket, credential-socket, workload-certs there.
    writes: ['/etc/istio/proxy', '/var/lib/istio/data', '/var/run/secrets/workload-spiffe-uds', '/var/run/secrets/credential-uds', '/var/run/secrets/workload-spiffe-credentials'],
    source: `${ISTIO} pilot/docker/Dockerfile.proxyv2 (ENTRYPOINT, no USER); manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (volumes, securityContext)`,
  },
  {
    repository: 'docker.io/istio/pilot',
    tag: '1.30.3',
    entrypoint: ['/usr/local/bin/pilot-discovery'],
    user: 1337,
    shell: true,
    // istiod's DNS serving certificate directory (emptyDir local-certs in the chart).
    writes: ['/var/run/secrets/istio-dns'],
    source: `${ISTIO} pilot/docker/Dockerfile.pilot (USER 1337:1337, ENTRYPOINT); manifests/charts/istio-control/istio-discovery/templates/deployment.yaml (local-certs volume)`,
  },
  {
    repository: 'docker.io/istio/install-cni',
    tag: '1.30.3',
    entrypoint: [],
    cmd: ['/usr/local/bin/install-cni'],
    // Runs as root (chart: runAsUser 0, hostPath mounts, CNI plugin install): kube-system only.
    user: 'root',
    shell: true,
    writes: ['/host/opt/cni/bin', '/host/etc/cni/net.d', '/var/run/istio-cni'],
    source: `${ISTIO} cni/deployments/kubernetes/Dockerfile.install-cni (CMD, no USER); manifests/charts/istio-cni/templates/daemonset.yaml (runAsUser 0, hostPath volumes)`,
  },
  {
    // ISTIO_WAIT_IMAGE: the gateways' wait-for-spire-socket init container runs `sh -c`.
    repository: 'busybox',
    tag: '1.37.0',
    entrypoint: [],
    cmd: ['sh'],
    user: 'root',
    shell: true,
    writes: [],
    source: 'docker-library/busybox Dockerfile for 1.37.0 (FROM scratch, CMD ["sh"], no USER)',
  },
  helloworldFacts('v1'),
  helloworldFacts('v2'),
  {
    repository: 'curlimages/curl',
    tag: '8.16.0',
    entrypoint: ['/entrypoint.sh'],
    cmd: ['curl'],
    // curl_user: the first system user alpine's `adduser -S` creates (uid 100).
    user: 100,
    shell: true,
    writes: ['/tmp'],
    source: 'curl/curl-container create_base_image.sh (adduser -S curl_user, ENTRYPOINT /entrypoint.sh, CMD curl) and create_appliance_image.sh (USER curl_user)',
  },
];

/** A fact about how an Istio chart or platform decides what a workload may do (tests read these). */
export interface IstioChartFact {
  readonly id: string;
  readonly fact: string;
  readonly source: string;
}

/**
 * What the pinned charts render that decides Pod Security admission, pinned so the chart-security test
 * (test/istio-chart-security.test.ts) checks meshfed's values against the chart, not against itself.
 */
export const ISTIO_CHART_FACTS = {
  istiodSeccompFromValue: {
    id: 'istiod-seccomp-from-value',
    fact: 'istiod\'s container gets a seccompProfile only from the `seccompProfile` value (empty by default); it always sets runAsNonRoot, allowPrivilegeEscalation false, drop ALL, readOnlyRootFilesystem; no pod securityContext',
    source: `${ISTIO} manifests/charts/istio-control/istio-discovery/templates/deployment.yaml, values.yaml (seccompProfile: {})`,
  },
  istiodPdbNeedsTwo: {
    id: 'istiod-pdb-needs-autoscale-min-2',
    fact: 'the istiod PodDisruptionBudget renders only when autoscaleEnabled and autoscaleMin > 1 (or replicaCount > 1 without HPA); defaults autoscaleMin 1',
    source: `${ISTIO} manifests/charts/istio-control/istio-discovery/templates/poddisruptionbudget.yaml`,
  },
  proxySeccompFromGlobal: {
    id: 'proxy-seccomp-from-global',
    fact: 'injected istio-proxy and istio-validation containers get a seccompProfile only from global.proxy.seccompProfile; with pilot.cni.enabled they run as 1337, runAsNonRoot, drop ALL, no NET_ADMIN',
    source: `${ISTIO} manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`,
  },
  cniNeedsPrivileged: {
    id: 'cni-needs-privileged-namespace',
    fact: 'the istio-cni-node DaemonSet runs as root (runAsUser 0) with hostPath volumes, added capabilities and priorityClassName system-node-critical: Pod Security privileged only',
    source: `${ISTIO} manifests/charts/istio-cni/templates/daemonset.yaml`,
  },
  cniQuotaOnGke: {
    id: 'cni-resource-quota-gke-profile',
    fact: 'the GKE platform profile sets resourceQuotas.enabled, which renders a system-node-critical ResourceQuota in the release namespace; istioctl turns it off when it moves CNI to kube-system',
    source: `${ISTIO} manifests/charts/istio-cni/files/profile-platform-gke.yaml, templates/resourcequota.yaml; operator/pkg/render/manifest.go clusterSpecificSettings`,
  },
  gatewayNetworkGatewayPorts: {
    id: 'gateway-network-gateway-ports',
    fact: 'with `networkGateway` set, the gateway chart ignores service.ports and publishes status-port 15021, tls 15443, tls-istiod 15012, tls-webhook 15017, and adds topology.istio.io/network to pod labels next to `labels`',
    source: `${ISTIO} manifests/charts/gateway/templates/service.yaml, deployment.yaml`,
  },
} as const satisfies Readonly<Record<string, IstioChartFact>>;

/**
 * Provider facts the Istio layer relies on (kept here, not in providers.ts, which the SPIRE side owns).
 * `namespace` + `podSecurity`: the Pod Security level a namespace meshfed does not create enforces.
 */
export interface IstioProviderFact {
  readonly provider: 'gke' | 'eks';
  readonly id: string;
  readonly fact: string;
  readonly source: string;
  readonly namespace?: string;
  readonly podSecurity?: 'privileged' | 'baseline' | 'restricted';
}

export const ISTIO_PROVIDER_FACTS: readonly IstioProviderFact[] = (['gke', 'eks'] as const).flatMap((provider) => [
  {
    provider,
    id: 'kube-system-privileged',
    namespace: 'kube-system',
    podSecurity: 'privileged' as const,
    fact: 'kube-system carries no pod-security.kubernetes.io labels, so Pod Security admission applies its configured default, which is privileged unless the cluster admin changes the admission configuration',
    // Not read from GKE/EKS sources: that neither overrides the admission defaults is an assumption to re-check.
    source: 'Kubernetes Pod Security admission defaults (enforce: privileged for unlabelled namespaces, kubernetes/website content/en/docs/concepts/security/pod-security-admission.md)',
  },
  {
    provider,
    id: 'system-node-critical-in-kube-system',
    fact: 'pods with priorityClassName system-node-critical are admitted in kube-system without a ResourceQuota (GKE limits critical priority classes elsewhere)',
    source: 'istio/istio 1.30.3 operator/pkg/render/manifest.go clusterSpecificSettings ("GKE requires deployment in kube-system namespace")',
  },
]);
