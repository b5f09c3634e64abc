/**
 * Checks of rendered pod templates against the platform facts table (constructs/platform-facts): what a
 * pinned image runs, as whom, where it writes, and what a managed platform admits. Each function
 * returns problem strings, empty when consistent, so tests can also feed them hand-made bad input.
 */
import { imageFacts, providerHas, type ImageFacts, type ProviderFact } from '../../constructs/platform-facts';
import type { K8sObject } from './schema-validation';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const SHELLS = new Set(['sh', 'bash', '/bin/sh', '/bin/bash', '/bin/ash']);

export interface PodTemplate {
  /** "<kind>/<namespace>/<name>" of the workload. */
  readonly where: string;
  readonly namespace: string;
  readonly spec: Obj;
}

/** Every pod template (Deployment, StatefulSet, DaemonSet, Job...) among the objects. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  return objects
    .filter((o) => (o as Obj).spec?.template?.spec?.containers !== undefined)
    .map((o) => ({ where: `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, namespace: o.metadata.namespace ?? 'default', spec: (o as Obj).spec.template.spec }));
}

const allContainers = (spec: Obj): { kind: string; c: Obj }[] => [
  ...(spec.initContainers ?? []).map((c: Obj) => ({ kind: 'initContainers', c })),
  ...(spec.containers ?? []).map((c: Obj) => ({ kind: 'containers', c })),
];

const under = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** The uid a container runs as: its own runAsUser, the pod's, else the image's USER. */
function effectiveUid(pod: Obj, c: Obj, facts: ImageFacts): number {
  const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  if (uid !== undefined) return uid;
  return facts.user === 'root' ? 0 : facts.user;
}

/** Problems of one pod template's containers against their image facts. */
export function containerProblems(t: PodTemplate): string[] {
  const problems: string[] = [];
  const volumes = new Map<string, Obj>((t.spec.volumes ?? []).map((v: Obj) => [v.name, v]));
  for (const { kind, c } of allContainers(t.spec)) {
    const at = `${t.where} ${kind}[${c.name}]`;
    const facts = imageFacts(c.image);
    if (facts === undefined) {
      problems.push(`${at}: image ${c.image} has no entry in IMAGE_FACTS`);
      continue;
    }
    const command: string[] | undefined = c.command;
    const args: string[] = c.args ?? [];
    // Invocation: args alone run after the ENTRYPOINT; an ENTRYPOINT that already names a subcommand
    // (e.g. `spire-agent run`) takes flags only.
    const entry = facts.entrypoint;
    if (command === undefined && args.length > 0 && entry.length > 0 && !entry[entry.length - 1].startsWith('/') && !args[0].startsWith('-')) {
      problems.push(`${at}: args ${JSON.stringify(args.slice(0, 3))} run as \`${[...entry, ...args].join(' ')}\`: the image's ENTRYPOINT already names subcommand "${entry[entry.length - 1]}"; set command`);
    }
    if (command !== undefined && command.length > 0) {
      if (SHELLS.has(command[0])) {
        if (!facts.shell) problems.push(`${at}: command starts with ${command[0]}, but ${c.image} has no shell`);
      } else if (!facts.shell && !entry.includes(command[0])) {
        problems.push(`${at}: command ${command[0]} is not a binary ${c.image} is known to have (${entry.filter((e) => e.startsWith('/')).join(', ')})`);
      }
    }
    // Writes of the image's own process (not of an overriding command) need writable mounts.
    const mounts: Obj[] = c.volumeMounts ?? [];
    const writable = (path: string) => mounts.find((m) => under(path, m.mountPath) && m.readOnly !== true);
    if (command === undefined && c.securityContext?.readOnlyRootFilesystem === true) {
      for (const path of facts.writes) {
        if (!writable(path)) problems.push(`${at}: ${c.image} writes ${path}, but the root filesystem is read-only and no writable volume is mounted there`);
      }
    }
    // A non-root process writing into a hostPath: kubelet creates it root-owned and fsGroup does not
    // apply, so a root init container must hand that volume to the uid.
    const uid = effectiveUid(t.spec, c, facts);
    if (command === undefined && uid !== 0) {
      for (const path of facts.writes) {
        const m = writable(path);
        if (m === undefined || volumes.get(m.name)?.hostPath === undefined) continue;
        const fixed = (t.spec.initContainers ?? []).some((i: Obj) =>
          (i.securityContext?.runAsUser ?? t.spec.securityContext?.runAsUser) === 0 &&
          (i.securityContext?.capabilities?.add ?? []).includes('CHOWN') &&
          (i.command ?? []).includes('chown') && (i.command ?? []).some((a: string) => a.startsWith(`${uid}:`) || a === String(uid)) &&
          (i.volumeMounts ?? []).some((im: Obj) => im.name === m.name && im.readOnly !== true));
        if (!fixed) {
          problems.push(`${at}: runs as uid ${uid} and writes ${path} in hostPath volume ${m.name} (${volumes.get(m.name)!.hostPath.path}), which kubelet creates root-owned; no root init container chowns it to ${uid}`);
        }
      }
    }
  }
  return problems;
}

const CRITICAL_CLASSES = ['system-node-critical', 'system-cluster-critical'];

/** Problems of one cluster's objects against the facts of its provider. */
export function providerProblems(provider: ProviderFact['provider'], objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  if (providerHas(provider, 'critical-priority-needs-quota')) {
    const quotas = objects.filter((o) => o.kind === 'ResourceQuota') as Obj[];
    for (const t of podTemplates(objects)) {
      const pc = t.spec.priorityClassName;
      if (!CRITICAL_CLASSES.includes(pc) || t.namespace === 'kube-system') continue;
      const admitted = quotas.some((q) => q.metadata.namespace === t.namespace &&
        (q.spec?.scopeSelector?.matchExpressions ?? []).some((e: Obj) => e.scopeName === 'PriorityClass' && e.operator === 'In' && e.values.includes(pc)));
      if (!admitted) problems.push(`${t.where}: priorityClassName ${pc} outside kube-system on ${provider} needs a ResourceQuota in ${t.namespace} scoped to PriorityClass ${pc}`);
    }
  }
  if (providerHas(provider, 'kubelet-serving-cert-ip-san')) {
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap') as Obj[]) {
      const text: string | undefined = cm.data?.['agent.conf'];
      if (text === undefined) continue;
      const k8s = JSON.parse(text).plugins?.WorkloadAttestor?.k8s?.plugin_data;
      if (k8s === undefined || k8s.skip_kubelet_verification === true) continue;
      // Verification checks the certificate for the dialled host: on this provider only an IP matches.
      const agent = podTemplates(objects).find((t) => (t.spec.volumes ?? []).some((v: Obj) => v.configMap?.name === cm.metadata.name));
      const env = agent?.spec.containers.flatMap((c: Obj) => c.env ?? []).find((e: Obj) => e.name === (k8s.node_name_env ?? 'MY_NODE_NAME'));
      if (env?.valueFrom?.fieldRef?.fieldPath !== 'status.hostIP') {
        problems.push(`ConfigMap/${cm.metadata.namespace}/${cm.metadata.name}: the k8s workload attestor verifies the kubelet certificate for ${env?.valueFrom?.fieldRef?.fieldPath ?? k8s.node_name_env}, but ${provider} kubelet certificates name the node IP`);
      }
    }
  }
  return problems;
}
