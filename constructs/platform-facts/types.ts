/**
 * Facts about pinned images and managed platforms that no schema knows, each with the upstream source it
 * was read from. Tests check every container meshfed renders or configures against them
 * (test/platform-facts.test.ts): a wrong entrypoint, a missing writable path or a priority class a
 * platform refuses is caught here instead of on a live cluster.
 */

/** What a pinned image does when a container does not override it. */
export interface ImageFacts {
  /** Repository without tag, e.g. "ghcr.io/spiffe/spire-agent". */
  readonly repository: string;
  /** The pinned tag these facts were read for. */
  readonly tag: string;
  /** The image's ENTRYPOINT; a container that sets only `args` runs ENTRYPOINT + args. */
  readonly entrypoint: readonly string[];
  /** The image's CMD (replaced by `args`). */
  readonly cmd?: readonly string[];
  /** The USER the image runs as when the pod does not set one: a uid, or "root". */
  readonly user: number | 'root';
  /** Whether the image has a shell (`/bin/sh`), e.g. for `command: [sh, -c, ...]`. */
  readonly shell: boolean;
  /**
   * Directories the binary writes at run time (temporary files, sockets, data); under a read-only root
   * filesystem each must be a writable volume mount.
   */
  readonly writes: readonly string[];
  /** Where these facts come from: upstream repository, file and ref (Dockerfile, chart, source file). */
  readonly source: string;
}

/** A fact about a managed Kubernetes platform that changes what may be rendered for it. */
export interface ProviderFact {
  readonly provider: 'gke' | 'eks';
  /** Short identifier used by tests, e.g. "critical-priority-outside-kube-system". */
  readonly id: string;
  readonly fact: string;
  readonly source: string;
}
