/**
 * Deploys one cluster's layer of the mesh: the pinned prerequisites (cert-manager with its CRDs, the
 * SPIRE CRDs) through their official Helm charts, then meshfed's synthesized manifests in install
 * order with Istio's Helm charts (IstioInstall) at the IstioOperator file's place, each step depending
 * on the previous one (deploymentPlan).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Topology } from '../clusters/model';
import { ISTIO_SYSTEM_NAMESPACE } from '../constructs/istio/model';
import { ISTIO_READER_TOKEN_SECRET } from '../constructs/istio/reader';
import { SPIRE_SYSTEM_NAMESPACE } from '../constructs/core/names';
import { NESTED } from '../constructs/spire/nested';
import { PREREQUISITES } from '../constructs/core/versions';
import type { ClusterAddon } from './cluster-infra';
import { deploymentPlan, type ManifestFile, takeObject, withAwaitAnnotations } from './deployment-plan';
import { IstioInstall, type IstioInstallArgs } from './istio-install';

export type { ManifestFile } from './deployment-plan';

export interface ClusterDeploymentArgs {
  /** Kubeconfig of the target cluster (a secret Output from the cluster component or stack config). */
  readonly kubeconfig: pulumi.Input<string>;
  /** The resolved topology; IstioInstall takes the cluster's Istio releases from it. */
  readonly topology: Topology;
  /** The topology completed with the stack's values, which the Istio releases' values come from (IstioInstallArgs.valuesTopology). */
  readonly valuesTopology?: pulumi.Output<Topology>;
  /** Topology name of the cluster. */
  readonly cluster: string;
  /**
   * The cluster's synthesized files (synth/synthesize.ts); client-side ones (the IstioOperator) are skipped.
   * They decide the steps (one ConfigGroup per file) and supply the objects unless `rendered` is given.
   */
  readonly manifests: readonly ManifestFile[];
  /**
   * The same files rendered from Outputs (stack-generated roots, reserved addresses): each ConfigGroup's
   * objects come from here, resolved when those Outputs are. Must have the same file names as `manifests`.
   */
  readonly rendered?: pulumi.Output<readonly ManifestFile[]>;
  /** Secrets the stack creates right before a file is applied (file name -> Secrets), e.g. the root CA key pair. */
  readonly secretsBefore?: Readonly<Record<string, readonly StackSecret[]>>;
  /** Other objects applied right before a file (file name -> objects), e.g. the StorageClass the SPIRE server's claims name. */
  readonly objectsBefore?: Readonly<Record<string, readonly StackObject[]>>;
  /** The east-west gateway Service's reserved address and the annotations that make it take it. */
  readonly eastWestService?: IstioInstallArgs['eastWestService'];
  /** Resources the cluster must have before anything is deployed (the created cluster's node pool). */
  readonly dependsOn?: pulumi.Resource[];
  /** The cloud's charts (ClusterInfra.addons), installed with the prerequisites, before every manifest. */
  readonly addons?: readonly ClusterAddon[];
}

/** A Secret the stack creates itself (its data comes from Outputs, so it is never in a synthesized file). */
export interface StackSecret {
  /** Resource name suffix. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly stringData: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Other resources to wait for (e.g. a peer cluster's token). */
  readonly dependsOn?: pulumi.Resource[];
}

/** A non-secret object the stack applies itself (not part of a synthesized file). */
export interface StackObject {
  /** Resource name suffix. */
  readonly id: string;
  readonly object: Readonly<Record<string, unknown>>;
}

