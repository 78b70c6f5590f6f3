// The DAG panel's page: the DAG as a Mermaid graph coloured with the selected run's states, the grid
// of runs x tasks beneath it, and the details of the selected task instance. Text from the DAG or
// its runs reaches the page through textContent only, never innerHTML; the graph's labels are
// escaped by dagMermaid and drawn by Mermaid in strict mode, or, for a large graph, escaped as XML by
// simpleLayoutSvg.
import mermaid from 'mermaid';
import { graphDrawing, mermaidText, STATE_COLOURS, worstState, type GraphInput, type GraphState } from '../src/core/graph/mermaid';
import { graphLayoutFor, LABEL_FONT_SIZE, simpleLayoutSvg, type GraphLayout } from '../src/core/graph/simpleLayout';
import { isHostMessage, isPanelTarget, type HostMessage, type PageMessage, type PanelTarget, type RunColumn, type TaskDetails } from './protocol';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface Zoom {
  readonly k: number;
  readonly x: number;
  readonly y: number;
}

/** What survives the panel being hidden or the window reloading (the host's serializer reads `target`). */
interface PageState {
  readonly target?: PanelTarget;
  readonly direction: 'LR' | 'TB';
  readonly expandGroups: boolean;
  readonly zoom?: Zoom;
}

const LEGEND: readonly [GraphState, string][] = [
  ['success', 'success'], ['failed', 'failed'], ['running', 'running'], ['queued', 'queued'], ['scheduled', 'scheduled'],
  ['up_for_retry', 'up for retry'], ['upstream_failed', 'upstream failed'], ['skipped', 'skipped'], ['none', 'no status'],
];
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 4;

const vscode = acquireVsCodeApi();
// Style elements need the page's nonce; the script element that loaded this bundle carries it.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}
const title = byId<HTMLHeadingElement>('title');
const notice = byId<HTMLParagraphElement>('notice');
const viewport = byId<HTMLDivElement>('viewport');
const canvas = byId<HTMLDivElement>('canvas');
const directionButton = byId<HTMLButtonElement>('direction');
const dateSelect = byId<HTMLSelectElement>('logical-date');
const runButton = byId<HTMLButtonElement>('run');
const clearButton = byId<HTMLButtonElement>('clear');
const grid = byId<HTMLElement>('grid');
const detailsPane = byId<HTMLElement>('details');

function savedState(): PageState {
  const saved = vscode.getState() as Partial<PageState> | undefined;
  const zoom = saved?.zoom;
  return {
    ...(isPanelTarget(saved?.target) ? { target: saved.target } : {}),
    direction: saved?.direction === 'TB' ? 'TB' : 'LR',
    expandGroups: saved?.expandGroups === true,
    ...(zoom && [zoom.k, zoom.x, zoom.y].every(Number.isFinite) ? { zoom } : {}),
  };
}

let state = savedState();
let graph: GraphInput | null = null;
let runs: readonly RunColumn[] = [];
/** The run the graph is coloured with, by run id; undefined when the history has none. */
let selectedRunId: string | undefined;
let selectedTaskId: string | undefined;
let details: TaskDetails | null = null;
/** Dates the user picked that no run has yet; they stay in the date list. */
const pickedDates = new Set<string>();
/** Run ids seen so far: a new one is a run just started, which the page follows. */
const knownRuns = new Set<string>();
/** The Mermaid node elements of the drawn graph, by task id. */
let nodesByTask = new Map<string, SVGGElement>();
let drawnText: string | undefined;
let renderCount = 0;

function save(next: Partial<PageState>): void {
  state = { ...state, ...next };
  vscode.setState(state);
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Mermaid's styles arrive inside each SVG it draws; they move here, where the nonce lets them apply.
const mermaidStyle = element('style');
mermaidStyle.nonce = nonce;
document.head.append(mermaidStyle);

mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  // SVG text labels: no HTML inside the SVG, and no foreignObject whose layout depends on blocked inline styles.
  htmlLabels: false,
  // Mermaid refuses graphs past 500 edges by default; a 500-task DAG has more. Task ids stay on one line.
  maxEdges: 100_000,
  flowchart: { htmlLabels: false, useMaxWidth: false, wrappingWidth: 1000 },
});

function selectedRun(): RunColumn | undefined {
  return runs.find((r) => r.runId === selectedRunId);
}

