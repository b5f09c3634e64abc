/** Synthesizes topologies in memory for tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadTopology, TopologyError, type Topology } from '../../clusters';
import { renderTopology, type SynthResult } from '../../synth/synthesize';
import type { K8sObject } from './schema-validation';

export interface SynthesizedCluster {
  readonly name: string;
  /** File name -> objects, in file order. */
  readonly files: ReadonlyMap<string, K8sObject[]>;
  readonly objects: K8sObject[];
}

export interface SynthesizedTopology {
  readonly topology: Topology;
  readonly result: SynthResult;
  readonly clusters: Map<string, SynthesizedCluster>;
}

export function synthTopologyText(yaml: string): SynthesizedTopology {
  // Relative file references (rootCa.certificateFile) resolve like the CLI's: against clusters/.
  const topology = loadTopology(yaml, 'test.yaml', { baseDir: join(__dirname, '..', '..', 'clusters') });
  const result = renderTopology(topology, '/nonexistent-out');
  const clusters = new Map<string, SynthesizedCluster>();
  for (const c of result.clusters) {
    const files = new Map<string, K8sObject[]>();
    for (const [name, text] of c.files) {
      files.set(name, parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter((o) => o !== null));
    }
    clusters.set(c.cluster, { name: c.cluster, files, objects: [...files.values()].flat() });
  }
  return { topology, result, clusters };
}

const shared = new Map<string, SynthesizedTopology>();

/**
 * synthTopologyText once per topology text per test file (jest gives each file its own module registry):
 * for describe blocks that only read the same topology's output. A test that changes objects uses
 * synthTopologyText.
 */
export function synthShared(yaml: string): SynthesizedTopology {
  let synthesized = shared.get(yaml);
  if (synthesized === undefined) {
    synthesized = synthTopologyText(yaml);
    shared.set(yaml, synthesized);
  }
  return synthesized;
}

/** A manifest object read loosely: tests reach into kind-specific fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ManifestObject = K8sObject & Record<string, any>;

/** The pod template's spec of a workload object (Deployment, StatefulSet, DaemonSet). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const podSpec = (o: K8sObject): any => (o as ManifestObject).spec.template.spec;

export function find(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}`);
  return found[0];
}

export function findAll(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The JSON config stored under `key` of a ConfigMap. */
export function configOf(objects: readonly K8sObject[], configMap: string, namespace: string, key: string): Record<string, any> {
  const cm = find(objects, 'ConfigMap', configMap, namespace) as K8sObject & { data: Record<string, string> };
  return JSON.parse(cm.data[key]);
}

/** dev.yaml, the embedded default environment. */
export const DEV_TOPOLOGY = readFileSync(join(__dirname, '..', '..', 'clusters', 'dev.yaml'), 'utf8');

/** Three root clusters on two clouds, full-mesh federation; the first on Kubernetes 1.33 (native sidecars). */
export const THREE_CLUSTERS = `environment: three
mesh:
  id: mesh-a
clusters:
  - name: east
    provider: gke
    region: us-east1
    trustDomain: east.example
    network: net-east
    cidr: 10.10.0.0/16
    kubernetesVersion: "1.33"
  - name: west
    provider: eks
    region: us-west-2
    trustDomain: west.example
    network: net-west
    cidr: 10.20.0.0/16
  - name: central
    provider: gke
    region: us-central1
    trustDomain: central.example
    network: net-central
    cidr: 10.30.0.0/16
federation: full-mesh
`;

/** A two-cluster topology like dev.yaml, with overrides for the first cluster. */
export function twoClusters(extraFirst = '', extraTop = ''): string {
  return `environment: test
clusters:
  - name: cluster-1
    provider: gke
    region: us-central1
    trustDomain: foo.com
    network: network1
    cidr: 10.10.0.0/16
${extraFirst}
  - name: cluster-2
    provider: gke
    region: us-central1
    trustDomain: bar.com
    network: network2
    cidr: 10.20.0.0/16
${extraTop}`;
}

/** The problems a topology is rejected with; fails the test if it loads. */
export function problemsOf(yaml: string): string[] {
  try {
    loadTopology(yaml, 'env.yaml');
  } catch (err) {
    if (err instanceof TopologyError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the topology to be rejected');
}
