// The DAG panel's page, loaded from the built bundle into headless Chromium under the panel's own
// HTML and Content Security Policy, with a stand-in for the VS Code webview API: what a user sees,
// what a click sends back to the extension, and that hostile task ids stay text.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { STATE_COLOURS, type GraphState, type GraphTask } from '../../src/core/graph/mermaid';
import { SIMPLE_LAYOUT_THRESHOLD } from '../../src/core/graph/simpleLayout';
import { dagPanelHtml } from '../../src/vscode/dagPanelPage';
import type { HostMessage, RunColumn } from '../../webview/protocol';

// Debian's Chromium where the VS Code test host was provisioned; else an installed Google Chrome.
const CHROMIUM = process.env.CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const BUNDLE = readFileSync('dist/webview/main.js', 'utf8');
const ORIGIN = 'https://webview.test';
const SCREENSHOT = 'test-results/dag-panel.png';

/** The variables of VS Code's dark, light and high-contrast themes that the page reads. */
const THEMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  dark: {
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1e1e1e', '--vscode-editorWidget-background': '#252526',
    '--vscode-panel-border': '#454545', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-button-background': '#0e639c',
    '--vscode-button-foreground': '#ffffff', '--vscode-font-family': 'sans-serif', '--vscode-sideBar-background': '#202020',
  },
  light: {
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-panel-border': '#e5e5e5', '--vscode-descriptionForeground': '#717171', '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff', '--vscode-font-family': 'sans-serif', '--vscode-sideBar-background': '#f8f8f8',
  },
  'high-contrast': {
    '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-editorWidget-background': '#0c141f',
    '--vscode-panel-border': '#6fc3df', '--vscode-descriptionForeground': '#ffffff', '--vscode-button-background': '#000000',
    '--vscode-button-foreground': '#ffffff', '--vscode-font-family': 'sans-serif', '--vscode-sideBar-background': '#000000',
  },
};

let browser: Browser;

before(async () => {
  browser = await chromium.launch({
    ...(CHROMIUM ? { executablePath: CHROMIUM } : { channel: 'chrome' }),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
});

interface PageProbe {
  readonly page: Page;
  readonly dialogs: string[];
}

/**
 * A page served as the panel serves it, CSP included, with the messages it posts collected in
 * `window.posted` and every CSP violation in `window.violations`.
 */
async function openPage(): Promise<PageProbe> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.route(`${ORIGIN}/**`, (route) => route.request().url().endsWith('/main.js')
    ? route.fulfill({ contentType: 'text/javascript', body: BUNDLE })
    : route.fulfill({ contentType: 'text/html', body: dagPanelHtml({ nonce: 'test-nonce', scriptUri: `${ORIGIN}/main.js` }) }));
  // Init scripts run before the page's own and are not subject to its CSP. Written as page source,
  // not as a function: tsx compiles functions with a `__name` helper that only exists in Node.
  await page.addInitScript({
    content: `window.__name = (f) => f;
      window.posted = [];
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
      let saved;
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => saved, setState: (s) => { saved = s; } });`,
  });
  await page.goto(`${ORIGIN}/index.html`);
  return { page, dialogs };
}

async function post(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as { posted: unknown[] }).posted);
const violations = (page: Page) => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

const QUOTE_INJECTION = 'x"]; click x call alert(1) %%';
const HTML_INJECTION = '<img src=x onerror=alert(1)>';

const GRAPH = {
  type: 'graph',
  target: { uri: 'file:///work/dags/fan_out.py', dagId: 'fan_out' },
  file: 'dags/fan_out.py',
  trusted: true,
  graph: {
    dagId: 'fan_out',
    tasks: [
      { taskId: 'extract', operator: 'BashOperator', upstream: [], mapped: false },
      { taskId: 'transform', operator: 'PythonOperator', upstream: ['extract'], mapped: true, group: 'work' },
      { taskId: QUOTE_INJECTION, operator: 'EmptyOperator', upstream: ['extract'], mapped: false },
      { taskId: HTML_INJECTION, operator: 'EmptyOperator', upstream: ['transform'], mapped: false },
      { taskId: 'load', operator: 'BashOperator', upstream: ['transform', QUOTE_INJECTION], mapped: false },
    ],
    groups: [{ groupId: 'work' }],
  },
} satisfies HostMessage;
const EDGES = 5;

const RUN_STATES: Record<string, GraphState> = {
  extract: 'success', transform: 'failed', [QUOTE_INJECTION]: 'skipped', [HTML_INJECTION]: 'upstream_failed', load: 'upstream_failed',
};