// ---- The graph ----------------------------------------------------------------------------------

function applyZoom(zoom: Zoom): void {
  canvas.style.transform = `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.k})`;
  save({ zoom });
}

function drawnSize(): { width: number; height: number } | undefined {
  const svg = canvas.querySelector('svg');
  const box = svg?.viewBox.baseVal;
  return box && box.width > 0 ? { width: box.width, height: box.height } : undefined;
}

function fit(): void {
  const size = drawnSize();
  if (!size) return;
  const margin = 16;
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.min((viewport.clientWidth - 2 * margin) / size.width, (viewport.clientHeight - 2 * margin) / size.height, 1)));
  applyZoom({ k, x: (viewport.clientWidth - size.width * k) / 2, y: (viewport.clientHeight - size.height * k) / 2 });
}

/** Zooms by `factor` about a point of the viewport, which stays where it is. */
function zoomAbout(factor: number, px: number, py: number): void {
  const zoom = state.zoom ?? { k: 1, x: 0, y: 0 };
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom.k * factor));
  applyZoom({ k, x: px - ((px - zoom.x) * k) / zoom.k, y: py - ((py - zoom.y) * k) / zoom.k });
}

/**
 * Puts the drawn SVG (Mermaid's, or the simple layout's) into the page. Its `<style>` goes into the
 * nonce'd style element and its style attributes are set again through the CSSOM: the CSP blocks
 * both as markup, not as CSSOM.
 */
function install(svgText: string): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(svgText, 'text/html');
  const svg = parsed.body.querySelector('svg');
  if (!svg) throw new Error('the drawing has no SVG');
  const css = [...svg.querySelectorAll('style')].map((s) => {
    s.remove();
    return s.textContent ?? '';
  });
  const styled = [svg, ...svg.querySelectorAll<SVGElement>('[style]')].filter((e) => e.hasAttribute('style')).map((e) => {
    const value = e.getAttribute('style')!;
    e.removeAttribute('style');
    return [e, value] as const;
  });
  document.adoptNode(svg);
  const box = svg.viewBox.baseVal;
  svg.setAttribute('width', String(box.width));
  svg.setAttribute('height', String(box.height));
  mermaidStyle.textContent = css.join('\n');
  canvas.replaceChildren(svg);
  for (const [e, value] of styled) e.style.cssText = value;
  return svg;
}

const measuringContext = document.createElement('canvas').getContext('2d');

/**
 * The width of a line of label text in the font the drawn SVG shows it in (the page's, by its
 * styles). A browser that gives no 2D canvas gets an estimate of an average character's width.
 */
function labelWidth(text: string): number {
  return measuringContext?.measureText(text).width ?? text.length * LABEL_FONT_SIZE * 0.6;
}

async function drawGraph(): Promise<void> {
  if (!graph) return;
  const drawing = graphDrawing(graph, state.expandGroups ? { collapseGroups: false } : {});
  const { nodeIds, collapsed } = drawing;
  // The Mermaid text stands for the whole drawing either way: the same text draws the same graph.
  const text = mermaidText(drawing, state.direction);
  directionButton.textContent = state.direction === 'LR' ? 'Left to right' : 'Top to bottom';
  if (text === drawnText) return;
  const renderId = `graph-${++renderCount}`;
  const layout = graphLayoutFor(drawing);
  let svgText: string;
  try {
    if (layout === 'simple') {
      const fontFamily = getComputedStyle(canvas).fontFamily;
      if (measuringContext) measuringContext.font = `${LABEL_FONT_SIZE}px ${fontFamily}`;
      svgText = simpleLayoutSvg(drawing, { id: renderId, direction: state.direction, measure: labelWidth, fontFamily });
    } else {
      ({ svg: svgText } = await mermaid.render(renderId, text));
    }
  } catch (error) {
    notice.textContent = `The graph cannot be drawn: ${error instanceof Error ? error.message : String(error)}`;
    return;
  }
  // A newer drawing started while this one was laid out: it wins.
  if (renderId !== `graph-${renderCount}`) return;
  const svg = install(svgText);
  drawnText = text;
  const nodeElements = new Map<string, SVGGElement>();
  const pattern = new RegExp(`^${renderId}-flowchart-(.+)-\\d+$`);
  for (const node of svg.querySelectorAll<SVGGElement>('g.node')) {
    const match = pattern.exec(node.id);
    if (match) nodeElements.set(match[1], node);
  }
  const tasksByNode = new Map<string, string[]>();
  for (const [taskId, nodeId] of Object.entries(nodeIds)) tasksByNode.set(nodeId, [...(tasksByNode.get(nodeId) ?? []), taskId]);
  nodesByTask = new Map();
  for (const [nodeId, taskIds] of tasksByNode) {
    const node = nodeElements.get(nodeId);
    if (!node) continue;
    for (const taskId of taskIds) nodesByTask.set(taskId, node);
    node.dataset.tasks = JSON.stringify(taskIds);
    if (taskIds.length === 1) {
      node.setAttribute('role', 'button');
      node.setAttribute('aria-label', `Task ${taskIds[0]}`);
      node.addEventListener('click', () => selectTask(taskIds[0], true));
    } else {
      node.setAttribute('aria-label', `Group of ${taskIds.length} tasks`);
      node.addEventListener('click', () => expandGroups());
    }
  }
  showNotice(collapsed, layout, nodeElements.size);
  if (state.zoom) applyZoom(state.zoom);
  else fit();
  paintStates();
}

