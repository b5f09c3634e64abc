/**
 * Not rendered by synth (see docs/istio.md "istiod's own CA"): chaining istiod to the SPIRE root would let
 * istiod mint identities every SPIRE-backed peer trusts, so meshfed leaves istiod its self-signed root.
 * Kept for deployments that deliberately want a plug-in CA under a root of their own.
 *
 * istiod's plug-in CA: a cert-manager Certificate whose Secret is `cacerts`, an intermediate under the
 * trust domain's cert-manager root, like SPIRE's own CA. istiod reads a `kubernetes.io/tls` style
 * `cacerts` (tls.crt, tls.key, ca.crt) as its signing CA and watches it, so cert-manager's renewals are
 * picked up without a restart.
 *
 * Why chain istiod to the SPIRE root: a pod injected without the `spire` template (or a proxy that got
 * its certificate from istiod) then still holds an identity every peer of the trust domain verifies,
 * and istio-agent's `istio-ca-root-cert` is the same root SPIRE serves in ROOTCA.
 * istiod must start after this Certificate is Ready: without `cacerts` at start-up it generates its own
 * self-signed root instead.
 */
import { Construct } from 'constructs';
import {
  Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages,
} from '../../imports/cert-manager.io';
import { ISTIO_SYSTEM_NAMESPACE } from './model';
import { commonLabels } from '../core/names';
import { PropsError, requireDnsLabel, requireDuration, requireTrustDomain } from '../core/props-error';

/** The Secret name istiod mounts as its plug-in CA (fixed by Istio). */
export const ISTIOD_CA_SECRET = 'cacerts';
export const ISTIOD_CA_CERTIFICATE = 'istiod-cacerts';

export interface IstiodCaProps {
  /** Trust domain whose root signs the intermediate, e.g. "foo.com". */
  readonly trustDomain: string;
  /** Topology cluster name; names the intermediate so the issuing cluster is visible in every chain. */
  readonly clusterName: string;
  /** cert-manager CA Issuer (kind Issuer) over the trust domain's root, in `namespace`. */
  readonly issuerName: string;
  /** Namespace of istiod; the Issuer must be there too (a Certificate cannot use another namespace's Issuer). @default "istio-system" */
  readonly namespace?: string;
  /** Lifetime of the intermediate. @default "2160h" (90 days) */
  readonly duration?: string;
  /** Renew this long before expiry. @default "720h" (30 days) */
  readonly renewBefore?: string;
}

export class IstiodCa extends Construct {
  readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: IstiodCaProps) {
    super(scope, id);
    requireTrustDomain('IstiodCa.trustDomain', props.trustDomain);
    requireDnsLabel('IstiodCa.clusterName', props.clusterName);
    requireDnsLabel('IstiodCa.issuerName', props.issuerName);
    const namespace = props.namespace ?? ISTIO_SYSTEM_NAMESPACE;
    requireDnsLabel('IstiodCa.namespace', namespace);
    const duration = props.duration ?? '2160h';
    const renewBefore = props.renewBefore ?? '720h';
    requireDuration('IstiodCa.duration', duration);
    requireDuration('IstiodCa.renewBefore', renewBefore);
    if (seconds(renewBefore) >= seconds(duration)) {
      throw new PropsError(`IstiodCa.renewBefore: ${JSON.stringify(renewBefore)} must be shorter than duration ${JSON.stringify(duration)}`);
    }
    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: ISTIOD_CA_CERTIFICATE, namespace, labels: commonLabels('istiod-ca') },
      spec: {
        isCa: true,
        commonName: `istiod ${props.clusterName} intermediate CA`,
        // A SPIFFE signing certificate carries its trust domain's ID (no path), as SPIRE's intermediates do.
        uris: [`spiffe://${props.trustDomain}`],
        subject: { organizations: [props.trustDomain] },
        secretName: ISTIOD_CA_SECRET,
        duration,
        renewBefore,
        usages: [CertificateSpecUsages.CERT_SIGN, CertificateSpecUsages.CRL_SIGN, CertificateSpecUsages.DIGITAL_SIGNATURE],
        // A fresh key on every renewal: only the root's key must stay stable for peers.
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { name: props.issuerName, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
  }
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };

/** Seconds of a Go duration (requireDuration has already checked the syntax). */
function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|h|m|s)/g)) total += Number(n) * UNIT_SECONDS[unit];
  return total;
}
