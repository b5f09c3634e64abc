/**
 * The encrypted gp3 StorageClass for EKS clusters' persistent volumes (the SPIRE server's data volume
 * claim): EBS CSI driver parameters `type: gp3` and `encrypted: "true"` (kubernetes-sigs/aws-ebs-csi-driver
 * docs/parameters.md, v1.64.0). Retain, so deleting the claim by mistake does not delete the SQLite
 * datastore's volume; WaitForFirstConsumer, so the volume is created in the zone the pod lands in.
 */
export const ENCRYPTED_GP3_STORAGE_CLASS = 'meshfed-gp3-encrypted';
export const EBS_CSI_PROVISIONER = 'ebs.csi.aws.com';

export interface StorageClassManifest {
  readonly apiVersion: 'storage.k8s.io/v1';
  readonly kind: 'StorageClass';
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly provisioner: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly reclaimPolicy: 'Retain' | 'Delete';
  readonly volumeBindingMode: 'WaitForFirstConsumer' | 'Immediate';
  readonly allowVolumeExpansion: boolean;
}

/** @param kmsKeyId a customer managed key for the volumes; default: the account's aws/ebs key. */
export function encryptedGp3StorageClass(kmsKeyId?: string): StorageClassManifest {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: ENCRYPTED_GP3_STORAGE_CLASS, labels: { 'app.kubernetes.io/managed-by': 'meshfed' } },
    provisioner: EBS_CSI_PROVISIONER,
    parameters: { type: 'gp3', encrypted: 'true', ...(kmsKeyId ? { kmsKeyId } : {}) },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
}
