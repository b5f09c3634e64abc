/**
 * Records every resource registration at the moment its constructor runs (the SDK's runtime registerResource
 * and readResource, which Resource's constructor calls synchronously; the mock monitor only hears of it
 * later), and whether an Output's apply callback was running then. A resource created inside an apply is
 * missing from previews and from the plan until the Output resolves, so the program must create none there.
 *
 * Pulumi SDK facts relied on (pulumi/pulumi, sdk/nodejs, v3.248.0 as installed): resource.ts calls
 * `registerResource` / `readResource` of ./runtime/resource through the module object (so replacing the
 * exports intercepts them), and output.ts defines `apply` on OutputImpl's prototype, exported as `Output`.
 */
import * as pulumi from '@pulumi/pulumi';

export interface Registration {
  readonly type: string;
  readonly name: string;
  /** True when an Output's apply callback was on the stack while the constructor ran. */
  readonly insideApply: boolean;
}

type AnyFn = (...args: unknown[]) => unknown;

/** Installs the recording (once per test file: jest gives each file its own module registry). */
export function trackRegistrations(): Registration[] {
  const registrations: Registration[] = [];
  let applyDepth = 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeResource = require('@pulumi/pulumi/runtime/resource') as Record<string, AnyFn>;
  for (const method of ['registerResource', 'readResource'] as const) {
    const original = runtimeResource[method];
    runtimeResource[method] = (...args: unknown[]) => {
      // (res, parent, type, name, ...) in both functions.
      registrations.push({ type: String(args[2]), name: String(args[3]), insideApply: applyDepth > 0 });
      return original(...args);
    };
  }
  const proto = (pulumi.Output as unknown as { prototype: { apply: (func: AnyFn, ...rest: unknown[]) => unknown } }).prototype;
  const apply = proto.apply;
  proto.apply = function wrappedApply(this: unknown, func: AnyFn, ...rest: unknown[]) {
    return apply.call(this, (...values: unknown[]) => {
      applyDepth += 1;
      try {
        return func(...values);
      } finally {
        applyDepth -= 1;
      }
    }, ...rest);
  };
  return registrations;
}
