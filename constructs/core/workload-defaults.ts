/** Secure defaults shared by every meshfed workload (Pod Security "restricted" unless a construct says why not). */
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PropsError } from './props-error';

/** Requests and a memory limit. No CPU limit: throttling SPIRE agents delays Workload API answers. */
export interface ResourceRequirements {
  /** CPU request, e.g. "100m" or "0.5". */
  readonly cpuRequest: string;
  /** Memory request, e.g. "128Mi". */
  readonly memoryRequest: string;
  /** Memory limit, e.g. "512Mi". */
  readonly memoryLimit: string;
}

/**
 * Non-root uid/gid used by meshfed's SPIRE containers: the server and OIDC provider images' own USER
 * (spiffe/spire v1.15.3 Dockerfile); the agent image defaults to root, see SpireAgent's socket-dir-owner.
 */
export const NON_ROOT_UID = 1000;

export function restrictedContainerSecurity(uid = NON_ROOT_UID): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: uid,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

export function restrictedPodSecurity(uid = NON_ROOT_UID): kplus.PodSecurityContextProps {
  return { ensureNonRoot: true, user: uid, group: uid, fsGroup: uid, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH };
}

export function containerResources(r: ResourceRequirements): kplus.ContainerResources {
  return {
    cpu: { request: parseCpu(r.cpuRequest) },
    memory: { request: parseMemory(r.memoryRequest), limit: parseMemory(r.memoryLimit) },
  };
}

function parseCpu(text: string): kplus.Cpu {
  if (/^\d+m$/.test(text)) return kplus.Cpu.millis(Number(text.slice(0, -1)));
  if (/^\d+(\.\d+)?$/.test(text)) return kplus.Cpu.units(Number(text));
  throw new PropsError(`resources: CPU request ${JSON.stringify(text)} must look like "100m" or "0.5"`);
}

function parseMemory(text: string): Size {
  const m = /^(\d+)(Ki|Mi|Gi)$/.exec(text);
  if (!m) throw new PropsError(`resources: memory ${JSON.stringify(text)} must look like "128Mi" or "1Gi"`);
  const n = Number(m[1]);
  return m[2] === 'Gi' ? Size.gibibytes(n) : m[2] === 'Mi' ? Size.mebibytes(n) : Size.kibibytes(n);
}

/** Sets a pod-spec field cdk8s-plus does not model (hostPID, priorityClassName, projected tokens). */
export function patchPodSpec(workload: kplus.Workload, field: string, value: unknown): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`/spec/template/spec/${field}`, value));
}

/** HTTP liveness/readiness probes against SPIRE's health listener. */
export function healthProbes(port: number, live = '/live', ready = '/ready'): Pick<kplus.ContainerProps, 'liveness' | 'readiness'> {
  return {
    liveness: kplus.Probe.fromHttpGet(live, { port, initialDelaySeconds: Duration.seconds(15), periodSeconds: Duration.seconds(30), failureThreshold: 2, timeoutSeconds: Duration.seconds(3) }),
    readiness: kplus.Probe.fromHttpGet(ready, { port, initialDelaySeconds: Duration.seconds(5), periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(3) }),
  };
}
