/**
 * Pulumi mocks that refuse anything unexpected (no test can reach a cloud or cluster) and record every
 * registered or read resource with its inputs, its direct dependencies (the URNs the SDK sends, i.e.
 * dependsOn after expanding components) and its raw serialized inputs (which keep secret markers).
 */
import * as pulumi from '@pulumi/pulumi';

/** Pulumi's wire marker for a secret value ({ [SECRET_SIG]: SECRET_VALUE, value }). */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_VALUE = '1b47061264138c4ac30d75fd1eb44270';

export interface Recorded {
  readonly type: string;
  readonly name: string;
  /** True for `Resource.get(...)` reads. */
  readonly read: boolean;
  readonly id?: string;
  /** Name of the provider resource it uses (from the provider reference), if any. */
  readonly provider?: string;
  /** Names of the resources it directly depends on. */
  readonly dependsOn: string[];
  /** Serialized inputs as sent to the engine, secrets still wrapped. */
  readonly raw: Record<string, unknown>;
  /** Resource options `protect` and `retainOnDelete` as sent to the engine (false for reads). */
  readonly protect: boolean;
  readonly retainOnDelete?: boolean;
  inputs: Record<string, any>;
}

/** Live state the cluster adds to a created resource (what a controller fills in), or undefined for none. */
export type LiveState = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;

const nameOfUrn = (urn: string): string => urn.split('::').pop()!;

export function isSecretValue(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** The value with secret wrappers removed (what the resource receives once the engine decrypts it). */
export function revealed(value: unknown): any {
  if (isSecretValue(value)) return revealed((value as Record<string, unknown>).value);
  if (Array.isArray(value)) return value.map(revealed);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
  return value;
}

/** The result of a provider function call the program is expected to make, or undefined to refuse it. */
export type CallResult = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;

/**
 * Installs the mocks. A created resource's state is its inputs plus what `live` adds; any read with
 * `.get()` and any provider function call that `calls` does not answer fails the program.
 */
export function recordingMocks(stack: string, live: LiveState = () => undefined, calls: CallResult = () => undefined): Map<string, Recorded> {
  const recorded = new Map<string, Recorded>();
  void pulumi.runtime.setMocks({
    newResource: (args) => {
      const entry = recorded.get(args.name);
      if (entry) entry.inputs = revealed(args.inputs);
      if (entry?.read) throw new Error(`unexpected read of ${args.type} ${args.id}`);
      return { id: `${args.name}-id`, state: { ...args.inputs, ...live(args) } };
    },
    call: (args) => {
      const result = calls(args);
      if (result === undefined) throw new Error(`unexpected provider call ${args.token}`);
      return result;
    },
  }, 'meshfed', stack, false);

  // The mock monitor hands mocks no dependencies; read them off the requests the SDK sends.
  const monitor = pulumi.runtime.getMonitor() as any;
  const wrap = (method: 'registerResource' | 'readResource', read: boolean): void => {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req: any, callback: any) => {
      const provider = req.getProvider() as string;
      recorded.set(req.getName(), {
        type: req.getType(),
        name: req.getName(),
        read,
        ...(read ? { id: req.getId() } : {}),
        ...(provider ? { provider: nameOfUrn(provider.split('::').slice(0, -1).join('::')) } : {}),
        dependsOn: (req.getDependenciesList() as string[]).map(nameOfUrn),
        ...(read ? {} : { retainOnDelete: Boolean(req.getRetainondelete?.()) }),
        raw: (read ? req.getProperties() : req.getObject())?.toJavaScript() ?? {},
        protect: read ? false : Boolean(req.getProtect?.()),
        inputs: {},
      });
      return original(req, callback);
    };
  };
  wrap('registerResource', false);
  wrap('readResource', true);
  return recorded;
}

/** Waits until `done()` holds (outputs resolve asynchronously), then a little longer for stragglers. */
export async function settle(done: () => boolean, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error('the Pulumi program did not register the expected resources in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}

export function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** A kubeconfig as GKE/EKS tooling writes it: one cluster, inline CA, current context set. */
export function kubeconfigYaml(cluster: string, server: string, caPem: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: gke_${cluster}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${base64(caPem)}`,
    'contexts:',
    `- name: ctx-${cluster}`,
    '  context:',
    `    cluster: gke_${cluster}`,
    '    user: admin',
    `current-context: ctx-${cluster}`,
    'users:',
    '- name: admin',
    '  user:',
    '    token: admin-token-not-for-peers',
    '',
  ].join('\n');
}
