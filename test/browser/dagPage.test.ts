// The DAG panel's page, loaded from the built bundle into headless Chromium with a stand-in for the
// VS Code webview API: what a user sees and what a click sends back to the extension.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage } from '../../webview/protocol';

// Debian's Chromium where the VS Code test host was provisioned; else an installed Google Chrome.
const CHROMIUM = process.env.CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const BUNDLE = readFileSync('dist/webview/main.js', 'utf8');

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

/** A page running the bundle, with the messages it posts collected in `window.posted`. */
async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent('<!DOCTYPE html><html><body><main id="root"></main></body></html>');
  // Written as page source, not as a function: tsx compiles functions with a `__name` helper that only
  // exists in Node, and functions given to page.evaluate run in the browser. The helper is defined
  // for the small callbacks below.
  await page.addScriptTag({
    content: `window.__name = (f) => f;
      window.posted = [];
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m) });`,
  });
  await page.addScriptTag({ content: BUNDLE });
  return page;
}

async function post(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as { posted: unknown[] }).posted);

const MODEL: HostMessage = {
  type: 'model',
  file: 'dags/fan_out.py',
  dags: [{
    dagId: 'fan_out',
    layers: [['task1'], ['task2', 'x"]; click x call alert(1) %%', '<img src=x onerror=alert(1)>']],
    tasks: [
      { taskId: 'task1', operator: 'BashOperator', upstream: [], mapped: false },
      { taskId: 'task2', operator: 'PythonOperator', upstream: ['task1'], mapped: true },
      { taskId: 'x"]; click x call alert(1) %%', operator: 'EmptyOperator', upstream: ['task1'], mapped: false },
      { taskId: '<img src=x onerror=alert(1)>', operator: 'EmptyOperator', upstream: ['task1'], mapped: false },
    ],
  }],
};

describe('DAG panel page', () => {
  it('says it is ready, then draws each layer of tasks in order', async () => {
    const page = await openPage();
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    await post(page, MODEL);
    const layers = await page.$$eval('.layer', (columns) => columns.map((c) => [...c.querySelectorAll('.task-id')].map((t) => t.textContent)));
    assert.deepEqual(layers, MODEL.dags[0].layers);
    assert.equal(await page.textContent('.dag-id'), 'fan_out');
    assert.equal(await page.$$eval('.operator', (ops) => ops[1].textContent), 'PythonOperator [ ]', 'a mapped task is marked');
  });

  it('shows hostile task ids as text and runs none of them', async () => {
    const page = await openPage();
    await post(page, MODEL);
    assert.equal(await page.$$eval('img', (imgs) => imgs.length), 0);
    const ids = await page.$$eval('.task-id', (spans) => spans.map((s) => s.textContent));
    assert.ok(ids.includes('<img src=x onerror=alert(1)>'));
  });

  it('asks the extension to reveal a task when it is clicked', async () => {
    const page = await openPage();
    await post(page, MODEL);
    await page.click('.task >> text=task2');
    assert.deepEqual((await posted(page)).slice(1), [{ type: 'revealTask', dagId: 'fan_out', taskId: 'task2' }]);
  });

  it('ignores messages that are not of the protocol', async () => {
    const page = await openPage();
    await post(page, MODEL);
    await post(page, { type: 'model', file: 'x', dags: [{ dagId: 1 }] });
    await post(page, 'model');
    assert.equal(await page.textContent('.dag-id'), 'fan_out');
  });

  it('says so when the file has no DAG', async () => {
    const page = await openPage();
    await post(page, { type: 'model', file: 'x.py', dags: [] });
    assert.equal(await page.textContent('.empty'), 'No DAG found in this file.');
  });
});
