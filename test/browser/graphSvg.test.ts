// `preflight graph --format svg` draws with real Mermaid in Debian's Chromium, which the browser
// tests always have (the integration suite's host provisioning installs it before they run).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { generateDagFile } from '../../bench/generate';
import { analyzeDagFile } from '../../src/core/dag/analyze';
import { SIMPLE_LAYOUT_THRESHOLD } from '../../src/core/graph/simpleLayout';

const HOSTILE = 'test/fixtures/graph/hostile_ids.py';
const TASK_IDS = ['start', 'x"]; click x call alert(1) %%', '<img src=x onerror=alert(1)>', 'fan.copy', 'fan.`tick` #1; done'];

function preflight(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

it('preflight graph --format svg draws the graph with Mermaid in Chromium, every task id as text', () => {
  const { status, stdout, stderr } = preflight('graph', HOSTILE, '--format', 'svg');
  assert.equal(status, 0, stderr);
  assert.ok(stdout.startsWith('<svg'), stdout.slice(0, 200));
  // No element or event-handler attribute came from a task id: they are all text between tags.
  assert.doesNotMatch(stdout, /<(img|script|foreignObject)\b|<[^>]*\son\w+=/i);
  const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" };
  // Mermaid writes each line of a label as a `row` tspan of the label's <text>.
  const texts = [...stdout.replace(/<style>[\s\S]*?<\/style>/g, '').matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)]
    .flatMap(([, inner]) => inner.replace(/<tspan[^>]*\brow\b[^>]*>/g, '\n').replace(/<[^>]+>/g, '').split('\n'))
    .map((line) => line.replace(/&(lt|gt|amp|quot|#39);/g, (_, name: string) => entities[name]));
  for (const id of TASK_IDS) assert.ok(texts.includes(id), `${JSON.stringify(id)} is drawn as text; texts: ${JSON.stringify(texts)}`);
});

it('preflight graph --format svg draws a DAG past the threshold with the simple layout, as the panel does, and says so', () => {
  const taskCount = SIMPLE_LAYOUT_THRESHOLD + 50;
  const source = generateDagFile(taskCount);
  const [dag] = analyzeDagFile(source).dags;
  const scratch = mkdtempSync(join(tmpdir(), 'preflight-graph-'));
  const file = join(scratch, 'large.py');
  writeFileSync(file, source);
  const { status, stdout, stderr } = preflight('graph', file, '--format', 'svg');
  rmSync(scratch, { recursive: true, force: true });
  assert.equal(status, 0, stderr);
  assert.match(stderr, /DAG generated is large: drawn with the simple layout/);
  assert.ok(stdout.startsWith('<svg'), stdout.slice(0, 200));
  assert.equal(stdout.match(/<g class="node /g)?.length, taskCount);
  assert.equal(stdout.match(/<path class="flowchart-link"/g)?.length, dag.tasks.reduce((n, t) => n + t.upstream.length, 0));
  assert.ok(stdout.includes(`<tspan x="0" y="-9" dy="0.35em">task_${taskCount - 1}</tspan>`), 'each label is text');
});
