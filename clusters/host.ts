/** Host names and IP literals that peers dial (bundle endpoint and server API addresses). */
import { isIP } from 'node:net';

export const HOST_RULE = 'a DNS name such as "spire.foo.com" or an IP address, without scheme, port or path';

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Returns undefined when `value` is a valid host, else the reason. */
export function hostProblem(value: string): string | undefined {
  if (value.includes('://')) return 'has a scheme';
  if (isIP(value) !== 0) return undefined;
  if (value.startsWith('[') && isIP(value.slice(1, -1)) === 6 && value.endsWith(']')) return 'must be written without brackets';
  if (value.includes('/')) return 'has a path';
  if (value.includes(':')) return 'has a port (set port instead)';
  if (value.length > 253) return `is ${value.length} characters long`;
  const labels = value.replace(/\.$/, '').split('.');
  if (labels.some((l) => !LABEL.test(l))) return 'is not a valid host name';
  if (/^\d+$/.test(labels[labels.length - 1])) return 'is not a valid IP address';
  return undefined;
}

/** `host:port` for a URL authority (IPv6 literals in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
