/**
 * Issue #14 on federated topologies (every root with a bundle endpoint address and a root CA, so every
 * federation relationship is rendered): each cluster's RUNBOOK.md names its own peers only, the part about
 * the whole environment is written once in the environment's RUNBOOK.md, and no file of a cluster grows
 * faster than the cluster's peers. Sizes are measured in bytes of the files synth writes, never in time.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadTopology } from '../clusters';
import { outputPlan, renderTopology, type SynthResult } from '../synth/synthesize';
import { BENCH_ROOT_PEM, clusterName, fullMeshTopologyYaml } from './bench/topology';

/** Synthesizes a generated topology in memory; the root certificate resolves beside the bench's root PEM. */
function synth(yaml: string): SynthResult {
  return renderTopology(loadTopology(yaml, 'generated.yaml', { baseDir: dirname(BENCH_ROOT_PEM) }), '/unused/out');
}

const fullMesh = (n: number): SynthResult => synth(fullMeshTopologyYaml(n, basename(BENCH_ROOT_PEM)));

/** The `n`-cluster generated topology federated by explicit pairs instead of a full mesh. */
function pairsTopology(n: number, pairs: readonly (readonly [string, string])[]): string {
  const yaml = fullMeshTopologyYaml(n, basename(BENCH_ROOT_PEM));
  const federation = ['federation:', ...pairs.map(([a, b]) => `  - [${a}, ${b}]`)].join('\n');
  const replaced = yaml.replace(/^environment: .*$/m, 'environment: pairs').replace(/^federation: full-mesh$/m, federation);
  if (!replaced.includes('environment: pairs\n') || !replaced.includes(federation)) throw new Error('the generated topology no longer has the lines this test replaces');
  return replaced;
}

const runbookOf = (result: SynthResult, cluster: string): string => {
  const text = result.clusters.find((c) => c.cluster === cluster)?.documents?.get('RUNBOOK.md');
  if (text === undefined) throw new Error(`no RUNBOOK.md for ${cluster}`);
  return text;
};
const environmentRunbook = (result: SynthResult): string => result.environmentFiles.get('RUNBOOK.md') ?? '';

