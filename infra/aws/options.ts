/** The `eks` settings of one cluster with defaults applied (pure). */
import type { ClusterSpec } from '../../clusters/model';
import { defaultZones } from '../../clusters/aws-subnets';
import { deletionProtection } from '../cluster-infra';

export interface EksOptions {
  readonly availabilityZones: readonly string[];
  readonly natGateways: 'one-per-zone' | 'single';
  /** Undefined: the AWS default (public endpoint reachable from anywhere, still authenticated). */
  readonly apiAccessCidrs?: readonly string[];
  readonly accessEntries: boolean;
  /** spire.keyManager kms: an IRSA role for SPIRE's aws_kms KeyManager. */
  readonly kms: boolean;
  readonly managedDatastore?: { readonly instanceClass: string; readonly auth: 'password' | 'iam' };
  /** EKS deletionProtection, RDS deletionProtection and Pulumi `protect` on stateful resources. */
  readonly deletionProtection: boolean;
}


export const DEFAULT_DB_INSTANCE_CLASS = 'db.t4g.medium';

export function eksOptions(cluster: ClusterSpec, environment: string): EksOptions {
  if (cluster.provider !== 'eks') throw new Error(`internal: eksOptions for ${cluster.provider} cluster ${cluster.name}`);
  const e = cluster.eks ?? {};
  return {
    availabilityZones: e.availabilityZones ?? defaultZones(cluster.region),
    natGateways: e.natGateways ?? 'one-per-zone',
    ...(e.apiAccessCidrs ? { apiAccessCidrs: e.apiAccessCidrs } : {}),
    accessEntries: e.accessEntries ?? false,
    kms: cluster.spire.keyManager === 'kms',
    ...(e.managedDatastore
      ? { managedDatastore: { instanceClass: e.managedDatastore.instanceClass ?? DEFAULT_DB_INSTANCE_CLASS, auth: e.managedDatastore.auth ?? 'password' } }
      : {}),
    // The one decision both clouds share: cloud.deletionProtection, default on outside dev-like environments.
    deletionProtection: deletionProtection({ environment }, cluster),
  };
}
