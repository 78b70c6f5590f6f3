// The pure parts of local runs in the editor: what a Clear resets, the verdict each task gets in
// the Testing API, the end-of-run sentence, and the checks of what the user types.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, simulationSummary, taskVerdict } from '../../src/core/report/localRunReport';
import { clearedTasks, resumeAfterClear } from '../../src/core/sim/clear';
import type { DagRunResult, SimulationResult, TaskError, TaskInstanceResult, TaskState } from '../../src/core/sim/types';
import { instantProblem, parseConf, parseInstant, rangeEndProblem, runChoicesFrom } from '../../src/node/runArguments';

/** start >> [left, right]; left >> join; right >> join; join >> end; lone */
const DAG = {
  tasks: [
    { taskId: 'start', upstream: [], downstream: ['left', 'right'] },
    { taskId: 'left', upstream: ['start'], downstream: ['join'] },
    { taskId: 'right', upstream: ['start'], downstream: ['join'] },
    { taskId: 'join', upstream: ['left', 'right'], downstream: ['end'] },
    { taskId: 'end', upstream: ['join'], downstream: [] },
    { taskId: 'lone', upstream: [], downstream: [] },
  ],
};

function task(task_id: string, state: TaskState, extra: { error?: TaskError; note?: string } = {}): TaskInstanceResult {
  return { task_id, state, try_number: 1, start: null, end: null, duration_ms: null, xcom: {}, rendered: {}, log_tail: '', tries: [], ...extra };
}

function run(states: Record<string, TaskState>, errors: Record<string, TaskError> = {}, runState: DagRunResult['state'] = 'failed'): DagRunResult {
  return {
    run_id: 'manual__2024-01-01T00:00:00+00:00', run_type: 'manual', logical_date: '2024-01-01T00:00:00+00:00',
    data_interval_start: '2024-01-01T00:00:00+00:00', data_interval_end: '2024-01-01T00:00:00+00:00',
    state: runState, reason: runState === 'success' ? 'success' : 'task_failure', conf: {}, start: '2024-01-01T00:00:00+00:00', end: '2024-01-01T00:00:01+00:00',
    tasks: Object.entries(states).map(([id, state]) => task(id, state, errors[id] ? { error: errors[id] } : {})),
  };
}

const boom: TaskError = { type: 'ValueError', message: 'bad row', retryable: true };

describe('clearedTasks', () => {
  it('resets the task and everything downstream of it, in task order', () => {
    assert.deepEqual(clearedTasks(DAG, 'left'), ['left', 'join', 'end']);
    assert.deepEqual(clearedTasks(DAG, 'start'), ['start', 'left', 'right', 'join', 'end']);
    assert.deepEqual(clearedTasks(DAG, 'end'), ['end']);
    assert.deepEqual(clearedTasks(DAG, 'lone'), ['lone']);
  });

  it('resets nothing for a task the DAG does not have', () => {
    assert.deepEqual(clearedTasks(DAG, 'nope'), []);
  });

  it('makes the resume of a run from its previous result', () => {
    const previous = run({ start: 'success', left: 'failed', right: 'success', join: 'upstream_failed', end: 'upstream_failed', lone: 'success' });
    assert.deepEqual(resumeAfterClear(DAG, previous, 'left'), { initialRun: previous, cleared: ['left', 'join', 'end'] });
  });
});

describe('taskVerdict', () => {
  const failed = run({ start: 'success', left: 'failed', right: 'skipped', join: 'upstream_failed', end: 'upstream_failed', lone: 'running' }, { left: boom });

  it('passes a success and skips a skipped task', () => {
    assert.deepEqual(taskVerdict(failed, DAG, 'start'), { outcome: 'passed' });
    assert.deepEqual(taskVerdict(failed, DAG, 'right'), { outcome: 'skipped' });
  });

  it('fails a failed task with its error', () => {
    assert.deepEqual(taskVerdict(failed, DAG, 'left'), { outcome: 'failed', message: 'ValueError: bad row' });
  });

  it('fails an upstream_failed task naming the failed task it comes from, through other upstream_failed tasks', () => {
    assert.deepEqual(taskVerdict(failed, DAG, 'join'), { outcome: 'failed', message: 'upstream_failed: left failed (ValueError: bad row)' });
    assert.deepEqual(taskVerdict(failed, DAG, 'end'), { outcome: 'failed', message: 'upstream_failed: left failed (ValueError: bad row)' });
  });

  it('reports a task that never finished as errored, and an unknown task too', () => {
    assert.equal(taskVerdict(failed, DAG, 'lone').outcome, 'errored');
    assert.equal(taskVerdict(failed, DAG, 'ghost').outcome, 'errored');
  });
});

