/**
 * Remote secrets: how one cluster's istiod discovers another cluster's endpoints. Which ordered pairs get
 * one is a relation between clusters, decided in clusters/ (`discoveryPairs`, clusters/federation.ts);
 * `IstioRemoteSecret` renders the Secret from plain values (the Pulumi stack passes the peer's API
 * endpoint, CA and reader token; synth never sees them).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ISTIO_SYSTEM_NAMESPACE } from './model';
import { ISTIO_READER_SERVICE_ACCOUNT } from './reader';
import { PropsError, requireDnsLabel } from '../core/props-error';

export function remoteSecretName(peer: string): string {
  return `istio-remote-secret-${peer}`;
}

export interface IstioRemoteSecretProps {
  /** Topology name of the peer cluster; also istiod's cluster ID for it (values.global.multiCluster.clusterName). */
  readonly peerCluster: string;
  /** Peer API server URL, e.g. "https://34.1.2.3". */
  readonly server: string;
  /** Peer API server CA certificate, PEM. */
  readonly caPem: string;
  /** Token of the peer's meshfed-istio-reader service account. */
  readonly token: string;
  /** @default "istio-system" */
  readonly namespace?: string;
}

/** The kubeconfig istiod reads from the secret's data key (= the peer's cluster name). */
export function remoteKubeconfig(props: IstioRemoteSecretProps): string {
  const name = props.peerCluster;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: props.server, 'certificate-authority-data': Buffer.from(props.caPem).toString('base64') } }],
    users: [{ name: ISTIO_READER_SERVICE_ACCOUNT, user: { token: props.token } }],
    contexts: [{ name, context: { cluster: name, user: ISTIO_READER_SERVICE_ACCOUNT } }],
    'current-context': name,
    preferences: {},
  });
}

/** The Secret object as the API server takes it; any Kubernetes client (cdk8s, Pulumi) can apply it. */
export interface RemoteSecretManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'Secret';
  readonly type: 'Opaque';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  /** Peer cluster name -> kubeconfig: holds the reader token, so keep it secret wherever it travels. */
  readonly stringData: Readonly<Record<string, string>>;
}

/**
 * The remote secret istiod reads for one peer, validated. The only place its names, label and annotation
 * are written: the IstioRemoteSecret construct and the Pulumi stack both render it through here.
 */
export function istioRemoteSecretManifest(props: IstioRemoteSecretProps): RemoteSecretManifest {
  requireDnsLabel('IstioRemoteSecret.peerCluster', props.peerCluster);
  if (!/^https:\/\/\S+$/.test(props.server)) {
    throw new PropsError(`IstioRemoteSecret.server: ${JSON.stringify(props.server)} must be an https:// URL`);
  }
  if (!props.caPem.includes('-----BEGIN CERTIFICATE-----')) throw new PropsError('IstioRemoteSecret.caPem: must be a PEM certificate');
  if (props.token.length === 0) throw new PropsError('IstioRemoteSecret.token: must not be empty');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: remoteSecretName(props.peerCluster),
      namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE,
      // istiod watches Secrets with this label for remote clusters.
      labels: { 'istio/multiCluster': 'true' },
      annotations: { 'networking.istio.io/cluster': props.peerCluster },
    },
    stringData: { [props.peerCluster]: remoteKubeconfig(props) },
  };
}

export class IstioRemoteSecret extends Construct {
  readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: IstioRemoteSecretProps) {
    super(scope, id);
    const manifest = istioRemoteSecretManifest(props);
    this.resource = new ApiObject(this, 'Resource', {
      ...manifest,
      metadata: { ...manifest.metadata, labels: { ...manifest.metadata.labels }, annotations: { ...manifest.metadata.annotations } },
      stringData: { ...manifest.stringData },
    });
  }
}
