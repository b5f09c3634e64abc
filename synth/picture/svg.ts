/**
 * The picture model as an ELK graph (elkjs, the Eclipse Layout Kernel compiled to JavaScript; laid out
 * by layout.ts) and, once laid out, drawn as plain SVG: no scripts, no external fonts, every label XML-escaped, every
 * number rounded to one decimal so the same topology gives the same bytes.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { EDGE_COLORS } from './colors';
import { MESH_HUB, PORT_LEGEND, type PictureCluster, type PictureEdge, type PictureEdgeKind, type PictureModel } from './model';
import { textWidth } from './text-width';

const FONT = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif";
const SIZE = { title: 18, group: 14, name: 15, body: 12.5, edge: 11.5 } as const;
const LINE = { body: 17, edge: 15 } as const;
const PAD = 14;
const MARGIN = 24;

const COLORS = {
  text: '#1f2933',
  muted: '#52606d',
  cluster: { fill: '#ffffff', stroke: '#52606d' },
  region: { fill: '#ffffff', stroke: '#9aa5b1' },
  cloud: {
    gke: { fill: '#eaf1fd', stroke: '#4285f4' },
    eks: { fill: '#fff4e5', stroke: '#e88b00' },
  },
  spire: { fill: '#e8eaf6', stroke: '#3949ab' },
  gateway: { fill: '#e0f2f1', stroke: '#00796b' },
  edge: EDGE_COLORS,
} as const;
const EDGE_WIDTH: Readonly<Record<PictureEdgeKind, number>> = { federation: 2.2, nesting: 2.2, eastwest: 1.4 };
const DASH = '7 5';

/** Inner boxes of a cluster: its SPIRE server and its east-west gateway. */
interface InnerBox {
  readonly id: string;
  readonly lines: readonly string[];
  readonly colors: { readonly fill: string; readonly stroke: string };
}

const ids = {
  cloud: (provider: string) => `cloud/${provider}`,
  region: (provider: string, region: string) => `region/${provider}/${region}`,
  cluster: (name: string) => `cluster/${name}`,
  spire: (name: string) => `spire/${name}`,
  gateway: (name: string) => `gateway/${name}`,
  hub: 'hub',
};

function clusterHeader(c: PictureCluster): string[] {
  return [`trust domain ${c.trustDomain}`, `network ${c.network}`, `provider ${c.provider} · ${c.region}`];
}

function innerBoxes(c: PictureCluster): InnerBox[] {
  return [
    { id: ids.spire(c.name), lines: ['SPIRE server', c.nestedUnder !== undefined ? `nested under ${c.nestedUnder}` : `root of ${c.trustDomain}`], colors: COLORS.spire },
    { id: ids.gateway(c.name), lines: ['east-west gateway', `network ${c.network}`], colors: COLORS.gateway },
  ];
}

const HEADER_HEIGHT = PAD + SIZE.name + 6 + 3 * LINE.body + 8;
const INNER_HEIGHT = 2 * LINE.body + 12;

function linesWidth(lines: readonly string[], size: number): number {
  return Math.max(...lines.map((l) => textWidth(l, size)));
}

function clusterInnerWidth(c: PictureCluster): number {
  return Math.max(
    textWidth(c.name, SIZE.name, true),
    linesWidth(clusterHeader(c), SIZE.body),
    ...innerBoxes(c).map((b) => linesWidth(b.lines, SIZE.body) + 2 * 12),
  );
}

/** The picture model as an ELK graph: clouds contain regions contain clusters, edges carry their labels' sizes. */
export function elkGraph(model: PictureModel): ElkNode {
  const padding = (top: number) => `[top=${top},left=${PAD},bottom=${PAD},right=${PAD}]`;
  const clusterNode = (c: PictureCluster): ElkNode => {
    const width = Math.ceil(clusterInnerWidth(c));
    return {
      id: ids.cluster(c.name),
      layoutOptions: { 'elk.padding': padding(HEADER_HEIGHT), 'elk.spacing.nodeNode': '10' },
      children: innerBoxes(c).map((b) => ({ id: b.id, width, height: INNER_HEIGHT })),
    };
  };
  const edges: ElkExtendedEdge[] = model.edges.map((e, i) => {
    const endpoint = (name: string) => (name === MESH_HUB ? ids.hub : e.kind === 'eastwest' ? ids.gateway(name) : ids.spire(name));
    return {
      id: `edge/${i}`,
      sources: [endpoint(e.from)],
      targets: [endpoint(e.to)],
      labels: e.label.length === 0 ? [] : [{ text: e.label.join('\n'), width: Math.ceil(linesWidth(e.label, SIZE.edge) + 12), height: e.label.length * LINE.edge + 6 }],
    };
  });
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.edgeEdge': '14',
      'elk.spacing.edgeNode': '18',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=0,left=0,bottom=0,right=0]',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: [
      ...model.clouds.map((cloud) => ({
        id: ids.cloud(cloud.provider),
        layoutOptions: { 'elk.padding': padding(PAD + SIZE.group + 10) },
        children: cloud.regions.map((r) => ({
          id: ids.region(cloud.provider, r.region),
          layoutOptions: { 'elk.padding': padding(PAD + SIZE.group + 8) },
          children: r.clusters.map(clusterNode),
        })),
      })),
      // The mesh node east-west links meet at when drawn as a star (outside every cloud).
      ...(model.hub !== undefined ? [{ id: ids.hub, width: Math.ceil(linesWidth(model.hub.label, SIZE.body) + 36), height: INNER_HEIGHT }] : []),
    ],
    edges,
  };
}

