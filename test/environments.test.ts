/** Every environment in clusters/: synthesizes, every object passes its schema, output is byte-stable. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../clusters';
import { renderTopology } from '../synth/synthesize';
import { validateObject } from './helpers/schema-validation';
import { synthTopologyText } from './helpers/synth';

const CLUSTERS_DIR = join(__dirname, '..', 'clusters');
const environments = readdirSync(CLUSTERS_DIR).filter((f) => f.endsWith('.yaml')).sort();

describe.each(environments)('environment %s', (file) => {
  const text = readFileSync(join(CLUSTERS_DIR, file), 'utf8');
  const { clusters, result } = synthTopologyText(text);

  it('matches the snapshot, file by file', () => {
    for (const c of result.clusters) {
      for (const [name, yaml] of c.files) expect(yaml).toMatchSnapshot(`${c.cluster}/${name}`);
    }
  });

  it('validates every object against its Kubernetes 1.28 or CRD schema', () => {
    const failures: string[] = [];
    for (const c of clusters.values()) {
      for (const obj of c.objects) {
        const errors = validateObject(obj);
        if (errors.length > 0) failures.push(`${c.name} ${obj.kind}/${obj.metadata.name}: ${errors.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('is deterministic: a second synthesis is byte-identical', () => {
    const again = renderTopology(loadTopology(text, file, { baseDir: CLUSTERS_DIR }), '/nonexistent-out');
    expect(again.clusters.map((c) => [...c.files])).toEqual(result.clusters.map((c) => [...c.files]));
  });

  it('writes no private keys or secrets', () => {
    for (const c of result.clusters) {
      for (const yaml of c.files.values()) {
        expect(yaml).not.toMatch(/PRIVATE KEY/);
      }
    }
    // Allowed: Secrets Kubernetes fills in itself (service-account tokens); never ones carrying data.
    for (const c of clusters.values()) {
      for (const obj of c.objects.filter((o) => o.kind === 'Secret')) {
        expect([obj.metadata.name, obj.data ?? obj.stringData]).toEqual([obj.metadata.name, undefined]);
        expect(obj.type).toBe('kubernetes.io/service-account-token');
      }
    }
  });
});
