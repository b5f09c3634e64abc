/**
 * Kubeconfig of a created EKS cluster for the deploy layer's k8s.Provider (pure). Authentication is
 * `aws eks get-token` (exec, client.authentication.k8s.io/v1beta1): short-lived tokens from the
 * credentials Pulumi runs with, so no long-lived secret sits in the kubeconfig or the state.
 */
import { execKubeconfig } from '../kubeconfig';

export interface EksKubeconfigProps {
  /** EKS cluster name (the AWS resource's name). */
  readonly clusterName: string;
  /** API server URL (aws.eks.Cluster endpoint). */
  readonly endpoint: string;
  /** base64 PEM of the cluster CA (certificateAuthority.data). */
  readonly certificateAuthorityData: string;
  readonly region: string;
  /** Optional role to assume for the token (`--role-arn`). */
  readonly roleArn?: string;
  /** Optional AWS CLI profile (AWS_PROFILE). */
  readonly profile?: string;
}

export function eksKubeconfig(p: EksKubeconfigProps): string {
  return execKubeconfig({
    name: `meshfed-${p.clusterName}`,
    server: p.endpoint,
    caDataBase64: p.certificateAuthorityData,
    exec: {
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', p.clusterName, '--region', p.region, ...(p.roleArn ? ['--role-arn', p.roleArn] : []), '--output', 'json'],
      ...(p.profile ? { env: [{ name: 'AWS_PROFILE', value: p.profile }] } : {}),
      interactiveMode: 'Never',
    },
  });
}
