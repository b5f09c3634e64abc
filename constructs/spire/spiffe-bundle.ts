/**
 * SPIFFE bundle format (SPIFFE Trust Domain and Bundle spec, section 4): a JWK Set whose X.509
 * authorities are keys with `use: "x509-svid"` and exactly one certificate in `x5c`, plus the
 * `spiffe_sequence` and `spiffe_refresh_hint` members. SPIRE reads this with
 * `bundle set -format spiffe` and spire-controller-manager from ClusterFederatedTrustDomain.spec.trustDomainBundle.
 */
import { parseCaCertificates } from '../../clusters/root-certificate';
import { PropsError } from '../core/props-error';

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
  const keys = bundleKeys(pem);
  if (typeof keys === 'string') throw new PropsError(`${where}: ${keys}`);
  return { keys, spiffe_sequence: options.sequence ?? 1, spiffe_refresh_hint: options.refreshHintSeconds ?? 300 };
}

/**
 * Keys per PEM text: a root is parsed once however many peers federate with it (at 100 clusters a root
 * is in 99 relationships, and parsing X.509 dominated synthesis). A string is the reason it is refused.
 */
const keysByPem = new Map<string, readonly SpiffeBundleKey[] | string>();

/** Builds the keys of `pem`; an object so a test can count parses (jest.spyOn(bundleKeyParsing, 'parse')). */
export const bundleKeyParsing = { parse: parseBundleKeys };

function bundleKeys(pem: string): readonly SpiffeBundleKey[] | string {
  let keys = keysByPem.get(pem);
  if (keys === undefined) {
    keys = bundleKeyParsing.parse(pem);
    keysByPem.set(pem, keys);
  }
  return keys;
}

function parseBundleKeys(pem: string): readonly SpiffeBundleKey[] | string {
  let certs;
  try {
    certs = parseCaCertificates(pem);
  } catch (err) {
    return `the root certificate ${(err as Error).message}`;
  }
  const keys: SpiffeBundleKey[] = [];
  for (const cert of certs) {
    const jwk = cert.publicKey.export({ format: 'jwk' });
    if (jwk.kty === 'EC') keys.push({ use: 'x509-svid', kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y, x5c: [cert.raw.toString('base64')] });
    else if (jwk.kty === 'RSA') keys.push({ use: 'x509-svid', kty: 'RSA', n: jwk.n, e: jwk.e, x5c: [cert.raw.toString('base64')] });
    else return `the root certificate's key type ${String(jwk.kty)} is not supported by SPIFFE bundles (EC or RSA)`;
  }
  return Object.freeze(keys);
}

/** Stable JSON text of a bundle (what trustDomainBundle and `bundle set` take). */
export function spiffeBundleJson(bundle: SpiffeBundle): string {
  return JSON.stringify(bundle);
}
