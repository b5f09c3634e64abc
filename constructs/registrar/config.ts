/**
 * The legacy k8s-workload-registrar's HCL config file: one typed prop per key, validation that
 * mirrors what the registrar itself refuses at startup (so mistakes show at synth, not as a
 * CrashLoopBackOff), and a deterministic HCL renderer.
 *
 * Keys and defaults: spiffe/spire support/k8s/k8s-workload-registrar (README.md, config.go,
 * config_webhook.go, config_reconcile.go, config_crd.go) as of the last releases (1.3.x for
 * webhook mode, 1.5.x for reconcile and crd).
 */
import { PropsError, requireTrustDomain } from '../core/props-error';

export const REGISTRAR_LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type RegistrarLogLevel = (typeof REGISTRAR_LOG_LEVELS)[number];
export const REGISTRAR_MODES = ['webhook', 'reconcile', 'crd'] as const;
export type K8sWorkloadRegistrarMode = (typeof REGISTRAR_MODES)[number];
export type LeaderElectionResourceLock = 'configmaps' | 'leases';

/** The registrar's built-in disabled_namespaces. */
export const REGISTRAR_UPSTREAM_DISABLED_NAMESPACES = ['kube-system', 'kube-public'] as const;

/**
 * Every key of the registrar's config file, in the registrar's vocabulary (camelCase of the HCL key).
 * Mode-specific keys are rejected in the other modes.
 */
export interface K8sWorkloadRegistrarConfigProps {
  /** `mode`. Required by the last release's docs; meshfed always writes it. */
  readonly mode: K8sWorkloadRegistrarMode;
  /** `log_level`. @default "info" */
  readonly logLevel?: RegistrarLogLevel;
  /** `log_path`: a file instead of stderr. @default - stderr */
  readonly logPath?: string;
  /** `trust_domain`: the SPIRE server's trust domain. */
  readonly trustDomain: string;
  /** `server_address`: the server API over mTLS (needs `agentSocketPath`). Exactly one of this and `serverSocketPath`. */
  readonly serverAddress?: string;
  /** `server_socket_path`: the server's private admin socket (registrar in the server pod). */
  readonly serverSocketPath?: string;
  /** `agent_socket_path`: Workload API socket for the registrar's own SVID; required with `serverAddress`. */
  readonly agentSocketPath?: string;
  /** `cluster`: must be a cluster of the server's k8s_psat node attestor. */
  readonly cluster: string;
  /** `pod_label`: SPIFFE ID = spiffe://<td>/<label value>; pods without the label are ignored. @default - service account IDs */
  readonly podLabel?: string;
  /** `pod_annotation`: SPIFFE ID = spiffe://<td>/<annotation value>. @default - service account IDs */
  readonly podAnnotation?: string;
  /** `disabled_namespaces`: pods here get no entries. @default ["kube-system", "kube-public"] */
  readonly disabledNamespaces?: readonly string[];

  // webhook mode
  /** `addr`: HTTPS listener. @default ":8443" */
  readonly addr?: string;
  /** `cert_path`: serving certificate (PEM). @default "cert.pem" */
  readonly certPath?: string;
  /** `key_path`: serving key (PEM). @default "key.pem" */
  readonly keyPath?: string;
  /** `cacert_path`: CA that signed the API server's admission client certificate. @default "cacert.pem" */
  readonly cacertPath?: string;
  /** `insecure_skip_client_verification`: accept unauthenticated callers. @default false */
  readonly insecureSkipClientVerification?: boolean;

  // reconcile and crd modes
  /** `leader_election`. @default false */
  readonly leaderElection?: boolean;
  /** `leader_election_resource_lock`. @default "leases" */
  readonly leaderElectionResourceLock?: LeaderElectionResourceLock;

  // reconcile mode
  /** `metrics_addr`; "0" disables. @default ":8080" */
  readonly metricsAddr?: string;
  /** `controller_name`: first path segment of node entries' SPIFFE IDs. @default "spire-k8s-registrar" */
  readonly controllerName?: string;
  /** `add_pod_dns_names`: <pod>.<service>.<ns>.svc.<zone> DNS SANs. @default false */
  readonly addPodDnsNames?: boolean;
  /** `cluster_dns_zone`. @default "cluster.local" */
  readonly clusterDnsZone?: string;

  // crd mode
  /** `metrics_bind_addr`; "0" disables. @default ":8080" */
  readonly metricsBindAddr?: string;
  /** `add_svc_dns_name`: Service names as DNS SANs (watches endpoints). @default true */
  readonly addSvcDnsName?: boolean;
  /** `pod_controller`: create SpiffeIDs for pods (false = only hand-written SpiffeIDs). @default true */
  readonly podController?: boolean;
  /** `webhook_enabled`: the SpiffeID validating webhook. Not supported by meshfed (needs a writable cert dir and SVID minting). @default false */
  readonly webhookEnabled?: boolean;
  /** `identity_template`: SPIFFE ID path template. @default - "ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}" */
  readonly identityTemplate?: string;
  /** `identity_template_label`: only pods with this label set to "true" get the template ID. @default - every pod */
  readonly identityTemplateLabel?: string;
  /** `dns_name_templates`. @default ["{{.Pod.Name}}"] */
  readonly dnsNameTemplates?: readonly string[];
  /** `context`: values for {{.Context.X}} in templates. @default - none */
  readonly context?: Readonly<Record<string, string>>;
}

