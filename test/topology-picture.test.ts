/** The topology picture (SVG and Mermaid): content, dashed vs solid links, escaping, determinism, rendering. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { renderMermaid } from '../synth/picture/mermaid';
import type { PictureModel } from '../synth/picture/model';
import { layOut } from '../synth/picture/layout';
import { drawSvg, elkGraph } from '../synth/picture/svg';
import { renderTopologyPicture, type TopologyPicture } from '../synth/topology-picture';
import { DOCS_PICTURE, docsPictureSvg, environment, FIVE_CLUSTERS, topologyText, UPDATE_DOCS_PICTURE_ENV } from './helpers/picture';

interface DrawnEdge {
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly dashed: boolean;
  readonly bidirectional: boolean;
}

/** The link paths of an SVG, read back from the <title> each one carries. */
function drawnEdges(svg: string): DrawnEdge[] {
  return [...svg.matchAll(/<path d="[^"]*" ([^>]*)><title>(\w+) (\S+) - (\S+)<\/title><\/path>/g)].map((m) => ({
    kind: m[2], from: m[3], to: m[4], dashed: m[1].includes('stroke-dasharray'), bidirectional: m[1].includes('marker-start'),
  }));
}

describe('topology picture', () => {
  let dev: TopologyPicture;
  let staging: TopologyPicture;
  let five: TopologyPicture;
  beforeAll(async () => {
    dev = await renderTopologyPicture(environment('dev'));
    staging = await renderTopologyPicture(environment('staging'));
    five = await renderTopologyPicture(topologyText(FIVE_CLUSTERS));
  });

  it('is deterministic: a second rendering is byte-identical', async () => {
    expect(await renderTopologyPicture(environment('staging'))).toEqual(staging);
    expect(await renderTopologyPicture(topologyText(FIVE_CLUSTERS))).toEqual(five);
  });

  it.each([['dev'], ['staging'], ['five']])('%s: every cluster name and trust domain is in the SVG text and the Mermaid source', (name) => {
    const picture = { dev, staging, five }[name]!;
    const topology = name === 'five' ? topologyText(FIVE_CLUSTERS) : environment(name);
    for (const c of topology.clusters) {
      expect(picture.svg).toContain(`>${c.name}</text>`);
      expect(picture.svg).toContain(`>trust domain ${c.trustDomain}</text>`);
      expect(picture.svg).toContain(`>network ${c.network}</text>`);
      expect(picture.mermaid).toContain(`<b>${c.name}</b><br/>trust domain ${c.trustDomain}<br/>network ${c.network}<br/>provider ${c.provider}`);
    }
  });

  it('groups clusters by cloud, then region (staging spans both clouds and four regions)', () => {
    for (const title of ['Google Cloud (GKE)', 'AWS (EKS)', 'region us-central1', 'region us-east1', 'region us-west-2', 'region eu-west-1']) {
      expect(staging.svg).toContain(`>${title}</text>`);
    }
    expect(staging.mermaid).toContain('subgraph cloud_eks["AWS (EKS)"]\n    subgraph region_eks_us_west_2["region us-west-2"]\n      c_hub_west[');
  });

  it('dev: the federation link is dashed (no bundle endpoint address, no root CA) and says what is missing', () => {
    expect(drawnEdges(dev.svg).filter((e) => e.kind === 'federation')).toEqual([
      { kind: 'federation', from: 'cluster-1', to: 'cluster-2', dashed: true, bidirectional: true },
    ]);
    expect(dev.svg).toContain('>foo.com :8443 (no address, no root CA)</text>');
    expect(dev.mermaid).toContain('c_cluster_1 <-.->|"foo.com :8443 (no address, no root CA)<br/>bar.com :8443 (no address, no root CA)"| c_cluster_2');
  });

  it('staging: federation and nesting links are solid and labelled with the addresses from the topology', () => {
    expect(drawnEdges(staging.svg).filter((e) => e.kind !== 'eastwest')).toEqual([
      { kind: 'federation', from: 'hub', to: 'edge', dashed: false, bidirectional: true },
      { kind: 'nesting', from: 'hub', to: 'hub-east', dashed: false, bidirectional: false },
      { kind: 'nesting', from: 'hub', to: 'hub-west', dashed: false, bidirectional: false },
    ]);
    expect(staging.svg).toContain('>hub.example.org https://203.0.113.10:8443</text>');
    expect(staging.svg).toContain('>edge.example.net https://spire-bundle.edge.example.net:8443</text>');
    expect(staging.svg).toContain('>server API 203.0.113.11:8081</text>');
    expect(staging.mermaid).toContain('c_hub <-->|"hub.example.org https://203.0.113.10:8443<br/>edge.example.net https://spire-bundle.edge.example.net:8443"| c_edge');
    expect(staging.mermaid).toContain('c_hub -->|"server API 203.0.113.11:8081"| c_hub_east');
    expect(staging.mermaid).toContain('c_hub -->|"server API 203.0.113.11:8081"| c_hub_west');
    expect(staging.mermaid).not.toContain('-.->');
  });

  it('a nested cluster whose parent has no server address gets a dashed nesting link', async () => {
    const t = topologyText(`
environment: nest
clusters:
  - { name: top, provider: gke, region: us-central1, trustDomain: top.example, cidr: 10.1.0.0/16 }
  - { name: leaf, provider: eks, region: eu-west-1, nestedUnder: top, cidr: 10.2.0.0/16 }
`);
    const picture = await renderTopologyPicture(t);
    expect(drawnEdges(picture.svg).filter((e) => e.kind === 'nesting')).toEqual([
      { kind: 'nesting', from: 'top', to: 'leaf', dashed: true, bidirectional: false },
    ]);
    expect(picture.mermaid).toContain('c_top -.->|"server API :8081 (no address)"| c_leaf');
    // One trust domain, no federation at all.
    expect(drawnEdges(picture.svg).filter((e) => e.kind === 'federation')).toEqual([]);
  });

  it('a bundle endpoint with an address but no root CA is still dashed, naming the root CA', () => {
    expect(drawnEdges(five.svg).find((e) => e.kind === 'federation' && e.from === 'alpha' && e.to === 'gamma')).toMatchObject({ dashed: true });
    expect(five.svg).toContain('>gamma.example https://spire.gamma.example:443 (no root CA)</text>');
  });

  it('east-west: two clusters are linked directly, dashed while their federation is not rendered; a full mesh of five is a star through the mesh node, skipping shared networks', async () => {
    // dev federates in its topology but has no bundle addresses or roots yet: no remote secret, so dashed.
    expect(drawnEdges(dev.svg).filter((e) => e.kind === 'eastwest')).toEqual([
      { kind: 'eastwest', from: 'cluster-1', to: 'cluster-2', dashed: true, bidirectional: true },
    ]);
    expect(drawnEdges(five.svg).filter((e) => e.kind === 'eastwest').map((e) => `${e.from}-${e.to}`))
      .toEqual(['alpha-#mesh', 'alpha-east-#mesh', 'beta-#mesh', 'gamma-#mesh', 'delta-#mesh']);
    expect(five.svg).toContain('>Istio mesh mesh1</text>');
    expect(five.mermaid).toContain('mesh_hub(["Istio mesh mesh1<br/>east-west mTLS :15443"])');
    // Every cross-network pair among the linked clusters is linked (gamma and delta share a network): still a star.
    const star = await renderTopologyPicture(topologyText(FIVE_CLUSTERS.replace('federation: full-mesh', 'federation: [[alpha, gamma], [alpha, delta]]')));
    expect(drawnEdges(star.svg).filter((e) => e.kind === 'eastwest').map((e) => e.to)).toEqual(['#mesh', '#mesh', '#mesh', '#mesh']);
    // Two separate federations: pair by pair, so the picture never suggests beta reaches gamma.
    const pairs = await renderTopologyPicture(topologyText(FIVE_CLUSTERS.replace('federation: full-mesh', 'federation: [[alpha, gamma], [beta, delta]]')));
    expect(drawnEdges(pairs.svg).filter((e) => e.kind === 'eastwest').map((e) => `${e.from}-${e.to}`))
      .toEqual(['alpha-alpha-east', 'alpha-gamma', 'alpha-east-gamma', 'beta-delta']);
    expect(pairs.svg).not.toContain('Istio mesh mesh1');
  });

  it('shows the cross-cluster ports in the legend', () => {
    for (const port of ['TCP 8443', 'TCP 8081', 'TCP 15443']) expect(dev.svg).toMatch(new RegExp(`<text [^>]*>[^<]*${port}</text>`));
  });

  it('is a plain standalone SVG: no scripts, no external references, numbers with at most one decimal', () => {
    for (const svg of [dev.svg, staging.svg, five.svg]) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
      expect(svg).not.toMatch(/<script|<image|<foreignObject|@import|href=|url\((?!#arrow-)/);
      // Attribute values only: labels legitimately contain IP addresses.
      expect(svg.match(/="[^"]*\d\.\d{2,}[^"]*"/g)).toBeNull();
    }
  });

  it('XML-escapes every label and escapes Mermaid labels', async () => {
    const evil = 'a<b>&"c\'';
    const model: PictureModel = {
      title: `title ${evil}`,
      clouds: [{ provider: 'gke', title: `cloud ${evil}`, regions: [{ region: `r${evil}`, clusters: [
        { name: `x${evil}`, provider: 'gke', region: `r${evil}`, trustDomain: `td${evil}`, network: `n${evil}` },
        { name: 'y', provider: 'gke', region: `r${evil}`, trustDomain: 'y.example', network: 'ny' },
      ] }] }],
      edges: [{ kind: 'federation', from: `x${evil}`, to: 'y', bidirectional: true, label: [`label ${evil}`], missing: true }],
    };
    const svg = drawSvg(model, await layOut(elkGraph(model)));
    const escaped = 'a&lt;b&gt;&amp;&quot;c&apos;';
    for (const s of [`title ${escaped}`, `x${escaped}`, `trust domain td${escaped}`, `label ${escaped}`, `cloud ${escaped}`]) expect(svg).toContain(`>${s}</`);
    // Outside markup, no raw '<', '>' or '&' survives: every text node is escaped.
    for (const m of svg.matchAll(/>([^<]*)</g)) expect(m[1]).not.toMatch(/[<>]|&(?!(lt|gt|amp|quot|apos);)/);
    const mermaid = renderMermaid(model);
    expect(mermaid).toContain('<b>xa#lt;b#gt;#amp;#quot;c\'</b>');
    expect(mermaid).toContain('|"label a#lt;b#gt;#amp;#quot;c\'"|');
  });

  it('dev Mermaid source', () => {
    expect(dev.mermaid).toMatchSnapshot();
  });

  it(`docs/topology-dev.svg (shown in the README) is the current dev picture (refresh: ${UPDATE_DOCS_PICTURE_ENV}=1 npx jest test/topology-picture.test.ts)`, async () => {
    const current = await docsPictureSvg();
    expect(current).toBe(dev.svg);
    if (process.env[UPDATE_DOCS_PICTURE_ENV] === '1') writeFileSync(DOCS_PICTURE, current);
    const committed = existsSync(DOCS_PICTURE) ? readFileSync(DOCS_PICTURE, 'utf8') : '';
    if (committed !== current) {
      throw new Error(`docs/topology-dev.svg is not the current dev picture: run ${UPDATE_DOCS_PICTURE_ENV}=1 npx jest test/topology-picture.test.ts and commit the file`);
    }
  });
});

/** Debian's chromium (CI installs it in .ci/run); undefined on machines without it. */
function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'chromium'))) return join(dir, 'chromium');
  }
  return undefined;
}

