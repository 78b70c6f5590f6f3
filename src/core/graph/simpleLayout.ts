// The graph of a large DAG, laid out by dagre and written as SVG here. Mermaid lays its flowcharts
// out with dagre too, but spends seconds around it on a few hundred nodes (it copies its whole
// configuration for every label and measures each label in the DOM), so past a threshold the panel
// and `preflight graph --format svg` call dagre directly. The SVG has the element classes and ids
// Mermaid gives its flowcharts, so that the panel's styles, clicks and state colours apply to both.
// User text reaches the SVG only as escaped character data or attribute values.
import { graphlib, layout } from '@dagrejs/dagre';
import { MAPPED_MARK, STATE_COLOURS, stateClass, type DrawnNode, type GraphDrawing, type GraphState } from './mermaid';

/** Past this many drawn nodes the graph is drawn with the simple layout rather than by Mermaid. */
export const SIMPLE_LAYOUT_THRESHOLD = 150;

/** Which drawing a graph gets: Mermaid's, or the simple layout of this module. */
export type GraphLayout = 'mermaid' | 'simple';

export function graphLayoutFor(drawing: GraphDrawing): GraphLayout {
  return drawing.nodes.length > SIMPLE_LAYOUT_THRESHOLD ? 'simple' : 'mermaid';
}

/** The size of label text, in pixels, that widths are measured at. */
export const LABEL_FONT_SIZE = 14;
/** Mermaid's default font, for an SVG shown outside the panel. */
export const DEFAULT_FONT_FAMILY = '"trebuchet ms", verdana, arial, sans-serif';

const LINE_HEIGHT = 18;
const PADDING_X = 15;
const PADDING_Y = 10;
/** The inset of the inner sides of a mapped task's double-sided box. */
const MAPPED_INSET = 8;
/** Where a cluster's label starts inside its box; dagre leaves room above the top node for it. */
const CLUSTER_LABEL_INSET = 6;

export interface SimpleLayoutOptions {
  /** The SVG element's id, which also prefixes the ids of its nodes as Mermaid's do. */
  readonly id: string;
  readonly direction?: 'LR' | 'TB';
  /** The width in pixels of one line of text at LABEL_FONT_SIZE in `fontFamily`; see drawnTexts. */
  readonly measure: (text: string) => number;
  readonly fontFamily?: string;
}

/** A node's label lines as drawn. */
function labelLines(node: DrawnNode): readonly [string, string] {
  return node.shape === 'mapped' ? [node.lines[0], `${node.lines[1]}${MAPPED_MARK}`] : node.lines;
}

/** Every line of text the drawing shows, which `measure` will be asked for: measure them at once beforehand where measuring is slow. */
export function drawnTexts(drawing: GraphDrawing): string[] {
  return [...new Set([...drawing.nodes.flatMap((node) => labelLines(node)), ...drawing.clusters.map((cluster) => cluster.label)])];
}

