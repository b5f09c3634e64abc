/**
 * SPIFFE bundle format (SPIFFE Trust Domain and Bundle spec, section 4): a JWK Set whose X.509
 * authorities are keys with `use: "x509-svid"` and exactly one certificate in `x5c`, plus the
 * `spiffe_sequence` and `spiffe_refresh_hint` members. SPIRE reads this with
 * `bundle set -format spiffe` and spire-controller-manager from ClusterFederatedTrustDomain.spec.trustDomainBundle.
 */
import { parseCaCertificates } from '../clusters/root-certificate';
import { PropsError } from './props-error';

export interface SpiffeBundleKey {
  readonly use: 'x509-svid';
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
  /** Base64 (not base64url) DER, one certificate. */
  readonly x5c: readonly [string];
}

export interface SpiffeBundle {
  readonly keys: readonly SpiffeBundleKey[];
  readonly spiffe_sequence: number;
  /** Seconds. */
  readonly spiffe_refresh_hint: number;
}

export interface SpiffeBundleOptions {
  /** @default 1 */
  readonly sequence?: number;
  /** Seconds; matches the bundle endpoint's refresh hint. @default 300 */
  readonly refreshHintSeconds?: number;
}

/** A SPIFFE bundle holding the X.509 CA certificate(s) in `pem`; throws PropsError when one is not a CA certificate. */
export function spiffeBundle(where: string, pem: string, options: SpiffeBundleOptions = {}): SpiffeBundle {
  let certs;
  try {
    certs = parseCaCertificates(pem);
  } catch (err) {
    throw new PropsError(`${where}: the root certificate ${(err as Error).message}`);
  }
  const keys = certs.map((cert): SpiffeBundleKey => {
    const jwk = cert.publicKey.export({ format: 'jwk' });
    if (jwk.kty === 'EC') return { use: 'x509-svid', kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y, x5c: [cert.raw.toString('base64')] };
    if (jwk.kty === 'RSA') return { use: 'x509-svid', kty: 'RSA', n: jwk.n, e: jwk.e, x5c: [cert.raw.toString('base64')] };
    throw new PropsError(`${where}: the root certificate's key type ${String(jwk.kty)} is not supported by SPIFFE bundles (EC or RSA)`);
  });
  return { keys, spiffe_sequence: options.sequence ?? 1, spiffe_refresh_hint: options.refreshHintSeconds ?? 300 };
}

/** Stable JSON text of a bundle (what trustDomainBundle and `bundle set` take). */
export function spiffeBundleJson(bundle: SpiffeBundle): string {
  return JSON.stringify(bundle);
}
