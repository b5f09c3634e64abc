/**
 * The Google APIs the created GKE side calls, enabled by the stack so `pulumi up` works on a fresh project:
 * one gcp.projects.Service per API and environment, which the resources that call it depend on.
 *
 * Destroy never disables an API (disableOnDestroy false, disableDependentServices false): the project may
 * be shared with other environments or workloads, and with disableOnDestroy false the provider only forgets
 * the Service (@pulumi/gcp 9.37.0 projects/service.d.ts, disableOnDestroy and deletionPolicy). Enabling an
 * API that is already on succeeds (same file, "verify already enabled services").
 *
 * Not here, because the Service resource itself needs them: the Service Usage API and the Cloud Resource
 * Manager API (hashicorp/terraform-provider-google issues 6101 and 11435, "Enabling the Cloud Resource
 * Manager API requires the Cloud Resource Manager API"); the README's Deploy section enables them once.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec } from '../../clusters/model';

/** Each API the stack may call, and what calls it. */
export const GCP_APIS = {
  /** VPC, subnets, Cloud Router and NAT, addresses, firewall rules. */
  compute: 'compute.googleapis.com',
  /** GKE clusters and node pools. */
  container: 'container.googleapis.com',
  /** Service accounts (nodes, SPIRE server) and the custom KMS role. */
  iam: 'iam.googleapis.com',
  /** spire.keyManager kms: the key ring SPIRE's gcp_kms plugin creates keys in. */
  cloudkms: 'cloudkms.googleapis.com',
  /**
   * spire.keyManager kms: the spire-server Pod acts as its Google service account through Workload Identity,
   * which mints that account's tokens with the IAM Service Account Credentials API (generateAccessToken).
   */
  iamcredentials: 'iamcredentials.googleapis.com',
  /** spire.managedDatastore: private services access (the VPC peering Cloud SQL's private IP lives on). */
  servicenetworking: 'servicenetworking.googleapis.com',
  /** spire.managedDatastore: the Cloud SQL instance, database and user. */
  sqladmin: 'sqladmin.googleapis.com',
} as const;

export type GcpApi = keyof typeof GCP_APIS;

/** The APIs the stack needs to create these gke clusters and what their topology asks for (stable order). */
export function requiredGcpApis(clusters: readonly Pick<ClusterSpec, 'spire'>[]): GcpApi[] {
  if (clusters.length === 0) return [];
  const kms = clusters.some((c) => c.spire.keyManager === 'kms');
  const database = clusters.some((c) => c.spire.managedDatastore);
  return (Object.keys(GCP_APIS) as GcpApi[]).filter((api) => {
    if (api === 'cloudkms' || api === 'iamcredentials') return kms;
    if (api === 'servicenetworking' || api === 'sqladmin') return database;
    return true;
  });
}

export interface GcpApisArgs {
  /** gcp:project. */
  readonly project: string;
  /** requiredGcpApis(...). */
  readonly apis: readonly GcpApi[];
}

export class GcpApis extends pulumi.ComponentResource {
  private readonly services: Readonly<Partial<Record<GcpApi, gcp.projects.Service>>>;

  constructor(name: string, args: GcpApisArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:gcp:Apis', name, {}, opts);
    this.services = Object.fromEntries(args.apis.map((api) => [api, new gcp.projects.Service(`${name}-${api}`, {
      project: args.project,
      service: GCP_APIS[api],
      disableOnDestroy: false,
      disableDependentServices: false,
    }, { parent: this })]));
    this.registerOutputs({});
  }

  /** The Service resources of these APIs, for `dependsOn`. */
  needs(...apis: GcpApi[]): pulumi.Resource[] {
    return apis.map((api) => {
      const service = this.services[api];
      if (!service) throw new Error(`internal: ${GCP_APIS[api]} is needed but was not enabled (requiredGcpApis)`);
      return service;
    });
  }
}
