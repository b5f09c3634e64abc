/**
 * SPIFFE federation between trust domains: the root server's bundle endpoint Service, one
 * ClusterFederatedTrustDomain per peer (spire-controller-manager), and for the legacy registrar the
 * peers' bootstrap bundles as a ConfigMap (`spire-server bundle set` input).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ClusterFederatedTrustDomain, ClusterFederatedTrustDomainSpecBundleEndpointProfileType } from '../../imports/spire.spiffe.io';
import { commonLabels, SPIRE_SERVER } from '../core/names';
import { PropsError, requireRange, requireTrustDomain } from '../core/props-error';
import { spiffeBundle, spiffeBundleJson } from './spiffe-bundle';
import type { SpireServer } from './server';
import { MESHFED_CLASS_NAME } from './controller-manager';

/** Port the server's `federation.bundle_endpoint` listens on inside the pod. */
export const BUNDLE_ENDPOINT_PORT = 8443;
/** Seconds; peers re-fetch the bundle this often (bundle_endpoint.refresh_hint and spiffe_refresh_hint agree). */
export const BUNDLE_REFRESH_HINT_SECONDS = 300;
export const BUNDLE_ENDPOINT_SERVICE = 'spire-server-bundle-endpoint';
export const FEDERATION_BOOTSTRAP_CONFIGMAP = 'spire-federation-bootstrap';

/** A trust domain this one federates with (small interface so a chart can federate with one defined elsewhere). */
export interface ITrustDomainPeer {
  /** e.g. "bar.com". */
  readonly trustDomain: string;
  /** `https://host:port` of the peer's bundle endpoint. */
  readonly bundleEndpointUrl: string;
  /** SPIFFE ID the peer's endpoint presents. @default - spiffe://<trustDomain>/spire/server */
  readonly endpointSpiffeId?: string;
  /** PEM root certificate(s) of the peer: rendered as the bootstrap bundle. @default - none (bundle set by hand) */
  readonly rootPem?: string;
}

export type BundleEndpointServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';

export interface BundleEndpointServiceProps {
  /** The root server whose bundle endpoint is exposed. */
  readonly server: SpireServer;
  /** Port peers dial. @default 8443 */
  readonly port?: number;
  /** @default "LoadBalancer" */
  readonly serviceType?: BundleEndpointServiceType;
  /** e.g. an internal load balancer or a reserved address annotation. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** A reserved static address the LoadBalancer takes (spec.loadBalancerIP). @default - one the cloud picks */
  readonly loadBalancerIP?: string;
}

/** Service in front of the server pods' bundle endpoint port, reachable from peer clusters. */
export class BundleEndpointService extends Construct {
  readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: BundleEndpointServiceProps) {
    super(scope, id);
    const port = props.port ?? BUNDLE_ENDPOINT_PORT;
    requireRange('BundleEndpointService.port', port, 1, 65535);
    props.server.statefulSet.containers[0].addPort({ name: 'federation', number: BUNDLE_ENDPOINT_PORT });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: {
        name: BUNDLE_ENDPOINT_SERVICE,
        namespace: props.server.namespace,
        labels: commonLabels(SPIRE_SERVER),
        ...(props.annotations && Object.keys(props.annotations).length > 0 ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        type: props.serviceType ?? 'LoadBalancer',
        ...(props.loadBalancerIP !== undefined ? { loadBalancerIp: props.loadBalancerIP } : {}),
        selector: props.server.podSelector(),
        ports: [{ name: 'https', port, targetPort: k8s.IntOrString.fromNumber(BUNDLE_ENDPOINT_PORT), protocol: 'TCP' }],
      },
    });
  }
}

export interface FederatedTrustDomainProps {
  readonly peer: ITrustDomainPeer;
  /** @default "meshfed" */
  readonly className?: string;
}

/** One ClusterFederatedTrustDomain: spire-controller-manager creates the federation relationship in its server. */
export class FederatedTrustDomain extends Construct {
  readonly resource: ClusterFederatedTrustDomain;

  constructor(scope: Construct, id: string, props: FederatedTrustDomainProps) {
    super(scope, id);
    const { peer } = props;
    requireTrustDomain('FederatedTrustDomain.peer.trustDomain', peer.trustDomain);
    requireBundleEndpointUrl('FederatedTrustDomain.peer.bundleEndpointUrl', peer.bundleEndpointUrl);
    this.resource = new ClusterFederatedTrustDomain(this, 'Resource', {
      metadata: { name: federatedTrustDomainName(peer.trustDomain), labels: commonLabels('federation') },
      spec: {
        className: props.className ?? MESHFED_CLASS_NAME,
        trustDomain: peer.trustDomain,
        bundleEndpointUrl: peer.bundleEndpointUrl,
        bundleEndpointProfile: { type: ClusterFederatedTrustDomainSpecBundleEndpointProfileType.HTTPS_UNDERSCORE_SPIFFE, endpointSpiffeid: peer.endpointSpiffeId ?? `spiffe://${peer.trustDomain}/spire/server` },
        // The bootstrap bundle: the controller sets it when it creates the relationship, so the first
        // https_spiffe fetch already has a root to verify the peer's endpoint SVID with.
        ...(peer.rootPem !== undefined
          ? { trustDomainBundle: spiffeBundleJson(spiffeBundle(`FederatedTrustDomain(${peer.trustDomain})`, peer.rootPem, { refreshHintSeconds: BUNDLE_REFRESH_HINT_SECONDS })) }
          : {}),
      },
    });
  }
}

export interface FederationBootstrapBundlesProps {
  /** Namespace of the server. */
  readonly namespace: string;
  /** Peers whose root is known; each becomes `<trust domain>.json`. */
  readonly peers: readonly ITrustDomainPeer[];
}

/**
 * Legacy registrar path: the peers' bootstrap bundles as a ConfigMap, the input of an idempotent
 * `spire-server bundle set -format spiffe` (the CLI prints the exact commands).
 */
export class FederationBootstrapBundles extends Construct {
  constructor(scope: Construct, id: string, props: FederationBootstrapBundlesProps) {
    super(scope, id);
    const data: Record<string, string> = {};
    for (const peer of [...props.peers].sort((a, b) => a.trustDomain.localeCompare(b.trustDomain))) {
      if (peer.rootPem === undefined) throw new PropsError(`FederationBootstrapBundles.peers: ${peer.trustDomain} has no rootPem`);
      data[`${peer.trustDomain}.json`] = `${spiffeBundleJson(spiffeBundle(`FederationBootstrapBundles(${peer.trustDomain})`, peer.rootPem, { refreshHintSeconds: BUNDLE_REFRESH_HINT_SECONDS }))}\n`;
    }
    new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: { name: FEDERATION_BOOTSTRAP_CONFIGMAP, namespace: props.namespace, labels: commonLabels('federation') },
      data,
    });
  }
}

/** Object name for a trust domain (a DNS subdomain; "_" is not allowed there). */
export function federatedTrustDomainName(trustDomain: string): string {
  return trustDomain.replace(/_/g, '-');
}

function requireBundleEndpointUrl(where: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PropsError(`${where}: ${JSON.stringify(url)} is not a URL (expected https://<host>:<port>)`);
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.hostname === '') {
    throw new PropsError(`${where}: ${JSON.stringify(url)} must be an https URL with a host and no user info`);
  }
}
