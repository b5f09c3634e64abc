/**
 * The dependency graph of the real program (deployMesh) under the offline plan's stand-in cloud state:
 * every registered resource with the URNs the SDK sends as its dependencies (explicit dependsOn, expanded
 * through components, plus the resources whose Outputs its inputs use) and its provider, which the engine
 * also creates first. Mocks hand newResource neither, so they are read off the monitor requests.
 * (@pulumi/pulumi 3.248.0 runtime/resource.js prepareResource: the request's dependencies are
 * allDirectDependencyURNs, dependsOn plus every property's dependencies; runtime/dependsOn.js expands
 * components into their custom and remote children, so a yaml/v2 ConfigGroup appears as itself.)
 */
import * as pulumi from '@pulumi/pulumi';
import type { Topology } from '../../clusters/model';
import type { MeshProgram } from '../../infra/mesh-program';
import { mockCloudCall, mockCloudState } from '../../infra/plan/mock-state';
import { base64, revealed } from './pulumi-mocks';

/** `<type>::<name>`: unique per stack (names alone are not: a Cloud NAT's Address and RouterNat share one). */
export type ResourceKey = string;

export interface GraphNode {
  readonly key: ResourceKey;
  readonly type: string;
  readonly name: string;
  /** Direct dependencies, the provider included. */
  readonly needs: readonly ResourceKey[];
  inputs: Record<string, any>;
}

export interface DependencyGraph {
  readonly program: MeshProgram;
  readonly nodes: ReadonlyMap<ResourceKey, GraphNode>;
  /** Whether `from` is created only after `to` (directly or through what it depends on). */
  readonly waitsFor: (from: ResourceKey, to: ResourceKey) => boolean;
  /** The key of a resource object of the program. */
  readonly keyOf: (resource: pulumi.Resource) => Promise<ResourceKey>;
}

/** `urn:pulumi:stack::project::parent$type::name` -> `type::name`. */
export function keyOfUrn(urn: string): ResourceKey {
  const parts = urn.split('::');
  return `${parts[parts.length - 2].split('$').pop()}::${parts[parts.length - 1]}`;
}

/** Runs deployMesh for `topology` (every cluster created) and waits until its last resources, the remote secrets, are registered. */
export async function dependencyGraph(topology: Topology): Promise<DependencyGraph> {
  const nodes = new Map<ResourceKey, GraphNode>();
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      const node = nodes.get(`${args.type}::${args.name}`);
      // Inputs as the resource receives them (secret markers removed).
      if (node) node.inputs = revealed(args.inputs);
      const state = { ...args.inputs, ...(mockCloudState(args) ?? {}) };
      // The token controller fills in service-account tokens (reader and nested parent-access tokens).
      if (args.type === 'kubernetes:core/v1:Secret' && args.inputs.type === 'kubernetes.io/service-account-token') state.data = { token: base64(`token-of-${args.name}`) };
      return { id: `${args.name}-id`, state };
    },
    call: (args) => {
      const result = mockCloudCall(args.token, args.inputs);
      if (!result) throw new Error(`unexpected provider call ${args.token}`);
      return result;
    },
  }, 'meshfed', topology.environment, false);
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const provider = req.getProvider() as string;
    const key = `${req.getType()}::${req.getName()}`;
    nodes.set(key, {
      key,
      type: req.getType(),
      name: req.getName(),
      needs: [...(req.getDependenciesList() as string[]).map(keyOfUrn), ...(provider ? [keyOfUrn(provider.split('::').slice(0, -1).join('::'))] : [])],
      inputs: {},
    });
    return register(req, callback);
  };
  // Loaded after the mocks, as the stack loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { deployMesh } = require('../../infra/mesh-program') as typeof import('../../infra/mesh-program');
  const program = deployMesh({ topology, existingClusters: [], gcp: { project: 'order-test', apiAccessCidrs: ['192.0.2.1/32'] } });
  const remoteSecrets = Object.keys(program.remoteSecrets.secrets).length;
  const start = Date.now();
  for (let last = -1, stable = 0; stable < 5;) {
    await new Promise((r) => setTimeout(r, 40));
    if (Date.now() - start > 30000) throw new Error('the program did not settle');
    const done = [...nodes.values()].filter((n) => n.name.startsWith('remote-secrets-') && n.type === 'kubernetes:core/v1:Secret' && Object.keys(n.inputs).length > 0).length >= remoteSecrets;
    stable = done && nodes.size === last ? stable + 1 : 0;
    last = nodes.size;
  }

  const closure = new Map<ResourceKey, Set<ResourceKey>>();
  const upstream = (key: ResourceKey): Set<ResourceKey> => {
    const known = closure.get(key);
    if (known) return known;
    const all = new Set<ResourceKey>();
    closure.set(key, all);
    for (const need of nodes.get(key)?.needs ?? []) {
      all.add(need);
      for (const k of upstream(need)) all.add(k);
    }
    return all;
  };
  return {
    program,
    nodes,
    waitsFor: (from, to) => {
      if (!nodes.has(from) || !nodes.has(to)) throw new Error(`no resource ${nodes.has(from) ? to : from} in the program's graph`);
      return upstream(from).has(to);
    },
    keyOf: (resource) => new Promise((resolve) => resource.urn.apply((urn) => { resolve(keyOfUrn(urn)); return urn; })),
  };
}
