/** Cloud SQL only when a cluster asks for a managed datastore; its connection string only as the datastoreSecret. */
import { join } from 'node:path';
import { loadTopology } from '../clusters/load';
import { postgresConnectionString } from '../infra/gcp/cloud-sql';
import { isSecretValue } from './helpers/pulumi-mocks';
import { resolve, stackProgram } from './helpers/stack-run';

const run = stackProgram('staging', {
  'meshfed:topology': join(__dirname, 'fixtures', 'topologies', 'managed-db.yaml'),
  'gcp:project': 'p',
  'meshfed:apiAccessCidrs': '["192.0.2.0/28"]',
}, { remoteSecrets: 2 });

it('creates a regional, private-IP-only PostgreSQL for the cluster that asks, protected outside dev-like environments', () => {
  const instances = run.ofType('gcp:sql/databaseInstance:DatabaseInstance');
  expect(instances.map((i) => i.name)).toEqual(['db-spire-db-instance']);
  const db = instances[0];
  expect(db.inputs.settings.availabilityType).toBe('REGIONAL');
  expect(db.inputs.settings.ipConfiguration).toEqual({ ipv4Enabled: false, privateNetwork: 'staging-net-vpc-id', sslMode: 'ENCRYPTED_ONLY' });
  expect(db.inputs.region).toBe('europe-west1');
  expect(db.protect).toBe(true);
  expect(run.ofType('gcp:sql/database:Database').map((d) => [d.name, d.inputs.name, d.protect])).toEqual([['db-spire-db-db', 'spire', true]]);
  expect(db.dependsOn).toContain('staging-private-services');
  expect(run.named('staging-private-services').type).toBe('gcp:servicenetworking/connection:Connection');
});

it('enables private services access and Cloud SQL Admin before using them, and no KMS API', () => {
  const apis = run.ofType('gcp:projects/service:Service').map((s) => s.inputs.service).sort();
  expect(apis).toEqual(['compute.googleapis.com', 'container.googleapis.com', 'iam.googleapis.com', 'servicenetworking.googleapis.com', 'sqladmin.googleapis.com']);
  expect(run.named('staging-private-services').dependsOn).toContain('staging-api-servicenetworking');
  expect(run.named('db-spire-db-instance').dependsOn).toContain('staging-api-sqladmin');
});

it('writes the connection string as the datastoreSecret before the SPIRE server, secret, and exports it nowhere', async () => {
  const k8sSecret = run.ofType('kubernetes:core/v1:Secret').find((s) => s.inputs.metadata?.name === 'spire-db')!;
  expect([k8sSecret.name, k8sSecret.inputs.metadata.namespace, k8sSecret.provider]).toEqual(['db-spire-datastore-secret', 'spire-server', 'db-k8s']);
  expect(k8sSecret.inputs.stringData.dsn).toMatch(/^dbname='spire' user='spire' password='mock-password-of-db-spire-db-password' host='10\.201\.\d+\.\d+' port=5432 sslmode=require$/);
  expect(isSecretValue(k8sSecret.raw.stringData)).toBe(true);
  expect(run.named('db-20-spire-server').dependsOn).toContain('db-spire-datastore-secret');
  expect(run.ofType('gcp:sql/databaseInstance:DatabaseInstance').filter((i) => i.name.startsWith('lite'))).toEqual([]);
  expect(JSON.stringify(await resolve(run.stack.clusters))).not.toContain('mock-password');
});

it('refuses managedDatastore without postgres at load time', () => {
  expect(() => loadTopology('environment: x\nclusters:\n- {name: a, provider: gke, region: us-central1, trustDomain: a.com, cidr: 10.10.0.0/16, spire: {managedDatastore: true}}\n', 'x.yaml'))
    .toThrow('x.yaml:3: clusters[0].spire.managedDatastore: true needs spire.datastore postgres (it is sqlite); the stack creates PostgreSQL databases only');
});

it('quotes the DSN values', () => {
  expect(postgresConnectionString({ host: 'h', user: 'u', password: "p'w\\", database: 'd' })).toBe("dbname='d' user='u' password='p\\'w\\\\' host='h' port=5432 sslmode=require");
});
