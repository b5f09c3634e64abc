/**
 * SPIRE OIDC Discovery Provider: publishes the trust domain's JWT signing keys at
 * /.well-known/openid-configuration for cloud IAM federation. Off by default.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { commonLabels, CSI_DRIVER_NAME } from '../core/names';
import { podSecurityLabels } from '../core/namespaces';
import { PropsError, requireDnsLabel, requireTrustDomain } from '../core/props-error';
import { SYSTEM_NAMESPACES } from './controller-manager';
import { IMAGES } from '../core/versions';
import { containerResources, restrictedContainerSecurity, restrictedPodSecurity } from '../core/workload-defaults';
import { WorkloadIdentity } from './workload-identity';

export interface OidcDiscoveryProviderProps {
  readonly trustDomain: string;
  /** Public DNS name(s) the provider answers for, e.g. "oidc.foo.com". */
  readonly domains: readonly string[];
  /**
   * Its own namespace (created here, Pod Security restricted). Not spire-server: spire-controller-manager
   * ignores that namespace (SYSTEM_NAMESPACES), so a ClusterSPIFFEID would never give the provider an SVID.
   * @default "spire-oidc"
   */
  readonly namespace?: string;
  /** @default 2 */
  readonly replicas?: number;
}

const NAME = 'spire-oidc-discovery-provider';
export const OIDC_NAMESPACE = 'spire-oidc';
const HTTP_PORT = 8080;
const HEALTH_PORT = 8008;

export class OidcDiscoveryProvider extends Construct {
  readonly config: Record<string, unknown>;
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: OidcDiscoveryProviderProps) {
    super(scope, id);
    requireTrustDomain('OidcDiscoveryProvider.trustDomain', props.trustDomain);
    if (props.domains.length === 0) throw new PropsError('OidcDiscoveryProvider.domains: must list at least one DNS name');
    const namespace = props.namespace ?? OIDC_NAMESPACE;
    requireDnsLabel('OidcDiscoveryProvider.namespace', namespace);
    if (SYSTEM_NAMESPACES.includes(namespace)) {
      throw new PropsError(`OidcDiscoveryProvider.namespace: ${JSON.stringify(namespace)} is ignored by spire-controller-manager, so the provider would never get an SVID; use a namespace of its own (default ${OIDC_NAMESPACE})`);
    }
    const labels = commonLabels(NAME);
    const metadata = { name: NAME, namespace, labels };
    const replicas = props.replicas ?? 2;

    this.config = {
      log_level: 'INFO',
      domains: [...props.domains],
      // TLS terminates at the load balancer or ingress in front of the Service.
      insecure_addr: `:${HTTP_PORT}`,
      allow_insecure_scheme: true,
      workload_api: { socket_path: '/spiffe-workload-api/spire-agent.sock', trust_domain: props.trustDomain },
      health_checks: { bind_port: String(HEALTH_PORT), live_path: '/live', ready_path: '/ready' },
    };
    new kplus.Namespace(this, 'Namespace', { metadata: { name: namespace, labels: podSecurityLabels('restricted') } });
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata, data: { 'oidc-discovery-provider.conf': `${JSON.stringify(this.config, null, 2)}\n` } });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'config' });
    const socket = kplus.Volume.fromCsi(this, 'WorkloadApi', CSI_DRIVER_NAME, { name: 'spiffe-workload-api', readOnly: true });
    const sa = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      replicas,
      serviceAccount: sa,
      securityContext: restrictedPodSecurity(),
      podMetadata: { labels },
      containers: [{
        name: 'oidc-discovery-provider',
        image: IMAGES.oidcDiscoveryProvider,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args: ['-config', '/run/spire/oidc/config/oidc-discovery-provider.conf'],
        ports: [{ name: 'http', number: HTTP_PORT }, { name: 'healthz', number: HEALTH_PORT }],
        securityContext: restrictedContainerSecurity(),
        resources: containerResources({ cpuRequest: '25m', memoryRequest: '32Mi', memoryLimit: '128Mi' }),
        liveness: kplus.Probe.fromHttpGet('/live', { port: HEALTH_PORT, initialDelaySeconds: Duration.seconds(5) }),
        readiness: kplus.Probe.fromHttpGet('/ready', { port: HEALTH_PORT, initialDelaySeconds: Duration.seconds(5) }),
        volumeMounts: [
          { path: '/run/spire/oidc/config', volume: configVolume, readOnly: true },
          { path: '/spiffe-workload-api', volume: socket, readOnly: true },
        ],
      }],
      volumes: [configVolume, socket],
    });
    deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME });
    this.service = deployment.exposeViaService({ name: NAME, ports: [{ name: 'http', port: 80, targetPort: HTTP_PORT }] });
    new WorkloadIdentity(this, 'Identity', {
      name: NAME,
      spiffeIdTemplate: `spiffe://{{ .TrustDomain }}/${NAME}`,
      namespaces: [namespace],
      podLabels: { 'app.kubernetes.io/name': NAME },
    });
    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata,
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: deployment.matchLabels } },
      });
    }
  }
}
