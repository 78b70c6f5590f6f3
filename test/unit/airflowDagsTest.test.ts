// The Node end of "Run with local Airflow" without Airflow: the driver's events (as
// python/preflight_airflow/dags_test.py writes them) folded into live events and a result, the
// problems' set-up commands, and the command line's refusals.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { SimulationEvent } from '../../src/core/sim/types';
import { AirflowRunRecorder, locateInFile, parseDriverEvent, problemFromDriver, taskStateOf, TESTED_AIRFLOW, type DriverEvent } from '../../src/node/airflowDagsTest';

const FILE = '/dags/etl.py';
const RUN = {
  run_id: 'manual__2024-01-01T00:00:00+00:00', run_type: 'manual', logical_date: '2024-01-01T00:00:00+00:00',
  data_interval_start: '2024-01-01T00:00:00+00:00', data_interval_end: '2024-01-01T00:00:00+00:00', start: '2024-01-01T00:00:00+00:00', conf: {},
};

function task(task_id: string, state: string, try_number: number, start: string | null = null, end: string | null = null, map_index = -1) {
  return { type: 'task' as const, task_id, map_index, state, try_number, start, end };
}

/** A run of `extract >> load` where load fails once, retries and succeeds, and `mapped` expands into two instances. */
const EVENTS: DriverEvent[] = [
  { type: 'started', airflow_version: '2.10.5', python: '/venv/bin/python', airflow_home: '/home/u/airflow', database: 'sqlite:////home/u/airflow/airflow.db' },
  { type: 'log', task_id: null, map_index: -1, try_number: null, text: 'Filling up the DagBag\n' },
  { type: 'dag', dag_id: 'etl', tasks: [
    { task_id: 'extract', operator: 'PythonOperator', upstream: [], downstream: ['load'] },
    { task_id: 'load', operator: 'PythonOperator', upstream: ['extract'], downstream: [] },
    { task_id: 'mapped', operator: 'PythonOperator', upstream: [], downstream: [] },
  ] },
  { type: 'run', ...RUN, state: 'running', end: null },
  task('extract', 'scheduled', 1),
  task('extract', 'running', 1, '2024-06-01T10:00:00+00:00'),
  { type: 'log', task_id: 'extract', map_index: -1, try_number: 1, text: 'extracting\n' },
  task('extract', 'success', 1, null, '2024-06-01T10:00:01+00:00'),
  task('load', 'running', 1, '2024-06-01T10:00:02+00:00'),
  { type: 'error', task_id: 'load', map_index: -1, try_number: 1, error: { type: 'ValueError', message: 'bad row', traceback: `Traceback (most recent call last):\n  File "/venv/airflow/models/taskinstance.py", line 10, in run\n  File "${FILE}", line 12, in load\n    raise ValueError("bad row")\nValueError: bad row\n` } },
  task('load', 'up_for_retry', 1, null, '2024-06-01T10:00:03+00:00'),
  task('load', 'scheduled', 2, null, '2024-06-01T10:00:03+00:00'),
  task('load', 'running', 2, '2024-06-01T10:00:04+00:00'),
  task('load', 'success', 2, null, '2024-06-01T10:00:06+00:00'),
  task('mapped', 'success', 1, '2024-06-01T10:00:07+00:00', '2024-06-01T10:00:08+00:00', 0),
  task('mapped', 'failed', 1, '2024-06-01T10:00:07+00:00', '2024-06-01T10:00:09+00:00', 1),
  {
    type: 'end',
    run: { ...RUN, state: 'failed', end: '2024-06-01T10:00:10+00:00' },
    tasks: [
      { ...task('extract', 'success', 1, null, '2024-06-01T10:00:01+00:00'), operator: 'PythonOperator' },
      { ...task('load', 'success', 2, null, '2024-06-01T10:00:06+00:00'), operator: 'PythonOperator' },
    ],
    xcom: [
      { task_id: 'extract', map_index: -1, key: 'return_value', value: { rows: 3 } },
      { task_id: 'mapped', map_index: 0, key: 'return_value', value: 'zero' },
    ],
    rendered: [{ task_id: 'extract', map_index: -1, fields: { op_kwargs: { day: '2024-01-01' } } }],
  },
];

