/**
 * Install order of one cluster, as pure functions of the synthesized files: which files go before the
 * Istio Helm releases, which after, which are never applied, and the Pulumi annotations the stack adds
 * to objects so each step really waits for the previous one.
 */
import { SPIRE_SYSTEM_NAMESPACE } from '../constructs/core/names';
import { NESTED } from '../constructs/spire/nested';
import { CLIENT_SIDE_FILES, ISTIO_CHART_FILES } from '../synth/istio-charts';

export type K8sObject = Record<string, unknown>;

export interface ManifestFile {
  /** The synthesized file name, `NN-<concern>.yaml`; files are applied in name order. */
  readonly name: string;
  readonly objects: readonly K8sObject[];
}

/** One step of the install; each step depends on the one before it. */
export type DeploymentStep =
  | { readonly kind: 'manifest'; readonly file: ManifestFile }
  /** Istio's Helm charts (IstioInstall), at the place of the IstioOperator file. */
  | { readonly kind: 'istio' };

export interface DeploymentPlan {
  readonly steps: readonly DeploymentStep[];
  /** Files read by a client tool only (the IstioOperator), never applied. */
  readonly skipped: readonly string[];
}

/** Where the Helm-installed Istio goes: the IstioOperator file's slot in file order. */
export const ISTIO_INSTALL_SLOT = `${ISTIO_CHART_FILES.istioOperator}.yaml`;

/**
 * Files sorting before the IstioOperator file (namespaces, the cert-manager CA chain, SPIRE) come first,
 * then Istio itself, then every file after it (the mesh objects need Istio's CRDs; later files such as
 * samples need injection). Decided by name only, so a new `NN-<concern>.yaml` lands in the right phase.
 */
export function deploymentPlan(files: readonly ManifestFile[]): DeploymentPlan {
  // Same ordering as synth's file order (synth/synthesize.ts sorts charts by id with localeCompare).
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const skipped = sorted.filter((f) => CLIENT_SIDE_FILES.has(f.name)).map((f) => f.name);
  const applied = sorted.filter((f) => !CLIENT_SIDE_FILES.has(f.name));
  const before = applied.filter((f) => f.name.localeCompare(ISTIO_INSTALL_SLOT) < 0);
  const after = applied.filter((f) => f.name.localeCompare(ISTIO_INSTALL_SLOT) >= 0);
  return {
    steps: [
      ...before.map((file) => ({ kind: 'manifest' as const, file })),
      { kind: 'istio' as const },
      ...after.map((file) => ({ kind: 'manifest' as const, file })),
    ],
    skipped,
  };
}

/** pulumi-kubernetes (4.x) waits for this expression before the resource counts as created. */
export const WAIT_FOR_ANNOTATION = 'pulumi.com/waitFor';

/**
 * What the stack waits for, by object. cert-manager Certificates: Ready, i.e. the Secret is issued (the
 * SPIRE server and istiod mount the CA chain they issue). Service-account token Secrets: the token the
 * controller fills in, which the remote secrets read right after the file is applied.
 */
export function waitForExpression(obj: K8sObject): string | undefined {
  if (obj.apiVersion === 'cert-manager.io/v1' && obj.kind === 'Certificate') return 'condition=Ready';
  if (obj.apiVersion === 'v1' && obj.kind === 'Secret' && obj.type === 'kubernetes.io/service-account-token') return 'jsonpath={.data.token}';
  return undefined;
}

/** pulumi-kubernetes does not wait for readiness of an object with this annotation set to "true". */
export const SKIP_AWAIT_ANNOTATION = 'pulumi.com/skipAwait';

/**
 * Objects whose readiness depends on another cluster: a nested child's upstream agent becomes ready only once
 * its parent's server runs, which needs the kubeconfig Secret built from this very file's token. Waiting for
 * it in its file's step would deadlock the two clusters' installs; its pods wait by themselves.
 */
export function skipsAwait(obj: K8sObject): boolean {
  const m = (obj.metadata ?? {}) as Record<string, unknown>;
  return obj.apiVersion === 'apps/v1' && obj.kind === 'DaemonSet' && m.namespace === SPIRE_SYSTEM_NAMESPACE && m.name === NESTED.upstreamAgent;
}

/** A copy of the object with the await annotations the stack needs (an annotation already set wins). */
export function withAwaitAnnotations(obj: K8sObject): K8sObject {
  const waitFor = waitForExpression(obj);
  const added = { ...(waitFor !== undefined ? { [WAIT_FOR_ANNOTATION]: waitFor } : {}), ...(skipsAwait(obj) ? { [SKIP_AWAIT_ANNOTATION]: 'true' } : {}) };
  if (Object.keys(added).length === 0) return { ...obj };
  const metadata = (obj.metadata ?? {}) as Record<string, unknown>;
  const annotations = (metadata.annotations ?? {}) as Record<string, string>;
  return { ...obj, metadata: { ...metadata, annotations: { ...added, ...annotations } } };
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

function isObject(o: K8sObject, ref: ObjectRef): boolean {
  const m = (o.metadata ?? {}) as Record<string, unknown>;
  return o.apiVersion === ref.apiVersion && o.kind === ref.kind && m.namespace === ref.namespace && m.name === ref.name;
}

/**
 * Splits one object out of a file: the stack creates it as a resource of its own when another step reads
 * its live state (a read of an object that a ConfigGroup creates in the same run fails at preview).
 */
export function takeObject(file: ManifestFile, ref: ObjectRef): { readonly object?: K8sObject; readonly rest: ManifestFile } {
  const object = file.objects.find((o) => isObject(o, ref));
  return { ...(object ? { object } : {}), rest: { name: file.name, objects: file.objects.filter((o) => !isObject(o, ref)) } };
}