/** Generated cluster names (c001, c002, ...) a text mentions, alone or in a trust domain, context or file path. */
const namedClusters = (text: string): string[] => [...new Set(text.match(/\bc\d{3}\b/g) ?? [])].sort();
const occurrences = (text: string, name: string): number => (text.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length;

describe('cluster RUNBOOKs of a federated full mesh (6 clusters)', () => {
  const n = 6;
  const result = fullMesh(n);
  const names = Array.from({ length: n }, (_, i) => clusterName(i));

  it('renders every relationship (so the checks below are about a federated mesh)', () => {
    expect(result.relations.discoveryPairs).toHaveLength(n * (n - 1));
    for (const name of names) expect(result.relations.federatesWith(name)).toHaveLength(n - 1);
  });

  it('each names itself and every peer, each peer as often as the others', () => {
    // The helloworld samples run v1 in the first cluster and v2 in the second (clusters/schema.ts `samples`):
    // the RUNBOOK's checks of their answers name those two a fixed number of extra times, whatever the size.
    const sampleHosts = names.slice(0, 2);
    for (const name of names) {
      const runbook = runbookOf(result, name);
      expect(namedClusters(runbook)).toEqual(names);
      const peers = names.filter((p) => p !== name);
      // A remote secret line per peer and its trust domain in FederatesWith: the same for every peer.
      const perPeer = peers.filter((p) => !sampleHosts.includes(p)).map((p) => occurrences(runbook, p));
      expect(perPeer[0]).toBeGreaterThan(0);
      expect(new Set(perPeer).size).toBe(1);
      for (const host of peers.filter((p) => sampleHosts.includes(p))) expect(occurrences(runbook, host)).toBeGreaterThanOrEqual(perPeer[0]);
    }
  });

  it('a peer is named as often in a 6-cluster as in a 12-cluster mesh (per peer, not per pair of the environment)', () => {
    const larger = fullMesh(12);
    for (const [cluster, peer] of [['c001', 'c002'], ['c001', 'c004'], ['c004', 'c001'], ['c004', 'c005']]) {
      expect(occurrences(runbookOf(larger, cluster), peer)).toBe(occurrences(runbookOf(result, cluster), peer));
    }
  });

  it('the environment RUNBOOK holds the environment-wide part once: a line per cluster, no pair, nothing a cluster RUNBOOK repeats', () => {
    const env = environmentRunbook(result);
    for (const name of names) expect(env.split('\n').filter((l) => new RegExp(`\\b${name}\\b`).test(l))).toHaveLength(1);
    expect(env.split('\n').filter((l) => namedClusters(l).length > 1)).toEqual([]);
    expect(env.match(/^## \d+\. What this environment does$/gm)).toHaveLength(1);
    expect(env).toContain(`${n * (n - 1)} ordered cluster pairs discover each other's endpoints`);
    const clusterLines = new Set(names.flatMap((name) => runbookOf(result, name).split('\n')));
    const sentences = env.split('\n').filter((l) => l.length > 40);
    expect(sentences.length).toBeGreaterThan(3);
    expect(sentences.filter((l) => clusterLines.has(l))).toEqual([]);
  });
});

describe('cluster RUNBOOKs of explicit federation pairs', () => {
  // c001 has one peer (c002), c002 three (c001, c003, c004), c005 one (c003), c006 none.
  const pairs = [['c001', 'c002'], ['c002', 'c003'], ['c002', 'c004'], ['c003', 'c005']] as const;
  const result = synth(pairsTopology(6, pairs));
  const peersOf = (name: string): string[] => pairs.flatMap(([a, b]) => (a === name ? [b] : b === name ? [a] : []));

  it('renders the declared pairs only', () => {
    expect(result.relations.discoveryPairs).toHaveLength(2 * pairs.length);
    expect(result.relations.federatesWith('c002')).toEqual(['c001.bench.example', 'c003.bench.example', 'c004.bench.example']);
  });

  it('a cluster with one peer names only that peer; one with three names those three; one with none names only itself', () => {
    expect(namedClusters(runbookOf(result, 'c001'))).toEqual(['c001', 'c002']);
    expect(namedClusters(runbookOf(result, 'c002'))).toEqual(['c001', 'c002', 'c003', 'c004']);
    expect(namedClusters(runbookOf(result, 'c006'))).toEqual(['c006']);
  });

  it('every file a cluster gets (manifests, RUNBOOK.md, NOTES.md) names only the cluster and its peers', () => {
    for (const [cluster, files] of outputPlan(result).clusters) {
      const allowed = [cluster, ...peersOf(cluster)];
      for (const [file, text] of files) expect({ cluster, file, strangers: namedClusters(text).filter((c) => !allowed.includes(c)) }).toEqual({ cluster, file, strangers: [] });
    }
  });

  it('the environment RUNBOOK names each cluster on one line', () => {
    const env = environmentRunbook(result);
    for (let i = 0; i < 6; i++) expect(env.split('\n').filter((l) => namedClusters(l).includes(clusterName(i)))).toHaveLength(1);
  });
});

describe('output size grows linearly in the peers of a cluster (full meshes of 5, 10, 20 and 40 clusters)', () => {
  const SIZES = [5, 10, 20, 40] as const;
  /**
   * Per peer, a file's growth may differ by this many bytes between sizes: generated names have a fixed
   * width, but numbers in peers' addresses (10.<i>.0.0/16) take one more digit from the 10th cluster on.
   */
  const SLACK_PER_PEER = 8;
  /** File name -> the largest size of that file over the clusters, per mesh size; and the environment RUNBOOK's size. */
  const measured = new Map<number, { files: Map<string, number>; environment: number }>();
  for (const n of SIZES) {
    const result = fullMesh(n);
    const files = new Map<string, number>();
    for (const written of outputPlan(result).clusters.values()) {
      for (const [file, text] of written) files.set(file, Math.max(files.get(file) ?? 0, Buffer.byteLength(text)));
    }
    measured.set(n, { files, environment: Buffer.byteLength(environmentRunbook(result)) });
  }
  const bytes = (n: number, file: string): number => measured.get(n)!.files.get(file) ?? 0;
  const fileNames = [...measured.get(5)!.files.keys()];
  /** Bytes a peer adds to a file, from 4 to 9 peers. */
  const perPeer = (file: string): number => (bytes(10, file) - bytes(5, file)) / 5;
  const rootPemBytes = Buffer.byteLength(readFileSync(BENCH_ROOT_PEM, 'utf8'));

  it('every size writes the same files per cluster', () => {
    for (const n of SIZES) expect([...measured.get(n)!.files.keys()].sort()).toEqual([...fileNames].sort());
    expect(fileNames).toEqual(expect.arrayContaining(['35-federation.yaml', '60-istio-operator.yaml', 'RUNBOOK.md']));
  });

  it('peers do cost bytes where they are rendered (federation, RUNBOOK), so the bounds below are not vacuous', () => {
    expect(perPeer('35-federation.yaml')).toBeGreaterThan(rootPemBytes / 2);
    expect(perPeer('RUNBOOK.md')).toBeGreaterThan(0);
  });

  it('a peer costs each file at most its root certificate and 1 KiB of text', () => {
    expect(fileNames.filter((f) => perPeer(f) > rootPemBytes + 1024)).toEqual([]);
  });

  it('from 9 to 19 peers every file grows by at most its per-peer bytes times 10 (linear, not per pair)', () => {
    const faster = fileNames
      .map((f) => ({ file: f, grew: bytes(20, f) - bytes(10, f), linear: 10 * (perPeer(f) + SLACK_PER_PEER) }))
      .filter((g) => g.grew > g.linear);
    expect(faster).toEqual([]);
  });

  it('at 40 clusters no file of any cluster exceeds its 5-cluster size plus 35 peers\' bytes, and the largest stays under 39 peers of at most a root certificate and 1 KiB each', () => {
    const bound = (f: string) => bytes(5, f) + 35 * (perPeer(f) + SLACK_PER_PEER);
    expect(fileNames.filter((f) => bytes(40, f) > bound(f)).map((f) => `${f}: ${bytes(40, f)} > ${bound(f)}`)).toEqual([]);
    // An absolute cap, independent of the measured per-peer bytes.
    const largest = fileNames.reduce((a, b) => (bytes(40, a) >= bytes(40, b) ? a : b));
    expect(bytes(40, largest)).toBeLessThanOrEqual(bytes(5, largest) + 39 * (rootPemBytes + 1024));
  });

  it('the environment RUNBOOK grows linearly in the clusters (a line each), not in their pairs', () => {
    const env = (n: number) => measured.get(n)!.environment;
    const perCluster = (env(10) - env(5)) / 5;
    expect(perCluster).toBeGreaterThan(0);
    expect(env(20) - env(10)).toBeLessThanOrEqual(10 * (perCluster + SLACK_PER_PEER));
    expect(env(40) - env(20)).toBeLessThanOrEqual(20 * (perCluster + SLACK_PER_PEER));
  });
});
