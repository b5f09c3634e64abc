/**
 * Kubeconfigs as pure functions (no Pulumi), so they run inside `apply()` and in unit tests alike:
 * reading the API endpoint of a cluster out of its kubeconfig (a peer's remote secret needs the server
 * URL and CA that the peer's own kubeconfig already trusts), and building the two kinds the stack
 * writes: exec-plugin kubeconfigs for created clusters (GKE and EKS alike) and token kubeconfigs.
 */
import { parse, stringify } from 'yaml';

export interface ClusterEndpoint {
  /** API server URL of the kubeconfig's current context, e.g. "https://34.1.2.3". */
  readonly server: string;
  /** The API server's CA certificate(s), PEM (decoded certificate-authority-data). */
  readonly caPem: string;
}

/** A kubeconfig this stack cannot turn into a remote secret; the message names the cluster and the fix. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

type Named = { name?: unknown; [key: string]: unknown };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entry(list: unknown, name: string, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = (list as Named[]).find((e) => isRecord(e) && e.name === name);
  return found && isRecord(found[field]) ? (found[field] as Record<string, unknown>) : undefined;
}

/**
 * The current context's cluster `server` and inline `certificate-authority-data`.
 * @param cluster topology name of the cluster the kubeconfig belongs to (only used in error messages)
 */
export function kubeconfigEndpoint(cluster: string, kubeconfig: string): ClusterEndpoint {
  const where = `meshfed:kubeconfigs["${cluster}"]`;
  let doc: unknown;
  try {
    doc = parse(kubeconfig);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new KubeconfigError(`${where}: is not YAML (${reason}); expected a kubeconfig file's content`);
  }
  if (!isRecord(doc)) throw new KubeconfigError(`${where}: is not YAML (not a mapping); expected a kubeconfig file's content`);

  const current = doc['current-context'];
  if (typeof current !== 'string' || current === '') {
    throw new KubeconfigError(`${where}: has no current-context; set it to the context that reaches cluster ${cluster}`);
  }
  const context = entry(doc.contexts, current, 'context');
  if (!context || typeof context.cluster !== 'string') {
    throw new KubeconfigError(`${where}: current-context "${current}" is not among its contexts (or names no cluster)`);
  }
  const clusterName = context.cluster;
  const endpoint = entry(doc.clusters, clusterName, 'cluster');
  if (!endpoint) throw new KubeconfigError(`${where}: context "${current}" names cluster "${clusterName}", which is not among its clusters`);

  const server = endpoint.server;
  if (typeof server !== 'string' || !/^https:\/\/\S+$/.test(server)) {
    throw new KubeconfigError(`${where}: cluster "${clusterName}" has server ${JSON.stringify(server ?? null)}; an https:// URL is required`);
  }
  const caData = endpoint['certificate-authority-data'];
  if (typeof caData !== 'string' || caData === '') {
    if (typeof endpoint['certificate-authority'] === 'string') {
      // The file exists only on the machine running pulumi; the remote secret must carry the CA itself.
      throw new KubeconfigError(`${where}: cluster "${clusterName}" points to a CA file (certificate-authority: ${JSON.stringify(endpoint['certificate-authority'])}); inline it as certificate-authority-data (base64 PEM)`);
    }
    throw new KubeconfigError(`${where}: cluster "${clusterName}" has no certificate-authority-data; inline the API server's CA (base64 PEM)`);
  }
  const caPem = Buffer.from(caData, 'base64').toString('utf8');
  if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KubeconfigError(`${where}: cluster "${clusterName}" certificate-authority-data does not decode to a PEM certificate`);
  }
  return { server, caPem };
}

/** A kubeconfig that authenticates with a service account token (what a nested parent's SPIRE server reads for a child). */
export function tokenKubeconfig(args: { cluster: string; user: string; server: string; caPem: string; token: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: args.cluster, cluster: { server: args.server, 'certificate-authority-data': Buffer.from(args.caPem).toString('base64') } }],
    users: [{ name: args.user, user: { token: args.token } }],
    contexts: [{ name: args.cluster, context: { cluster: args.cluster, user: args.user } }],
    'current-context': args.cluster,
  });
}

/**
 * The exec credential plugin of a kubeconfig user (client-go's ExecConfig, client.authentication.k8s.io/v1beta1):
 * the command prints a short-lived token, so no long-lived secret sits in the file.
 */
export interface ExecCredential {
  readonly command: string;
  readonly args?: readonly string[];
  /** Extra environment of the command (e.g. AWS_PROFILE). */
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** Shown by kubectl when the command is missing. */
  readonly installHint?: string;
  /** Pass the cluster's server and CA to the plugin (KUBERNETES_EXEC_INFO). */
  readonly provideClusterInfo?: boolean;
  /** Never: the plugin must not prompt (Pulumi runs without a terminal). */
  readonly interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
}

/**
 * A kubeconfig with one cluster, one context (current) and one user authenticating through `exec`,
 * all named `name`; the one builder both clouds' created clusters use (GKE: gke-gcloud-auth-plugin,
 * EKS: `aws eks get-token`). JSON, which every kubeconfig reader accepts as YAML.
 */
export function execKubeconfig(args: { readonly name: string; readonly server: string; readonly caDataBase64: string; readonly exec: ExecCredential }): string {
  const { exec } = args;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: args.name, cluster: { server: args.server, 'certificate-authority-data': args.caDataBase64 } }],
    contexts: [{ name: args.name, context: { cluster: args.name, user: args.name } }],
    'current-context': args.name,
    users: [{
      name: args.name,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: exec.command,
          ...(exec.args ? { args: [...exec.args] } : {}),
          ...(exec.env ? { env: exec.env.map((e) => ({ name: e.name, value: e.value })) } : {}),
          ...(exec.installHint !== undefined ? { installHint: exec.installHint } : {}),
          ...(exec.provideClusterInfo !== undefined ? { provideClusterInfo: exec.provideClusterInfo } : {}),
          ...(exec.interactiveMode ? { interactiveMode: exec.interactiveMode } : {}),
        },
      },
    }],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
