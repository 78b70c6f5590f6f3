import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** Runs the CLI from source, as `preflight ARGS...`, with `env` added to the environment. */
function preflight(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return preflightWith({}, ...args);
}

function preflightWith(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // A language-neutral locale unless a test sets one: schedule descriptions follow LC_ALL/LANG.
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', ...env } });
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

  it('reports tags, default_args, callbacks, TaskGroups, mapping and arguments from default_args', () => {
    const { status, stdout } = preflight('inspect', 'test/fixtures/inspect/groups_and_mapping.py', '--json');
    assert.equal(status, 0, stdout);
    const [dag] = JSON.parse(stdout).dags;
    assert.deepEqual(
      { start_date: dag.start_date, end_date: dag.end_date, tags: dag.tags, default_args: dag.default_args, callbacks: dag.callbacks },
      {
        start_date: '2023-12-31T15:00:00+00:00',
        end_date: null,
        tags: ['inspect', 'groups'],
        default_args: { owner: 'data', retries: 2, retry_delay: 'timedelta(seconds=300)', on_retry_callback: 'notify' },
        callbacks: { on_failure_callback: 'notify', on_retry_callback: 'notify' },
      },
    );
    const tasks = dag.tasks.map((t: { task_id: string; upstream: string[]; trigger_rule: string; retries: number; mapped: boolean; group: string | null }) =>
      [t.task_id, t.upstream, t.trigger_rule, t.retries, t.mapped, t.group]);
    // As Airflow 3 loads the file: retries comes from default_args unless the task sets it.
    assert.deepEqual(tasks, [
      ['start', [], 'all_success', 2, false, null],
      ['load.copy', ['start'], 'all_success', 2, true, 'load'],
      ['load.check', ['load.copy'], 'all_done', 0, false, 'load'],
      ['end', ['load.check'], 'all_success', 2, false, null],
    ]);
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
        UTC: {
          logical_date: '2024-01-03T00:30:00+00:00',
          data_interval_start: '2024-01-03T00:30:00+00:00',
          data_interval_end: '2024-01-04T00:30:00+00:00',
          run_after: '2024-01-04T00:30:00+00:00',
        },
        'Asia/Seoul': {
          logical_date: '2024-01-03T09:30:00+09:00',
          data_interval_start: '2024-01-03T09:30:00+09:00',
          data_interval_end: '2024-01-04T09:30:00+09:00',
          run_after: '2024-01-04T09:30:00+09:00',
        },
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

  it('prints a readable table without --json: description, due runs with local times, and the next run', () => {
    const { status, stdout } = preflight('schedule', 'examples/dags/af2_daily_kst_catchup.py', '--now', '2024-01-03T12:00:00+00:00');
    assert.equal(status, 0);
    assert.deepEqual(stdout.split('\n'), [
      'DAG af2_daily_kst_catchup: At 00:30 (UTC time); CronDataIntervalTimetable (Airflow 2 rules), catchup true',
      '2 runs due by 2024-01-03T12:00:00.000Z, at most 16 active at once:',
      '  2024-01-01T00:30:00+00:00  runs at 2024-01-02T00:30:00+00:00  ds 2024-01-01  (Asia/Seoul 2024-01-02T09:30:00+09:00)',
      '  2024-01-02T00:30:00+00:00  runs at 2024-01-03T00:30:00+00:00  ds 2024-01-02  (Asia/Seoul 2024-01-03T09:30:00+09:00)',
      'next:',
      '  2024-01-03T00:30:00+00:00  runs at 2024-01-04T00:30:00+00:00  ds 2024-01-03  (Asia/Seoul 2024-01-04T09:30:00+09:00)',
      '',
    ]);
  });

  it('describes the schedule in --lang, by default in the language of LC_ALL, LC_MESSAGES or LANG', () => {
    const args = ['schedule', 'test/fixtures/workspace/dags/two_dags.py', '--now', '2024-01-03T12:00:00Z', '--json'];
    const description = (env: Record<string, string>, ...more: string[]) => JSON.parse(preflightWith(env, ...args, ...more).stdout).description;
    assert.equal(description({}, '--lang', 'ko'), '00:00 (UTC 기준)');
    assert.equal(description({ LC_ALL: '', LANG: 'ko_KR.UTF-8' }), '00:00 (UTC 기준)');
    assert.equal(description({ LC_ALL: 'en_US.UTF-8', LANG: 'ko_KR.UTF-8' }), 'At 00:00 (UTC time)');
    assert.equal(description({ LC_ALL: '', LANG: 'ko_KR.UTF-8' }, '--lang', 'en'), 'At 00:00 (UTC time)');
    const text = preflightWith({}, 'schedule', 'test/fixtures/workspace/dags/two_dags.py', '--now', '2024-01-03T12:00:00Z', '--lang', 'ko').stdout;
    assert.match(text, /^DAG fan_out: 00:00 \(UTC 기준\);/);
    assert.equal(preflight(...args, '--lang', 'fr').status, 2);
  });

  it('reports the error Airflow\'s scheduler hits when croniter runs out of ticks', () => {
    const args = ['schedule', 'test/fixtures/schedules/cron_croniter_syntax.py', '--dag', 'cron_year_monthly_runs_out', '--now', '2025-03-01T00:00:00Z'];
    const result = JSON.parse(preflight(...args, '--json', '--airflow', '3').stdout);
    assert.deepEqual([result.due.length, result.next, result.error], [11, null, 'CroniterBadDateError: failed to find next date']);
    assert.match(preflight(...args).stdout, /no next run: Airflow's scheduler fails computing it \(CroniterBadDateError: failed to find next date\)\n$/);
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
    assert.deepEqual(JSON.parse(withConf.stdout).tasks, [{ task_id: 'task_params', fields: { bash_command: 'echo conf-x task-y' }, errors: [], unsupported: {} }]);
    assert.equal(preflight('render', 'test/fixtures/templates/params_conf.py', '--conf', '[1]').status, 2);
  });

  it('gives each error its line and column inside the template, null when there is no position', () => {
    const { stdout } = preflight('render', 'test/fixtures/templates/errors.py', '--date', '2024-01-01T00:30:00+00:00', '--json');
    const errors = Object.fromEntries(JSON.parse(stdout).tasks.map((t: { task_id: string; errors: unknown[] }) => [t.task_id, t.errors]));
    assert.deepEqual(errors.undefined_name, [{ field: 'bash_command', message: "UndefinedError: 'undefined_name' is undefined", line: 1, column: 9 }]);
    assert.deepEqual(errors.syntax_unclosed, [{ field: 'bash_command', message: 'expected variable end', line: 1, column: 12 }]);
    assert.deepEqual(errors.template_file_missing, [{ field: 'bash_command', message: 'TemplateNotFound: scripts/missing.sh', line: null, column: null }]);
  });

  it('lists the fields it cannot render, with the reason, instead of leaving them out', () => {
    const { status, stdout } = preflight('render', 'test/fixtures/templates/environments.py', '--dag', 'tpl_user_macros', '--date', '2024-01-01T00:30:00+00:00', '--json');
    assert.equal(status, 0);
    const [task] = JSON.parse(stdout).tasks;
    assert.deepEqual(task.fields, { bash_command: 'echo acme 2024-01-01' });
    assert.deepEqual(Object.keys(task.unsupported), ['env']);
    assert.match(task.unsupported.env, /user-defined filter 'shout' is the Python function _shout/);
  });

  it('pulls XComs pinned in .preflight/xcom.json, or given with --xcom', () => {
    const args = ['render', 'test/fixtures/local_sources/xcom_dag.py', '--date', '2024-01-01T00:00:00Z', '--json', '--task', 'report'];
    assert.deepEqual(JSON.parse(preflight(...args).stdout).tasks[0].fields, { bash_command: 'echo s3://bucket/2024-01-01.csv 42 7' });
    // Pins given on the command line replace the file's; what they do not pin is None, as on Airflow 3.
    assert.deepEqual(JSON.parse(preflight(...args, '--xcom', '{"extract": "given.csv"}').stdout).tasks[0].fields, { bash_command: 'echo given.csv None None' });
    assert.deepEqual(JSON.parse(preflight(...args, '--xcom', '{"count": 1}', '--airflow', '2').stdout).tasks[0].fields, { bash_command: 'echo None None 1' });
    assert.equal(preflight(...args, '--xcom', '[1]').status, 2);
  });

  it('renders the templated fields --template-fields declares for custom operators', () => {
    const args = ['render', 'test/fixtures/local_sources/xcom_dag.py', '--date', '2024-01-01T00:00:00Z', '--json', '--task', 'custom'];
    const [undeclared] = JSON.parse(preflight(...args).stdout).tasks;
    assert.deepEqual(undeclared.fields, {});
    assert.match(undeclared.unsupported['*'], /MyOperator is not an operator Preflight knows/);
    const [declared] = JSON.parse(preflight(...args, '--template-fields', '{"MyOperator": ["field_a", "sql"]}').stdout).tasks;
    assert.deepEqual([declared.fields, declared.unsupported], [{ field_a: '2024-01-01', sql: "SELECT '20240101'" }, {}]);
    assert.equal(preflight(...args, '--template-fields', '{"MyOperator": "sql"}').status, 2);
  });
});

describe('preflight check with --template-fields', () => {
  it('warns about a template in an argument the declared fields leave out', () => {
    const { stdout } = preflight('check', 'test/fixtures/local_sources/xcom_dag.py', '--format', 'json', '--template-fields', '{"MyOperator": ["field_a", "sql"]}');
    const pf602 = JSON.parse(stdout).diagnostics.filter((d: { code: string }) => d.code === 'PF602');
    assert.deepEqual(pf602.map((d: { message: string }) => d.message), ["MyOperator does not template 'other' (its templated fields: field_a, sql): the text is passed on as written, braces included."]);
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
    // Each DAG's next run really runs; the failure callback's Slack message is shown, not sent.
    assert.match(stdout, /af3_taskflow_etl real run scheduled__2024-01-04T00:00:00\+00:00: success \(4 success\)/);
    assert.match(stdout, /af2_slack_alert_on_failure real run manual__2024-01-03T12:00:00\+00:00: failed \(1 success, 1 failed\)\n +slack alert from check_input, not sent: :red_circle: Task failed\./);
  });
});

describe('preflight run', () => {
  it('--dry walks a catchup range without executing anything and prints the contract JSON', () => {
    const { status, stdout } = preflight('run', 'test/fixtures/workspace/dags/two_dags.py', '--dag', 'fan_out', '--from', '2024-01-01T00:00:00Z', '--to', '2024-01-02T00:00:00Z', '--dry', '--json');
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.dag_id, 'fan_out');
    assert.equal(report.mode, 'dry');
    assert.deepEqual(report.runs.map((r: { run_id: string; state: string }) => [r.run_id, r.state]), [
      ['scheduled__2024-01-01T00:00:00+00:00', 'success'], ['scheduled__2024-01-02T00:00:00+00:00', 'success'],
    ]);
    const [task1] = report.runs[0].tasks;
    assert.deepEqual(Object.keys(task1).slice(0, 8), ['task_id', 'state', 'try_number', 'start', 'end', 'duration_ms', 'xcom', 'rendered']);
    assert.deepEqual(report.alerts, []);
  });

  it('--fail fails a task on purpose: its downstream is upstream_failed and the exit code is 1', () => {
    const { status, stdout } = preflight('run', 'test/fixtures/workspace/dags/two_dags.py', '--dag', 'fan_out', '--date', '2024-01-01T00:00:00Z', '--dry', '--fail', 'task1');
    assert.equal(status, 1);
    assert.match(stdout, /task1 +failed, [\d.]+ s: AirflowException: Failure injected by Preflight \(--fail\)/);
    assert.match(stdout, /task2 +upstream_failed/);
  });

  it('refuses a wrong command line with exit code 2', () => {
    assert.equal(preflight('run', 'test/fixtures/workspace/dags/two_dags.py', '--date', 'yesterday').status, 2);
    assert.equal(preflight('run', 'test/fixtures/workspace/dags/two_dags.py', '--from', '2024-01-01T00:00:00Z').status, 2);
    const unknown = preflight('run', 'test/fixtures/workspace/dags/two_dags.py', '--dry', '--fail', 'nope');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--fail names tasks that DAG fan_out does not have: nope/);
  });
});

