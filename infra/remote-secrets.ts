/**
 * Endpoint discovery across clusters: for every discovery pair (cluster, peer), the remote secret in
 * cluster's istio-system that lets its istiod watch the peer through the peer's meshfed-istio-reader.
 * It needs every cluster's deployment at once (the peer's provider, endpoint and reader token), so the
 * program creates it after all ClusterDeployments.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ISTIO_SYSTEM_NAMESPACE } from '../constructs/istio/model';
import { ISTIO_READER_TOKEN_SECRET } from '../constructs/istio/reader';
import type { DiscoveryPair } from '../clusters/federation';
import { istioRemoteSecretManifest, remoteSecretName } from '../constructs/istio/remote-secret';
import { kubeconfigEndpoint } from './kubeconfig';

/** What a remote secret needs from a deployed cluster (ClusterDeployment has all of it). */
export interface DiscoverableCluster {
  readonly provider: k8s.Provider;
  /** Kubeconfig whose current context reaches the cluster (its server and inline CA are used). */
  readonly kubeconfig: pulumi.Input<string>;
  /** The cluster's meshfed-istio-reader token Secret (its live `data.token` is the reader's token). */
  readonly readerToken?: k8s.core.v1.Secret;
  /** The cluster's last step (istio-system and istiod exist once it is done). */
  readonly ready: pulumi.Resource[];
}

export interface RemoteSecretsArgs {
  /** discoveryPairs(topology). */
  readonly pairs: readonly DiscoveryPair[];
  /** Every cluster named in a pair, by topology name. */
  readonly clusters: Readonly<Record<string, DiscoverableCluster>>;
}

/** The reader token from a `kubernetes.io/service-account-token` Secret's data (base64). */
export function decodeReaderToken(peer: string, data: Record<string, string> | undefined): string {
  const encoded = data?.token;
  if (!encoded) {
    throw new Error(`${ISTIO_SYSTEM_NAMESPACE}/${ISTIO_READER_TOKEN_SECRET} in cluster ${peer} has no data.token yet (the token controller fills it in)`);
  }
  return Buffer.from(encoded, 'base64').toString('utf8');
}

export class RemoteSecrets extends pulumi.ComponentResource {
  /** `<cluster>/<secret name>` -> the Secret in that cluster. */
  readonly secrets: Readonly<Record<string, k8s.core.v1.Secret>>;

  constructor(name: string, args: RemoteSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:k8s:RemoteSecrets', name, {}, opts);
    const clusterOf = (cluster: string): DiscoverableCluster => {
      const found = args.clusters[cluster];
      if (!found) throw new Error(`RemoteSecrets: cluster ${cluster} of a discovery pair has no deployment`);
      return found;
    };

    // The peer's token Secret outputs its live data once the token controller has filled it in (the stack
    // awaits data.token); unknown during a first preview, so nothing is read before it exists.
    const tokens: Record<string, pulumi.Output<string>> = {};
    for (const peer of [...new Set(args.pairs.map((p) => p.peer))]) {
      const deployment = clusterOf(peer);
      if (!deployment.readerToken) throw new Error(`RemoteSecrets: cluster ${peer} has no manifest with the ${ISTIO_SYSTEM_NAMESPACE}/${ISTIO_READER_TOKEN_SECRET} Secret`);
      tokens[peer] = pulumi.secret(deployment.readerToken.data.apply((data) => decodeReaderToken(peer, data)));
    }

    const secrets: Record<string, k8s.core.v1.Secret> = {};
    for (const { cluster, peer } of args.pairs) {
      const manifest = pulumi.all([clusterOf(peer).kubeconfig, tokens[peer]]).apply(([kubeconfig, token]) => {
        const { server, caPem } = kubeconfigEndpoint(peer, kubeconfig);
        return istioRemoteSecretManifest({ peerCluster: peer, server, caPem, token });
      });
      const id = `${cluster}/${remoteSecretName(peer)}`;
      secrets[id] = new k8s.core.v1.Secret(`${name}-${cluster}-${remoteSecretName(peer)}`, {
        type: pulumi.unsecret(manifest.type),
        // Names, label and annotation carry no credential; only stringData (the kubeconfig) stays secret.
        metadata: pulumi.unsecret(manifest.metadata),
        stringData: pulumi.secret(manifest.stringData),
      }, { parent: this, provider: clusterOf(cluster).provider, dependsOn: clusterOf(cluster).ready });
    }
    this.secrets = secrets;
    this.registerOutputs({ secrets: this.secrets });
  }
}