function record(): { recorder: AirflowRunRecorder; live: SimulationEvent[]; output: string[] } {
  const live: SimulationEvent[] = [];
  const output: string[] = [];
  const recorder = new AirflowRunRecorder(FILE, (event) => live.push(event), (text) => output.push(text));
  EVENTS.forEach((event) => recorder.accept(event));
  return { recorder, live, output };
}

describe('AirflowRunRecorder', () => {
  it('streams each state change once, in order, with mapped instances named as the simulator names them', () => {
    const { live, output } = record();
    const tasks = live.filter((e) => e.kind === 'task').map((e) => `${e.task_id}:${e.state}:${e.try_number}`);
    assert.deepEqual(tasks, [
      'extract:scheduled:1', 'extract:running:1', 'extract:success:1',
      'load:running:1', 'load:up_for_retry:1', 'load:scheduled:2', 'load:running:2', 'load:success:2',
      'mapped[0]:success:1', 'mapped[1]:failed:1',
    ]);
    assert.deepEqual(live.filter((e) => e.kind === 'run').map((e) => e.state), ['running', 'failed']);
    assert.deepEqual(live.filter((e) => e.kind === 'log').map((e) => [e.task_id, e.text]), [['extract', 'extracting\n']]);
    // What Airflow prints outside a task goes to the output, before there is even a run.
    assert.deepEqual(output, ['Filling up the DagBag\n']);
  });

  it('ends with a result in the shape of preflight run --json', () => {
    const { recorder } = record();
    const result = recorder.result(2, new Map([['load', 12]]));
    assert.ok(result);
    assert.equal(result.dag_id, 'etl');
    assert.equal(result.mode, 'real');
    const [run] = result.runs;
    assert.equal(run.run_id, RUN.run_id);
    assert.equal(run.state, 'failed');
    assert.equal(run.reason, 'task_failure');
    // dag.test() starts the run at its logical date; the result says when its first task began.
    assert.equal(run.start, '2024-06-01T10:00:00+00:00');
    assert.equal(run.end, '2024-06-01T10:00:10+00:00');
    const [extract, load, mapped] = run.tasks;
    assert.deepEqual(extract.xcom, { return_value: { rows: 3 } });
    assert.deepEqual(extract.rendered, { op_kwargs: { day: '2024-01-01' } });
    assert.equal(extract.log_tail, 'extracting\n');
    assert.equal(extract.duration_ms, 1000);
    assert.equal(load.state, 'success');
    assert.equal(load.try_number, 2);
    assert.equal(load.line, 12);
    assert.equal(load.duration_ms, 2000);
    assert.equal(load.error, undefined, 'a task that succeeded in the end reports no error');
    assert.deepEqual(load.tries, [
      { try_number: 1, state: 'up_for_retry', start: '2024-06-01T10:00:02+00:00', end: '2024-06-01T10:00:03+00:00', error: 'ValueError: bad row' },
      { try_number: 2, state: 'success', start: '2024-06-01T10:00:04+00:00', end: '2024-06-01T10:00:06+00:00' },
    ]);
    assert.equal(mapped.state, 'failed');
    assert.deepEqual(mapped.mapped?.map((m) => [m.map_index, m.state, m.xcom.return_value]), [[0, 'success', 'zero'], [1, 'failed', undefined]]);
  });

  it('keeps a failed try\'s error, located in the DAG file', () => {
    const recorder = new AirflowRunRecorder(FILE);
    EVENTS.slice(0, 11).forEach((event) => recorder.accept(event));
    recorder.accept(task('load', 'failed', 1, null, '2024-06-01T10:00:03+00:00'));
    recorder.accept({ ...(EVENTS.at(-1) as Extract<DriverEvent, { type: 'end' }>), tasks: [] });
    const load = recorder.result(3, new Map())!.runs[0].tasks.find((t) => t.task_id === 'load')!;
    assert.equal(load.state, 'failed');
    assert.equal(load.error?.type, 'ValueError');
    assert.equal(load.error?.file, FILE);
    assert.equal(load.error?.line, 12);
    assert.equal(load.error?.retryable, true);
  });

  it('has no result before the run ended, and a cancelled one after a cancel', () => {
    const recorder = new AirflowRunRecorder(FILE);
    EVENTS.slice(0, 6).forEach((event) => recorder.accept(event));
    assert.equal(recorder.result(2, new Map()), undefined);
    const cancelled = recorder.result(2, new Map(), true)!.runs[0];
    assert.equal(cancelled.reason, 'cancelled');
    assert.equal(cancelled.tasks.find((t) => t.task_id === 'extract')?.state, 'running');
  });
});

