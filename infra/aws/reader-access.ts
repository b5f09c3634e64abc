/**
 * Cross-cluster readers as EKS access entries (topology `eks.accessEntries: true` on the cluster being
 * read), the alternative to service-account tokens in remote secrets.
 *
 * Trade-off: no long-lived token of the read cluster exists anywhere (nothing to leak or rotate), and
 * access is revoked by deleting the entry; but the reader must authenticate as an IAM role, i.e. run
 * `aws eks get-token` (an exec credential plugin) with IRSA credentials. Istio refuses exec plugins in
 * remote-secret kubeconfigs unless istiod's PILOT_INSECURE_MULTICLUSTER_KUBECONFIG_OPTIONS lists "exec"
 * (istio/istio pilot/pkg/features), and the istiod image must then carry a token helper. So only EKS
 * readers qualify, and tokens stay the default.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Topology } from '../../clusters/model';
import type { DiscoveryPair } from '../../clusters/federation';
import type { ServiceAccountRef } from './iam-policies';

/** The read-only EKS access policy (EKS user guide, access-policies.html: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy). */
export const VIEW_ACCESS_POLICY = 'AmazonEKSViewPolicy';
/** istiod's service account, which reads peer clusters for endpoint discovery. */
export const ISTIOD_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'istio-system', name: 'istiod' };

export interface ReaderGrant {
  /** Deterministic name "<cluster>-reader-<reader>". */
  readonly name: string;
  /** The EKS cluster being read (eks.accessEntries: true). */
  readonly cluster: string;
  /** The EKS cluster whose istiod reads it. */
  readonly reader: string;
  readonly serviceAccount: ServiceAccountRef;
}

/**
 * Istio discovery pairs whose both ends are EKS clusters and whose read cluster opted into access
 * entries. A nested SPIRE parent is not among them: it creates TokenReviews in its children, which the
 * view policy does not allow, so it keeps its service-account token.
 */
export function accessEntryReaders(topology: Topology, pairs: readonly DiscoveryPair[]): ReaderGrant[] {
  const byName = new Map(topology.clusters.map((c) => [c.name, c]));
  return pairs
    .filter((p) => byName.get(p.cluster)!.provider === 'eks' && byName.get(p.peer)!.provider === 'eks' && byName.get(p.peer)!.eks?.accessEntries === true)
    .map((p) => ({ name: `${p.peer}-reader-${p.cluster}`, cluster: p.peer, reader: p.cluster, serviceAccount: ISTIOD_SERVICE_ACCOUNT }));
}

export interface ReaderAccessArgs {
  /** AWS name of the cluster being read. */
  readonly clusterName: pulumi.Input<string>;
  /** IAM role the reader authenticates as. */
  readonly principalArn: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  readonly tags?: Readonly<Record<string, string>>;
}

export class ReaderAccess extends pulumi.ComponentResource {
  readonly entry: aws.eks.AccessEntry;
  readonly association: aws.eks.AccessPolicyAssociation;

  constructor(name: string, args: ReaderAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:ReaderAccess', name, {}, opts);
    this.entry = new aws.eks.AccessEntry(`${name}-entry`, { clusterName: args.clusterName, principalArn: args.principalArn, type: 'STANDARD', tags: args.tags }, { parent: this });
    this.association = new aws.eks.AccessPolicyAssociation(`${name}-view`, {
      clusterName: args.clusterName,
      principalArn: args.principalArn,
      policyArn: pulumi.interpolate`arn:${args.partition}:eks::aws:cluster-access-policy/${VIEW_ACCESS_POLICY}`,
      accessScope: { type: 'cluster' },
    }, { parent: this, dependsOn: [this.entry] });
    this.registerOutputs({});
  }
}
