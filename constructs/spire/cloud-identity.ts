/**
 * The cloud principal a Kubernetes ServiceAccount acts as, expressed as the ServiceAccount annotation
 * each cloud's identity mechanism reads:
 *  - GKE Workload Identity with a Google service account: `iam.gke.io/gcp-service-account: <email>`
 *    (GKE docs "Use Workload Identity Federation for GKE", linking a KSA to an IAM service account). A
 *    Google service account rather than IAM on the Kubernetes principal itself: SPIRE's gcp_kms plugin
 *    builds the default policy of every key it creates from the email of the account it authenticates
 *    as (gcpkms.go setIamPolicy/getAuthenticatedServiceAccount, spiffe/spire v1.15.3) and fails when the
 *    token has none, which is the case for a federated Kubernetes principal.
 *  - EKS IRSA: `eks.amazonaws.com/role-arn: <role ARN>`; the pod identity webhook then injects
 *    AWS_ROLE_ARN and a projected token, which the AWS SDK's default credential chain reads.
 */
import { PropsError } from '../core/props-error';

/** <account id>@<project>.iam.gserviceaccount.com (domain-scoped projects: <project>.<domain>). */
const GSA_EMAIL = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z0-9][-a-z0-9.]*\.iam\.gserviceaccount\.com$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export const GKE_SERVICE_ACCOUNT_ANNOTATION = 'iam.gke.io/gcp-service-account';
export const EKS_ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

export class CloudIdentity {
  /** GKE Workload Identity, impersonating a Google service account (which must grant the KSA roles/iam.workloadIdentityUser). */
  static gcpServiceAccount(email: string): CloudIdentity {
    if (!GSA_EMAIL.test(email)) {
      throw new PropsError(`CloudIdentity.gcpServiceAccount: ${JSON.stringify(email)} must be a Google service account email "<id>@<project>.iam.gserviceaccount.com"`);
    }
    return new CloudIdentity({ [GKE_SERVICE_ACCOUNT_ANNOTATION]: email });
  }

  /** EKS IAM roles for service accounts (the role's trust policy must name this ServiceAccount). */
  static awsRole(roleArn: string): CloudIdentity {
    if (!ROLE_ARN.test(roleArn)) {
      throw new PropsError(`CloudIdentity.awsRole: ${JSON.stringify(roleArn)} must be an IAM role ARN "arn:aws:iam::<account>:role/<name>"`);
    }
    return new CloudIdentity({ [EKS_ROLE_ARN_ANNOTATION]: roleArn });
  }

  private constructor(private readonly annotationMap: Readonly<Record<string, string>>) {}

  /** The ServiceAccount annotations that bind it to the principal. */
  annotations(): Record<string, string> {
    return { ...this.annotationMap };
  }
}
