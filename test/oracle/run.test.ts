// `preflight run` executes the example DAGs for real — Bash in bash, Python in a worker — with
// Preflight's stand-in for Airflow (plain python3) and with real Apache Airflow 2.10 and 3.x
// imported by the worker (the cached environments of scripts/airflow/provision.sh). Each DAG's
// run must end the same way whichever Airflow the worker imports.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

/** The same "now" for every run, so each DAG's next run is always the same one. */
const NOW = '2024-06-01T12:00:00Z';

interface Expected {
  readonly run_id: string;
  readonly state: string;
  readonly tasks: Readonly<Record<string, string>>;
  readonly xcom?: Readonly<Record<string, unknown>>;
  /** The alert the run raises: what raised it, through which connection, and lines its text must contain. */
  readonly alert?: { readonly source: string; readonly conn_id: string; readonly lines: readonly string[] };
}

interface RunJson {
  runs: { run_id: string; state: string; tasks: { task_id: string; state: string; xcom: Record<string, unknown> }[] }[];
  alerts: { kind: string; task_id: string; text: string; conn_id: string; source: string }[];
}

function preflightRun(file: string, python: string): RunJson {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', file, '--now', NOW, '--python', python, '--json'], { encoding: 'utf8', timeout: 240_000 });
  assert.ok(result.status === 0 || result.status === 1, `preflight run ${file} with ${python} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function check(file: string, python: string, expected: Expected): void {
  const report = preflightRun(file, python);
  const [run] = report.runs;
  assert.equal(run.run_id, expected.run_id);
  assert.deepEqual(Object.fromEntries(run.tasks.map((t) => [t.task_id, t.state])), expected.tasks);
  assert.equal(run.state, expected.state);
  for (const [task, value] of Object.entries(expected.xcom ?? {})) {
    assert.deepEqual(run.tasks.find((t) => t.task_id === task)?.xcom.return_value, value, `return_value of ${task}`);
  }
  if (expected.alert) {
    assert.equal(report.alerts.length, 1);
    const [alert] = report.alerts;
    assert.equal(alert.kind, 'slack');
    assert.equal(alert.conn_id, expected.alert.conn_id);
    assert.equal(alert.source, expected.alert.source);
    for (const line of expected.alert.lines) assert.ok(alert.text.includes(line), `the alert says ${JSON.stringify(line)}:\n${alert.text}`);
  } else {
    assert.deepEqual(report.alerts, []);
  }
}

const EXAMPLES: Readonly<Record<string, Expected>> = {
  'examples/dags/af2_daily_kst_catchup.py': {
    run_id: 'scheduled__2024-01-01T00:30:00+00:00', state: 'success',
    tasks: { print_weekday: 'success', print_date: 'success', echo_execution_date: 'success' },
    xcom: { print_weekday: 'Monday', print_date: '2024-01-01', echo_execution_date: 'execution_date=2024-01-01 00:30:00+00:00 ds_nodash=20240101' },
  },
  'examples/dags/af2_once_debug.py': {
    run_id: 'scheduled__2024-01-01T00:00:00+00:00', state: 'success',
    tasks: { print_context: 'success', say_hello: 'success' },
    xcom: { say_hello: 'hello from af2_once_debug, run scheduled__2024-01-01T00:00:00+00:00' },
  },
  'examples/dags/af2_slack_alert_on_failure.py': {
    run_id: 'manual__2024-06-01T12:00:00+00:00', state: 'failed',
    tasks: { start: 'success', check_input: 'failed' },
    alert: { source: 'on_failure_callback', conn_id: 'slack_default', lines: [':red_circle: Task failed.', '*Dag*: af2_slack_alert_on_failure', '*Task*: check_input', '(ds=2024-06-01)'] },
  },
  'examples/dags/af3_context_and_templates.py': {
    run_id: 'scheduled__2024-06-02T06:00:00+00:00', state: 'success',
    tasks: { print_weekday: 'success', print_date: 'success', echo_dates: 'success' },
    xcom: { print_weekday: 'Sunday', print_date: '2024-06-02', echo_dates: 'logical_date=2024-06-02 06:00:00+00:00 ds_nodash=20240602' },
  },
  'examples/dags/af3_task_group.py': {
    run_id: 'scheduled__2024-06-02T00:30:00+00:00', state: 'success',
    tasks: { start: 'success', 'group.extract': 'success', 'group.transform': 'success', 'group.validate': 'success', end: 'success' },
  },
  'examples/dags/af3_taskflow_etl.py': {
    run_id: 'scheduled__2024-06-02T00:00:00+00:00', state: 'success',
    tasks: { extract: 'success', transform: 'success', load: 'success', announce: 'success' },
    xcom: { load: 1236.7, announce: 'Loaded total order value 1236.7' },
  },
  'examples/dags/af3_xcom_fan_out.py': {
    run_id: 'scheduled__2024-06-02T00:00:00+00:00', state: 'success',
    tasks: { task1: 'success', task2: 'success', task3: 'success' },
    xcom: { task1: { row_count: 5, total: 14 }, task2: 5, task3: 'row_count=5' },
  },
};

const FIXTURES: Readonly<Record<string, Expected>> = {
  // skip_on_exit_code as a list and as None, and append_env keeping PATH.
  'test/fixtures/sim/run/bash_options.py': {
    run_id: 'manual__2024-06-01T12:00:00+00:00', state: 'failed',
    tasks: { five: 'skipped', never: 'failed', env: 'success' },
    xcom: { env: 'x has-path' },
  },
  // A SlackWebhookOperator task: its rendered message is the alert, with the task's own connection.
  'test/fixtures/sim/run/slack_task.py': {
    run_id: 'scheduled__2024-06-02T00:00:00+00:00', state: 'success',
    tasks: { count: 'success', notify: 'success' },
    alert: { source: 'notify', conn_id: 'slack_ops', lines: ['Loaded 42 rows for 2024-06-02'] },
  },
};

for (const [file, expected] of Object.entries({ ...EXAMPLES, ...FIXTURES })) {
  const version = /\/af2_/.test(file) ? '2' : '3';
  describe(`preflight run ${file}`, () => {
    it('with the stand-in for Airflow (no Airflow installed)', () => check(file, 'python3', expected));
    it(`with real Apache Airflow ${version === '2' ? '2.10' : '3'} imported by the worker`, () => check(file, pythons[version], expected));
  });
}

describe('preflight run, when the DAG cannot run', () => {
  it('names the file and line of an import error, and offers a dry run', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', 'examples/dags/af2_slack_alert_on_failure.py', '--now', NOW, '--python', pythons['3']], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /af2_slack_alert_on_failure\.py:16: ModuleNotFoundError: No module named 'airflow\.operators\.dummy'/);
    assert.match(result.stderr, /--dry/);
  });

  it('says which interpreter is missing', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', 'examples/dags/af2_once_debug.py', '--python', '/nonexistent/python3'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /\/nonexistent\/python3/);
  });
});
