/** Runs stacks/index.ts under recording mocks with the clouds' stand-in state (infra/plan/mock-state.ts). */
import * as pulumi from '@pulumi/pulumi';
import { mockCloudCall, mockCloudState, type MockStateOptions } from '../../infra/plan/mock-state';
import { base64, recordingMocks, settle, type Recorded } from './pulumi-mocks';

export interface StackRun {
  readonly recorded: Map<string, Recorded>;
  readonly all: () => Recorded[];
  readonly named: (name: string) => Recorded;
  readonly ofType: (type: string) => Recorded[];
  /** The stack module's exports (plain values; Outputs stay Outputs). */
  stack: any;
}

/** Reader tokens are filled in by the token controller: `token-of-<cluster>`. */
export function startStack(stackName: string, config: Record<string, string>, secretKeys: string[], state: MockStateOptions = {}): StackRun {
  const recorded = recordingMocks(stackName, (args) => {
    const cloud = mockCloudState(args, state);
    if (cloud) return cloud;
    if (args.type !== 'kubernetes:core/v1:Secret' || args.inputs.type !== 'kubernetes.io/service-account-token') return undefined;
    const cluster = /::([a-z0-9-]+)-k8s::/.exec(args.provider ?? '')?.[1];
    return { data: { token: base64(`token-of-${cluster}`) } };
  }, (call) => mockCloudCall(call.token, call.inputs));
  pulumi.runtime.setAllConfig(config, secretKeys);
  const all = (): Recorded[] => [...recorded.values()];
  return {
    recorded,
    all,
    named: (name) => {
      const r = recorded.get(name);
      if (!r) throw new Error(`no resource ${name}; have ${[...recorded.keys()].join(', ')}`);
      return r;
    },
    ofType: (type) => all().filter((r) => r.type === type),
    stack: undefined,
  };
}

/** Waits until `count` remote secrets have their inputs (the last resources the program creates). */
export async function settleRemoteSecrets(run: StackRun, count: number): Promise<void> {
  await settle(() => run.all().filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.name.startsWith('remote-secrets-') && Object.keys(r.inputs).length > 0).length === count, 30000);
}

/** Resolves an Output (or plain value) of the stack's exports. */
export function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((res) => pulumi.output(value).apply((v) => { res(v as T); return v; }));
}
