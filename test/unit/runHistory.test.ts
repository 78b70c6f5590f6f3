// The run history file: what survives a reload, how many runs a DAG keeps, and what happens to a
// file that is not a history (a crash of another tool, a hand edit, a future format).
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DagRunResult, SimulationResult } from '../../src/core/sim/types';
import { capHistory, HISTORY_FORMAT, RunHistory, type RunHistoryEntry } from '../../src/node/runHistory';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const DAY = 86_400_000;

function dagRun(index: number): DagRunResult {
  const logical = new Date(T0 + index * DAY).toISOString();
  return {
    run_id: `scheduled__${logical}`, run_type: 'scheduled', logical_date: logical, data_interval_start: logical, data_interval_end: logical,
    state: 'success', reason: 'success', conf: {}, start: logical, end: logical,
    tasks: [{ task_id: 't', state: 'success', try_number: 1, start: logical, end: logical, duration_ms: 5, xcom: { return_value: index }, rendered: {}, log_tail: `run ${index}\n`, tries: [] }],
  };
}

function result(dagId: string, runs: DagRunResult[]): SimulationResult {
  return {
    dag_id: dagId, airflow: 3, mode: 'dry', runs, warnings: [],
    alerts: runs.map((r) => ({ kind: 'slack', dag_id: dagId, task_id: 't', run_id: r.run_id, source: 'on_failure_callback', text: `alert for ${r.run_id}`, sent: false })),
  };
}

let serial = 0;
function entry(dagId: string, runs: DagRunResult[] = [dagRun(0)], overrides: Partial<RunHistoryEntry> = {}): RunHistoryEntry {
  serial++;
  return {
    id: `${dagId}-${serial}`, dagId, file: `/dags/${dagId}.py`, mode: 'dry', selection: { kind: 'next' }, conf: {},
    startedAt: T0 + serial, finishedAt: T0 + serial + 10, status: 'finished',
    tasks: [{ taskId: 't', upstream: [], downstream: [], line: 7 }], result: result(dagId, runs),
    ...overrides,
  };
}

describe('RunHistory', () => {
  let folder: string;
  let file: string;
  let warnings: string[];
  const history = () => new RunHistory(file, (message) => warnings.push(message));

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'preflight-history-'));
    // The storage folder may not exist yet on a first run: the history creates it.
    file = join(folder, 'storage', 'runs.json');
    warnings = [];
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('starts empty, without a warning, when there is no file yet', async () => {
    assert.deepEqual(await history().load(), []);
    assert.deepEqual(warnings, []);
  });

  it('gives back after a reload what was appended, in order', async () => {
    const first = history();
    await first.load();
    const a = entry('a');
    const b = entry('b');
    await first.append(a);
    await first.append(b);
    assert.deepEqual(await history().load(), [a, b]);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).format, HISTORY_FORMAT);
  });

  it('replaces an entry appended again with the same id, where it was', async () => {
    const runs = history();
    await runs.load();
    const running = entry('a', [], { status: 'running', result: null, finishedAt: null });
    const other = entry('b');
    await runs.append(running);
    await runs.append(other);
    const finished = { ...running, status: 'finished' as const, result: result('a', [dagRun(1)]), finishedAt: T0 + 99 };
    await runs.append(finished);
    assert.deepEqual((await history().load()).map((e) => [e.id, e.status]), [[running.id, 'finished'], [other.id, 'finished']]);
  });

  it('reads a run that was still running when the window closed as interrupted', async () => {
    const runs = history();
    await runs.load();
    await runs.append(entry('a', [], { status: 'running', result: null, finishedAt: null }));
    const [reloaded] = await history().load();
    assert.equal(reloaded.status, 'interrupted');
  });

  it('writes through a temporary file and leaves none behind, even with writes in flight together', async () => {
    const runs = history();
    await runs.load();
    const entries = Array.from({ length: 20 }, (_, i) => entry(`dag${i % 3}`));
    await Promise.all(entries.map((e) => runs.append(e)));
    assert.deepEqual(readdirSync(join(folder, 'storage')), ['runs.json']);
    assert.deepEqual((await history().load()).map((e) => e.id), entries.map((e) => e.id));
  });

  it('sets a corrupted file aside as .bak, warns, starts empty and then writes a good file', async () => {
    const runs = history();
    await runs.save([]);
    writeFileSync(file, '{"format": 1, "entries": [{"id": "half-writ');
    assert.deepEqual(await runs.load(), []);
    assert.equal(readFileSync(`${file}.bak`, 'utf8'), '{"format": 1, "entries": [{"id": "half-writ');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /not JSON.*kept as .*runs\.json\.bak/);
    const a = entry('a');
    await runs.append(a);
    assert.deepEqual(await history().load(), [a]);
  });

  it('sets aside a file of another format or with a malformed entry', async () => {
    for (const text of [JSON.stringify({ format: 99, entries: [] }), JSON.stringify({ format: HISTORY_FORMAT, entries: [{ id: 3 }] }), '[]']) {
      await history().save([]);
      writeFileSync(file, text);
      warnings = [];
      assert.deepEqual(await history().load(), []);
      assert.equal(warnings.length, 1, text);
      assert.equal(readFileSync(`${file}.bak`, 'utf8'), text);
    }
  });
});

describe('capHistory', () => {
  it('keeps the newest runs of each DAG and every DAG under the cap', () => {
    const a = Array.from({ length: 60 }, () => entry('a'));
    const b = Array.from({ length: 5 }, () => entry('b'));
    const capped = capHistory([...a.slice(0, 30), ...b, ...a.slice(30)], 50);
    assert.deepEqual(capped.filter((e) => e.dagId === 'a').map((e) => e.id), a.slice(10).map((e) => e.id));
    assert.deepEqual(capped.filter((e) => e.dagId === 'b').map((e) => e.id), b.map((e) => e.id));
  });

  it('counts the DAG runs of a range, keeping the latest runs of an entry and their alerts', () => {
    const older = entry('a', [dagRun(0), dagRun(1)]);
    const range = entry('a', Array.from({ length: 4 }, (_, i) => dagRun(10 + i)));
    const capped = capHistory([older, range], 3);
    assert.deepEqual(capped.map((e) => e.id), [range.id]);
    const runIds = capped[0].result!.runs.map((r) => r.run_id);
    assert.deepEqual(runIds, [dagRun(11), dagRun(12), dagRun(13)].map((r) => r.run_id));
    assert.deepEqual(capped[0].result!.alerts.map((a) => a.run_id), runIds);
  });

  it('counts an entry without a result as one run', () => {
    const running = entry('a', [], { status: 'running', result: null, finishedAt: null });
    assert.deepEqual(capHistory([entry('a'), entry('a'), running], 2).map((e) => e.status), ['finished', 'running']);
  });
});
