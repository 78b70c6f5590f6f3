import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/** Runs the CLI from source, as `preflight ARGS...`, with `env` added to the environment. */
function preflight(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return preflightWith({}, ...args);
}

function preflightWith(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('preflight inspect', () => {
  it('prints the model of a file as JSON: DAGs, schedule, dates, tasks, edges and effective arguments', () => {
    const { status, stdout } = preflight('inspect', 'test/fixtures/workspace/dags/two_dags.py', '--json');
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.file, 'test/fixtures/workspace/dags/two_dags.py');
    assert.equal(report.airflow, 3);
    const [fanOut, taskflow] = report.dags;
    assert.deepEqual(
      { dag_id: fanOut.dag_id, line: fanOut.line, schedule: fanOut.schedule, start_date: fanOut.start_date, end_date: fanOut.end_date, catchup: fanOut.catchup },
      { dag_id: 'fan_out', line: 13, schedule: '"@daily"', start_date: '2024-01-01T00:00:00+00:00', end_date: null, catchup: false },
    );
    assert.deepEqual(fanOut.tasks[0], {
      task_id: 'task1', operator: 'BashOperator', line: 18, upstream: [], downstream: ['task2', 'task3'],
      trigger_rule: 'all_success', retries: 0, mapped: false, group: null,
    });
    assert.deepEqual(fanOut.tasks.map((t: { task_id: string; upstream: string[] }) => [t.task_id, t.upstream]), [['task1', []], ['task2', ['task1']], ['task3', ['task1']]]);
    assert.deepEqual([taskflow.dag_id, taskflow.line, taskflow.schedule], ['taskflow_etl', 25, 'None']);
    assert.deepEqual(report.diagnostics, []);
  });

  it('follows --airflow: catchup defaults to True on Airflow 2', () => {
    const report = JSON.parse(preflight('inspect', 'test/fixtures/workspace/dags/two_dags.py', '--json', '--airflow', '2').stdout);
    assert.equal(report.airflow, 2);
    assert.equal(report.dags[0].catchup, true);
  });

  it('reports a syntax error with its 1-based location and still lists what it recovered', () => {
    const { status, stdout } = preflight('inspect', 'test/fixtures/workspace/dags/half_typed.py', '--json');
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.dags[0].tasks.map((t: { task_id: string }) => t.task_id), ['start', 'work', 'broken']);
    assert.deepEqual(
      report.diagnostics.map((d: { line: number; column: number; code: string; severity: string }) => [d.line, d.column, d.code, d.severity]),
      [[11, 5, 'PF001', 'error']],
    );
  });

  it('names the file and the reason when it cannot read it, with exit code 2', () => {
    const { status, stderr } = preflight('inspect', 'no/such/file.py', '--json');
    assert.equal(status, 2);
    assert.match(stderr, /cannot read no\/such\/file\.py: ENOENT/);
  });

  it('rejects unknown commands and options with the usage, exit code 2', () => {
    for (const args of [['frobnicate'], ['inspect', '--frob', 'x.py'], []]) {
      const { status, stderr, stdout } = preflight(...args);
      assert.equal(status, 2, args.join(' '));
      assert.match(stderr + stdout, /Usage: preflight/);
    }
  });
});

