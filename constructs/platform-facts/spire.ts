/** Facts about the pinned SPIRE images (constructs/core/versions.ts IMAGES and K8S_WORKLOAD_REGISTRAR_IMAGES). */
import type { ImageFacts } from './types';

const SPIRE_DOCKERFILE = 'spiffe/spire Dockerfile at v1.15.3 (scratch base, no shell)';
const REGISTRAR = (tag: string): ImageFacts => ({
  repository: 'gcr.io/spiffe-io/k8s-workload-registrar',
  tag,
  entrypoint: ['/usr/bin/dumb-init', '/opt/spire/bin/k8s-workload-registrar'],
  cmd: [],
  user: 'root',
  shell: true,
  // Webhook mode reads its key pair and client CA, reconcile/crd talk to APIs; crd mode's own webhook
  // (webhook_enabled, which writes certificates) is not supported by meshfed.
  writes: [],
  source: `spiffe/spire Dockerfile at v${tag} (alpine base with dumb-init, no USER)`,
});

export const SPIRE_IMAGE_FACTS: readonly ImageFacts[] = [
  {
    repository: 'ghcr.io/spiffe/spire-server',
    tag: '1.15.3',
    entrypoint: ['/opt/spire/bin/spire-server', 'run'],
    user: 1000,
    shell: false,
    // Default socket_path /tmp/spire-server/private/api.sock (the image pre-creates that dir for 1000).
    writes: ['/tmp/spire-server/private'],
    source: `${SPIRE_DOCKERFILE}: USER 1000:1000, ENTRYPOINT ["/opt/spire/bin/spire-server", "run"]`,
  },
  {
    repository: 'ghcr.io/spiffe/spire-agent',
    tag: '1.15.3',
    entrypoint: ['/opt/spire/bin/spire-agent', 'run'],
    // "The SPIRE Agent image runs as root by default to facilitate the sharing of the agent socket".
    user: 'root',
    shell: false,
    // Default socket_path /tmp/spire-agent/public/api.sock; pre-created root-owned in the image.
    writes: ['/tmp/spire-agent/public'],
    source: `${SPIRE_DOCKERFILE}: ARG spireuid=0, ENTRYPOINT ["/opt/spire/bin/spire-agent", "run"]`,
  },
  {
    repository: 'ghcr.io/spiffe/oidc-discovery-provider',
    tag: '1.15.3',
    entrypoint: ['/opt/spire/bin/oidc-discovery-provider'],
    user: 1000,
    shell: false,
    // With workload_api as its key source it writes nothing (only the ACME mode keeps a cache directory).
    writes: [],
    source: `${SPIRE_DOCKERFILE}: USER 1000:1000, ENTRYPOINT ["/opt/spire/bin/oidc-discovery-provider"]`,
  },
  {
    repository: 'ghcr.io/spiffe/spire-controller-manager',
    tag: '0.6.6',
    entrypoint: ['/spire-controller-manager'],
    cmd: [],
    user: 'root',
    shell: false,
    // os.MkdirTemp("", "spire-controller-manager-") for the webhook key pair.
    writes: ['/tmp'],
    source: 'spiffe/spire-controller-manager v0.6.6 Dockerfile (gcr.io/distroless/static, USER line commented out) and cmd/main.go (os.MkdirTemp)',
  },
  {
    repository: 'ghcr.io/spiffe/spiffe-csi-driver',
    tag: '0.2.7',
    entrypoint: ['/spiffe-csi-driver'],
    cmd: [],
    user: 'root',
    shell: false,
    // Its CSI socket path and the agent socket dir are flags; meshfed mounts both.
    writes: [],
    source: 'spiffe/spiffe-csi Dockerfile at v0.2.7 (scratch, no USER, ENTRYPOINT ["/spiffe-csi-driver"])',
  },
  {
    repository: 'registry.k8s.io/sig-storage/csi-node-driver-registrar',
    tag: 'v2.12.0',
    entrypoint: ['/csi-node-driver-registrar'],
    user: 'root',
    shell: false,
    // Creates its registration socket in the kubelet plugin registry directory.
    writes: ['/registration'],
    source: 'kubernetes-csi/node-driver-registrar Dockerfile (v2 line, commit cae4fbe: gcr.io/distroless/static, ENTRYPOINT ["/csi-node-driver-registrar"]); the v2.12.0 tag itself was not read',
  },
  REGISTRAR('1.3.6'),
  REGISTRAR('1.5.6'),
];
