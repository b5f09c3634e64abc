/** The encrypted gp3 StorageClass for EKS: EBS CSI parameters, retained volumes, zone-aware binding, valid schema. */
import { encryptedGp3StorageClass } from '../infra/aws/storage-class';
import { masterUserCredentials, postgresConnectionString } from '../infra/aws/connection-string';
import { validateObject } from './helpers/schema-validation';

describe('encryptedGp3StorageClass', () => {
  it('asks the EBS CSI driver for encrypted gp3, retains volumes and binds in the pod\'s zone', () => {
    const sc = encryptedGp3StorageClass();
    expect(sc).toMatchObject({ provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    expect(encryptedGp3StorageClass('arn:aws:kms:us-east-1:123456789012:key/k').parameters.kmsKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/k');
    expect(validateObject(sc as never)).toEqual([]);
  });
});

describe('datastore connection string', () => {
  it('URL-encodes credentials, requires TLS, and omits the password for IAM authentication', () => {
    const target = { host: 'db.example', port: 5432, database: 'spire', user: 'spire' };
    expect(postgresConnectionString(target, 'a@b/c:d')).toBe('postgres://spire:a%40b%2Fc%3Ad@db.example:5432/spire?sslmode=require');
    expect(postgresConnectionString(target)).toBe('postgres://spire@db.example:5432/spire?sslmode=require');
    expect(masterUserCredentials('{"username":"spire","password":"x"}')).toEqual({ username: 'spire', password: 'x' });
    expect(() => masterUserCredentials('{"username":"spire"}')).toThrow('the RDS master user secret has no string username and password');
  });
});
