/**
 * Pinned upstream versions. Images are pinned by tag (the policy checker also suggests digests;
 * digests are not pinned yet because they cannot be verified from this offline workplace).
 */
export const SPIRE_VERSION = '1.15.3';

export const IMAGES = {
  spireServer: `ghcr.io/spiffe/spire-server:${SPIRE_VERSION}`,
  spireAgent: `ghcr.io/spiffe/spire-agent:${SPIRE_VERSION}`,
  oidcDiscoveryProvider: `ghcr.io/spiffe/oidc-discovery-provider:${SPIRE_VERSION}`,
  /** 0.6.6 is the release whose CRDs are in imports/ (../shared/crds/spire-controller-manager). */
  spireControllerManager: 'ghcr.io/spiffe/spire-controller-manager:0.6.6',
  spiffeCsiDriver: 'ghcr.io/spiffe/spiffe-csi-driver:0.2.7',
  csiNodeDriverRegistrar: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.12.0',
} as const;

/**
 * Image of the agent DaemonSets' root init container that hands the hostPath socket directory to the
 * agent's uid (`chown`, a busybox applet, run directly: no shell). The same pin as ISTIO_WAIT_IMAGE, so
 * nodes pull one image for both.
 */
export const SOCKET_DIR_OWNER_IMAGE = 'busybox:1.37.0';

/** Istio release the IstioOperator, Helm values and CRD imports (../shared/crds/istio/1.30.3) are written for. */
export const ISTIO_VERSION = '1.30.3';

/** Official Istio Helm charts (base, istiod, gateway), installed by the Pulumi stacks with istioHelmValues(). */
export const ISTIO_HELM = { repo: 'https://istio-release.storage.googleapis.com/charts', version: ISTIO_VERSION } as const;

/** Image of the gateways' wait-for-socket init container (a shell with `test -S`). */
export const ISTIO_WAIT_IMAGE = 'busybox:1.37.0';

/**
 * Legacy k8s-workload-registrar (deprecated and unmaintained upstream; only ever published under
 * gcr.io/spiffe-io). 1.5.6 is its last release (reconcile and crd modes); webhook mode is gone from
 * 1.5.x (no config_webhook.go at v1.5.6), so webhook mode pins v1.3.6, the last 1.3.x tag of
 * spiffe/spire. Both are outside SPIRE's supported version skew with the SPIRE_VERSION server. Tags are
 * the spiffe/spire git tags; the registry itself could not be queried from this offline workplace.
 */
export const K8S_WORKLOAD_REGISTRAR_IMAGES = {
  webhook: 'gcr.io/spiffe-io/k8s-workload-registrar:1.3.6',
  reconcile: 'gcr.io/spiffe-io/k8s-workload-registrar:1.5.6',
  crd: 'gcr.io/spiffe-io/k8s-workload-registrar:1.5.6',
} as const;

/** Prerequisites the synthesized objects rely on; installed by the Pulumi stacks (Helm) or by hand. */
export const PREREQUISITES = {
  certManager: { chart: 'cert-manager', repo: 'https://charts.jetstack.io', version: 'v1.16.5', values: { crds: { enabled: true } } },
  /** ClusterSPIFFEID, ClusterFederatedTrustDomain, ClusterStaticEntry of spire-controller-manager 0.6.x. */
  spireCrds: { chart: 'spire-crds', repo: 'https://spiffe.github.io/helm-charts-hardened/', version: '0.6.0' },
} as const;

/**
 * Images of the Istio sample workloads (constructs/istio/samples.ts): helloworld v1/v2 answer
 * GET /hello on 5000 with their version, the curl image gives `kubectl exec` a client in the mesh.
 */
export const SAMPLE_IMAGES = {
  helloworldV1: 'docker.io/istio/examples-helloworld-v1:1.0',
  helloworldV2: 'docker.io/istio/examples-helloworld-v2:1.0',
  curl: 'curlimages/curl:8.16.0',
} as const;