type HclValue = string | boolean | number | readonly string[] | Readonly<Record<string, string>>;

const MODE_KEYS: Record<K8sWorkloadRegistrarMode, readonly (keyof K8sWorkloadRegistrarConfigProps)[]> = {
  webhook: ['addr', 'certPath', 'keyPath', 'cacertPath', 'insecureSkipClientVerification'],
  reconcile: ['leaderElection', 'leaderElectionResourceLock', 'metricsAddr', 'controllerName', 'addPodDnsNames', 'clusterDnsZone'],
  crd: [
    'leaderElection', 'leaderElectionResourceLock', 'metricsBindAddr', 'addSvcDnsName', 'podController', 'webhookEnabled',
    'identityTemplate', 'identityTemplateLabel', 'dnsNameTemplates', 'context',
  ],
};

const W = 'K8sWorkloadRegistrar';
const oneOf = (key: string, value: unknown, allowed: readonly string[]) =>
  new PropsError(`${W}.${key}: ${JSON.stringify(value)} is not allowed (one of: ${allowed.join(' | ')})`);

/** Throws PropsError for what the registrar would refuse at startup or what cannot work. */
export function validateRegistrarConfig(p: K8sWorkloadRegistrarConfigProps): void {
  if (!(REGISTRAR_MODES as readonly string[]).includes(p.mode)) throw oneOf('mode', p.mode, REGISTRAR_MODES);
  if (p.logLevel !== undefined && !(REGISTRAR_LOG_LEVELS as readonly string[]).includes(p.logLevel)) {
    throw oneOf('logLevel', p.logLevel, REGISTRAR_LOG_LEVELS);
  }
  requireTrustDomain(`${W}.trustDomain`, p.trustDomain);
  if (p.cluster === '') throw new PropsError(`${W}.cluster: must be set (the k8s_psat cluster name of the SPIRE server)`);
  const hasAddress = p.serverAddress !== undefined && p.serverAddress !== '';
  const hasSocket = p.serverSocketPath !== undefined && p.serverSocketPath !== '';
  if (hasAddress === hasSocket) {
    throw new PropsError(
      `${W}.serverAddress: exactly one of serverAddress (${JSON.stringify(p.serverAddress)}) and serverSocketPath (${JSON.stringify(p.serverSocketPath)}) must be set: the registrar reaches the server either over its admin socket (sidecar) or over the network with an SVID`,
    );
  }
  if (hasAddress && (p.agentSocketPath ?? '') === '') {
    throw new PropsError(`${W}.agentSocketPath: is required with serverAddress ${JSON.stringify(p.serverAddress)} (the registrar authenticates to the server with an SVID from the agent)`);
  }
  if (p.podLabel !== undefined && p.podAnnotation !== undefined) {
    throw new PropsError(`${W}.podLabel: ${JSON.stringify(p.podLabel)} cannot be combined with podAnnotation ${JSON.stringify(p.podAnnotation)}: set at most one (the registrar refuses both)`);
  }
  for (const [mode, keys] of Object.entries(MODE_KEYS) as [K8sWorkloadRegistrarMode, readonly (keyof K8sWorkloadRegistrarConfigProps)[]][]) {
    if (mode === p.mode) continue;
    for (const key of keys) {
      if (p[key] !== undefined && !MODE_KEYS[p.mode].includes(key)) {
        throw new PropsError(`${W}.${key}: applies only to mode ${Object.entries(MODE_KEYS).filter(([, k]) => k.includes(key)).map(([m]) => m).join(' or ')}, not ${p.mode}`);
      }
    }
  }
  if (p.leaderElectionResourceLock !== undefined && !['configmaps', 'leases'].includes(p.leaderElectionResourceLock)) {
    throw oneOf('leaderElectionResourceLock', p.leaderElectionResourceLock, ['configmaps', 'leases']);
  }
  if (p.leaderElection && p.leaderElectionResourceLock === 'configmaps') {
    throw new PropsError(`${W}.leaderElectionResourceLock: "configmaps" is no longer supported for leader election by the 1.4+ registrar; use "leases"`);
  }
  for (const key of ['metricsAddr', 'metricsBindAddr'] as const) {
    const v = p[key];
    if (v !== undefined && v !== '0' && !/^[^:\s]*:\d{1,5}$/.test(v)) {
      throw new PropsError(`${W}.${key}: ${JSON.stringify(v)} must be "[host]:port" (e.g. ":8080") or "0" to disable metrics`);
    }
  }
  if (p.addr !== undefined && !/^[^:\s]*:\d{1,5}$/.test(p.addr)) {
    throw new PropsError(`${W}.addr: ${JSON.stringify(p.addr)} must be "[host]:port" (e.g. ":8443")`);
  }
  if (p.webhookEnabled) {
    throw new PropsError(`${W}.webhookEnabled: true is not supported by meshfed (the SpiffeID webhook mints its serving certificate into a writable directory through the SVID API); leave it false`);
  }
  if (p.identityTemplate !== undefined && (p.podLabel !== undefined || p.podAnnotation !== undefined)) {
    throw new PropsError(`${W}.identityTemplate: cannot be combined with podLabel or podAnnotation (the registrar uses exactly one identity scheme)`);
  }
  const templates = [p.identityTemplate ?? '', ...(p.dnsNameTemplates ?? [])];
  if (p.context === undefined && templates.some((t) => t.replace(/\s/g, '').includes('{{.Context.'))) {
    throw new PropsError(`${W}.context: templates reference {{.Context...}} but no context is set`);
  }
  for (const key of Object.keys(p.context ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new PropsError(`${W}.context: key ${JSON.stringify(key)} must be an identifier (letters, digits, "_")`);
  }
  (p.disabledNamespaces ?? []).forEach((ns, i) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) throw new PropsError(`${W}.disabledNamespaces[${i}]: ${JSON.stringify(ns)} is not a namespace name`);
  });
}

