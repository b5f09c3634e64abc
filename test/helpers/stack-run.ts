/** Runs stacks/index.ts under recording mocks with the clouds' stand-in state (infra/plan/mock-state.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { mockCloudCall, mockCloudState, type MockStateOptions } from '../../infra/plan/mock-state';
import { base64, recordingMocks, settle, type Recorded } from './pulumi-mocks';
import { trackRegistrations, type Registration } from './registrations';

export interface StackRun {
  readonly recorded: Map<string, Recorded>;
  readonly all: () => Recorded[];
  readonly named: (name: string) => Recorded;
  readonly ofType: (type: string) => Recorded[];
  /** Every registration as its constructor ran, with whether an apply callback was running (registrations.ts). */
  readonly registrations: readonly Registration[];
  /** The stack module's exports (plain values; Outputs stay Outputs). */
  stack: any;
}

/** Reader tokens are filled in by the token controller: `token-of-<cluster>`. */
export function startStack(stackName: string, config: Record<string, string>, secretKeys: string[], state: MockStateOptions = {}): StackRun {
  const registrations = trackRegistrations();
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
    registrations,
    stack: undefined,
  };
}

/** The objects of one manifest group the stack applied (its `<cluster>-NN-<concern>` ConfigGroup's `objs`). */
export function objsOf(run: StackRun): (group: string) => any[] {
  return (group) => run.named(group).inputs.objs;
}

/** A fixture certificate, test/fixtures/<name>.pem (e.g. `foo.com`). */
export function fixturePem(name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', `${name}.pem`), 'utf8');
}

/** A PEM certificate as a JWKS `x5c` entry carries it: the base64 DER without armour or line breaks. */
export const x5c = (pem: string): string => pem.replace(/-----[A-Z ]+-----|\s/g, '');

/** The cross-cluster mesh ports no firewall or security group rule may open to 0.0.0.0/0. */
export const MESH_PORTS: readonly number[] = [8081, 8443, 15021, 15443];

export interface StackProgramOptions {
  /** Secret config keys. @default none */
  readonly secretKeys?: string[];
  /** The clouds' stand-in state (project, generated roots). @default infra/plan/mock-state.ts defaults */
  readonly state?: MockStateOptions;
  /** Remote secrets the program creates once it has run to its end; beforeAll waits for this many. */
  readonly remoteSecrets: number;
}

/**
 * The shared setup of the stack test files: installs the mocks and config now (before stacks/index.ts is
 * loaded) and registers a beforeAll that loads the program once and waits until its last resources, the
 * remote secrets, have their inputs. Every test of the file reads the same recorded run.
 */
export function stackProgram(stackName: string, config: Record<string, string>, options: StackProgramOptions): StackRun {
  const run = startStack(stackName, config, options.secretKeys ?? [], options.state);
  beforeAll(async () => {
    // Loaded after the mocks are installed: the program runs when its module is evaluated.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    run.stack = require('../../stacks/index');
    await settleRemoteSecrets(run, options.remoteSecrets);
  });
  return run;
}

/** Waits until `count` remote secrets have their inputs (the last resources the program creates). */
export async function settleRemoteSecrets(run: StackRun, count: number): Promise<void> {
  await settle(() => run.all().filter((r) => r.type === 'kubernetes:core/v1:Secret' && r.name.startsWith('remote-secrets-') && Object.keys(r.inputs).length > 0).length === count, 30000);
}

/** Resolves an Output (or plain value) of the stack's exports. */
export function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((res) => pulumi.output(value).apply((v) => { res(v as T); return v; }));
}

/**
 * Resources whose constructor ran inside an Output's apply callback ([] is the contract: every resource is
 * known before any Output resolves), and recorded resources the tracker did not see (so [] is not vacuous).
 */
export function registrationsInsideApply(run: StackRun): { insideApply: string[]; untracked: string[] } {
  const tracked = new Set(run.registrations.map((r) => r.name));
  return {
    insideApply: run.registrations.filter((r) => r.insideApply).map((r) => `${r.type} ${r.name}`),
    untracked: run.all().map((r) => r.name).filter((name) => !tracked.has(name)),
  };
}
