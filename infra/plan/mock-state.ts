/**
 * What the clouds would fill in for created resources, as deterministic stand-ins: the offline plan and
 * the mock tests run the real program against these (TEST-NET addresses, the placeholder root).
 */
import { createHash } from 'node:crypto';
import { PLACEHOLDER_ROOT_PEM } from '../stack-values';

export interface MockResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

export interface MockStateOptions {
  /** Root CA PEM per trust domain for generated roots (default: the placeholder root for all). */
  readonly rootPems?: Readonly<Record<string, string>>;
  /** gcp:project. */
  readonly project?: string;
}

const octet = (name: string, salt: string): number => createHash('sha256').update(`${salt}/${name}`).digest()[0] % 250 + 2;

/** Output properties of a created resource that the cloud computes, or undefined for none. */
export function mockCloudState(r: MockResource, options: MockStateOptions = {}): Record<string, unknown> | undefined {
  switch (r.type) {
    case 'tls:index/privateKey:PrivateKey':
      return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n(mock key of ${r.name})\n-----END PRIVATE KEY-----\n` };
    case 'tls:index/selfSignedCert:SelfSignedCert': {
      const td = /^(.*) root CA$/.exec(String(r.inputs.subject?.commonName ?? ''))?.[1] ?? '';
      return { certPem: options.rootPems?.[td] ?? PLACEHOLDER_ROOT_PEM };
    }
    case 'gcp:compute/address:Address':
      // Internal addresses in RFC 1918 space, external ones in TEST-NET-3 (RFC 5737).
      return { address: r.inputs.addressType === 'INTERNAL' ? `10.200.${octet(r.name, 'a')}.${octet(r.name, 'b')}` : `203.0.113.${octet(r.name, 'x')}`, selfLink: `projects/mock/regions/${r.inputs.region}/addresses/${r.name}` };
    case 'gcp:container/cluster:Cluster':
      return { endpoint: `198.51.100.${octet(r.name, 'endpoint')}`, masterAuth: { clusterCaCertificate: Buffer.from(PLACEHOLDER_ROOT_PEM).toString('base64') } };
    case 'gcp:sql/databaseInstance:DatabaseInstance':
      return { privateIpAddress: `10.201.${octet(r.name, 'sql')}.${octet(r.name, 'sql2')}`, name: `${r.name}-instance` };
    case 'random:index/randomId:RandomId':
      return { hex: createHash('sha256').update(`id/${r.name}`).digest('hex').slice(0, 2 * Number(r.inputs.byteLength ?? 4)) };
    case 'random:index/randomPassword:RandomPassword':
      return { result: `mock-password-of-${r.name}` };
    case 'gcp:serviceaccount/account:Account':
      return { email: `${r.inputs.accountId}@${options.project ?? 'mock-project'}.iam.gserviceaccount.com` };
    default:
      return awsState(r);
  }
}

export const MOCK_ACCOUNT = '123456789012';
const ACCOUNT = MOCK_ACCOUNT;

/** AWS: ARNs, the EKS endpoint, CA and OIDC issuer, Elastic IPs (TEST-NET-2), the RDS endpoint. */
function awsState(r: MockResource): Record<string, unknown> | undefined {
  const i = r.inputs;
  switch (r.type) {
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${r.name}`, name: r.name };
    case 'aws:eks/cluster:Cluster':
      return {
        endpoint: `https://${i.name}.gr7.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(PLACEHOLDER_ROOT_PEM).toString('base64') },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.amazonaws.com/id/${String(i.name).toUpperCase()}` }] }],
        vpcConfig: { ...i.vpcConfig, clusterSecurityGroupId: `sg-cluster-${i.name}` },
      };
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider':
      return { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(i.url).replace('https://', '')}` };
    case 'aws:ec2/eip:Eip':
      return { publicIp: `198.51.100.${octet(r.name, 'eip')}`, allocationId: `eipalloc-${r.name}` };
    case 'aws:rds/instance:Instance':
      return { address: `${r.name}.rds.amazonaws.com`, resourceId: 'db-RESOURCEID', masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:mock:${ACCOUNT}:secret:rds-${r.name}` }] };
    default:
      return undefined;
  }
}

/** Provider functions the program calls: the RDS-managed master password read (a stand-in), or undefined. */
export function mockCloudCall(token: string, inputs: Record<string, any>): Record<string, unknown> | undefined {
  if (token === 'aws:secretsmanager/getSecretVersion:getSecretVersion' && String(inputs.secretId).includes(':secret:rds-')) {
    return { arn: inputs.secretId, secretString: JSON.stringify({ username: 'spire', password: 'mock-password' }) };
  }
  return undefined;
}
