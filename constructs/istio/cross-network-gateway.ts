/**
 * The Gateway that exposes every `*.local` service of this network through the east-west gateway on
 * 15443 with SNI AUTO_PASSTHROUGH: the gateway routes on the SNI istiod encodes for each cluster-local
 * service and never terminates the workloads' mTLS, so identities stay end to end.
 */
import { Construct } from 'constructs';
import { Gateway, GatewaySpecServersTlsMode } from '../../imports/networking.istio.io';
import { EASTWEST_TLS_PORT, ISTIO_SYSTEM_NAMESPACE } from './model';
import { commonLabels } from '../core/names';

export const CROSS_NETWORK_GATEWAY = 'cross-network-gateway';

export class CrossNetworkGateway extends Construct {
  readonly resource: Gateway;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.resource = new Gateway(this, 'Resource', {
      metadata: { name: CROSS_NETWORK_GATEWAY, namespace: ISTIO_SYSTEM_NAMESPACE, labels: istioLabels('cross-network-gateway') },
      spec: {
        selector: { istio: 'eastwestgateway' },
        servers: [{
          port: { number: EASTWEST_TLS_PORT, name: 'tls', protocol: 'TLS' },
          tls: { mode: GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH },
          hosts: ['*.local'],
        }],
      },
    });
  }
}

/** meshfed's common labels, with part-of istio. */
export function istioLabels(component: string): Record<string, string> {
  return { ...commonLabels(component), 'app.kubernetes.io/part-of': 'istio' };
}
