/** SPIRE's `DataStore "sql"` plugin: sqlite on the server's volume, or an external postgres/mysql. */
import { PATHS } from '../core/names';
import { PropsError, requireDnsLabel } from '../core/props-error';

export interface SecretKeyRef {
  /** Secret in the SPIRE server's namespace. */
  readonly name: string;
  /** Key whose value is the full connection string. */
  readonly key: string;
}

/** Environment variable the server expands (`-expandEnv`) into connection_string; the string itself stays in the Secret. */
export const DATASTORE_ENV = 'SPIRE_DATASTORE_CONNECTION_STRING';

export class DataStore {
  /**
   * sqlite3 on the server's persistent volume. Only for a single replica: every replica would keep its
   * own registrations and CA state.
   */
  static sqlite(): DataStore {
    return new DataStore('sqlite3', undefined);
  }

  /** External PostgreSQL, connection string read from a Secret (never written into the manifests). */
  static postgres(secretRef: SecretKeyRef): DataStore {
    return new DataStore('postgres', DataStore.checked(secretRef));
  }

  /** External MySQL, connection string read from a Secret (never written into the manifests). */
  static mysql(secretRef: SecretKeyRef): DataStore {
    return new DataStore('mysql', DataStore.checked(secretRef));
  }

  static fromTopology(kind: 'sqlite' | 'postgres' | 'mysql', secretRef: SecretKeyRef): DataStore {
    if (kind === 'sqlite') return DataStore.sqlite();
    return kind === 'postgres' ? DataStore.postgres(secretRef) : DataStore.mysql(secretRef);
  }

  private static checked(ref: SecretKeyRef): SecretKeyRef {
    requireDnsLabel('DataStore.secretRef.name', ref.name);
    if (ref.key.length === 0) throw new PropsError('DataStore.secretRef.key: must not be empty');
    return ref;
  }

  private constructor(
    /** SPIRE's database_type value. */
    readonly databaseType: 'sqlite3' | 'postgres' | 'mysql',
    /** Where the connection string comes from; undefined for sqlite. */
    readonly secretRef: SecretKeyRef | undefined,
  ) {}

  /** Whether several server replicas can share this datastore. */
  get supportsReplicas(): boolean {
    return this.databaseType !== 'sqlite3';
  }

  pluginData(): Record<string, unknown> {
    if (this.databaseType === 'sqlite3') {
      return { database_type: 'sqlite3', connection_string: `${PATHS.serverDataDir}/datastore.sqlite3` };
    }
    return { database_type: this.databaseType, connection_string: `\${${DATASTORE_ENV}}` };
  }
}