/** Says how the graph was drawn when it is not the plain Mermaid drawing of every task. */
function showNotice(collapsed: boolean, layout: GraphLayout, nodeCount: number): void {
  notice.replaceChildren();
  if (layout === 'simple') notice.append(`Large DAG: simple layout. Its ${nodeCount} nodes are laid out directly rather than by Mermaid, which would take several seconds. `);
  if (!collapsed) return;
  const expand = element('button', undefined, 'Expand groups');
  expand.type = 'button';
  expand.addEventListener('click', expandGroups);
  notice.append(`This DAG has ${graph?.tasks.length ?? 0} tasks, so each TaskGroup is drawn as one node. `, expand);
}

function expandGroups(): void {
  save({ expandGroups: true });
  void drawGraph();
}

/** Colours the drawn nodes with the selected run's states by changing their classes: nothing is redrawn. */
function paintStates(): void {
  const run = selectedRun();
  const nodes = new Set(nodesByTask.values());
  for (const node of nodes) {
    const taskIds = JSON.parse(node.dataset.tasks ?? '[]') as string[];
    // A collapsed group shows the worst state of its tasks, by Airflow's own order, as the CLI's graph does.
    const shown = run ? worstState(taskIds.map((t) => (run.cells[t]?.state ?? 'none') as GraphState)) : undefined;
    for (const c of [...node.classList]) if (c.startsWith('state-')) node.classList.remove(c);
    if (shown) node.classList.add(`state-${shown}`);
    node.classList.toggle('selected', selectedTaskId !== undefined && taskIds.includes(selectedTaskId));
  }
}

// ---- The grid, the date list and the details -----------------------------------------------------

function shortDate(iso: string | null, runId: string): string {
  return iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '') : runId;
}

function drawGrid(): void {
  if (!graph || runs.length === 0) {
    grid.replaceChildren(element('p', 'empty', 'No run of this DAG yet: Run makes one.'));
    return;
  }
  const table = element('table');
  const head = element('tr');
  head.append(element('th'));
  for (const run of runs) {
    const th = element('th', run.runId === selectedRunId ? 'selected' : undefined, shortDate(run.logicalDate, run.runId));
    // Runs made by Airflow itself are marked, so they are not read as the simulator's.
    if (run.madeBy !== null) th.append(element('span', 'made-by', ` · ${run.madeBy}`));
    th.title = `${run.runId}: ${run.state}${run.live ? ' (running)' : ''}, ${run.madeBy === null ? `${run.mode} run by Preflight` : `run by ${run.madeBy}`}`;
    head.append(th);
  }
  table.append(element('thead'));
  table.tHead!.append(head);
  const body = element('tbody');
  for (const task of graph.tasks) {
    const row = element('tr');
    row.append(element('th', undefined, task.taskId));
    for (const run of runs) {
      const cell = run.cells[task.taskId];
      const td = element('td');
      const button = element('button', `cell state-${cell?.state ?? 'none'}`);
      button.type = 'button';
      if (run.runId === selectedRunId && task.taskId === selectedTaskId) button.classList.add('selected');
      button.title = `${task.taskId} in ${run.runId}: ${(cell?.state ?? 'none').replace(/_/g, ' ')}`;
      button.setAttribute('aria-label', button.title);
      button.addEventListener('click', () => {
        selectedRunId = run.runId;
        dateSelect.value = run.logicalDate ?? 'next';
        selectTask(task.taskId, true);
      });
      td.append(button);
      row.append(td);
    }
    body.append(row);
  }
  table.append(body);
  grid.replaceChildren(table);
}

