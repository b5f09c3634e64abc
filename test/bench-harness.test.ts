/**
 * The benchmark's pure parts (npm run bench, test/bench/): the generated topologies really are federated
 * full meshes with every relationship rendered, and targets and profiles are read correctly. No timing here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { federationPeers, loadTopology, loadTopologyFile } from '../clusters';
import { renderTopology } from '../synth/synthesize';
import { summariseProfile, type CpuProfile } from './bench/cpu-profile';
import { cliHasCommand } from './bench/commands';
import { checkTargets, GIB } from './bench/targets';
import { BENCH_ROOT_PEM, fullMeshTopologyYaml, writeFullMeshTopology } from './bench/topology';

const relationships = (topology: ReturnType<typeof loadTopology>) =>
  topology.clusters.flatMap((c) => federationPeers(topology, c.name)).filter((p) => p.bundleEndpointUrl !== undefined && p.rootPem !== undefined);

describe('generated full-mesh topology', () => {
  it.each([2, 7, 30])('%i clusters load as roots with N*(N-1) relationships that have an address and a root', (n) => {
    const topology = loadTopology(fullMeshTopologyYaml(n, BENCH_ROOT_PEM), `fullmesh-${n}.yaml`);
    expect(topology.environment).toBe(`fullmesh-${n}`);
    expect(topology.clusters).toHaveLength(n);
    expect(topology.clusters.every((c) => c.nestedUnder === undefined && c.bundleEndpoint?.address !== undefined && c.rootCa !== undefined)).toBe(true);
    expect(relationships(topology)).toHaveLength(n * (n - 1));
  });

  it('renders one ClusterFederatedTrustDomain per relationship', () => {
    const rendered = renderTopology(loadTopology(fullMeshTopologyYaml(4, BENCH_ROOT_PEM), 'fullmesh-4.yaml'), '/not-written');
    const text = rendered.clusters.flatMap((c) => [...c.files.values()]).join('\n');
    expect(text.match(/^kind: ClusterFederatedTrustDomain$/gm)).toHaveLength(4 * 3);
  });

  it('is written with its certificate next to it, so the file loads on its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshfed-bench-test-'));
    try {
      const topology = loadTopologyFile(writeFullMeshTopology(dir, 3));
      expect(relationships(topology)).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses sizes whose CIDRs would not be disjoint', () => {
    expect(() => fullMeshTopologyYaml(255, 'root.pem')).toThrow('benchmark size 255 must be an integer from 1 to 254');
    expect(() => fullMeshTopologyYaml(0, 'root.pem')).toThrow('benchmark size 0 must be an integer from 1 to 254');
  });
});

describe('plan command detection', () => {
  const help = 'Usage: meshfed [options] [command]\n\nOptions:\n  -h, --help  display help\n\nCommands:\n  synth [options]     synthesize manifests\n  planet              not a plan\n';
  it('finds a command only in the Commands section of --help, by its whole name', () => {
    expect(cliHasCommand(help, 'synth')).toBe(true);
    expect(cliHasCommand(help, 'plan')).toBe(false);
    expect(cliHasCommand(`${help}  plan [options]      the offline Pulumi plan\n`, 'plan')).toBe(true);
    expect(cliHasCommand('Usage: x\n  plan  mentioned outside a Commands section\n', 'plan')).toBe(false);
  });
});

describe('targets', () => {
  const status = (checks: ReturnType<typeof checkTargets>, target: string) => checks.find((c) => c.target.startsWith(target))?.status;

  it('passes strictly under the limit, reports a gap at or over it, and says what was not measured', () => {
    const checks = checkTargets([
      { name: '2', coldWallMs: 1499 },
      { name: 'dev', coldWallMs: 1500 },
      { name: '100', coldWallMs: 9000, peakRssBytes: GIB, bytesWritten: 99e6, synthToDumpRatio: 2.5 },
    ]);
    expect(status(checks, '2 clusters, cold')).toBe('PASS');
    expect(status(checks, 'dev (clusters/dev.yaml), cold')).toBe('GAP');
    expect(status(checks, '100 clusters, cold')).toBe('PASS');
    expect(status(checks, '100 clusters, peak RSS')).toBe('GAP');
    expect(status(checks, '100 clusters, written')).toBe('PASS');
    expect(status(checks, '100 clusters, in-process synthesis < 2x')).toBe('GAP');
    expect(status(checks, '100 clusters, in-process synthesis < 3x')).toBe('PASS');
    expect(status(checks, '200 clusters, cold')).toBe('NOT MEASURED');
    expect(status(checks, 'dev, offline plan')).toBe('NOT MEASURED');
  });

  it('checks the offline plan of dev against 10 s and of 10 clusters against 30 s', () => {
    const checks = checkTargets([
      { name: 'dev', planWallMs: 9999 },
      { name: '10', planWallMs: 30_000 },
    ]);
    expect(status(checks, 'dev, offline plan')).toBe('PASS');
    expect(status(checks, '10 clusters, offline plan')).toBe('GAP');
  });
});

describe('CPU profile summary', () => {
  // root -> a (file /repo/synth/x.ts) -> b -> a (recursion); samples: b, a(inner), a(outer); 1 ms each.
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 4000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: 'a', url: 'file:///repo/synth/x.ts', lineNumber: 9 }, children: [3] },
      { id: 3, callFrame: { functionName: 'b', url: '/repo/node_modules/y/index.js', lineNumber: 0 }, children: [4] },
      { id: 4, callFrame: { functionName: 'a', url: 'file:///repo/synth/x.ts', lineNumber: 9 } },
    ],
    samples: [3, 4, 2, 2],
    timeDeltas: [0, 1000, 1000, 1000],
  };

  it('names anonymous TypeScript functions by their emitted line, since ts-node runs transpiled code', () => {
    const anonymous = { ...profile, nodes: profile.nodes.map((n) => (n.id === 4 ? { ...n, callFrame: { ...n.callFrame, functionName: '', lineNumber: 41 } } : n)) };
    expect(summariseProfile(anonymous, '/repo').functions.map((f) => f.where)).toContain('synth/x.ts (anonymous, emitted line 42)');
  });

  it('charges self time to the leaf and inclusive time once per sample, relative to the repository', () => {
    const summary = summariseProfile(profile, '/repo');
    expect(summary.totalMs).toBe(3);
    expect(summary.functions).toEqual([
      { where: 'synth/x.ts a', selfMs: 2, inclusiveMs: 3 },
      { where: 'node_modules/y/index.js:1 b', selfMs: 1, inclusiveMs: 2 },
    ]);
  });
});