describe('the driver protocol', () => {
  it('reads only its own event lines', () => {
    assert.deepEqual(parseDriverEvent('{"type": "run", "run_id": "r"}'), { type: 'run', run_id: 'r' });
    assert.equal(parseDriverEvent('hello from a task'), undefined);
    assert.equal(parseDriverEvent('{"type": "something else"}'), undefined);
    assert.equal(parseDriverEvent('[1, 2]'), undefined);
  });

  it('maps Airflow\'s states without a column onto the nearest one', () => {
    assert.equal(taskStateOf('up_for_retry'), 'up_for_retry');
    assert.equal(taskStateOf('deferred'), 'running');
    assert.equal(taskStateOf('up_for_reschedule'), 'running');
    assert.equal(taskStateOf('no_such_state'), 'none');
  });

  it('finds the DAG file\'s last frame in a traceback', () => {
    assert.equal(locateInFile(`File "${FILE}", line 3, in <module>\n  File "/lib/x.py", line 9\n  File "${FILE}", line 7, in f`, FILE), 7);
    assert.equal(locateInFile('File "/lib/x.py", line 9', FILE), undefined);
  });

  it('tells how to install the Airflow the file is written for', () => {
    const problem = problemFromDriver({ type: 'problem', code: 'airflow_missing', message: 'apache-airflow is not installed for /usr/bin/python3' }, '/opt/my env/python', 2);
    assert.equal(problem.command, `'/opt/my env/python' -m pip install apache-airflow==2.10.5`);
    assert.equal(problem.message, `apache-airflow is not installed for /usr/bin/python3. Install it with: '/opt/my env/python' -m pip install apache-airflow==2.10.5`);
  });

  it('passes on the command that migrates a missing database', () => {
    const problem = problemFromDriver({ type: 'problem', code: 'database_missing', message: 'The Airflow metadata database sqlite:////h/airflow.db (AIRFLOW_HOME=/h) has no Airflow tables', command: 'AIRFLOW_HOME=/h python -m airflow db migrate', airflow_home: '/h' }, 'python', 3);
    assert.equal(problem.command, 'AIRFLOW_HOME=/h python -m airflow db migrate');
    assert.equal(problem.airflowHome, '/h');
    assert.match(problem.message, /has no Airflow tables\. Set it up with: AIRFLOW_HOME=\/h python -m airflow db migrate$/);
  });

  it('suggests the Airflow releases the oracle environments pin', () => {
    assert.match(readFileSync('scripts/airflow/requirements-2.10.txt', 'utf8'), new RegExp(`^apache-airflow==${TESTED_AIRFLOW[2].replace(/\./g, '\\.')}$`, 'm'));
    assert.match(readFileSync('scripts/airflow/requirements-3.txt', 'utf8'), new RegExp(`^apache-airflow==${TESTED_AIRFLOW[3].replace(/\./g, '\\.')}$`, 'm'));
  });
});

describe('preflight run --engine', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', 'examples/dags/af2_once_debug.py', ...args], { encoding: 'utf8' });

  it('refuses the simulator\'s options with --engine airflow', () => {
    const result = cli('--engine', 'airflow', '--dry', '--fail', 'say_hello');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--dry, --fail belong to Preflight's simulator, not to --engine airflow/);
  });

  it('takes preflight or airflow, and --airflow-home only with airflow', () => {
    assert.match(cli('--engine', 'docker').stderr, /--engine takes preflight or airflow/);
    assert.match(cli('--airflow-home', '/tmp/x', '--dry').stderr, /--airflow-home goes with --engine airflow/);
  });
});
