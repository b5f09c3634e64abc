/** Load-time problems: each names the field path, the bad value and the rule. */

export type PathSegment = string | number;

export interface Problem {
  readonly path: readonly PathSegment[];
  /** Starts with the offending value where there is one: `"Foo.com" is not a valid ...`. */
  readonly message: string;
}

/** `clusters[1].spire.replicas` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(top level)' : out;
}

/** A short, single-line rendering of a user value for error messages. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A topology that cannot be loaded: every problem of the file, so a user fixes them in one pass. */
export class TopologyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.join('\n'));
    this.name = 'TopologyError';
  }
}