const chromium = findChromium();
const describeChromium = chromium !== undefined ? describe : describe.skip;
if (chromium === undefined) {
  console.warn('topology picture: SKIPPED the headless Chromium rendering test: no `chromium` binary on PATH (CI installs Debian\'s chromium in .ci/run)');
}

describeChromium(`topology picture in headless Chromium${chromium === undefined ? ' (SKIPPED: no chromium binary on PATH)' : ''}`, () => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'meshfed-picture-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Screenshots the SVG in an HTML page at its own size; returns the decoded PNG. */
  function screenshot(name: string, svg: string): PNG {
    const [, w, h] = /^<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.map(Number);
    const html = join(work, `${name}.html`);
    const png = join(work, `${name}.png`);
    writeFileSync(html, `<!doctype html><html><body style="margin:0;background:#ffffff">${svg}</body></html>`);
    const size = `${Math.ceil(w)},${Math.ceil(h)}`;
    const run = spawnSync(chromium!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
      `--user-data-dir=${join(work, `profile-${name}`)}`, `--screenshot=${png}`, `--window-size=${size}`, pathToFileURL(html).href,
    ], { encoding: 'utf8', timeout: 90_000 });
    if (!existsSync(png)) throw new Error(`chromium wrote no screenshot (exit ${run.status}): ${run.stderr}`);
    return PNG.sync.read(readFileSync(png));
  }

  /** Share of pixels that are not the white background, and how far they spread. */
  function ink(png: PNG): { share: number; spanX: number; spanY: number; colored: number } {
    let count = 0;
    let colored = 0;
    let minX = png.width; let maxX = -1; let minY = png.height; let maxY = -1;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const i = (y * png.width + x) * 4;
        const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
        if (r > 245 && g > 245 && b > 245) continue;
        count++;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
    }
    return { share: count / (png.width * png.height), spanX: (maxX - minX) / png.width, spanY: (maxY - minY) / png.height, colored };
  }

  it.each([['dev'], ['five']])('%s: the screenshot is not blank and spans the picture', async (name) => {
    const topology = name === 'dev' ? environment('dev') : topologyText(FIVE_CLUSTERS);
    const { svg } = await renderTopologyPicture(topology);
    const png = screenshot(name, svg);
    const [, w] = /width="([\d.]+)"/.exec(svg)!.map(Number);
    expect(png.width).toBe(Math.ceil(w));
    const seen = ink(png);
    expect(seen.share).toBeGreaterThan(0.05);
    expect(seen.spanX).toBeGreaterThan(0.9);
    expect(seen.spanY).toBeGreaterThan(0.85);
    // Cloud boxes, SPIRE and gateway boxes and links are coloured, not just black text.
    expect(seen.colored).toBeGreaterThan(1000);
  }, 180_000);
});
