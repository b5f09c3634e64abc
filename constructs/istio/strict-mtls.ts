/** Mesh-wide STRICT mTLS: a PeerAuthentication named "default" in the root namespace applies to every workload. */
import { Construct } from 'constructs';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { istioLabels } from './cross-network-gateway';
import { ISTIO_SYSTEM_NAMESPACE } from './model';

export class StrictMtls extends Construct {
  readonly resource: PeerAuthentication;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.resource = new PeerAuthentication(this, 'Resource', {
      metadata: { name: 'default', namespace: ISTIO_SYSTEM_NAMESPACE, labels: istioLabels('strict-mtls') },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
  }
}
