/** An IAM role for one Kubernetes service account (IRSA): trust from irsaTrustPolicy(), managed and inline policies. */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { awsNames } from '../../clusters/cloud-names';
import { irsaTrustPolicy, managedPolicyArn, type PolicyDocument, type ServiceAccountRef } from './iam-policies';

export interface IrsaRoleArgs {
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL (https://...), the prefix of the trust conditions. */
  readonly issuerUrl: pulumi.Input<string>;
  readonly serviceAccount: ServiceAccountRef;
  /** AWS managed policy names (managedPolicyArn()). */
  readonly managedPolicies?: readonly string[];
  /** An inline policy document (built by a pure function from iam-policies.ts). */
  readonly inlinePolicy?: pulumi.Input<PolicyDocument>;
  readonly partition?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export class IrsaRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:IrsaRole', name, {}, opts);
    const sa = args.serviceAccount;
    this.role = new aws.iam.Role(awsNames.role(`${name}-role`), {
      assumeRolePolicy: pulumi.all([args.oidcProviderArn, args.issuerUrl]).apply(([arn, issuer]) => JSON.stringify(irsaTrustPolicy(arn, issuer, sa))),
      description: `IRSA for ${sa.namespace}/${sa.name}`,
      tags: { ...args.tags, 'meshfed.dev/service-account': `${sa.namespace}.${sa.name}` },
    }, { parent: this });
    for (const policy of args.managedPolicies ?? []) {
      new aws.iam.RolePolicyAttachment(`${name}-role-${policy.split('/').pop()}`, { role: this.role.name, policyArn: managedPolicyArn(policy, args.partition) }, { parent: this });
    }
    if (args.inlinePolicy !== undefined) {
      new aws.iam.RolePolicy(`${name}-role-inline`, { role: this.role.name, policy: pulumi.output(args.inlinePolicy).apply((p) => JSON.stringify(p)) }, { parent: this });
    }
    this.arn = this.role.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
