/**
 * Mermaid source of the picture model (`flowchart LR`), for Markdown renderers: one subgraph per cloud,
 * one per region inside it, the same edges as the SVG (dotted where a value is missing).
 */
import { EDGE_COLORS } from './colors';
import { EASTWEST_LINK_TEXT, MESH_HUB, type PictureCluster, type PictureEdge, type PictureModel } from './model';

/** Mermaid ids are plain words: cluster names are DNS labels, so `-` is the only character to replace. */
const id = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');

/** Text inside a quoted Mermaid label: `"` and the HTML-significant characters as entities. */
function label(s: string): string {
  return s.replace(/[&<>"#]/g, (ch) => ({ '&': '#amp;', '<': '#lt;', '>': '#gt;', '"': '#quot;', '#': '#35;' })[ch]!);
}

function clusterNode(c: PictureCluster): string {
  const lines = [
    `<b>${label(c.name)}</b>`,
    `trust domain ${label(c.trustDomain)}`,
    `network ${label(c.network)}`,
    `provider ${c.provider}`,
    c.nestedUnder !== undefined ? `SPIRE nested under ${label(c.nestedUnder)}` : 'SPIRE root server',
    'east-west gateway',
  ];
  return `${id('c', c.name)}["${lines.join('<br/>')}"]`;
}

const HUB_ID = 'mesh_hub';
const nodeId = (name: string) => (name === MESH_HUB ? HUB_ID : id('c', name));

// `A<-->B` and `A<-.->B` parse as double_arrow_point, stroke normal / dotted (mermaid-js/mermaid,
// packages/mermaid/src/diagrams/flowchart/parser/flow-arrows.spec.js, "multi directional arrows").
function edgeLine(e: PictureEdge): string {
  const text = e.label.length > 0 ? e.label.map(label).join('<br/>') : EASTWEST_LINK_TEXT;
  const start = e.bidirectional ? '<' : '';
  const arrow = e.missing ? `${start}-.->` : `${start}-->`;
  return `  ${nodeId(e.from)} ${arrow}|"${text}"| ${nodeId(e.to)}`;
}

export function renderMermaid(model: PictureModel): string {
  const out = ['flowchart LR', `  %% ${model.title}`];
  for (const cloud of model.clouds) {
    out.push(`  subgraph ${id('cloud', cloud.provider)}["${label(cloud.title)}"]`);
    for (const r of cloud.regions) {
      out.push(`    subgraph ${id('region', cloud.provider, r.region)}["region ${label(r.region)}"]`);
      for (const c of r.clusters) out.push(`      ${clusterNode(c)}`);
      out.push('    end');
    }
    out.push('  end');
  }
  if (model.hub !== undefined) out.push(`  ${HUB_ID}(["${model.hub.label.map(label).join('<br/>')}"])`);
  out.push(...model.edges.map(edgeLine));
  model.edges.forEach((e, i) => out.push(`  linkStyle ${i} stroke:${EDGE_COLORS[e.kind]}`));
  return `${out.join('\n')}\n`;
}
