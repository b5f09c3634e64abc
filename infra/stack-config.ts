/**
 * The stack's own config keys (stacks/index.ts), read from their raw text and checked before any resource is
 * registered. Each function takes what `pulumi.Config.get` returns (only topologyFile looks at the file
 * system) and throws a StackConfigError that names the key, the bad value and what is allowed. Secret
 * values (meshfed:kubeconfigs) are never echoed: Pulumi's own Config.getObject would print the whole value
 * (credentials) when it is not JSON (ConfigTypeError, @pulumi/pulumi 3.248.0 config.js).
 */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseCidr } from '../clusters/cidr';
import { formatValue } from '../clusters/problems';
import { StackConfigError } from './mesh-program';

const KUBECONFIGS_HOW = `set one entry per existing cluster: \`pulumi config set --secret --path 'meshfed:kubeconfigs["<cluster>"]' "$(cat <cluster>.kubeconfig)"\``;
const API_ACCESS_HOW = `\`pulumi config set --path 'meshfed:apiAccessCidrs[0]' <your address>/32\``;

/** What a parsed JSON value is, for messages that must not show it. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** JSON.parse, or undefined when the text is not JSON. */
function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The topology file: meshfed:topology (absolute or relative to the project directory), default
 * clusters/<stack>.yaml. A missing file names the key and the files that are there.
 */
export function topologyFile(raw: string | undefined, stack: string, projectDir: string): string {
  const path = raw === undefined ? join(projectDir, 'clusters', `${stack}.yaml`) : isAbsolute(raw) ? raw : join(projectDir, raw);
  if (existsSync(path)) return path;
  const clustersDir = join(projectDir, 'clusters');
  const available = existsSync(clustersDir) ? readdirSync(clustersDir).filter((f) => f.endsWith('.yaml')).sort().map((f) => `clusters/${f}`) : [];
  const allowed = `allowed: a topology file, absolute or relative to ${projectDir}${available.length > 0 ? ` (here: ${available.join(', ')})` : ''}`;
  if (raw === undefined) {
    throw new StackConfigError(`meshfed:topology is not set and its default for stack ${stack}, clusters/${stack}.yaml, does not exist; ${allowed}: \`pulumi config set meshfed:topology <file>\``);
  }
  throw new StackConfigError(`meshfed:topology: ${formatValue(raw)} does not exist (read as ${path}); ${allowed}`);
}

/**
 * meshfed:kubeconfigs: cluster name -> kubeconfig text, or undefined when unset. Cluster names are shown in
 * errors, kubeconfig text never.
 */
export function kubeconfigsConfig(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseJson(raw);
  if (parsed === undefined) {
    throw new StackConfigError(`meshfed:kubeconfigs is not JSON (its value is secret, so not shown; a kubeconfig set without --path is YAML); allowed: an object of cluster name to kubeconfig text; ${KUBECONFIGS_HOW}`);
  }
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StackConfigError(`meshfed:kubeconfigs is ${kindOf(value)} (its value is secret, so not shown); allowed: an object of cluster name to kubeconfig text; ${KUBECONFIGS_HOW}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [cluster, kubeconfig] of entries) {
    if (typeof kubeconfig !== 'string' || kubeconfig.trim() === '') {
      const what = typeof kubeconfig === 'string' ? 'empty' : kindOf(kubeconfig);
      throw new StackConfigError(`meshfed:kubeconfigs[${JSON.stringify(cluster)}] is ${what}; allowed: the cluster's kubeconfig as text (YAML); ${KUBECONFIGS_HOW}`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * meshfed:apiAccessCidrs: the IPv4 CIDRs the created GKE clusters' API servers accept, [] when unset (the
 * program decides whether it needs them). 0.0.0.0/0 is refused: the list exists to close the API server.
 */
export function apiAccessCidrsConfig(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const parsed = parseJson(raw);
  if (parsed === undefined || !Array.isArray(parsed.value)) {
    throw new StackConfigError(`meshfed:apiAccessCidrs: ${formatValue(raw)} is ${parsed === undefined ? 'not JSON' : kindOf(parsed.value)}; allowed: a list of IPv4 CIDRs, set one entry at a time with ${API_ACCESS_HOW}`);
  }
  return parsed.value.map((cidr: unknown, n) => {
    const at = `meshfed:apiAccessCidrs[${n}]`;
    if (typeof cidr !== 'string') throw new StackConfigError(`${at}: ${formatValue(cidr)} is ${kindOf(cidr)}; allowed: an IPv4 CIDR a.b.c.d/n`);
    const reason = parseCidr(cidr);
    if (typeof reason === 'string') throw new StackConfigError(`${at}: ${formatValue(cidr)} ${reason}; allowed: an IPv4 CIDR a.b.c.d/n with zero host bits`);
    if (reason.prefixLength === 0) {
      throw new StackConfigError(`${at}: ${formatValue(cidr)} opens the created clusters' API servers to everyone; allowed: the ranges that deploy and operate the clusters, e.g. your address/32`);
    }
    return cidr;
  });
}
