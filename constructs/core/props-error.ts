import { TRUST_DOMAIN_RULE, trustDomainProblem } from '../../clusters/trust-domain';

/**
 * Invalid construct input: the message names the construct and prop, the value and the rule, e.g.
 * `SpireServer.trustDomain: "Foo.com" is not a valid SPIFFE trust domain (...)`. The CLI prints it
 * without a stack trace; any other Error is an internal bug.
 */
export class PropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropsError';
  }
}

export function requireTrustDomain(where: string, value: string): void {
  const reason = trustDomainProblem(value);
  if (reason !== undefined) {
    throw new PropsError(`${where}: ${JSON.stringify(value)} is not a valid SPIFFE trust domain: it ${reason} (${TRUST_DOMAIN_RULE})`);
  }
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export function requireDuration(where: string, value: string): void {
  if (!GO_DURATION.test(value)) {
    throw new PropsError(`${where}: ${JSON.stringify(value)} is not a Go duration (e.g. "30s", "10m", "1h")`);
  }
}

export function requireRange(where: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PropsError(`${where}: ${value} must be a whole number from ${min} to ${max}`);
  }
}

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function requireDnsLabel(where: string, value: string): void {
  if (!DNS_LABEL.test(value)) {
    throw new PropsError(`${where}: ${JSON.stringify(value)} must be a DNS label (lowercase letters, digits, '-', at most 63 characters)`);
  }
}