function column(runId: string, states: Record<string, GraphState>, live = false, madeBy: string | null = null): RunColumn {
  return {
    entryId: `entry-${runId}`, runId, logicalDate: runId.split('__')[1], mode: 'dry', madeBy, state: live ? 'running' : 'failed', live,
    cells: Object.fromEntries(Object.entries(states).map(([taskId, state]) => [taskId, { state, tries: 1, durationMs: 12 }])),
  };
}

const RUNS = {
  type: 'runs',
  runs: [
    column('scheduled__2024-01-01T00:00:00+00:00', Object.fromEntries(Object.keys(RUN_STATES).map((t) => [t, 'success']))),
    column('scheduled__2024-01-02T00:00:00+00:00', RUN_STATES),
  ],
} satisfies HostMessage;

function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/** Each drawn task's label and the fill of its shape. */
async function nodeFills(page: Page): Promise<Record<string, string>> {
  await page.waitForSelector('#canvas svg g.node');
  return page.$$eval('#canvas svg g.node', (nodes) => Object.fromEntries(nodes.map((n) => {
    const [taskId] = JSON.parse((n as SVGGElement).dataset.tasks ?? '[]') as string[];
    const shape = n.querySelector(':scope > rect, :scope > polygon, :scope > path, :scope > g > path')!;
    return [taskId, getComputedStyle(shape).fill];
  })));
}