function drawDateList(): void {
  const dates = [...new Set([...runs.map((r) => r.logicalDate).filter((d): d is string => d !== null).reverse(), ...pickedDates])];
  const options = [
    new Option('Next run', 'next'),
    ...dates.map((d) => new Option(shortDate(d, d), d)),
    new Option('Another date…', 'pick'),
  ];
  dateSelect.replaceChildren(...options);
  dateSelect.value = selectedRun()?.logicalDate ?? 'next';
}

function selectRun(runId: string | undefined): void {
  selectedRunId = runId;
  dateSelect.value = selectedRun()?.logicalDate ?? 'next';
  paintStates();
  drawGrid();
  if (selectedTaskId) requestDetails(false);
}

function selectTask(taskId: string, reveal: boolean): void {
  selectedTaskId = taskId;
  paintStates();
  drawGrid();
  requestDetails(reveal);
}

function requestDetails(reveal: boolean): void {
  if (!selectedTaskId) return;
  const run = selectedRun();
  vscode.postMessage({ type: 'selectTask', taskId: selectedTaskId, reveal, ...(run ? { run: { entryId: run.entryId, runId: run.runId } } : {}) });
}

function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function section(heading: string, content: Node): HTMLElement[] {
  return [element('h3', undefined, heading), content as HTMLElement];
}

function pairList(pairs: readonly (readonly [string, string])[], empty: string): HTMLElement {
  if (pairs.length === 0) return element('p', 'empty', empty);
  const list = element('dl');
  for (const [name, value] of pairs) {
    // Values may span lines (a rendered SQL statement): each goes into a <pre>.
    const dd = element('dd');
    dd.append(element('pre', undefined, value));
    list.append(element('dt', undefined, name), dd);
  }
  return list;
}

function drawDetails(): void {
  const run = selectedRun();
  clearButton.disabled = !details || !run || run.live || details.runId !== run.runId;
  if (!selectedTaskId) {
    detailsPane.replaceChildren(element('p', 'empty', 'Click a task or a cell of the grid to see its task instance.'));
    return;
  }
  const task = graph?.tasks.find((t) => t.taskId === selectedTaskId);
  if (!details || details.taskId !== selectedTaskId) {
    detailsPane.replaceChildren(element('h2', undefined, selectedTaskId), element('p', 'empty', task ? `${task.operator}: no run of this task is selected.` : 'No such task.'));
    return;
  }
  const facts = element('dl');
  const fact = (name: string, value: string) => facts.append(element('dt', undefined, name), element('dd', undefined, value));
  fact('Operator', details.operator ?? task?.operator ?? '—');
  fact('Run', details.runId);
  fact('State', details.state.replace(/_/g, ' '));
  fact('Tries', String(details.tries));
  fact('Duration', formatDuration(details.durationMs));
  if (details.note) fact('Note', details.note);
  const alerts = element('div');
  if (details.alerts.length === 0) alerts.append(element('p', 'empty', 'None.'));
  for (const alert of details.alerts) alerts.append(element('p', undefined, alert.source), element('pre', undefined, alert.text));
  detailsPane.replaceChildren(
    element('h2', undefined, details.taskId),
    facts,
    ...section('Rendered fields', pairList(details.rendered, 'None.')),
    ...section('XComs', pairList(details.xcom, 'None.')),
    ...section('Log (tail)', details.logTail ? element('pre', undefined, details.logTail) : element('p', 'empty', 'No output.')),
    ...section('Alerts raised', alerts),
  );
}

// ---- Messages -------------------------------------------------------------------------------------