/** Draws the picture model from its ELK graph (elkGraph) once laid out (layout.ts). */
export function drawSvg(model: PictureModel, laidOut: ElkNode): string {
  const origin = absolutePositions(laidOut);
  const top = MARGIN + SIZE.title + 20;
  const graphWidth = laidOut.width ?? 0;
  const graphHeight = laidOut.height ?? 0;
  const legend = legendBlock(MARGIN, top + graphHeight + 24);
  const width = Math.max(graphWidth, legend.width, textWidth(model.title, SIZE.title, true)) + 2 * MARGIN;
  const height = top + graphHeight + 24 + legend.height + MARGIN;

  const clusters = new Map(model.clouds.flatMap((c) => c.regions.flatMap((r) => r.clusters.map((cl) => [cl.name, cl] as const))));
  const body: string[] = [];
  const shift = (x: number, y: number) => ({ x: MARGIN + x, y: top + y });
  for (const cloudNode of laidOut.children ?? []) {
    if (cloudNode.id === ids.hub) {
      const p = shift(origin.get(ids.hub)!.x, origin.get(ids.hub)!.y);
      body.push(rect(p.x, p.y, cloudNode.width!, cloudNode.height!, COLORS.gateway, cloudNode.height! / 2, 1.5));
      model.hub!.label.forEach((line, i) =>
        body.push(text(p.x + 18, p.y + 6 + (i + 1) * LINE.body - 4, line, SIZE.body, i === 0 ? { bold: true, fill: COLORS.gateway.stroke } : { fill: COLORS.text })));
      continue;
    }
    const cloud = model.clouds.find((c) => ids.cloud(c.provider) === cloudNode.id)!;
    const p = shift(origin.get(cloudNode.id)!.x, origin.get(cloudNode.id)!.y);
    body.push(rect(p.x, p.y, cloudNode.width!, cloudNode.height!, COLORS.cloud[cloud.provider], 12, 1.5));
    body.push(text(p.x + PAD, p.y + PAD + SIZE.group - 2, cloud.title, SIZE.group, { bold: true, fill: COLORS.cloud[cloud.provider].stroke }));
    for (const regionNode of cloudNode.children ?? []) {
      const region = cloud.regions.find((r) => ids.region(cloud.provider, r.region) === regionNode.id)!;
      const q = shift(origin.get(regionNode.id)!.x, origin.get(regionNode.id)!.y);
      body.push(rect(q.x, q.y, regionNode.width!, regionNode.height!, COLORS.region, 10, 1, '4 3'));
      body.push(text(q.x + PAD, q.y + PAD + SIZE.group - 4, `region ${region.region}`, SIZE.group - 1, { fill: COLORS.muted }));
      for (const clusterNode of regionNode.children ?? []) body.push(...drawCluster(clusterNode, clusters, origin, shift));
    }
  }
  const edgeById = new Map(model.edges.map((e, i) => [`edge/${i}`, e]));
  const edgeParts = (laidOut.edges ?? []).map((e) => drawEdge(e, edgeById.get(e.id)!, origin, shift));

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${escapeXml(FONT)}">`,
    `<title>${escapeXml(model.title)}</title>`,
    '<defs>',
    ...(['federation', 'nesting', 'eastwest'] as const).map((k) =>
      `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4.5" markerHeight="4.5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLORS.edge[k]}"/></marker>`),
    '</defs>',
    `<rect x="0" y="0" width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`,
    text(MARGIN, MARGIN + SIZE.title - 2, model.title, SIZE.title, { bold: true }),
    ...body,
    ...edgeParts.map((p) => p.line),
    ...edgeParts.map((p) => p.labels),
    ...legend.parts,
    '</svg>',
    '',
  ].join('\n');
}

type Shift = (x: number, y: number) => { x: number; y: number };

function drawCluster(node: ElkNode, clusters: ReadonlyMap<string, PictureCluster>, origin: ReadonlyMap<string, Point>, shift: Shift): string[] {
  const c = clusters.get(node.id.slice(ids.cluster('').length))!;
  const p = shift(origin.get(node.id)!.x, origin.get(node.id)!.y);
  const parts = [rect(p.x, p.y, node.width!, node.height!, COLORS.cluster, 8, 1.5)];
  parts.push(text(p.x + PAD, p.y + PAD + SIZE.name - 2, c.name, SIZE.name, { bold: true }));
  clusterHeader(c).forEach((line, i) => parts.push(text(p.x + PAD, p.y + PAD + SIZE.name + 6 + (i + 1) * LINE.body - 4, line, SIZE.body, { fill: COLORS.muted })));
  for (const box of innerBoxes(c)) {
    const child = node.children!.find((n) => n.id === box.id)!;
    const b = shift(origin.get(child.id)!.x, origin.get(child.id)!.y);
    parts.push(rect(b.x, b.y, child.width!, child.height!, box.colors, 6, 1.2));
    box.lines.forEach((line, i) =>
      parts.push(text(b.x + 12, b.y + 6 + (i + 1) * LINE.body - 4, line, SIZE.body, i === 0 ? { bold: true, fill: box.colors.stroke } : { fill: COLORS.text })));
  }
  return parts;
}

