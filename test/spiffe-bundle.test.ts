/** SPIFFE bundle rendering from PEM root certificates (fixtures generated once with openssl; no keys committed). */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCaCertificates } from '../clusters/root-certificate';
import { PropsError, spiffeBundle, spiffeBundleJson } from '../constructs';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('spiffeBundle', () => {
  it('renders an EC root as one x509-svid key with its DER certificate and EC public key', () => {
    const pem = fixture('foo.com.pem');
    const bundle = JSON.parse(spiffeBundleJson(spiffeBundle('t', pem)));
    expect(Object.keys(bundle).sort()).toEqual(['keys', 'spiffe_refresh_hint', 'spiffe_sequence']);
    expect(bundle.spiffe_sequence).toBe(1);
    expect(bundle.spiffe_refresh_hint).toBe(300);
    expect(bundle.keys).toHaveLength(1);
    const [key] = bundle.keys;
    expect(key).toMatchObject({ use: 'x509-svid', kty: 'EC', crv: 'P-256' });
    expect(key.x5c).toHaveLength(1);
    const cert = new X509Certificate(Buffer.from(key.x5c[0], 'base64'));
    expect(cert.fingerprint256).toBe(new X509Certificate(pem).fingerprint256);
    const jwk = cert.publicKey.export({ format: 'jwk' });
    expect([key.x, key.y]).toEqual([jwk.x, jwk.y]);
  });

  it('renders an RSA root with n and e', () => {
    const [key] = spiffeBundle('t', fixture('rsa-root.pem')).keys;
    expect(key).toMatchObject({ use: 'x509-svid', kty: 'RSA', e: 'AQAB' });
    expect(key.n?.length).toBeGreaterThan(300);
    expect(key.crv).toBeUndefined();
  });

  it('keeps every certificate of a file (root rotation), one key each', () => {
    const bundle = spiffeBundle('t', fixture('foo.com.pem') + fixture('bar.com.pem'), { sequence: 7, refreshHintSeconds: 60 });
    expect(bundle.keys.map((k) => new X509Certificate(Buffer.from(k.x5c[0], 'base64')).subject)).toEqual([
      new X509Certificate(fixture('foo.com.pem')).subject, new X509Certificate(fixture('bar.com.pem')).subject,
    ]);
    expect([bundle.spiffe_sequence, bundle.spiffe_refresh_hint]).toEqual([7, 60]);
  });

  it.each([
    ['not-a-ca.pem', /certificate 1 \(CN=leaf\) is not a CA certificate/],
    ['garbage.pem', /certificate 1 does not parse as X\.509/],
  ])('rejects %s', (file, message) => {
    expect(() => spiffeBundle('Peer(x)', fixture(file))).toThrow(PropsError);
    expect(() => spiffeBundle('Peer(x)', fixture(file))).toThrow(message);
    expect(() => parseCaCertificates(fixture(file))).toThrow(message);
  });

  it('rejects text without a certificate block', () => {
    expect(() => parseCaCertificates('hello')).toThrow('holds no PEM CERTIFICATE block');
  });
});