describe('preflight check', () => {
  const broken = 'test/fixtures/check/broken_dag.py';

  it('lists diagnostics with 1-based positions as JSON and exits 1 on errors', () => {
    const { status, stdout } = preflight('check', broken, '--format', 'json');
    assert.equal(status, 1);
    const { diagnostics } = JSON.parse(stdout);
    const summary = diagnostics.map((d: { code: string; line: number; column: number; severity: string }) => `${d.code} ${d.line}:${d.column} ${d.severity}`);
    assert.deepEqual(summary, ['PF101 8:22 warning', 'PF102 12:47 error', 'PF304 15:16 error']);
    assert.equal(diagnostics[0].file, broken);
    assert.ok(diagnostics.every((d: Record<string, unknown>) => ['end_line', 'end_column', 'message'].every((k) => k in d)));
  });

  it('writes SARIF 2.1.0 for code scanning', () => {
    const sarif = JSON.parse(preflight('check', broken, '--format', 'sarif').stdout);
    assert.equal(sarif.version, '2.1.0');
    const [run] = sarif.runs;
    assert.equal(run.tool.driver.name, 'Airflow Preflight');
    assert.deepEqual(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level]), [['PF101', 'warning'], ['PF102', 'error'], ['PF304', 'error']]);
    const { region } = run.results[1].locations[0].physicalLocation;
    assert.deepEqual(region, { startLine: 12, startColumn: 47, endLine: 12, endColumn: 58 });
    assert.equal(run.tool.driver.rules[run.results[1].ruleIndex].id, 'PF102');
  });

  it('checks folders, reports a dag_id defined twice in both files, and exits 0 without errors', () => {
    const duplicate = preflight('check', 'test/fixtures/check/duplicates', '--format', 'json');
    const codes = JSON.parse(duplicate.stdout).diagnostics.map((d: { file: string; code: string }) => `${d.file.split('/').pop()} ${d.code}`);
    assert.deepEqual(codes, ['first.py PF302', 'second.py PF302']);
    const clean = preflight('check', 'examples/dags');
    assert.equal(clean.status, 0, clean.stdout);
    assert.match(clean.stdout, /11 DAG files checked: 0 errors/);
  });

  it('applies the rules of the version asked for', () => {
    const on2 = JSON.parse(preflight('check', 'examples/dags/af2_once_debug.py', '--format', 'json', '--airflow', '2').stdout);
    const on3 = JSON.parse(preflight('check', 'examples/dags/af2_once_debug.py', '--format', 'json', '--airflow', '3').stdout);
    const severity = (r: { diagnostics: { code: string; severity: string }[] }) => r.diagnostics.find((d) => d.code === 'PF401')?.severity;
    assert.deepEqual([severity(on2), severity(on3)], ['warning', 'error']);
    assert.equal(preflight('check', 'x.py', '--airflow', '4').status, 2);
  });
});

describe('preflight schedule', () => {
  it('prints the due runs and the next one in the JSON contract, with local times', () => {
    const { status, stdout } = preflight('schedule', 'examples/dags/af2_daily_kst_catchup.py', '--now', '2024-01-03T12:00:00+00:00', '--json');
    assert.equal(status, 0);
    const result = JSON.parse(stdout);
    assert.deepEqual([result.dag_id, result.timetable, result.description], ['af2_daily_kst_catchup', 'CronDataIntervalTimetable', 'At 00:30 (UTC time)']);
    assert.deepEqual(result.due.map((r: { run_id: string }) => r.run_id), ['scheduled__2024-01-01T00:30:00+00:00', 'scheduled__2024-01-02T00:30:00+00:00']);
    assert.deepEqual(result.next, {
      run_id: 'scheduled__2024-01-03T00:30:00+00:00',
      logical_date: '2024-01-03T00:30:00+00:00',
      data_interval_start: '2024-01-03T00:30:00+00:00',
      data_interval_end: '2024-01-04T00:30:00+00:00',
      run_after: '2024-01-04T00:30:00+00:00',
      ds: '2024-01-03',
      local: {
        UTC: { logical_date: '2024-01-03T00:30:00+00:00', run_after: '2024-01-04T00:30:00+00:00' },
        'Asia/Seoul': { logical_date: '2024-01-03T09:30:00+09:00', run_after: '2024-01-04T09:30:00+09:00' },
      },
    });
  });

  it('follows --airflow, --count, --dag and --tz, and rejects bad values', () => {
    const args = ['schedule', 'test/fixtures/workspace/dags/two_dags.py', '--now', '2024-01-03T12:00:00Z', '--json', '--dag', 'fan_out'];
    const on3 = JSON.parse(preflight(...args, '--tz', 'America/New_York').stdout);
    assert.equal(on3.timetable, 'CronTriggerTimetable');
    assert.deepEqual(on3.due.map((r: { logical_date: string }) => r.logical_date), ['2024-01-03T00:00:00+00:00'], 'catchup defaults to False on 3');
    assert.deepEqual(Object.keys(on3.next.local), ['America/New_York']);
    const on2 = JSON.parse(preflight(...args, '--airflow', '2', '--count', '1').stdout);
    assert.equal(on2.timetable, 'CronDataIntervalTimetable');
    assert.deepEqual([on2.due.length, on2.next.logical_date], [1, '2024-01-02T00:00:00+00:00']);
    assert.equal(preflight(...args, '--tz', 'Mars/Olympus').status, 2);
    assert.equal(preflight('schedule', 'test/fixtures/workspace/dags/two_dags.py', '--now', 'yesterday').status, 2);
    assert.equal(preflight('schedule', 'test/fixtures/workspace/dags/two_dags.py', '--dag', 'nope').status, 2);
  });
});