describe('preflight graph', () => {
  const HOSTILE = 'test/fixtures/graph/hostile_ids.py';
  const TASK_IDS = ['start', 'x"]; click x call alert(1) %%', '<img src=x onerror=alert(1)>', 'fan.copy', 'fan.`tick` #1; done'];

  it('prints the Mermaid text of a DAG: tasks, TaskGroup, mapped task, edges, escaped ids', () => {
    const { status, stdout } = preflight('graph', HOSTILE, '--dag', 'hostile_ids', '--direction', 'TB');
    assert.equal(status, 0);
    assert.equal(stdout, [
      'flowchart TB',
      '  n0["start<br>EmptyOperator"]',
      '  n1["x#quot;#93;#59; click x call alert(1) #37;#37;<br>EmptyOperator"]',
      '  n2["#lt;img src=x onerror=alert(1)#gt;<br>EmptyOperator"]',
      '  subgraph g0["fan"]',
      '    n3[["fan.copy<br>BashOperator [ ]"]]',
      '    n4["fan.#96;tick#96; #35;1#59; done<br>EmptyOperator"]',
      '  end',
      '  n0 --> n1',
      '  n0 --> n2',
      '  n2 --> n3',
      '  n1 --> n3',
      '  n3 --> n4',
      '',
    ].join('\n'));
  });

  it('--run colours the tasks with their states in the last run of the DAG, a mapped task by its own state', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'preflight-graph-'));
    try {
      const runFile = join(scratch, 'run.json');
      const task = (task_id: string, state: string, mapped?: { state: string }[]) => ({ task_id, state, ...(mapped ? { mapped } : {}) });
      writeFileSync(runFile, JSON.stringify({
        dag_id: 'hostile_ids',
        runs: [
          { run_id: 'first', tasks: TASK_IDS.map((id) => task(id, 'failed')) },
          { run_id: 'last', tasks: [task('start', 'success'), task(TASK_IDS[1], 'success'), task(TASK_IDS[2], 'skipped'), task('fan.copy', 'failed', [{ state: 'success' }, { state: 'failed' }])] },
        ],
      }));
      const { status, stdout } = preflight('graph', HOSTILE, '--run', runFile);
      assert.equal(status, 0);
      assert.deepEqual(stdout.split('\n').filter((line) => /^ {2}class(Def)? /.test(line)), [
        '  classDef state_failed fill:#ff0000,stroke:#c70000,color:#000000',
        '  class n3 state_failed',
        '  classDef state_success fill:#008000,stroke:#006100,color:#ffffff',
        '  class n0,n1 state_success',
        '  classDef state_skipped fill:#ff69b4,stroke:#cc5490,color:#000000',
        '  class n2 state_skipped',
      ]);

      const other = preflight('graph', 'test/fixtures/workspace/dags/two_dags.py', '--dag', 'fan_out', '--run', runFile);
      assert.equal(other.status, 2);
      assert.match(other.stderr, /--run .*run\.json: has no run of DAG 'fan_out'/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('--run takes what `preflight run --json` prints', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'preflight-graph-'));
    try {
      const run = preflight('run', HOSTILE, '--date', '2024-01-01T00:00:00Z', '--dry', '--json', '--fail', 'fan.copy');
      const runFile = join(scratch, 'run.json');
      writeFileSync(runFile, run.stdout);
      const { status, stdout } = preflight('graph', HOSTILE, '--run', runFile);
      assert.equal(status, 0);
      assert.match(stdout, /^ {2}class n3 state_failed$/m);
      assert.match(stdout, /^ {2}class n4 state_upstream_failed$/m);
      assert.match(stdout, /^ {2}class n0,n1,n2 state_success$/m);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('refuses a wrong command line with exit code 2', () => {
    assert.equal(preflight('graph', HOSTILE, '--format', 'png').status, 2);
    assert.equal(preflight('graph', HOSTILE, '--direction', 'RL').status, 2);
    assert.equal(preflight('graph', HOSTILE, '--dag', 'nope').status, 2);
    assert.match(preflight('graph', HOSTILE, '--run', 'test/fixtures/graph/hostile_ids.py').stderr, /--run .*: is not JSON/);
  });

  it('--format svg without Chromium says so and exits 2', () => {
    const { status, stderr } = preflightWith({ CHROMIUM: '/no/such/chromium' }, 'graph', HOSTILE, '--format', 'svg');
    assert.equal(status, 2);
    assert.match(stderr, /rendering SVG needs Chromium/);
  });
});
