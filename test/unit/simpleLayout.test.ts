import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphDrawing, STATE_COLOURS, type GraphInput, type GraphTask } from '../../src/core/graph/mermaid';
import { drawnTexts, graphLayoutFor, SIMPLE_LAYOUT_THRESHOLD, simpleLayoutSvg } from '../../src/core/graph/simpleLayout';

/** Seven pixels a character: a stand-in for measuring text in a browser. */
const measure = (text: string) => 7 * text.length;

const HOSTILE = ['x"]; click x call alert(1) %%', '<img src=x onerror=alert(1)>', "it's & </text><script>alert(1)</script>", 'bell\u0007'];

const INPUT: GraphInput = {
  dagId: 'd',
  tasks: [
    { taskId: 'start', operator: 'EmptyOperator', upstream: [], mapped: false },
    { taskId: 'grp.fan', operator: 'PythonOperator', upstream: ['start'], mapped: true, group: 'grp' },
    { taskId: 'grp.inner.leaf', operator: 'BashOperator', upstream: ['grp.fan'], mapped: false, group: 'grp.inner' },
    ...HOSTILE.map((taskId): GraphTask => ({ taskId, operator: HOSTILE[1], upstream: ['start'], mapped: false })),
  ],
  groups: [{ groupId: 'grp' }, { groupId: 'grp.inner', parentId: 'grp' }],
};