function drawEdge(e: ElkExtendedEdge, edge: PictureEdge, origin: ReadonlyMap<string, Point>, shift: Shift): { line: string; labels: string } {
  const base = origin.get(e.container ?? 'root')!;
  const at = (x: number, y: number) => shift(base.x + x, base.y + y);
  const d = (e.sections ?? []).map((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]
    .map((pt, i) => { const q = at(pt.x, pt.y); return `${i === 0 ? 'M' : 'L'}${num(q.x)},${num(q.y)}`; }).join(' ')).join(' ');
  const color = COLORS.edge[edge.kind];
  const line = `<path d="${d}" fill="none" stroke="${color}" stroke-width="${num(EDGE_WIDTH[edge.kind])}"` +
    `${edge.missing ? ` stroke-dasharray="${DASH}"` : ''} marker-end="url(#arrow-${edge.kind})"` +
    `${edge.bidirectional ? ` marker-start="url(#arrow-${edge.kind})"` : ''}><title>${escapeXml(`${edge.kind} ${edge.from} - ${edge.to}`)}</title></path>`;
  const labels = (e.labels ?? []).map((l) => {
    const q = at(l.x ?? 0, l.y ?? 0);
    return [
      rect(q.x, q.y, l.width ?? 0, l.height ?? 0, { fill: '#ffffff', stroke: color }, 4, 0.8, edge.missing ? '3 2' : undefined, 0.94),
      ...edge.label.map((t, i) => text(q.x + 6, q.y + 3 + (i + 1) * LINE.edge - 4, t, SIZE.edge, { fill: color })),
    ].join('\n');
  }).join('\n');
  return { line, labels };
}

function legendBlock(x: number, y: number): { parts: string[]; width: number; height: number } {
  const sample = (rowY: number, stroke: string, width: number, extra: string) =>
    `<path d="M${num(x)},${num(rowY)} L${num(x + 44)},${num(rowY)}" stroke="${stroke}" stroke-width="${num(width)}"${extra}/>`;
  const rows = [
    ...(['federation', 'nesting', 'eastwest'] as const).map((k) => ({
      draw: (rowY: number) => sample(rowY, COLORS.edge[k], EDGE_WIDTH[k], ` marker-end="url(#arrow-${k})"`),
      text: PORT_LEGEND[k],
    })),
    {
      draw: (rowY: number) => sample(rowY, COLORS.muted, 2, ` stroke-dasharray="${DASH}"`),
      text: 'dashed: a value the link needs (an address or a root CA) is not in the topology yet',
    },
  ];
  const parts = [text(x, y + SIZE.group - 2, 'Legend', SIZE.group, { bold: true })];
  rows.forEach((r, i) => {
    const rowY = y + SIZE.group + 8 + i * 22 + 11;
    parts.push(r.draw(rowY), text(x + 56, rowY + 4, r.text, SIZE.body, { fill: COLORS.text }));
  });
  const width = 56 + Math.max(...rows.map((r) => textWidth(r.text, SIZE.body)));
  return { parts, width, height: SIZE.group + 8 + rows.length * 22 };
}

interface Point { readonly x: number; readonly y: number }

/** ELK gives each node's position relative to its parent; the SVG needs them relative to the root. */
function absolutePositions(root: ElkNode): Map<string, Point> {
  const out = new Map<string, Point>();
  const walk = (n: ElkNode, dx: number, dy: number) => {
    const p = { x: dx + (n.x ?? 0), y: dy + (n.y ?? 0) };
    out.set(n.id, p);
    for (const c of n.children ?? []) walk(c, p.x, p.y);
  };
  walk(root, 0, 0);
  return out;
}

function rect(x: number, y: number, w: number, h: number, c: { fill: string; stroke: string }, r: number, sw: number, dash?: string, opacity?: number): string {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" rx="${num(r)}" fill="${c.fill}" stroke="${c.stroke}" stroke-width="${num(sw)}"` +
    `${dash ? ` stroke-dasharray="${dash}"` : ''}${opacity !== undefined ? ` fill-opacity="${num(opacity)}"` : ''}/>`;
}

function text(x: number, y: number, content: string, size: number, o: { bold?: boolean; fill?: string } = {}): string {
  return `<text x="${num(x)}" y="${num(y)}" font-size="${num(size)}"${o.bold ? ' font-weight="bold"' : ''} fill="${o.fill ?? COLORS.text}">${escapeXml(content)}</text>`;
}

/** One decimal, no trailing ".0", never "-0": stable bytes. */
export function num(n: number): string {
  const r = Math.round(n * 10) / 10;
  return String(r === 0 ? 0 : r);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}
