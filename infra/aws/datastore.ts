/**
 * RDS for PostgreSQL as SPIRE's datastore (topology: spire.datastore postgres + eks.managedDatastore):
 * Multi-AZ, encrypted, in the private subnets, reachable only from the cluster's nodes. Credentials
 * reach the cluster as the topology's `datastoreSecret` Secret and never appear in plain outputs:
 *  - auth password: RDS manages the master password in Secrets Manager (not in the Pulumi program or
 *    its config); the program reads the current version and writes the connection string as a secret;
 *  - auth iam: no password at all; an IRSA role for the SPIRE server with rds-db:connect on this
 *    instance's user, and a passwordless connection string.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec } from '../../clusters/model';
import { awsNames } from '../../clusters/cloud-names';
import { SPIRE_SERVER_NAMESPACE } from '../../constructs/core/names';
import { masterUserCredentials, postgresConnectionString } from './connection-string';
import { SPIRE_SERVER_SERVICE_ACCOUNT, type EksCluster } from './eks-cluster';
import { rdsConnectPolicy } from './iam-policies';
import { IrsaRole } from './irsa-role';
import type { EksOptions } from './options';
import type { Vpc } from './vpc';

export const POSTGRES_PORT = 5432;
/** RDS for PostgreSQL major version. */
export const POSTGRES_ENGINE_VERSION = '16';
export const DATASTORE_DATABASE = 'spire';
export const DATASTORE_USER = 'spire';

export interface ManagedDatastoreArgs {
  readonly cluster: ClusterSpec;
  readonly options: EksOptions & { readonly managedDatastore: NonNullable<EksOptions['managedDatastore']> };
  readonly vpc: Vpc;
  readonly eks: EksCluster;
  /**
   * Provider of the cluster the Secret goes to; without one no Secret is created here and the caller
   * writes `connectionString` itself (the stack does, before the SPIRE server's file, as for Cloud SQL).
   */
  readonly kubernetesProvider?: k8s.Provider;
  /**
   * The SPIRE server's IRSA role when it has one already (spire.keyManager kms): auth iam adds its
   * rds-db:connect policy to it, because a ServiceAccount's eks.amazonaws.com/role-arn names one role.
   * @default - auth iam creates its own role
   */
  readonly serverRole?: IrsaRole;
  /** What must exist before the Secret (the spire-server namespace). */
  readonly secretDependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly tags?: Readonly<Record<string, string>>;
}

export class ManagedDatastore extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly secret?: k8s.core.v1.Secret;
  /** The SPIRE DataStore connection string (secret). */
  readonly connectionString: pulumi.Output<string>;
  /** auth iam: the role the SPIRE server's service account assumes (its own, or serverRole). */
  readonly iamRole?: IrsaRole;

  constructor(name: string, args: ManagedDatastoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:aws:ManagedDatastore', name, {}, opts);
    const { cluster, options, vpc, eks } = args;
    const child = { parent: this };
    const protect = options.deletionProtection;
    const tags = { ...args.tags, 'meshfed.dev/cluster': cluster.name };
    const iam = options.managedDatastore.auth === 'iam';

    const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: vpc.privateSubnets.map((s) => s.id), tags }, child);
    this.securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: vpc.vpc.id, description: `SPIRE datastore of ${cluster.name}: PostgreSQL from the cluster's nodes only`, tags }, child);
    new aws.vpc.SecurityGroupIngressRule(`${name}-from-nodes`, {
      securityGroupId: this.securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: eks.nodeSecurityGroupId,
      description: 'PostgreSQL from the EKS nodes (SPIRE server)',
    }, child);

    this.instance = new aws.rds.Instance(awsNames.rdsInstance(`${name}-db`), {
      engine: 'postgres',
      engineVersion: POSTGRES_ENGINE_VERSION,
      instanceClass: options.managedDatastore.instanceClass,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageType: 'gp3',
      storageEncrypted: true,
      multiAz: true,
      dbName: DATASTORE_DATABASE,
      username: DATASTORE_USER,
      // RDS keeps (and rotates) the password in Secrets Manager; it never passes through Pulumi config.
      manageMasterUserPassword: true,
      iamDatabaseAuthenticationEnabled: iam,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      backupRetentionPeriod: 7,
      deletionProtection: protect,
      skipFinalSnapshot: !protect,
      ...(protect ? { finalSnapshotIdentifier: `${name}-final` } : {}),
      tags,
    }, { parent: this, protect });

    const target = this.instance.address.apply((host) => ({ host, port: POSTGRES_PORT, database: DATASTORE_DATABASE, user: DATASTORE_USER }));
    let connection: pulumi.Output<string>;
    if (iam) {
      const connectPolicy = pulumi.all([eks.partition, eks.accountId, this.instance.resourceId]).apply(([partition, accountId, resourceId]) =>
        rdsConnectPolicy({ partition, region: cluster.region, accountId }, resourceId, DATASTORE_USER));
      if (args.serverRole) {
        new aws.iam.RolePolicy(`${name}-iam-connect`, { role: args.serverRole.role.name, policy: connectPolicy.apply((p) => JSON.stringify(p)) }, child);
        this.iamRole = args.serverRole;
      } else {
        this.iamRole = new IrsaRole(`${name}-iam-irsa`, {
          oidcProviderArn: eks.oidcProvider.arn,
          issuerUrl: eks.issuerUrl,
          serviceAccount: SPIRE_SERVER_SERVICE_ACCOUNT,
          inlinePolicy: connectPolicy,
          tags,
        }, child);
      }
      connection = target.apply((t) => postgresConnectionString(t));
    } else {
      const secretArn = this.instance.masterUserSecrets.apply((s) => s[0].secretArn!);
      const version = aws.secretsmanager.getSecretVersionOutput({ secretId: secretArn }, { parent: this });
      connection = pulumi.all([target, version.secretString]).apply(([t, json]) => postgresConnectionString(t, masterUserCredentials(json).password));
    }

    this.connectionString = pulumi.secret(connection);
    const ref = cluster.spire.datastoreSecret;
    if (args.kubernetesProvider) {
      this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
        metadata: { name: ref.name, namespace: SPIRE_SERVER_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'meshfed' } },
        type: 'Opaque',
        stringData: { [ref.key]: this.connectionString },
      }, { parent: this, provider: args.kubernetesProvider, dependsOn: args.secretDependsOn ?? [] });
    }

    this.registerOutputs({ endpoint: this.instance.address });
  }
}