describe('preflight render', () => {
  it('renders every templated field for a logical date, as JSON', () => {
    const { status, stdout } = preflight('render', 'examples/dags/af3_context_and_templates.py', '--date', '2024-01-01T06:00:00+00:00', '--json');
    assert.equal(status, 0, stdout);
    const result = JSON.parse(stdout);
    assert.deepEqual([result.dag_id, result.logical_date, result.run_id], ['af3_context_and_templates', '2024-01-01T06:00:00+00:00', 'scheduled__2024-01-01T06:00:00+00:00']);
    const printDate = result.tasks.find((t: { task_id: string }) => t.task_id === 'print_date');
    assert.deepEqual(printDate.fields, { op_kwargs: { date: '2024-01-01' } });
    assert.deepEqual(printDate.errors, []);
  });

  it('reports template errors with exit code 1, and takes --task and --conf', () => {
    const { status, stdout } = preflight('render', 'test/fixtures/templates/errors.py', '--date', '2024-01-01T00:30:00+00:00', '--json');
    assert.equal(status, 1);
    const errors = JSON.parse(stdout).tasks.flatMap((t: { errors: { message: string }[] }) => t.errors.map((e) => e.message));
    assert.ok(errors.some((m: string) => /UndefinedError: '\w+' is undefined/.test(m)), errors.join('\n'));
    const withConf = preflight('render', 'test/fixtures/templates/params_conf.py', '--date', '2024-01-01T00:30:00+00:00', '--json', '--task', 'task_params', '--conf', '{"x": "conf-x"}');
    assert.deepEqual(JSON.parse(withConf.stdout).tasks, [{ task_id: 'task_params', fields: { bash_command: 'echo conf-x task-y' }, errors: [] }]);
    assert.equal(preflight('render', 'test/fixtures/templates/params_conf.py', '--conf', '[1]').status, 2);
  });
});

describe('preflight render with local Variables and Connections', () => {
  it('reads AIRFLOW_VAR_*, AIRFLOW_CONN_* and .preflight/*.json, the environment first', () => {
    const { stdout } = preflightWith({ AIRFLOW_VAR_REGION: 'kr', AIRFLOW_VAR_ENV: 'from-env' },
      'render', 'test/fixtures/local_sources/variables_dag.py', '--date', '2024-01-01T00:00:00Z', '--json');
    const [report, unknown] = JSON.parse(stdout).tasks;
    assert.deepEqual(report.fields, {
      bash_command: 'echo from-env 3 kr none',
      env: { DB: 'db.internal:5432/analytics', API: 'api.example.com 30' },
    });
    assert.deepEqual(unknown.errors.map((e: { message: string }) => e.message), ['KeyError: Variable missing does not exist']);
  });
});

describe('preflight demo', () => {
  it('summarises every DAG file of the examples', () => {
    const { status, stdout } = preflight('demo', 'examples/dags', '--now', '2024-01-03T12:00:00Z');
    assert.equal(status, 0);
    assert.match(stdout, /af2_daily_kst_catchup schedule: At 00:30 \(UTC time\); unpausing now creates 2 runs; next run 2024-01-04T00:30:00\+00:00 UTC = 2024-01-04T09:30:00\+09:00 Asia\/Seoul/);
    assert.match(stdout, /DAG af3_xcom_fan_out \(line \d+\): 3 tasks/);
    assert.match(stdout, /\d+ files, 9 DAGs, \d+ tasks, 0 errors/);
  });
});
