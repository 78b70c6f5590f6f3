// "Run with local Airflow" (`preflight run --engine airflow`): real Apache Airflow 2.10 and 3.x
// (the cached environments of scripts/airflow/provision.sh) run example DAGs with dag.test() in a
// throwaway AIRFLOW_HOME that the test migrates; the streamed states, the final result in the
// shape of `preflight run --json`, and the messages for a missing database or a missing Airflow.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SimulationEvent } from '../../src/core/sim/types';
import { runDagWithAirflow, type AirflowRunOutcome, type AirflowRunProblem } from '../../src/node/airflowDagsTest';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

const homes: string[] = [];

/** An environment with nothing of the caller's Airflow configuration, for a home of SQLite and defaults. */
function airflowEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^AIRFLOW(__|_VAR_|_CONN_|_CONFIG$|_HOME$)/.test(key)));
  return { ...env, AIRFLOW_HOME: home, TZ: 'UTC', AIRFLOW__CORE__LOAD_EXAMPLES: 'False', AIRFLOW__LOGGING__LOGGING_LEVEL: 'INFO' };
}

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'preflight-airflow-home-'));
  homes.push(home);
  return home;
}

function migratedHome(python: string): string {
  const home = freshHome();
  const migrated = spawnSync(python, ['-m', 'airflow', 'db', 'migrate'], { env: airflowEnv(home), encoding: 'utf8', timeout: 300_000 });
  assert.equal(migrated.status, 0, `airflow db migrate with ${python}: ${migrated.stderr}`);
  return home;
}

interface Expected {
  readonly state: 'success' | 'failed';
  /** Each task's final state and try number. */
  readonly tasks: Readonly<Record<string, readonly [string, number]>>;
  readonly xcom?: Readonly<Record<string, unknown>>;
  /** Templated fields as Airflow rendered them. */
  readonly rendered?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The error of a failed task: its type and the line of the DAG file that raised it. */
  readonly errors?: Readonly<Record<string, { readonly type: string; readonly line: number }>>;
}

interface Streamed {
  readonly event: SimulationEvent;
  readonly at: number;
}

async function runWithAirflow(file: string, python: string, home: string, logicalDate: string): Promise<{ outcome: AirflowRunOutcome | { problem: AirflowRunProblem }; streamed: Streamed[] }> {
  const streamed: Streamed[] = [];
  const outcome = await runDagWithAirflow({
    file, python, airflowHome: home, env: airflowEnv(home), logicalDate: Date.parse(logicalDate), now: Date.parse('2024-06-01T12:00:00Z'),
    onEvent: (event) => streamed.push({ event, at: Date.now() }),
  });
  return { outcome, streamed };
}

async function check(file: string, python: string, expected: Expected, home: string, logicalDate: string): Promise<void> {
  const { outcome, streamed } = await runWithAirflow(file, python, home, logicalDate);
  assert.ok(!('problem' in outcome), `the run could not start: ${'problem' in outcome ? outcome.problem.message : ''}`);
  const [run] = outcome.result.runs;
  assert.equal(outcome.result.mode, 'real');
  assert.equal(run.logical_date, logicalDate.replace('Z', '+00:00'));
  assert.equal(run.state, expected.state);
  assert.deepEqual(Object.fromEntries(run.tasks.map((t) => [t.task_id, [t.state, t.try_number]])), expected.tasks);
  for (const [task, value] of Object.entries(expected.xcom ?? {})) {
    assert.deepEqual(run.tasks.find((t) => t.task_id === task)?.xcom.return_value, value, `return_value of ${task}`);
  }
  for (const [task, fields] of Object.entries(expected.rendered ?? {})) {
    const found = run.tasks.find((t) => t.task_id === task)?.rendered ?? {};
    for (const [field, value] of Object.entries(fields)) assert.deepEqual(found[field], value, `${task}.${field} as Airflow rendered it`);
  }
  for (const [task, error] of Object.entries(expected.errors ?? {})) {
    const found = run.tasks.find((t) => t.task_id === task)?.error;
    assert.equal(found?.type, error.type, `the error of ${task}`);
    assert.equal(found?.line, error.line, `the line of ${task}'s error`);
  }
  // Every task's final state was streamed as it happened, before the run's own end.
  const end = streamed.map((s) => s.event.kind === 'run' && s.event.state === expected.state).lastIndexOf(true);
  assert.ok(end >= 0, 'the run streamed its final state');
  for (const task of run.tasks) {
    const final = streamed.findIndex((s) => s.event.kind === 'task' && s.event.task_id === task.task_id && s.event.state === task.state && s.event.try_number === task.try_number);
    assert.ok(final >= 0 && final < end, `${task.task_id} streamed ${task.state} before the run ended`);
  }
  const firstRunning = streamed.find((s) => s.event.kind === 'task' && s.event.state === 'running');
  assert.ok(firstRunning && firstRunning.at < streamed[end].at, 'a task was streamed as running before the run ended');
  // The task's own output is in its log, not the run's.
  assert.ok(run.tasks.some((t) => t.log_tail.length > 0), 'tasks have their logs');
  assert.ok(streamed.some((s) => s.event.kind === 'log' && s.event.task_id !== undefined));
}

const RETRY_AND_FAILURE = 'test/fixtures/airflow/retry_and_failure.py';
const RETRY_AND_FAILURE_EXPECTED: Expected = {
  state: 'failed',
  tasks: { flaky: ['success', 2], report: ['success', 1], broken: ['failed', 1], after_broken: ['upstream_failed', 0] },
  xcom: { flaky: 'ok on try 2', report: 'report of ok on try 2' },
  errors: { broken: { type: 'RuntimeError', line: 36 } },
};

