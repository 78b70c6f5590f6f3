// The graph rows of `npm run bench`: from a DAG's model to its graph drawn, in the DAG panel's page and
// by `preflight graph --format svg`, each on the path it takes for the DAG's size (Mermaid, or the
// simple layout past SIMPLE_LAYOUT_THRESHOLD nodes).
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { analyzeDagFile } from '../src/core/dag/analyze';
import { dagMermaid, graphDrawing, graphInputFromModel, type GraphInput } from '../src/core/graph/mermaid';
import { graphLayoutFor } from '../src/core/graph/simpleLayout';
import { chromiumPath, MermaidPage } from '../src/node/mermaidSvg';
import { dagPanelHtml } from '../src/vscode/dagPanelPage';
import type { HostMessage } from '../webview/protocol';
import { generateDagFile } from './generate';

/** A row of bench/results.json (the shape of `Row` in run.ts). */
interface GraphRow {
  name: string;
  ours_ms: number;
  peer: string;
  peer_ms: number;
  ratio: number;
}

const ROUNDS = 5;
const ORIGIN = 'https://webview.test';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function timeAsync(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** The page's bundle built from the sources as a release builds it (minified), so that the rows never time a stale dist/. */
async function panelBundle(): Promise<string> {
  const { outputFiles } = await esbuild.build({
    entryPoints: ['webview/main.ts'], bundle: true, write: false, minify: true, legalComments: 'none', platform: 'browser', format: 'iife', target: 'es2022',
  });
  return outputFiles[0].text;
}

/** A fresh DAG panel page, served as the panel serves it (CSP included), once it has said it is ready. */
async function openPanelPage(browser: Browser, bundle: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  await page.route(`${ORIGIN}/**`, (route) => route.request().url().endsWith('/main.js')
    ? route.fulfill({ contentType: 'text/javascript', body: bundle })
    : route.fulfill({ contentType: 'text/html', body: dagPanelHtml({ nonce: 'bench-nonce', scriptUri: `${ORIGIN}/main.js` }) }));
  await page.addInitScript({
    content: `window.acquireVsCodeApi = () => ({ postMessage: (m) => { if (m.type === 'ready') window.panelReady = true; }, getState: () => undefined, setState: () => {} });`,
  });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction('window.panelReady === true');
  return page;
}

/**
 * The milliseconds from the host's graph message to the page's next frame after it put all
 * `nodeCount` nodes into its canvas: what the user waits for. Each round is a new page, as each
 * panel is, so nothing is cached between rounds.
 */
async function timePanel(browser: Browser, bundle: string, graph: GraphInput, nodeCount: number): Promise<number> {
  const message: HostMessage = { type: 'graph', target: { uri: 'file:///bench/generated.py', dagId: graph.dagId }, file: 'generated.py', graph, trusted: true };
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const page = await openPanelPage(browser, bundle);
    try {
      // Written as page source, not as a function: tsx would compile one with a helper only Node has.
      times.push(await page.evaluate(`new Promise((resolve) => {
        const canvas = document.getElementById('canvas');
        const start = performance.now();
        const observer = new MutationObserver(() => {
          if (canvas.querySelectorAll('g.node').length !== ${nodeCount}) return;
          observer.disconnect();
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)));
        });
        observer.observe(canvas, { childList: true });
        window.postMessage(${JSON.stringify(message)}, '*');
      })`) as number);
    } finally {
      await page.close();
    }
  }
  return median(times);
}

/**
 * For generated DAGs of 50, 200 and 500 tasks, on the path each takes: the DAG panel's page drawing
 * the graph message the host sends, and `preflight graph --format svg`'s drawing of the model. The
 * peer of both is Mermaid's own parser reading the graph's Mermaid text in a Chromium page, the least
 * any Mermaid drawing of that text costs.
 */
export async function graphRows(): Promise<GraphRow[]> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('the graph rows need Chromium (/usr/bin/chromium or $CHROMIUM)');
  const bundle = await panelBundle();
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'] });
  const mermaidPage = await MermaidPage.open();
  try {
    const rows: GraphRow[] = [];
    for (const taskCount of [50, 200, 500]) {
      const [dag] = analyzeDagFile(generateDagFile(taskCount)).dags;
      if (dag?.tasks.length !== taskCount) throw new Error(`the generated DAG did not analyse to ${taskCount} tasks`);
      const input = graphInputFromModel(dag);
      const layout = graphLayoutFor(graphDrawing(input));
      const { text } = dagMermaid(input);
      const peer = await timeAsync(async () => {
        if (!(await mermaidPage.parse(text))) throw new Error('Mermaid did not parse the graph');
      });
      const panel = await timePanel(browser, bundle, input, taskCount);
      rows.push({ name: `DAG panel, ${taskCount}-task DAG: graph message to nodes drawn (${layout} layout)`, ours_ms: panel, peer: 'mermaid.parse of the same graph, Chromium', peer_ms: peer, ratio: panel / peer });
      let svg = '';
      const cli = await timeAsync(async () => (svg = (await mermaidPage.draw(graphInputFromModel(dag))).svg));
      const drawn = svg.match(/<g class="node /g)?.length ?? 0;
      if (drawn !== taskCount) throw new Error(`preflight graph drew ${drawn} of the ${taskCount} tasks`);
      rows.push({ name: `preflight graph --format svg, ${taskCount}-task DAG: model to SVG (${layout} layout)`, ours_ms: cli, peer: 'mermaid.parse of the same graph, Chromium', peer_ms: peer, ratio: cli / peer });
    }
    return rows;
  } finally {
    await mermaidPage.close();
    await browser.close();
  }
}