describe('DAG panel page', () => {
  it('says it is ready, then draws a node per task and an edge per dependency', async () => {
    const { page } = await openPage();
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    await post(page, GRAPH);
    await page.waitForSelector('#canvas svg g.node');
    assert.equal(await page.$$eval('#canvas svg g.node', (n) => n.length), 5);
    assert.equal(await page.$$eval('#canvas svg path.flowchart-link', (e) => e.length), EDGES);
    assert.equal(await page.$$eval('#canvas svg g.cluster', (c) => c.length), 1, 'the TaskGroup is a subgraph');
    assert.match(await page.textContent('#title') ?? '', /^fan_out/);
    // Mermaid's scratch drawing tries inline styles, which the CSP blocks; nothing ever tries a script.
    assert.deepEqual((await violations(page)).filter((v) => !v.startsWith('style-src')), [], 'Mermaid draws under the panel\'s CSP');
  });

  it('colours each node with its state in the selected run, in Airflow\'s colours', async () => {
    const { page } = await openPage();
    await post(page, GRAPH);
    await post(page, RUNS);
    const fills = await nodeFills(page);
    assert.deepEqual(fills, Object.fromEntries(Object.entries(RUN_STATES).map(([t, s]) => [t, rgb(STATE_COLOURS[s].fill)])));
    const legend = await page.$$eval('#legend li', (items) => items.map((i) => i.textContent));
    assert.deepEqual(legend, ['success', 'failed', 'running', 'queued', 'scheduled', 'up for retry', 'upstream failed', 'skipped', 'no status']);

    // A screenshot in each kind of theme, with the theme's variables set through the CSSOM as VS Code
    // sets them; the state colours are Airflow's in all three. (images/graph.png is the dark one.)
    mkdirSync('test-results', { recursive: true });
    for (const [theme, vars] of Object.entries(THEMES)) {
      await page.evaluate((variables) => {
        for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
        document.body.style.background = variables['--vscode-editor-background'];
      }, vars);
      await page.click('#fit');
      await page.screenshot({ path: SCREENSHOT.replace('.png', `-${theme}.png`), fullPage: true });
      assert.deepEqual(await nodeFills(page), fills, `the state colours in the ${theme} theme`);
    }
  });

  it('updates the states of the drawn nodes during a run without drawing them again', async () => {
    const { page } = await openPage();
    await post(page, GRAPH);
    await post(page, RUNS);
    await nodeFills(page);
    await page.evaluate(() => ((window as unknown as { firstNode: Element }).firstNode = document.querySelector('#canvas svg g.node')!));
    const live = column('manual__2024-01-03T00:00:00+00:00', { extract: 'running' }, true);
    await post(page, { type: 'runs', runs: [...RUNS.runs, live] });
    assert.equal(await page.evaluate(() => (window as unknown as { firstNode: Element }).firstNode === document.querySelector('#canvas svg g.node')), true);
    const fills = await nodeFills(page);
    assert.equal(fills.extract, rgb(STATE_COLOURS.running.fill), 'the page follows the run that just started');
    assert.equal(fills.load, rgb(STATE_COLOURS.none.fill));
  });

  it('draws hostile task ids as text and runs none of them', async () => {
    const { page, dialogs } = await openPage();
    await post(page, GRAPH);
    await post(page, RUNS);
    await nodeFills(page);
    const labels = await page.$$eval('#canvas svg g.node', (nodes) => nodes.map((n) => n.textContent));
    assert.ok(labels.some((l) => l?.includes(QUOTE_INJECTION)), `the quote injection is a label: ${JSON.stringify(labels)}`);
    assert.ok(labels.some((l) => l?.includes(HTML_INJECTION)), 'the markup injection is a label');
    await page.click(`#canvas svg g.node[aria-label="Task ${HTML_INJECTION}"]`);
    await post(page, {
      type: 'details',
      details: {
        entryId: 'entry-scheduled__2024-01-02T00:00:00+00:00', runId: 'scheduled__2024-01-02T00:00:00+00:00', taskId: HTML_INJECTION, operator: 'EmptyOperator',
        state: 'upstream_failed', tries: 0, durationMs: null, note: HTML_INJECTION, rendered: [[HTML_INJECTION, HTML_INJECTION]], xcom: [],
        logTail: HTML_INJECTION, alerts: [{ source: 'on_failure_callback', text: HTML_INJECTION }],
      },
    });
    assert.match(await page.textContent('#details') ?? '', /upstream failed/);
    assert.equal(await page.$$eval('img', (imgs) => imgs.length), 0);
    assert.equal(await page.$$eval('#canvas svg [onclick], #canvas svg a', (e) => e.length), 0);
    assert.deepEqual(dialogs, []);
    assert.deepEqual((await violations(page)).filter((v) => v.startsWith('script-src')), [], 'no script was even attempted');
  });

  it('selects a task instance from the graph and the grid, and asks to reveal it', async () => {
    const { page } = await openPage();
    await post(page, GRAPH);
    await post(page, RUNS);
    await nodeFills(page);
    assert.equal(await page.$$eval('#grid .cell', (cells) => cells.length), 5 * 2, 'a cell per task and run');
    await page.click('#canvas svg g.node[aria-label="Task extract"]');
    await page.click('#grid .cell[aria-label^="transform in scheduled__2024-01-01"]');
    const [, fromGraph, fromGrid] = await posted(page) as unknown[];
    assert.deepEqual(fromGraph, { type: 'selectTask', taskId: 'extract', reveal: true, run: { entryId: 'entry-scheduled__2024-01-02T00:00:00+00:00', runId: 'scheduled__2024-01-02T00:00:00+00:00' } });
    assert.deepEqual(fromGrid, { type: 'selectTask', taskId: 'transform', reveal: true, run: { entryId: 'entry-scheduled__2024-01-01T00:00:00+00:00', runId: 'scheduled__2024-01-01T00:00:00+00:00' } });
    assert.equal((await nodeFills(page)).transform, rgb(STATE_COLOURS.success.fill), 'the graph shows the run of the clicked cell');
    await page.click('#run');
    assert.deepEqual((await posted(page)).at(-1), { type: 'run', logicalDate: '2024-01-01T00:00:00+00:00' });
  });

  it('marks the runs that Airflow or a deployment made, beside the simulator\'s', async () => {
    const { page } = await openPage();
    await post(page, GRAPH);
    const success = Object.fromEntries(Object.keys(RUN_STATES).map((t) => [t, 'success' as GraphState]));
    await post(page, { type: 'runs', runs: [
      column('scheduled__2024-01-01T00:00:00+00:00', success),
      column('manual__2024-01-02T00:00:00+00:00', success, false, 'Airflow'),
      column('manual__2024-01-03T00:00:00+00:00', RUN_STATES, false, 'prod <eu>'),
    ] });
    await page.waitForSelector('#grid thead th .made-by');
    const headers = await page.$$eval('#grid thead th', (ths) => ths.slice(1).map((th) => ({ text: th.textContent, title: (th as HTMLElement).title })));
    assert.deepEqual(headers.map((h) => h.text), ['2024-01-01 00:00', '2024-01-02 00:00 · Airflow', '2024-01-03 00:00 · prod <eu>']);
    assert.match(headers[0].title, /dry run by Preflight$/);
    assert.match(headers[2].title, /run by prod <eu>$/);
  });

  it('keeps the zoom when the file changes and the graph is drawn again', async () => {
    const { page } = await openPage();
    await post(page, GRAPH);
    await page.waitForSelector('#canvas svg g.node');
    await page.click('#zoom-in');
    const zoomed = await page.$eval('#canvas', (c) => (c as HTMLElement).style.transform);
    await post(page, { ...GRAPH, graph: { ...GRAPH.graph, tasks: [...GRAPH.graph.tasks, { taskId: 'report', operator: 'EmptyOperator', upstream: ['load'], mapped: false }] } });
    await page.waitForFunction(() => document.querySelectorAll('#canvas svg g.node').length === 6);
    assert.equal(await page.$eval('#canvas', (c) => (c as HTMLElement).style.transform), zoomed);
  });

  it('draws a DAG past the threshold with the simple layout, says so, and colours, clicks and escapes it as Mermaid\'s', async () => {
    // A chain with a fan-out every tenth task, one TaskGroup, a mapped task and both hostile ids.
    const taskCount = SIMPLE_LAYOUT_THRESHOLD + 50;
    const tasks: GraphTask[] = Array.from({ length: taskCount - 2 }, (_, i) => ({
      taskId: `task_${i}`, operator: i % 2 ? 'PythonOperator' : 'BashOperator', mapped: i === 7,
      upstream: i === 0 ? [] : i % 10 === 0 ? [`task_${i - 1}`, `task_${i - 10}`] : [`task_${i - 1}`],
      ...(i >= 20 && i < 30 ? { group: 'work' } : {}),
    }));
    tasks.push({ taskId: QUOTE_INJECTION, operator: 'EmptyOperator', upstream: ['task_5'], mapped: false });
    tasks.push({ taskId: HTML_INJECTION, operator: 'EmptyOperator', upstream: [QUOTE_INJECTION, 'task_6'], mapped: false });
    const edges = tasks.reduce((n, t) => n + t.upstream.length, 0);
    const { page, dialogs } = await openPage();
    await post(page, { ...GRAPH, graph: { dagId: 'large', tasks, groups: [{ groupId: 'work' }] } });
    await page.waitForSelector('#canvas svg g.node');
    assert.equal(await page.$$eval('#canvas svg g.node', (n) => n.length), taskCount);
    assert.equal(await page.$$eval('#canvas svg path.flowchart-link', (e) => e.length), edges);
    assert.equal(await page.$$eval('#canvas svg g.cluster', (c) => c.length), 1, 'the TaskGroup is a box around its tasks');
    assert.match(await page.textContent('#notice') ?? '', /^Large DAG: simple layout\./);

    const states: Record<string, GraphState> = { task_0: 'success', task_7: 'running', [HTML_INJECTION]: 'failed' };
    await post(page, { type: 'runs', runs: [column('scheduled__2024-01-02T00:00:00+00:00', states)] });
    const fills = await nodeFills(page);
    assert.equal(fills.task_0, rgb(STATE_COLOURS.success.fill));
    assert.equal(fills.task_7, rgb(STATE_COLOURS.running.fill), 'the mapped task\'s double-sided box takes its state colour');
    assert.equal(fills[HTML_INJECTION], rgb(STATE_COLOURS.failed.fill));
    assert.equal(fills.task_1, rgb(STATE_COLOURS.none.fill), 'a task the run lacks has no status');

    const labels = await page.$$eval('#canvas svg g.node text', (texts) => texts.map((t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent)));
    assert.deepEqual(labels.find(([taskId]) => taskId === QUOTE_INJECTION), [QUOTE_INJECTION, 'EmptyOperator']);
    assert.deepEqual(labels.find(([taskId]) => taskId === HTML_INJECTION), [HTML_INJECTION, 'EmptyOperator']);
    assert.deepEqual(labels.find(([taskId]) => taskId === 'task_7'), ['task_7', 'PythonOperator [ ]']);
    assert.equal(await page.$$eval('#canvas img, #canvas svg [onclick], #canvas svg [onerror], #canvas svg a, #canvas svg foreignObject', (e) => e.length), 0);

    // The chain is wider than the viewport even fitted, so the click is dispatched to the node rather than aimed.
    await page.dispatchEvent(`#canvas svg g.node[aria-label="Task ${HTML_INJECTION}"]`, 'click');
    assert.deepEqual((await posted(page)).at(-1), { type: 'selectTask', taskId: HTML_INJECTION, reveal: true, run: { entryId: 'entry-scheduled__2024-01-02T00:00:00+00:00', runId: 'scheduled__2024-01-02T00:00:00+00:00' } });
    await page.click('#fit');
    const transform = await page.$eval('#canvas', (c) => (c as HTMLElement).style.transform);
    assert.match(transform, /scale\(0\.\d+\)/, `the fitted graph is scaled down: ${transform}`);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-large.png') });
    assert.deepEqual(dialogs, []);
    assert.deepEqual((await violations(page)).filter((v) => v.startsWith('script-src')), [], 'no script was even attempted');
  });

  it('ignores messages that are not of the protocol', async () => {
    const { page } = await openPage();
    await post(page, GRAPH);
    await page.waitForSelector('#canvas svg g.node');
    await post(page, { type: 'graph', target: { uri: 'x', dagId: 'y' }, file: 'x', trusted: true, graph: { dagId: 1, tasks: [] } });
    await post(page, { type: 'runs', runs: [{ runId: 'r' }] });
    await post(page, 'graph');
    assert.match(await page.textContent('#title') ?? '', /^fan_out/);
    assert.equal(await page.$$eval('#canvas svg g.node', (n) => n.length), 5);
  });
});
