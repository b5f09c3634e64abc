/**
 * SPIFFE trust domain name rules (SPIFFE ID spec, section 2.1): lowercase letters, digits, '.', '-'
 * and '_' only, at most 255 characters, and a bare name: no scheme, port, path or user info.
 */
export const TRUST_DOMAIN_RULE =
  "lowercase letters, digits, '.', '-', '_'; no scheme, port or path; at most 255 characters";

const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]+$/;

/** Returns undefined when valid, else the reason (used in loader and construct errors alike). */
export function trustDomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 255) return `is ${name.length} characters long`;
  if (name.includes('://')) return 'has a scheme';
  if (name.includes('/')) return 'has a path';
  if (name.includes(':')) return 'has a port';
  if (!TRUST_DOMAIN_CHARS.test(name)) return 'has characters outside the allowed set';
  return undefined;
}

export function isValidTrustDomain(name: string): boolean {
  return trustDomainProblem(name) === undefined;
}
