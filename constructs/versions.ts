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

/** Prerequisites the synthesized objects rely on; installed by the Pulumi stacks (Helm) or by hand. */
export const PREREQUISITES = {
  certManager: { chart: 'cert-manager', repo: 'https://charts.jetstack.io', version: 'v1.16.5', values: { crds: { enabled: true } } },
} as const;