/** The reader token Secret peers' remote secrets are built from. */
const READER_TOKEN = { apiVersion: 'v1', kind: 'Secret', namespace: ISTIO_SYSTEM_NAMESPACE, name: ISTIO_READER_TOKEN_SECRET } as const;
/** A nested child's token for its parent's SPIRE server (the parent's spire-nested-kubeconfigs Secret carries it). */
const PARENT_ACCESS_TOKEN = { apiVersion: 'v1', kind: 'Secret', namespace: SPIRE_SYSTEM_NAMESPACE, name: `${NESTED.parentAccess}-token` } as const;
/** Token Secrets created as resources of their own after their file, awaited until the token is filled in. */
const TOKEN_SECRETS = [READER_TOKEN, PARENT_ACCESS_TOKEN] as const;

function withoutTokens(file: ManifestFile): { tokens: Record<string, unknown>[]; rest: ManifestFile } {
  const tokens: Record<string, unknown>[] = [];
  let rest = file;
  for (const ref of TOKEN_SECRETS) {
    const taken = takeObject(rest, ref);
    if (taken.object) tokens.push(taken.object);
    rest = taken.rest;
  }
  return { tokens, rest };
}

/** Resource name of a file's ConfigGroup: `<name>-NN-<concern>` (no `.yaml`, so URNs stay stable). */
function groupName(name: string, file: string): string {
  return `${name}-${file.replace(/\.yaml$/, '')}`;
}