describe('simulationSummary', () => {
  const simulation = (runs: DagRunResult[], alerts = 0): SimulationResult => ({
    dag_id: 'etl', airflow: 3, mode: 'real', runs, warnings: [],
    alerts: Array.from({ length: alerts }, () => ({ kind: 'slack' as const, dag_id: 'etl', task_id: 'left', run_id: runs[0].run_id, source: 'on_failure_callback', text: 'x', sent: false })),
  });

  it('sums up one successful run', () => {
    const ok = run({ start: 'success', lone: 'success' }, {}, 'success');
    assert.deepEqual(simulationSummary(simulation([ok])), { ok: true, text: 'etl: run manual__2024-01-01T00:00:00+00:00 succeeded (2 tasks).' });
  });

  it('names the failed and upstream_failed tasks and counts the alerts', () => {
    const bad = run({ start: 'success', left: 'failed', join: 'upstream_failed' }, { left: boom });
    assert.deepEqual(simulationSummary(simulation([bad], 1)), {
      ok: false, text: 'etl: run manual__2024-01-01T00:00:00+00:00 failed; failed: left; upstream_failed: join; 1 alert.',
    });
  });

  it('counts the runs of a range', () => {
    const ok = run({ start: 'success' }, {}, 'success');
    const bad = { ...run({ start: 'failed' }), run_id: 'scheduled__2' };
    assert.equal(simulationSummary(simulation([ok, bad])).text, 'etl: 1 of 2 runs succeeded; failed: start.');
  });
});

describe('formatDuration', () => {
  it('uses the unit a person reads best', () => {
    assert.deepEqual([850, 1234, 12_345, 245_000].map(formatDuration), ['850 ms', '1.23 s', '12.3 s', '4 min 05 s']);
  });
});

describe('run arguments', () => {
  it('takes ISO times with their offset, as the CLI does', () => {
    assert.equal(parseInstant('2024-01-01T09:30:00+09:00'), Date.parse('2024-01-01T00:30:00Z'));
    assert.equal(parseInstant(' 2024-01-01T00:30Z '), Date.parse('2024-01-01T00:30:00Z'));
    for (const text of ['2024-01-01', '2024-01-01T00:30:00', 'yesterday', '2024-13-45T00:00:00Z']) assert.ok(instantProblem(text), text);
    assert.equal(rangeEndProblem(Date.parse('2024-01-02T00:00:00Z'), '2024-01-01T00:00:00Z'), 'The end of the range is before its start');
  });

  it('takes conf as a JSON object only', () => {
    assert.deepEqual(parseConf(''), { conf: {} });
    assert.deepEqual(parseConf('{"a": 1}'), { conf: { a: 1 } });
    assert.ok('error' in parseConf('[1]'));
    assert.ok('error' in parseConf('{a: 1}'));
  });

  it('reads the options of preflight.runDag', () => {
    assert.deepEqual(runChoicesFrom({ selection: 'next', dry: true }), { selection: { kind: 'next' }, conf: {}, dry: true, failTasks: [] });
    assert.deepEqual(runChoicesFrom({ selection: { from: '2024-01-01T00:00:00Z', to: '2024-01-03T00:00:00Z' }, conf: { x: 1 }, failTasks: ['a'] }), {
      selection: { kind: 'range', from: Date.parse('2024-01-01T00:00:00Z'), to: Date.parse('2024-01-03T00:00:00Z') }, conf: { x: 1 }, dry: false, failTasks: ['a'],
    });
    assert.deepEqual(runChoicesFrom({ selection: { date: '2024-01-01T00:00:00Z' } }), { selection: { kind: 'date', logicalDate: Date.parse('2024-01-01T00:00:00Z') }, conf: {}, dry: false, failTasks: [] });
    assert.match((runChoicesFrom({ selection: { date: '2024-01-01' } }) as { error: string }).error, /^selection\.date: An ISO 8601 time/);
    assert.ok('error' in runChoicesFrom({ dry: 'yes' }));
    assert.ok('error' in runChoicesFrom('next'));
  });
});
