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

/** Values longer than this are shortened in messages (paths never are: see formatFileName). */
const MAX_VALUE_CHARS = 80;

/**
 * A single-line rendering of a user value for error messages. A long value is shortened with its quote
 * closed and an ellipsis, so the reader sees where the shown part ends: `"aaaa…" (300 characters)`.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  if (text.length <= MAX_VALUE_CHARS) return text;
  if (typeof value === 'string') return `${JSON.stringify(value.slice(0, MAX_VALUE_CHARS - 4))}… (${value.length} characters)`;
  return `${closeOpenString(text.slice(0, MAX_VALUE_CHARS - 2))}…`;
}

/** A file path as the user wrote it, quoted and never shortened: a cut path cannot be found. */
export function formatFileName(file: string): string {
  return JSON.stringify(file);
}

/** Closes a JSON string literal left open by cutting `text`, never ending inside an escape such as `\\u00e9`. */
function closeOpenString(text: string): string {
  let open = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      const length = text[i + 1] === 'u' ? 6 : 2;
      if (i + length > text.length) return `${text.slice(0, i)}"`;
      i += length - 1;
    } else if (text[i] === '"') open = !open;
  }
  return open ? `${text}"` : text;
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
