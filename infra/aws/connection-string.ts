/**
 * SPIRE's PostgreSQL connection string for a managed RDS datastore (pure). SPIRE's sql datastore hands
 * it to the pgx driver, which takes the libpq URL form; TLS is required (RDS serves TLS on 5432).
 * With IAM authentication there is no password: SPIRE's database_type "aws_postgres" signs a token
 * per connection (spiffe/spire doc/plugin_server_datastore_sql.md, v1.15.3, "IAM Authentication").
 */
export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

export function postgresConnectionString(t: PostgresTarget, password?: string): string {
  const credentials = password === undefined ? encodeURIComponent(t.user) : `${encodeURIComponent(t.user)}:${encodeURIComponent(password)}`;
  return `postgres://${credentials}@${t.host}:${t.port}/${encodeURIComponent(t.database)}?sslmode=require`;
}

/** The user and password in the JSON of an RDS-managed master user secret ({"username": ..., "password": ...}). */
export function masterUserCredentials(secretJson: string): { username: string; password: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretJson);
  } catch {
    throw new Error('the RDS master user secret is not JSON');
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') throw new Error('the RDS master user secret has no string username and password');
  return { username, password };
}