function receive(message: HostMessage): void {
  switch (message.type) {
    case 'graph': {
      save({ target: message.target });
      title.textContent = `${message.target.dagId} — ${message.file}`;
      runButton.textContent = message.trusted ? 'Run' : 'Dry run';
      runButton.title = message.trusted
        ? 'Run the DAG locally for the logical date selected'
        : 'This workspace is not trusted: the run is dry, and executes no task';
      graph = message.graph;
      if (!graph) {
        drawnText = undefined;
        nodesByTask = new Map();
        canvas.replaceChildren();
        notice.textContent = `${message.file} no longer defines the DAG ${message.target.dagId}.`;
      } else {
        void drawGraph();
      }
      drawGrid();
      drawDetails();
      return;
    }
    case 'runs': {
      runs = message.runs;
      const started = runs.filter((r) => !knownRuns.has(r.runId));
      runs.forEach((r) => knownRuns.add(r.runId));
      // Follow a run that just appeared; otherwise keep the user's choice while it still exists.
      if (started.length > 0) selectedRunId = started[started.length - 1].runId;
      else if (!selectedRun()) selectedRunId = runs.at(-1)?.runId;
      for (const r of runs) if (r.logicalDate) pickedDates.delete(r.logicalDate);
      drawDateList();
      paintStates();
      drawGrid();
      drawDetails();
      return;
    }
    case 'details':
      details = message.details;
      drawDetails();
      return;
    case 'logicalDate':
      pickedDates.add(message.logicalDate);
      drawDateList();
      dateSelect.value = message.logicalDate;
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) receive(event.data);
});

// ---- Controls -------------------------------------------------------------------------------------

directionButton.addEventListener('click', () => {
  save({ direction: state.direction === 'LR' ? 'TB' : 'LR' });
  void drawGraph().then(fit);
});
byId('zoom-in').addEventListener('click', () => zoomAbout(1.25, viewport.clientWidth / 2, viewport.clientHeight / 2));
byId('zoom-out').addEventListener('click', () => zoomAbout(0.8, viewport.clientWidth / 2, viewport.clientHeight / 2));
byId('fit').addEventListener('click', fit);

viewport.addEventListener('wheel', (event) => {
  event.preventDefault();
  const zoom = state.zoom ?? { k: 1, x: 0, y: 0 };
  const bounds = viewport.getBoundingClientRect();
  if (event.ctrlKey || event.metaKey) zoomAbout(Math.exp(-event.deltaY / 300), event.clientX - bounds.left, event.clientY - bounds.top);
  else applyZoom({ ...zoom, x: zoom.x - event.deltaX, y: zoom.y - event.deltaY });
}, { passive: false });

viewport.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 || (event.target as Element).closest('g.node')) return;
  const start = { x: event.clientX, y: event.clientY, zoom: state.zoom ?? { k: 1, x: 0, y: 0 } };
  viewport.setPointerCapture(event.pointerId);
  viewport.classList.add('panning');
  const move = (e: PointerEvent) => applyZoom({ ...start.zoom, x: start.zoom.x + e.clientX - start.x, y: start.zoom.y + e.clientY - start.y });
  const end = () => {
    viewport.classList.remove('panning');
    viewport.removeEventListener('pointermove', move);
  };
  viewport.addEventListener('pointermove', move);
  viewport.addEventListener('pointerup', end, { once: true });
  viewport.addEventListener('pointercancel', end, { once: true });
});

dateSelect.addEventListener('change', () => {
  const value = dateSelect.value;
  if (value === 'pick') {
    dateSelect.value = selectedRun()?.logicalDate ?? 'next';
    vscode.postMessage({ type: 'pickDate' });
    return;
  }
  if (value === 'next') return;
  const run = [...runs].reverse().find((r) => r.logicalDate === value);
  if (run) selectRun(run.runId);
});

runButton.addEventListener('click', () => {
  const value = dateSelect.value;
  vscode.postMessage({ type: 'run', logicalDate: value === 'next' || value === 'pick' ? null : value });
});

clearButton.addEventListener('click', () => {
  const run = selectedRun();
  if (run && selectedTaskId) vscode.postMessage({ type: 'clearTask', instance: { entryId: run.entryId, runId: run.runId, taskId: selectedTaskId } });
});

for (const [state, label] of LEGEND) {
  const item = element('li');
  const swatch = element('span', `swatch state-${state}`);
  swatch.title = STATE_COLOURS[state].fill;
  item.append(swatch, label);
  byId('legend').append(item);
}
drawDateList();
drawGrid();
drawDetails();
vscode.postMessage({ type: 'ready' });