after(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

describe('preflight run --engine airflow with Apache Airflow 2.10', () => {
  let home = '';
  before(() => {
    home = migratedHome(pythons['2']);
  });

  it('runs examples/dags/af2_once_debug.py with dag.test()', () => check('examples/dags/af2_once_debug.py', pythons['2'], {
    state: 'success',
    tasks: { print_context: ['success', 1], say_hello: ['success', 1] },
    xcom: { print_context: 'context printed', say_hello: 'hello from af2_once_debug, run manual__2024-01-01T00:00:00+00:00' },
    rendered: { say_hello: { bash_command: 'echo "hello from af2_once_debug, run manual__2024-01-01T00:00:00+00:00"' } },
  }, home, '2024-01-01T00:00:00Z'));

  it('retries, fails and marks upstream_failed as Airflow does', () => check(RETRY_AND_FAILURE, pythons['2'], RETRY_AND_FAILURE_EXPECTED, home, '2024-01-02T00:00:00Z'));

  it('ends Airflow and the task it runs when the run is cancelled', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const outcome = await runDagWithAirflow({
      file: 'test/fixtures/airflow/slow_task.py', python: pythons['2'], airflowHome: home, env: airflowEnv(home),
      logicalDate: Date.parse('2024-01-03T00:00:00Z'), now: Date.now(), signal: abort.signal,
      // The task's Bash is running once it says so in its log.
      onEvent: (event) => {
        if (event.kind === 'log' && event.task_id === 'sleep' && /Running command/.test(event.text ?? '')) abort.abort();
      },
    });
    assert.ok(Date.now() - started < 50_000, 'the run ended long before its task would have');
    assert.ok(!('problem' in outcome), 'problem' in outcome ? outcome.problem.message : '');
    assert.equal(outcome.result.runs[0].reason, 'cancelled');
    assert.equal(outcome.result.runs[0].tasks[0].state, 'running');
    const sleeping = spawnSync('pgrep', ['-f', 'sleep 61.25'], { encoding: 'utf8' });
    assert.equal(sleeping.stdout.trim(), '', 'the task\'s sleep is gone');
  });
});

describe('preflight run --engine airflow with Apache Airflow 3', () => {
  let home = '';
  before(() => {
    home = migratedHome(pythons['3']);
  });

  it('runs examples/dags/af3_xcom_fan_out.py with dag.test()', () => check('examples/dags/af3_xcom_fan_out.py', pythons['3'], {
    state: 'success',
    tasks: { task1: ['success', 1], task2: ['success', 1], task3: ['success', 1] },
    xcom: { task1: { row_count: 5, total: 14 }, task2: 5, task3: 'row_count=5' },
    rendered: { task3: { bash_command: 'echo "row_count=5"' } },
  }, home, '2024-06-02T00:00:00Z'));

  it('retries, fails and marks upstream_failed as Airflow does', () => check(RETRY_AND_FAILURE, pythons['3'], RETRY_AND_FAILURE_EXPECTED, home, '2024-01-02T00:00:00Z'));

  it('names the file and line of an import error', async () => {
    const { outcome } = await runWithAirflow('examples/dags/af2_slack_alert_on_failure.py', pythons['3'], home, '2024-01-01T00:00:00Z');
    assert.ok('problem' in outcome);
    assert.equal(outcome.problem.code, 'import_error');
    assert.match(outcome.problem.file ?? '', /af2_slack_alert_on_failure\.py$/);
    assert.equal(outcome.problem.line, 16);
    assert.match(outcome.problem.message, /No module named 'airflow\.operators\.dummy'/);
  });
});

describe('preflight run --engine airflow, when Airflow cannot run the DAG', () => {
  it('says the metadata database is missing and gives the command that migrates it', async () => {
    const home = freshHome();
    const { outcome } = await runWithAirflow('examples/dags/af3_xcom_fan_out.py', pythons['3'], home, '2024-06-02T00:00:00Z');
    assert.ok('problem' in outcome);
    assert.equal(outcome.problem.code, 'database_missing');
    assert.equal(outcome.problem.airflowHome, home);
    assert.equal(outcome.problem.command, `AIRFLOW_HOME=${home} ${pythons['3']} -m airflow db migrate`);
    assert.match(outcome.problem.message, /has no Airflow tables\. Set it up with: AIRFLOW_HOME=\S+ \S+ -m airflow db migrate/);
  });

  it('says Airflow is missing and gives the command that installs it', async () => {
    const home = freshHome();
    const { outcome } = await runWithAirflow('examples/dags/af3_xcom_fan_out.py', 'python3', home, '2024-06-02T00:00:00Z');
    assert.ok('problem' in outcome);
    assert.equal(outcome.problem.code, 'airflow_missing');
    assert.equal(outcome.problem.command, 'python3 -m pip install apache-airflow==3.3.2');
    assert.match(outcome.problem.message, /apache-airflow is not installed for \S+python3\S*\. Install it with: python3 -m pip install apache-airflow==3\.3\.2/);
  });

  it('prints the run as preflight run --json does, from the command line', () => {
    const home = migratedHome(pythons['2']);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', 'examples/dags/af2_once_debug.py', '--engine', 'airflow', '--date', '2024-01-01T00:00:00Z', '--python', pythons['2'], '--airflow-home', home, '--json'], { encoding: 'utf8', env: airflowEnv(home), timeout: 300_000 });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.engine, 'airflow');
    assert.match(report.airflow_version, /^2\.10\./);
    assert.equal(report.runs[0].run_id, 'manual__2024-01-01T00:00:00+00:00');
    assert.deepEqual(report.runs[0].tasks.map((t: { task_id: string; state: string }) => [t.task_id, t.state]), [['print_context', 'success'], ['say_hello', 'success']]);
  });
});