/** The file's keys with defaults applied, in the order they are written. */
export function registrarConfigEntries(p: K8sWorkloadRegistrarConfigProps): [string, HclValue][] {
  const out: [string, HclValue][] = [];
  const put = (key: string, value: HclValue | undefined) => {
    if (value !== undefined) out.push([key, value]);
  };
  put('mode', p.mode);
  put('log_level', p.logLevel ?? 'info');
  put('log_path', p.logPath);
  put('trust_domain', p.trustDomain);
  put('cluster', p.cluster);
  put('server_address', p.serverAddress);
  put('server_socket_path', p.serverSocketPath);
  put('agent_socket_path', p.agentSocketPath);
  put('pod_label', p.podLabel);
  put('pod_annotation', p.podAnnotation);
  put('disabled_namespaces', [...(p.disabledNamespaces ?? REGISTRAR_UPSTREAM_DISABLED_NAMESPACES)]);
  if (p.mode === 'webhook') {
    put('addr', p.addr ?? ':8443');
    put('cert_path', p.certPath ?? 'cert.pem');
    put('key_path', p.keyPath ?? 'key.pem');
    put('cacert_path', p.cacertPath ?? 'cacert.pem');
    put('insecure_skip_client_verification', p.insecureSkipClientVerification ?? false);
  } else {
    put('leader_election', p.leaderElection ?? false);
    put('leader_election_resource_lock', p.leaderElectionResourceLock ?? 'leases');
  }
  if (p.mode === 'reconcile') {
    put('metrics_addr', p.metricsAddr ?? ':8080');
    put('controller_name', p.controllerName ?? 'spire-k8s-registrar');
    put('add_pod_dns_names', p.addPodDnsNames ?? false);
    put('cluster_dns_zone', p.clusterDnsZone ?? 'cluster.local');
  }
  if (p.mode === 'crd') {
    put('metrics_bind_addr', p.metricsBindAddr ?? ':8080');
    put('add_svc_dns_name', p.addSvcDnsName ?? true);
    put('pod_controller', p.podController ?? true);
    put('webhook_enabled', p.webhookEnabled ?? false);
    put('identity_template', p.identityTemplate);
    put('identity_template_label', p.identityTemplateLabel);
    put('dns_name_templates', p.dnsNameTemplates ? [...p.dnsNameTemplates] : undefined);
    put('context', p.context);
  }
  return out;
}

/** HCL text (valid as HCL 1, which the registrar uses, and HCL 2). Same props, same bytes. */
export function renderRegistrarConfig(p: K8sWorkloadRegistrarConfigProps): string {
  validateRegistrarConfig(p);
  const width = Math.max(...registrarConfigEntries(p).map(([k]) => k.length));
  const lines = registrarConfigEntries(p).map(([key, value]) => `${key.padEnd(width)} = ${hcl(value)}`);
  return `# k8s-workload-registrar (${p.mode} mode), generated by meshfed\n${lines.join('\n')}\n`;
}

function hcl(value: HclValue): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${(value as readonly string[]).map(hclString).join(', ')}]`;
  const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
  return `{\n${entries.map(([k, v]) => `  ${k} = ${hclString(v)}`).join('\n')}\n}`;
}

function hclString(s: string): string {
  // "${" and "%{" are template syntax in HCL 2 but literal in HCL 1: refuse them rather than guess.
  if (/[$%]\{/.test(s)) throw new PropsError(`${W}: ${JSON.stringify(s)} contains "\${" or "%{", which HCL dialects read differently`);
  return JSON.stringify(s);
}
