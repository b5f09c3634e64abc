/** Which synth writes topology.svg and which only the Mermaid source (the README and the environment RUNBOOK say so). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawsSvg, PICTURE_FILES, PICTURE_SVG_MAX_CLUSTERS, renderTopology, withTopologyPicture } from '../synth/synthesize';
import { fullMeshTopologyYaml } from './bench/topology';
import { topologyText } from './helpers/picture';

describe('which synth draws topology.svg', () => {
  // The bench's full mesh, root certificate relative to clusters/ (where topologyText resolves files).
  const mesh = (n: number) => topologyText(fullMeshTopologyYaml(n, 'certs/hub.example.org.pem'));

  it(`lays out an SVG for up to ${PICTURE_SVG_MAX_CLUSTERS} clusters, and only for the whole environment`, () => {
    expect(drawsSvg(mesh(PICTURE_SVG_MAX_CLUSTERS), undefined)).toBe(true);
    expect(drawsSvg(mesh(PICTURE_SVG_MAX_CLUSTERS + 1), undefined)).toBe(false);
    expect(drawsSvg(mesh(2), 'c001')).toBe(false);
  });

  it(`above ${PICTURE_SVG_MAX_CLUSTERS} clusters writes the Mermaid source only, and the environment RUNBOOK says so`, async () => {
    const topology = mesh(PICTURE_SVG_MAX_CLUSTERS + 1);
    const result = await withTopologyPicture(renderTopology(topology, 'out'), topology);
    expect([...result.environmentFiles.keys()].sort()).toEqual(['RUNBOOK.md', PICTURE_FILES.mermaid]);
    expect(result.environmentFiles.get(PICTURE_FILES.mermaid)).toMatch(/^flowchart LR/);
    expect(result.environmentFiles.get('RUNBOOK.md')).toContain(`no SVG is laid out above ${PICTURE_SVG_MAX_CLUSTERS} clusters`);
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toContain(`above ${PICTURE_SVG_MAX_CLUSTERS} clusters only \`topology.mmd\``);
  });
});
