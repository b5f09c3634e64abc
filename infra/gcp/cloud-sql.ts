/**
 * A SPIRE server's PostgreSQL datastore on Cloud SQL (for `spire.datastore: postgres` with
 * `spire.managedDatastore: true`): regional (HA), private IP only on the environment's VPC through private
 * services access, TLS required, backups with point-in-time recovery. The connection string reaches the
 * cluster only as the datastoreSecret Secret (secret in Pulumi state, never a plain output).
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { gcpNames } from '../../clusters/cloud-names';
import type { GcpApis } from './apis';

/** Cloud SQL tier of a SPIRE datastore: 2 vCPU, 7.5 GB. */
export const SPIRE_DATABASE_TIER = 'db-custom-2-7680';
export const SPIRE_DATABASE = 'spire';
export const SPIRE_DATABASE_USER = 'spire';

/**
 * lib/pq key=value DSN, the form SPIRE's sql DataStore takes for postgres (spiffe/spire
 * doc/plugin_server_datastore_sql.md, "connection_string").
 */
export function postgresConnectionString(args: { host: string; user: string; password: string; database: string }): string {
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `dbname=${quote(args.database)} user=${quote(args.user)} password=${quote(args.password)} host=${quote(args.host)} port=5432 sslmode=require`;
}

export interface CloudSqlPostgresArgs {
  readonly region: string;
  /** VPC id with private services access (servicenetworking connection) in place. */
  readonly network: pulumi.Input<string>;
  /** The private services access connection the instance must wait for. */
  readonly connection: pulumi.Resource;
  readonly deletionProtection: boolean;
  /** The environment's enabled APIs (Cloud SQL Admin). */
  readonly apis: GcpApis;
}

export class CloudSqlPostgres extends pulumi.ComponentResource {
  readonly instance: gcp.sql.DatabaseInstance;
  /** Secret. */
  readonly connectionString: pulumi.Output<string>;

  constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:gcp:CloudSqlPostgres', name, {}, opts);
    const stateful = { parent: this, ...(args.deletionProtection ? { protect: true } : {}) };
    this.instance = new gcp.sql.DatabaseInstance(gcpNames.sqlInstance(name), {
      region: args.region,
      databaseVersion: 'POSTGRES_16',
      deletionProtection: args.deletionProtection,
      settings: {
        tier: SPIRE_DATABASE_TIER,
        availabilityType: 'REGIONAL',
        ipConfiguration: { ipv4Enabled: false, privateNetwork: args.network, sslMode: 'ENCRYPTED_ONLY' },
        backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true },
        deletionProtectionEnabled: args.deletionProtection,
      },
    }, { ...stateful, dependsOn: [args.connection, ...args.apis.needs('sqladmin')] });
    const database = new gcp.sql.Database(`${name}-db`, { instance: this.instance.name, name: SPIRE_DATABASE }, stateful);
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    const user = new gcp.sql.User(`${name}-user`, { instance: this.instance.name, name: SPIRE_DATABASE_USER, password: password.result }, { parent: this });
    this.connectionString = pulumi.secret(pulumi.all([this.instance.privateIpAddress, password.result, user.name, database.name]).apply(([host, pw, u, db]) =>
      postgresConnectionString({ host, user: u, password: pw, database: db })));
    this.registerOutputs({});
  }
}
