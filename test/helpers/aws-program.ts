/**
 * Runs infra/aws's AwsEnvironment for a topology under recording mocks that refuse anything
 * unexpected: the only provider call answered is the RDS-managed password read. Live state stands in
 * for what AWS fills in (ARNs, the cluster endpoint, CA, OIDC issuer and security group, EIP addresses).
 */
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec } from '../../clusters/model';
import type { AwsEnvironment } from '../../infra/aws/environment';
import { discoveryPairs } from '../../clusters/federation';
import { stackShape } from '../../infra/stack-values';
import type { EndpointKind } from '../../infra/aws/load-balancer-addresses';
import { MOCK_ACCOUNT, mockCloudState } from '../../infra/plan/mock-state';
import { recordingMocks, type Recorded } from './pulumi-mocks';
import { topologyOf } from './aws-topologies';

/** The account of the stand-in ARNs (infra/plan/mock-state.ts). */
export const ACCOUNT = MOCK_ACCOUNT;
export const DB_PASSWORD = 'p@ss/w:rd';
export const GKE_EGRESS: Readonly<Record<string, readonly string[]>> = { 'gke-1': ['34.1.1.1/32', '34.1.1.2/32'] };

export function awsMocks(stack: string): Map<string, Recorded> {
  // The AWS stand-in state is the offline plan's (infra/plan/mock-state.ts); the password is one that needs escaping.
  return recordingMocks(stack, (args) => mockCloudState(args), (call) =>
    call.token === 'aws:secretsmanager/getSecretVersion:getSecretVersion' && String(call.inputs.secretId).includes(':secret:rds-')
      ? { arn: call.inputs.secretId, secretString: JSON.stringify({ username: 'spire', password: DB_PASSWORD }) }
      : undefined);
}

/** The value of an Output (mocks resolve every Output). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => {
    resolve(v);
    return v;
  }));
}

/** Builds the AwsEnvironment of `yaml` and waits until the resource set stops growing. */
export async function runAwsProgram(yaml: string, recorded: Map<string, Recorded>, endpointsOf?: (cluster: ClusterSpec) => EndpointKind[]): Promise<AwsEnvironment> {
  // Imported after the mocks are installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AwsEnvironment } = require('../../infra/aws/environment') as typeof import('../../infra/aws/environment');
  const topology = topologyOf(yaml);
  // Pairs as the stack renders them once it has generated roots and reserved addresses for every cluster.
  const pairs = discoveryPairs(stackShape(topology, new Set(topology.clusters.map((c) => c.name))));
  const environment = new AwsEnvironment('aws', { topology, pairs, egressOf: (peer: ClusterSpec) => GKE_EGRESS[peer.name] ?? [], ...(endpointsOf ? { endpointsOf } : {}) });
  let last = -1;
  let stableSince = Date.now();
  const start = Date.now();
  for (;;) {
    const filled = [...recorded.values()].filter((r) => Object.keys(r.inputs).length > 0 || r.type.startsWith('meshfed:')).length;
    if (filled !== last) {
      last = filled;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 400) {
      return environment;
    }
    if (Date.now() - start > 20000) throw new Error('the AWS program did not settle');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const ofType = (recorded: Map<string, Recorded>, type: string): Recorded[] => [...recorded.values()].filter((r) => r.type === type);