export class ClusterDeployment extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  /** The kubeconfig the provider uses (secret); peers' remote secrets take this cluster's endpoint from it. */
  readonly kubeconfig: pulumi.Output<string>;
  /** One ConfigGroup per applied file, by file name. */
  readonly groups: Readonly<Record<string, k8s.yaml.v2.ConfigGroup>>;
  readonly istio: IstioInstall;
  /**
   * The meshfed-istio-reader token Secret, if a file holds it. Created as a resource of its own (after the
   * rest of its file, which has the ServiceAccount) and awaited until the token controller fills in
   * `data.token`, so peers read its outputs instead of a live read that would fail at the first preview.
   */
  readonly readerToken?: k8s.core.v1.Secret;
  /** A nested child's spire-parent-server token Secret (created like readerToken). */
  readonly parentAccessToken?: k8s.core.v1.Secret;
  /** The last step; depend on it to run after the cluster's mesh layer is applied. */
  readonly ready: pulumi.Resource[];
  /** Secrets created by the stack (secretsBefore), by id. */
  readonly stackSecrets: Readonly<Record<string, k8s.core.v1.Secret>>;
  /** The addons' Helm releases, by addon name. */
  readonly addons: Readonly<Record<string, k8s.helm.v3.Release>>;
  /** Objects applied by the stack (objectsBefore), by id. */
  readonly stackObjects: Readonly<Record<string, k8s.yaml.v2.ConfigGroup>>;

  constructor(name: string, args: ClusterDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('meshfed:k8s:ClusterDeployment', name, {}, opts);
    this.kubeconfig = pulumi.secret(args.kubeconfig);
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this, dependsOn: args.dependsOn ?? [] });
    const childOpts = (dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions => ({ parent: this, provider: this.provider, dependsOn });
    const objectsOf = (file: string): pulumi.Input<Record<string, unknown>[]> => {
      const pick = (files: readonly ManifestFile[]) => {
        const found = files.find((f) => f.name === file);
        if (!found) throw new Error(`ClusterDeployment ${name}: the rendered manifests have no ${file} (files: ${files.map((f) => f.name).join(', ')})`);
        return withoutTokens(found).rest.objects.map(withAwaitAnnotations);
      };
      return args.rendered ? args.rendered.apply(pick) : pick(args.manifests);
    };
    const stackSecrets: Record<string, k8s.core.v1.Secret> = {};

    const cm = PREREQUISITES.certManager;
    const certManager = new k8s.helm.v3.Release(`${name}-cert-manager`, {
      chart: cm.chart,
      version: cm.version,
      repositoryOpts: { repo: cm.repo },
      namespace: 'cert-manager',
      createNamespace: true,
      values: cm.values,
    }, childOpts([]));
    const crds = PREREQUISITES.spireCrds;
    const spireCrds = new k8s.helm.v3.Release(`${name}-spire-crds`, {
      chart: crds.chart,
      version: crds.version,
      repositoryOpts: { repo: crds.repo },
      namespace: 'spire-server',
      createNamespace: true,
    }, childOpts([]));
    const addons: Record<string, k8s.helm.v3.Release> = {};
    for (const addon of args.addons ?? []) {
      addons[addon.name] = new k8s.helm.v3.Release(`${name}-${addon.name}`, {
        name: addon.name,
        chart: addon.chart,
        version: addon.version,
        repositoryOpts: { repo: addon.repo },
        namespace: addon.namespace,
        values: addon.values,
      }, childOpts([...(addon.dependsOn ?? [])]));
    }
    this.addons = addons;

    const groups: Record<string, k8s.yaml.v2.ConfigGroup> = {};
    let istio: IstioInstall | undefined;
    let previous: pulumi.Resource[] = [certManager, spireCrds, ...Object.values(addons)];
    const stackObjects: Record<string, k8s.yaml.v2.ConfigGroup> = {};
    const unknownFiles = [...Object.keys(args.secretsBefore ?? {}), ...Object.keys(args.objectsBefore ?? {})].filter((f) => !args.manifests.some((m) => m.name === f));
    if (unknownFiles.length > 0) throw new Error(`ClusterDeployment ${name}: secretsBefore/objectsBefore name files it does not apply: ${unknownFiles.join(', ')}`);
    for (const step of deploymentPlan(args.manifests).steps) {
      if (step.kind === 'istio') {
        istio = new IstioInstall(`${name}-istio`, {
          topology: args.topology, cluster: args.cluster, provider: this.provider, dependsOn: previous,
          ...(args.valuesTopology ? { valuesTopology: args.valuesTopology } : {}),
          ...(args.eastWestService ? { eastWestService: args.eastWestService } : {}),
        }, { parent: this });
        previous = istio.ready;
        continue;
      }
      const before = (args.secretsBefore?.[step.file.name] ?? []).map((s) => {
        stackSecrets[s.id] = new k8s.core.v1.Secret(`${name}-${s.id}`, {
          metadata: { name: s.name, namespace: s.namespace, labels: { 'app.kubernetes.io/managed-by': 'meshfed' } },
          type: s.type,
          stringData: pulumi.secret(s.stringData),
        }, childOpts([...previous, ...(s.dependsOn ?? [])]));
        return stackSecrets[s.id];
      });
      const objectsBefore = (args.objectsBefore?.[step.file.name] ?? []).map((o) => {
        stackObjects[o.id] = new k8s.yaml.v2.ConfigGroup(`${name}-${o.id}`, { objs: [{ ...o.object }] }, childOpts(previous));
        return stackObjects[o.id];
      });
      previous = [...previous, ...before, ...objectsBefore];
      const { tokens, rest } = withoutTokens(step.file);
      const group = new k8s.yaml.v2.ConfigGroup(groupName(name, rest.name), { objs: objectsOf(step.file.name) }, childOpts(previous));
      groups[step.file.name] = group;
      previous = [group];
      for (const token of tokens) {
        const secret = withAwaitAnnotations(token) as { metadata: k8s.types.input.meta.v1.ObjectMeta & { name: string }; type: string };
        const created = new k8s.core.v1.Secret(`${name}-${secret.metadata.name}`, { metadata: secret.metadata, type: secret.type }, childOpts([group]));
        if (secret.metadata.name === ISTIO_READER_TOKEN_SECRET) this.readerToken = created;
        else this.parentAccessToken = created;
        previous = [...previous, created];
      }
    }
    this.groups = groups;
    // deploymentPlan always has exactly one istio step.
    this.istio = istio!;
    this.ready = previous;
    this.stackSecrets = stackSecrets;
    this.stackObjects = stackObjects;
    this.registerOutputs({ groups: this.groups, ready: this.ready });
  }
}