/** Text as XML character data or an attribute value; characters XML cannot hold at all become U+FFFD. */
function xml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"']/g, (c) => entities[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A smooth path through the points, as d3's curveBasis draws Mermaid's edges. */
function basisPath(points: readonly { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  const parts = [`M${round(first.x)},${round(first.y)}`];
  const curve = (p0: { x: number; y: number }, p1: { x: number; y: number }, p: { x: number; y: number }) => parts.push(
    `C${round((2 * p0.x + p1.x) / 3)},${round((2 * p0.y + p1.y) / 3)} ${round((p0.x + 2 * p1.x) / 3)},${round((p0.y + 2 * p1.y) / 3)} ${round((p0.x + 4 * p1.x + p.x) / 6)},${round((p0.y + 4 * p1.y + p.y) / 6)}`,
  );
  if (rest.length === 0) return parts[0];
  if (rest.length === 1) return `${parts[0]}L${round(rest[0].x)},${round(rest[0].y)}`;
  parts.push(`L${round((5 * first.x + rest[0].x) / 6)},${round((5 * first.y + rest[0].y) / 6)}`);
  let [p0, p1] = [first, rest[0]];
  for (const p of rest.slice(1)) {
    curve(p0, p1, p);
    [p0, p1] = [p1, p];
  }
  curve(p0, p1, p1);
  parts.push(`L${round(p1.x)},${round(p1.y)}`);
  return parts.join('');
}

/** The theme of an SVG shown outside the panel (Mermaid's default theme); the panel's own styles win over it. */
function svgStyle(id: string, fontFamily: string, states: readonly GraphState[]): string {
  const scope = `#${id}`;
  return [
    `${scope}{font-family:${fontFamily};font-size:${LABEL_FONT_SIZE}px;fill:#333333}`,
    `${scope} .node>rect,${scope} .node>path{fill:#ececff;stroke:#9370db;stroke-width:1px}`,
    `${scope} .cluster>rect{fill:#ffffde;stroke:#aaaa33;stroke-width:1px}`,
    `${scope} .flowchart-link{fill:none;stroke:#333333;stroke-width:1px}`,
    `${scope} .marker{fill:#333333;stroke:#333333}`,
    ...states.map((state) => {
      const { fill, stroke, text } = STATE_COLOURS[state];
      const node = `${scope} .node.${stateClass(state)}`;
      return `${node}>rect,${node}>path{fill:${fill};stroke:${stroke}}${node} text{fill:${text}}`;
    }),
  ].join('');
}

function nodeShape(node: DrawnNode, width: number, height: number): string {
  const [left, top] = [round(-width / 2), round(-height / 2)];
  switch (node.shape) {
    case 'mapped':
      // Mermaid's subroutine box: the outline, and a second side just inside each end.
      return `<path class="basic label-container" d="M${left},${top}h${round(width)}v${round(height)}h${round(-width)}Z`
        + `M${round(left + MAPPED_INSET)},${top}v${round(height)}M${round(-left - MAPPED_INSET)},${top}v${round(height)}"/>`;
    case 'group':
      return `<rect class="basic label-container" x="${left}" y="${top}" width="${round(width)}" height="${round(height)}" rx="${round(height / 2)}" ry="${round(height / 2)}"/>`;
    case 'task':
      return `<rect class="basic label-container" x="${left}" y="${top}" width="${round(width)}" height="${round(height)}"/>`;
  }
}

/** The drawing laid out left to right (or top to bottom) by dagre, as an SVG document. */
export function simpleLayoutSvg(drawing: GraphDrawing, options: SimpleLayoutOptions): string {
  const { id, measure } = options;
  const graph = new graphlib.Graph({ compound: true });
  // Mermaid's flowchart spacing; a cluster's border keeps edgesep/2 + nodesep/2 from its nodes, room for its label.
  graph.setGraph({ rankdir: options.direction ?? 'LR', nodesep: 40, edgesep: 20, ranksep: 50, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const cluster of drawing.clusters) graph.setNode(cluster.id, { width: 0, height: 0 });
  for (const cluster of drawing.clusters) if (cluster.parent !== undefined) graph.setParent(cluster.id, cluster.parent);
  for (const node of drawing.nodes) {
    const textWidth = Math.max(...labelLines(node).map(measure));
    const height = 2 * LINE_HEIGHT + 2 * PADDING_Y;
    const extra = node.shape === 'mapped' ? 2 * MAPPED_INSET : node.shape === 'group' ? height / 2 : 0;
    graph.setNode(node.id, { width: Math.ceil(textWidth + 2 * PADDING_X + extra), height });
    if (node.cluster !== undefined) graph.setParent(node.id, node.cluster);
  }
  for (const [from, to] of drawing.edges) graph.setEdge(from, to);
  layout(graph);

  const { width = 0, height = 0 } = graph.graph();
  const states = [...new Set(drawing.nodes.flatMap((node) => (node.state !== undefined ? [node.state] : [])))];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${xml(id)}" class="flowchart" viewBox="0 0 ${round(width)} ${round(height)}" width="${round(width)}" height="${round(height)}" role="graphics-document document" aria-roledescription="flowchart-v2">`,
    `<style>${svgStyle(id, options.fontFamily ?? DEFAULT_FONT_FAMILY, states)}</style>`,
    `<defs><marker id="${xml(id)}-arrow" class="marker" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" orient="auto"><path class="arrowMarkerPath" d="M0,0L10,5L0,10Z"/></marker></defs>`,
    '<g class="clusters">',
  ];
  for (const cluster of drawing.clusters) {
    const box = graph.node(cluster.id);
    const [left, top] = [(box.x ?? 0) - box.width / 2, (box.y ?? 0) - box.height / 2];
    parts.push(
      `<g class="cluster" id="${xml(id)}-${cluster.id}"><rect x="${round(left)}" y="${round(top)}" width="${round(box.width)}" height="${round(box.height)}"/>`,
      `<g class="cluster-label"><text x="${round(left + CLUSTER_LABEL_INSET)}" y="${round(top + CLUSTER_LABEL_INSET)}" dy="0.9em">${xml(cluster.label)}</text></g></g>`,
    );
  }
  parts.push('</g><g class="edgePaths">');
  for (const edge of graph.edges()) {
    const points = graph.edge(edge).points ?? [];
    if (points.length > 0) parts.push(`<path class="flowchart-link" id="${xml(id)}-L_${edge.v}_${edge.w}" d="${basisPath(points)}" marker-end="url(#${xml(id)}-arrow)"/>`);
  }
  parts.push('</g><g class="nodes">');
  for (const node of drawing.nodes) {
    const box = graph.node(node.id);
    const [first, second] = labelLines(node);
    parts.push(
      `<g class="node default${node.state !== undefined ? ` ${stateClass(node.state)}` : ''}" id="${xml(id)}-flowchart-${node.id}-0" transform="translate(${round(box.x ?? 0)},${round(box.y ?? 0)})">`,
      nodeShape(node, box.width, box.height),
      `<g class="label"><text text-anchor="middle"><tspan x="0" y="${-LINE_HEIGHT / 2}" dy="0.35em">${xml(first)}</tspan><tspan x="0" y="${LINE_HEIGHT / 2}" dy="0.35em">${xml(second)}</tspan></text></g></g>`,
    );
  }
  parts.push('</g></svg>');
  return parts.join('');
}
