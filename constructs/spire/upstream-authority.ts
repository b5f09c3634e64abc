/** SPIRE's UpstreamAuthority: which CA signs the server's intermediate CA. */
import { PropsError, requireDnsLabel } from '../core/props-error';

export interface CertManagerIssuerRef {
  /** Issuer (or ClusterIssuer) that signs the SPIRE CA's CertificateRequests. */
  readonly issuerName: string;
  /** @default "Issuer" */
  readonly issuerKind?: 'Issuer' | 'ClusterIssuer';
  /** Namespace where the server creates its CertificateRequests (the Issuer's namespace). */
  readonly namespace: string;
}

export interface SpireUpstreamOptions {
  /** Address of the parent (upstream) SPIRE server. */
  readonly serverAddress: string;
  /** @default 8081 */
  readonly serverPort?: number;
  /** Workload API socket of the upstream agent running next to this server. */
  readonly workloadApiSocket: string;
}

export class UpstreamAuthority {
  /**
   * cert-manager signs the SPIRE server CA: the server's X.509 CA is then an intermediate under the
   * trust domain's root held by cert-manager, which is what lets peers bootstrap federation from a
   * root known in advance.
   */
  static certManager(ref: CertManagerIssuerRef): UpstreamAuthority {
    requireDnsLabel('UpstreamAuthority.certManager.namespace', ref.namespace);
    if (ref.issuerName.length === 0) throw new PropsError('UpstreamAuthority.certManager.issuerName: must not be empty');
    return new UpstreamAuthority('cert-manager', {
      issuer_name: ref.issuerName,
      issuer_kind: ref.issuerKind ?? 'Issuer',
      issuer_group: 'cert-manager.io',
      namespace: ref.namespace,
    }, ref.namespace);
  }

  /** Nested SPIRE: the parent server signs this server's CA through the local upstream agent. */
  static spire(options: SpireUpstreamOptions): UpstreamAuthority {
    if (options.serverAddress.length === 0) throw new PropsError('UpstreamAuthority.spire.serverAddress: must not be empty');
    return new UpstreamAuthority('spire', {
      server_address: options.serverAddress,
      server_port: String(options.serverPort ?? 8081),
      workload_api_socket: options.workloadApiSocket,
    }, undefined);
  }

  private constructor(
    /** Plugin name in server.conf. */
    readonly plugin: 'cert-manager' | 'spire',
    readonly pluginData: Readonly<Record<string, string>>,
    /** Namespace where the server needs CertificateRequest RBAC (cert-manager only). */
    readonly certificateRequestNamespace: string | undefined,
  ) {}
}
