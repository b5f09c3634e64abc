/**
 * Generated benchmark topologies: federated full meshes in which every cluster is a root with a bundle
 * endpoint address and a root CA certificate, so all N*(N-1) federation relationships are rendered
 * (without an address or a root, synth only notes what is missing and renders no relationship).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One public example root certificate reused for every trust domain. The loader only checks that the
 * file holds CA certificates (clusters/root-certificate.ts), not that the subject names the trust
 * domain, and the rendered bytes are the same size as with a distinct root per domain.
 */
export const BENCH_ROOT_PEM = join(__dirname, '..', '..', 'clusters', 'certs', 'hub.example.org.pem');

/** 10.<i>.0.0/16 per cluster keeps ranges disjoint; the second octet caps the size. */
export const MAX_BENCH_CLUSTERS = 254;

export function clusterName(i: number): string {
  return `c${String(i + 1).padStart(3, '0')}`;
}

/** The topology YAML of an `n`-cluster full mesh; `certificateFile` is relative to the topology file. */
export function fullMeshTopologyYaml(n: number, certificateFile: string): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BENCH_CLUSTERS) {
    throw new Error(`benchmark size ${n} must be an integer from 1 to ${MAX_BENCH_CLUSTERS}`);
  }
  const clusters = Array.from({ length: n }, (_, i) => {
    const name = clusterName(i);
    const gke = i % 2 === 0;
    return [
      `  - name: ${name}`,
      `    provider: ${gke ? 'gke' : 'eks'}`,
      `    region: ${gke ? 'us-central1' : 'us-east-1'}`,
      `    trustDomain: ${name}.bench.example`,
      `    cidr: 10.${i + 1}.0.0/16`,
      '    rootCa:',
      `      certificateFile: ${certificateFile}`,
      '    bundleEndpoint:',
      `      address: spire-bundle.${name}.bench.example`,
    ].join('\n');
  });
  return [`environment: fullmesh-${n}`, 'mesh:', '  id: mesh1', 'clusters:', ...clusters, 'federation: full-mesh', ''].join('\n');
}

/** Writes `<dir>/fullmesh-<n>.yaml` and the root certificate it references; returns the topology path. */
export function writeFullMeshTopology(dir: string, n: number): string {
  mkdirSync(join(dir, 'certs'), { recursive: true });
  copyFileSync(BENCH_ROOT_PEM, join(dir, 'certs', 'root.pem'));
  const file = join(dir, `fullmesh-${n}.yaml`);
  writeFileSync(file, fullMeshTopologyYaml(n, 'certs/root.pem'));
  return file;
}