/** The SVG's character data and attribute values, unescaped, by the one XML escape the module writes. */
function unescape(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#39);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[name]!);
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Each node's box, by its drawing id, from the translate of its group and the size of its shape. */
function nodeBoxes(svg: string): Map<string, Box> {
  const boxes = new Map<string, Box>();
  for (const [, id, x, y, body] of svg.matchAll(/<g class="node [^"]*" id="g-flowchart-(\w+)-0" transform="translate\(([-\d.]+),([-\d.]+)\)">(.*?)<\/g><\/g>/g)) {
    const width = Number(/width="([\d.]+)"|h([\d.]+)/.exec(body)!.slice(1).find(Boolean));
    const height = Number(/height="([\d.]+)"|v([\d.]+)/.exec(body)!.slice(1).find(Boolean));
    boxes.set(id, { x: Number(x) - width / 2, y: Number(y) - height / 2, width, height });
  }
  return boxes;
}

describe('simpleLayoutSvg', () => {
  it('draws every node, edge and cluster with the ids and classes of Mermaid\'s flowcharts', () => {
    const drawing = graphDrawing(INPUT);
    const svg = simpleLayoutSvg(drawing, { id: 'g', measure });
    assert.equal(svg.match(/<g class="node default" id="g-flowchart-n\d+-0"/g)?.length, INPUT.tasks.length);
    assert.equal(svg.match(/<path class="flowchart-link" [^>]*marker-end="url\(#g-arrow\)"\/>/g)?.length, drawing.edges.length);
    assert.equal(svg.match(/<g class="cluster" id="g-g\d+">/g)?.length, 2);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" id="g" class="flowchart" viewBox="0 0 [\d.]+ [\d.]+" width="[\d.]+" height="[\d.]+"/);
    assert.match(svg, /<path class="basic label-container" d="M[^"]+Z(M[^"]+v[\d.]+){2}"\/>/, 'the mapped task has a double-sided box');
    assert.match(svg, /<tspan[^>]*>PythonOperator \[ \]<\/tspan>/);
  });

  it('keeps each cluster around its nodes, and the inner cluster inside the outer', () => {
    const svg = simpleLayoutSvg(graphDrawing(INPUT), { id: 'g', measure });
    const clusters = new Map([...svg.matchAll(/<g class="cluster" id="g-(\w+)"><rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"\/>/g)]
      .map(([, id, x, y, width, height]) => [id, { x: Number(x), y: Number(y), width: Number(width), height: Number(height) }]));
    const inside = (inner: Box, outer: Box) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
    const nodes = nodeBoxes(svg);
    const { nodeIds } = graphDrawing(INPUT);
    assert.ok(inside(nodes.get(nodeIds['grp.fan'])!, clusters.get('g0')!));
    assert.ok(inside(nodes.get(nodeIds['grp.inner.leaf'])!, clusters.get('g1')!));
    assert.ok(inside(clusters.get('g1')!, clusters.get('g0')!));
    assert.ok(!inside(nodes.get(nodeIds.start)!, clusters.get('g0')!));
  });

  it('writes every hostile id as escaped text and nothing else', () => {
    const svg = simpleLayoutSvg(graphDrawing(INPUT), { id: 'g', measure });
    assert.doesNotMatch(svg, /<(img|script|foreignObject|a)\b|<[^>]*\son\w+=/i);
    assert.ok(!svg.includes('\u0007'), 'a character XML cannot hold is replaced');
    const texts = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map(([, text]) => unescape(text));
    for (const id of HOSTILE) assert.ok(texts.includes(id.replace('\u0007', '\ufffd')), `${JSON.stringify(id)} is a label: ${JSON.stringify(texts)}`);
  });

  it('colours the nodes of a run in Airflow\'s colours, for an SVG shown outside the panel', () => {
    const svg = simpleLayoutSvg(graphDrawing(INPUT, { states: { start: 'success', 'grp.fan': 'failed' } }), { id: 'g', measure });
    assert.match(svg, /<g class="node default state_success" id="g-flowchart-n0-0"/);
    assert.match(svg, /<g class="node default state_failed" id="g-flowchart-n1-0"/);
    const { fill, stroke, text } = STATE_COLOURS.failed;
    assert.ok(svg.includes(`#g .node.state_failed>rect,#g .node.state_failed>path{fill:${fill};stroke:${stroke}}#g .node.state_failed text{fill:${text}}`));
    assert.doesNotMatch(svg, /state_running/, 'no style for a state no node has');
  });

  it('lays out left to right by default and top to bottom on request, sizing nodes by their measured labels', () => {
    const chain: GraphInput = { dagId: 'c', tasks: ['a', 'b', 'c'].map((taskId, i) => ({ taskId, operator: 'EmptyOperator', upstream: i ? [['a', 'b'][i - 1]] : [], mapped: false })) };
    const [lr, tb] = (['LR', 'TB'] as const).map((direction) => [...nodeBoxes(simpleLayoutSvg(graphDrawing(chain), { id: 'g', direction, measure })).values()]);
    assert.ok(lr[0].x < lr[1].x && lr[1].x < lr[2].x && lr[0].y === lr[2].y);
    assert.ok(tb[0].y < tb[1].y && tb[1].y < tb[2].y && tb[0].x === tb[2].x);
    assert.equal(lr[0].width, Math.ceil(measure('EmptyOperator') + 30), 'the wider line and the padding on both sides');
    assert.deepEqual(drawnTexts(graphDrawing(chain)), ['a', 'EmptyOperator', 'b', 'c']);
  });

  it('is the layout past the threshold of drawn nodes, so a collapsed large DAG stays with Mermaid', () => {
    const tasks = (count: number, group?: string): GraphTask[] => Array.from({ length: count }, (_, i) => ({ taskId: `${group ?? 't'}.${i}`, operator: 'EmptyOperator', upstream: [], mapped: false, ...(group ? { group } : {}) }));
    assert.equal(graphLayoutFor(graphDrawing({ dagId: 'd', tasks: tasks(SIMPLE_LAYOUT_THRESHOLD) })), 'mermaid');
    assert.equal(graphLayoutFor(graphDrawing({ dagId: 'd', tasks: tasks(SIMPLE_LAYOUT_THRESHOLD + 1) })), 'simple');
    const grouped: GraphInput = { dagId: 'd', tasks: [...tasks(200, 'a'), ...tasks(200, 'b')] };
    assert.equal(graphLayoutFor(graphDrawing(grouped)), 'mermaid', '400 tasks in two collapsed groups are two nodes');
    assert.equal(graphLayoutFor(graphDrawing(grouped, { collapseGroups: false })), 'simple');
  });
});
