// The Python task worker (python/preflight_worker) through its Node end (src/node/pythonWorker.ts):
// what it makes of DAG files, how it runs callables and callbacks, and how it dies. Every case runs
// on the system python3 with the stand-in Airflow and on real Apache Airflow 2.10 and 3.x (the
// environments of scripts/airflow/provision.sh): the stand-in must describe and behave as Airflow does.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PythonWorker, pythonWorkerScript, type ExecuteOutcome, type ExecuteRequest, type WorkerAlert, type WorkerChannel } from '../../src/node/pythonWorker';
import type { WireDag, WireError, WireRun } from '../../src/node/workerProtocol';

const DAGS = resolve('test/fixtures/sim/worker/dags');
const EXAMPLES = resolve('examples/dags');
const AIRFLOW_HOME = mkdtempSync(join(tmpdir(), 'preflight-worker-test-'));
after(() => rmSync(AIRFLOW_HOME, { recursive: true, force: true }));

interface Interpreter {
  readonly name: string;
  readonly python: string;
  readonly airflow: 2 | 3;
  readonly standIn: 'auto' | 'always';
}

/** The cached Airflow environments, provisioned on first use so that a fresh machine runs every case too. */
const PROVISIONED = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));
const INTERPRETERS: Interpreter[] = [
  { name: 'the stand-in with Airflow 2 rules', python: 'python3', airflow: 2, standIn: 'always' },
  { name: 'the stand-in with Airflow 3 rules', python: 'python3', airflow: 3, standIn: 'always' },
  { name: 'Apache Airflow 2.10', python: PROVISIONED['2'], airflow: 2, standIn: 'auto' },
  { name: 'Apache Airflow 3', python: PROVISIONED['3'], airflow: 3, standIn: 'auto' },
];

/** The 1-based line of `file` that contains `text` (fixtures mark lines with `# <- name`). */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, `${text} in ${file}`);
  return index + 1;
}

/** A TaskChannel that records what the task did and answers pulls from `xcom`. */
function recorder(xcom: Record<string, unknown> = {}) {
  const seen = { logs: [] as string[], pulls: [] as unknown[], pushes: [] as [string, unknown][], alerts: [] as WorkerAlert[] };
  const channel: WorkerChannel = {
    log: (text) => seen.logs.push(text),
    xcomPull: (request) => {
      seen.pulls.push(request);
      return Promise.resolve(xcom[String(request.task_ids)]);
    },
    xcomPush: (key, value) => seen.pushes.push([key, value]),
    alert: (alert) => seen.alerts.push(alert),
  };
  return { seen, channel };
}

function run(dagId: string, runType: 'scheduled' | 'manual' = 'scheduled'): WireRun {
  const logical = '2024-01-01T00:00:00+00:00';
  return {
    dag_id: dagId, run_id: `${runType}__${logical}`, run_type: runType, logical_date: '2024-01-01T00:00:00.000Z',
    data_interval_start: '2024-01-01T00:00:00.000Z', data_interval_end: '2024-01-02T00:00:00.000Z',
    prev_logical_date: '2023-12-31T00:00:00.000Z', next_logical_date: '2024-01-02T00:00:00.000Z', conf: {}, start_date: '2024-01-02T00:00:05.000Z',
  };
}

function request(dagId: string, taskId: string, airflow: 2 | 3, rendered: Record<string, unknown> = {}): ExecuteRequest {
  return { task_id: taskId, map_index: -1, try_number: 1, max_tries: 2, run: run(dagId), params: { limit: 5 }, rendered, airflow };
}

async function start(interpreter: Interpreter, file: string, env: NodeJS.ProcessEnv = {}) {
  const started = await PythonWorker.start({
    python: interpreter.python, file, dagsFolder: resolve(file, '..'), airflow: interpreter.airflow, standIn: interpreter.standIn,
    env: { ...process.env, AIRFLOW_HOME, ...env },
  });
  return started;
}

async function startOk(interpreter: Interpreter, file: string, env: NodeJS.ProcessEnv = {}) {
  const started = await start(interpreter, file, env);
  if ('error' in started) assert.fail(`${file} did not load: ${started.error.type}: ${started.error.message}\n${started.error.traceback ?? ''}`);
  return started;
}

/** One line per task: `id [Operator] kind <- upstream | retries trigger_rule @line`. */
function outline(dag: WireDag): string[] {
  return dag.tasks.map((t) => `${t.task_id} [${t.operator}] ${t.kind}${t.upstream.length ? ` <- ${t.upstream.join(', ')}` : ''} | ${t.retries} ${t.trigger_rule} @${t.line}`);
}

/** The describe check: the file's DAGs as outlines, plus the given facts of DAGs and tasks. */
function check(dags: readonly WireDag[], expected: { outline: Record<string, string[]>; dags?: Record<string, Partial<WireDag>>; tasks?: Record<string, Record<string, unknown>> }): void {
  assert.deepEqual(Object.fromEntries(dags.map((d) => [d.dag_id, outline(d)])), expected.outline);
  for (const [dagId, facts] of Object.entries(expected.dags ?? {})) {
    const dag = dags.find((d) => d.dag_id === dagId)!;
    assert.deepEqual(Object.fromEntries(Object.keys(facts).map((k) => [k, dag[k as keyof WireDag]])), facts, dagId);
  }
  const tasks = dags.flatMap((d) => d.tasks);
  for (const [taskId, facts] of Object.entries(expected.tasks ?? {})) {
    const task = tasks.find((t) => t.task_id === taskId) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.fromEntries(Object.keys(facts).map((k) => [k, task[k]])), facts, taskId);
  }
}

/** An error outcome without its traceback (checked separately), and the traceback. */
function errorOf(outcome: ExecuteOutcome): { error: Omit<WireError, 'traceback'>; traceback: string } {
  assert.equal(outcome.kind, 'error', JSON.stringify(outcome));
  const { traceback = '', ...error } = (outcome as { error: WireError }).error;
  return { error, traceback };
}

/** The context keys as Airflow 2.10's `_get_template_context` and 3.1's task runner build them (§2.1, §2.2), plus PythonOperator's templates_dict. */
const AIRFLOW2_CONTEXT = [
  'conf', 'conn', 'dag', 'dag_run', 'data_interval_end', 'data_interval_start', 'ds', 'ds_nodash', 'execution_date', 'expanded_ti_count',
  'inlet_events', 'inlets', 'logical_date', 'macros', 'map_index_template', 'next_ds', 'next_ds_nodash', 'next_execution_date', 'outlet_events',
  'outlets', 'params', 'prev_data_interval_end_success', 'prev_data_interval_start_success', 'prev_ds', 'prev_ds_nodash', 'prev_end_date_success',
  'prev_execution_date', 'prev_execution_date_success', 'prev_start_date_success', 'run_id', 'task', 'task_instance', 'task_instance_key_str',
  'templates_dict', 'test_mode', 'ti', 'tomorrow_ds', 'tomorrow_ds_nodash', 'triggering_dataset_events', 'ts', 'ts_nodash', 'ts_nodash_with_tz',
  'var', 'yesterday_ds', 'yesterday_ds_nodash',
];
const AIRFLOW3_CONTEXT = [
  'conn', 'dag', 'dag_run', 'data_interval_end', 'data_interval_start', 'ds', 'ds_nodash', 'inlet_events', 'inlets', 'logical_date', 'macros', 'map_index_template',
  'outlet_events', 'outlets', 'params', 'prev_data_interval_end_success', 'prev_data_interval_start_success', 'prev_end_date_success',
  'prev_start_date_success', 'run_id', 'task', 'task_instance', 'task_instance_key_str', 'task_reschedule_count', 'templates_dict', 'ti',
  'triggering_asset_events', 'ts', 'ts_nodash', 'ts_nodash_with_tz', 'var',
];

for (const interpreter of INTERPRETERS) {
  const v = interpreter.airflow;

  describe(`Python worker on ${interpreter.name}`, { concurrency: true }, () => {
    const classic = join(DAGS, 'classic_af2.py');
    const taskflow = join(DAGS, 'taskflow_af3.py');
    let worker: PythonWorker;
    let dags: readonly WireDag[];

    before(async () => {
      const started = await startOk(interpreter, v === 2 ? classic : taskflow, { AIRFLOW_VAR_GREETING: 'hi' });
      worker = started.worker;
      dags = started.ready.dags;
      assert.equal(started.ready.stand_in, interpreter.standIn === 'always');
      if (interpreter.standIn === 'auto') assert.match(started.ready.airflow_version ?? '', v === 2 ? /^2\.10\./ : /^3\./);
    });
    after(() => worker?.shutdown());

    if (v === 2) {
      it('describes classic operators as Airflow 2 loads them: ids, kinds, edges, default_args, TaskGroups, lines', () => {
        const at = (id: string) => lineOf(classic, `task_id="${id}"`);
        check(dags, {
          outline: {
            classic_af2: [
              `start [EmptyOperator] empty | 2 all_success @${at('start')}`,
              `named [PythonOperator] python <- start | 2 all_success @${at('named')}`,
              `wildcard [PythonOperator] python | 2 all_success @${at('wildcard')}`,
              `override [PythonOperator] python | 2 all_success @${at('override')}`,
              `reserved [PythonOperator] python | 2 all_success @${at('reserved')}`,
              `pull_and_push [PythonOperator] python <- named | 0 all_success @${at('pull_and_push')}`,
              `chatty [PythonOperator] python | 2 all_success @${at('chatty')}`,
              `fails [PythonOperator] python | 2 all_success @${at('fails')}`,
              `skips [PythonOperator] python | 2 all_success @${at('skips')}`,
              `fails_hard [PythonOperator] python | 2 all_success @${at('fails_hard')}`,
              `exits [PythonOperator] python | 2 all_success @${at('exits')}`,
              `current [PythonOperator] python | 2 all_success @${at('current')}`,
              `generates [PythonOperator] python | 2 all_success @${at('generates')}`,
              `floods [PythonOperator] python | 2 all_success @${at('floods')}`,
              `sleeps [PythonOperator] python | 2 all_success @${at('sleeps')}`,
              `crashes [PythonOperator] python | 2 all_success @${at('crashes')}`,
              `variables [PythonOperator] python | 2 all_success @${at('variables')}`,
              `branch [BranchPythonOperator] branch <- start | 2 all_success @${at('branch')}`,
              `gate [ShortCircuitOperator] short_circuit <- branch | 2 all_success @${at('gate')}`,
              `echo [BashOperator] bash <- gate | 2 all_success @${at('echo')}`,
              `grouped.inner [BashOperator] bash <- branch | 5 none_failed @${at('inner')}`,
              `grouped.last [EmptyOperator] mock <- grouped.inner | 5 all_success @${at('last')}`,
            ],
          },
          dags: {
            classic_af2: {
              timezone: 'Europe/Amsterdam', catchup: true, max_active_runs: 16, params: { limit: 5 }, owner: 'data',
              task_groups: { grouped: ['grouped.inner'] }, line: lineOf(classic, 'with DAG('), callbacks: [],
            },
          },
          tasks: {
            // default_args give BashOperator its bash_command and every task its callback and retry_delay.
            echo: { template_fields: { bash_command: 'echo from default_args', env: { DS: '{{ ds }}' }, cwd: null }, template_ext: ['.sh', '.bash'], retry_delay_s: 600 },
            named: { callbacks: ['on_failure_callback'], owner: 'data', start_date: '2023-12-31T23:00:00+00:00', ignore_first_depends_on_past: true, do_xcom_push: true },
            override: { template_fields: { templates_dict: null, op_args: [], op_kwargs: { ds: 'overridden', greeting: '{{ params.limit }}' } } },
            gate: { ignore_downstream_trigger_rules: false },
            'grouped.last': { callbacks: ['on_success_callback', 'on_failure_callback'], group: 'grouped' },
          },
        });
      });

      it('passes the callable only the context keys it names', async () => {
        const outcome = await worker.execute(request('classic_af2', 'named', 2), recorder().channel);
        assert.deepEqual(outcome, { kind: 'returned', value: { task: 'named', ds: '2024-01-01', run: 'scheduled__2024-01-01T00:00:00+00:00', try: 1, max_tries: 2 } });
      });

      it('passes **kwargs the whole Airflow 2.10 context, op_kwargs merged in', async () => {
        const outcome = await worker.execute(request('classic_af2', 'wildcard', 2, { op_kwargs: { extra: 1 }, op_args: [], templates_dict: null }), recorder().channel);
        assert.deepEqual(outcome, { kind: 'returned', value: [...AIRFLOW2_CONTEXT, 'extra'].sort() });
      });

      it('lets rendered op_kwargs override context keys', async () => {
        const outcome = await worker.execute(request('classic_af2', 'override', 2, { op_kwargs: { ds: 'overridden', greeting: '5' } }), recorder().channel);
        assert.deepEqual(outcome, { kind: 'returned', value: '5 overridden' });
      });

      it('rejects op_args that fill a parameter named like a context key', async () => {
        const { error } = errorOf(await worker.execute(request('classic_af2', 'reserved', 2, { op_args: ['positional'] }), recorder().channel));
        assert.deepEqual(error, { type: 'ValueError', message: "The key 'ds' in args is a part of kwargs and therefore reserved.", retryable: true });
      });

      it('pulls XCom through the engine and pushes what the task pushes', async () => {
        const { seen, channel } = recorder({ named: { rows: 3 } });
        const outcome = await worker.execute(request('classic_af2', 'pull_and_push', 2), channel);
        assert.deepEqual(outcome, { kind: 'returned', value: { rows: 3 } });
        assert.deepEqual(seen.pulls, [{ task_ids: 'named', dag_id: null, key: 'return_value', include_prior_dates: false, default: null, map_indexes: null }]);
        assert.deepEqual(seen.pushes, [['seen', { got: { rows: 3 } }]]);
      });

      it('reads Variables from AIRFLOW_VAR_* and .preflight/variables.json, not a metastore', async () => {
        const outcome = await worker.execute(request('classic_af2', 'variables', 2), recorder().channel);
        assert.deepEqual(outcome, { kind: 'returned', value: ['eu', 3, 'hi', 'fallback'] });
      });

      it('streams print, logging and subprocess output as the task log', async () => {
        const { seen, channel } = recorder();
        assert.deepEqual(await worker.execute(request('classic_af2', 'chatty', 2), channel), { kind: 'returned', value: null });
        assert.ok(seen.logs.includes('hello from print'), seen.logs.join('\n'));
        assert.ok(seen.logs.some((l) => /INFO - hello from logging$/.test(l)), seen.logs.join('\n'));
        assert.ok(seen.logs.includes('hello from a subprocess'), 'fd 1 of a subprocess goes to the log, not the protocol');
        assert.ok(seen.logs.includes('no newline at the end'));
        assert.ok(seen.logs.some((l) => /INFO - Done\. Returned value was: None$/.test(l)), 'Airflow logs the return value');
      });

      it('reports an exception with its type, message, traceback and the line in the DAG file', async () => {
        const { error, traceback } = errorOf(await worker.execute(request('classic_af2', 'fails', 2), recorder().channel));
        assert.deepEqual(error, { type: 'ValueError', message: 'bad input: 42', retryable: true, file: classic, line: lineOf(classic, '# <- raise ValueError') });
        assert.match(traceback, /in fails\n[\s\S]*ValueError: bad input: 42/);
      });

      it('maps AirflowSkipException to a skip and AirflowFailException to an error without retry', async () => {
        assert.deepEqual(await worker.execute(request('classic_af2', 'skips', 2), recorder().channel), { kind: 'skip', message: 'nothing to do today' });
        const { error } = errorOf(await worker.execute(request('classic_af2', 'fails_hard', 2), recorder().channel));
        assert.deepEqual(error, { type: 'AirflowFailException', message: 'no retry for you', retryable: false, file: classic, line: lineOf(classic, '# <- raise AirflowFailException') });
      });

      it('fails a task that calls sys.exit with a non-zero code', async () => {
        const { error } = errorOf(await worker.execute(request('classic_af2', 'exits', 2), recorder().channel));
        assert.deepEqual([error.type, error.message, error.retryable], ['SystemExit', 'Task failed due to SystemExit(3)', true]);
      });

      it('serves get_current_context() and exhausts generator callables', async () => {
        assert.deepEqual(await worker.execute(request('classic_af2', 'current', 2), recorder().channel), { kind: 'returned', value: 'current' });
        assert.deepEqual(await worker.execute(request('classic_af2', 'generates', 2), recorder().channel), { kind: 'returned', value: 'generated' });
      });

      it('returns a branch callable\'s choice as is (the engine does the skipping)', async () => {
        assert.deepEqual(await worker.execute(request('classic_af2', 'branch', 2), recorder().channel), { kind: 'returned', value: 'grouped.inner' });
        assert.deepEqual(await worker.execute(request('classic_af2', 'gate', 2), recorder().channel), { kind: 'returned', value: false });
      });

      it('runs each failure callback with the exception in the context, reporting the first that raised', async () => {
        const { seen, channel } = recorder();
        const exception: WireError = { type: 'ValueError', message: 'bad input: 42', retryable: true };
        const result = await worker.callback({
          task_id: 'fails', context_task_id: null, name: 'on_failure_callback', try_number: 3, run: run('classic_af2'), params: {}, exception, reason: null, airflow: 2,
        }, channel);
        assert.deepEqual([result.error?.type, result.error?.message], ['RuntimeError', 'the callback broke']);
        assert.ok(seen.logs.includes('callback saw ValueError: bad input: 42 for fails'), seen.logs.join('\n'));
      });

      it('keeps the protocol intact under 2 MB of prints', async () => {
        const { seen, channel } = recorder();
        assert.deepEqual(await worker.execute(request('classic_af2', 'floods', 2), channel), { kind: 'returned', value: 'flooded' });
        const printed = seen.logs.filter((l) => /^\d{6} x+$/.test(l));
        assert.equal(printed.length, 2100);
        assert.ok(printed[2099].startsWith('002099 '));
      });
    } else {
      it('describes TaskFlow as Airflow 3 loads it: ids with __1, XComArg edges and markers, groups, inferred multiple_outputs', () => {
        const marked = (name: string) => lineOf(taskflow, `# <- ${name}`);
        check(dags, {
          outline: {
            taskflow_af3: [
              `extract [@task] python | 1 all_success @${marked('extract')}`,
              `add [@task] python <- extract | 1 all_success @${marked('add')}`,
              `add__1 [@task] python <- add | 1 all_success @${marked('add__1')}`,
              `report [BashOperator] bash <- add__1, pick | 1 all_success @${lineOf(taskflow, 'task_id="report"')}`,
              `skip_it [EmptyOperator] empty <- pick | 1 all_success @${lineOf(taskflow, 'task_id="skip_it"')}`,
              `pick [@task.branch] branch <- add__1 | 1 all_success @${lineOf(taskflow, 'pick(again)')}`,
              `checks.positive [@task] python <- add | 4 all_success @${lineOf(taskflow, 'positive(value)')}`,
              `context_keys [@task] python | 1 all_success @${lineOf(taskflow, 'context_keys()')}`,
              `current [@task] python | 1 all_success @${lineOf(taskflow, '    current()')}`,
              `exits [@task] python | 1 all_success @${lineOf(taskflow, '    exits()')}`,
              `next_week [@task] python | 1 all_success @${lineOf(taskflow, '    next_week()')}`,
              `mail [EmailOperator] mock | 1 all_success @${lineOf(taskflow, 'task_id="mail"')}`,
            ],
          },
          dags: {
            taskflow_af3: {
              catchup: false, params: { limit: 10 }, task_groups: { checks: ['checks.positive'] }, line: lineOf(taskflow, '# <- dag'), callbacks: ['on_failure_callback'],
            },
          },
          tasks: {
            extract: { multiple_outputs: true },
            add: { multiple_outputs: false, template_fields: { templates_dict: null, op_args: [{ __xcomarg__: { task_id: 'extract', key: 'a' } }], op_kwargs: { y: { __xcomarg__: { task_id: 'extract', key: 'b' } } } } },
            report: { template_fields: { bash_command: 'echo $TOTAL', env: { TOTAL: { __xcomarg__: { task_id: 'add__1', key: 'return_value' } } }, cwd: null } },
          },
        });
      });

      it('calls TaskFlow functions with the arguments the engine resolved', async () => {
        assert.deepEqual(await worker.execute(request('taskflow_af3', 'add', 3, { op_args: [1], op_kwargs: { y: 2 } }), recorder().channel), { kind: 'returned', value: 3 });
        assert.deepEqual(await worker.execute(request('taskflow_af3', 'pick', 3, { op_args: [5], op_kwargs: {} }), recorder().channel), { kind: 'returned', value: 'report' });
      });

      it('serves get_current_context() from airflow.sdk and fails on any SystemExit, as Airflow 3 does', async () => {
        assert.deepEqual(await worker.execute(request('taskflow_af3', 'current', 3, { op_args: [], op_kwargs: {} }), recorder().channel), { kind: 'returned', value: 'current' });
        const { error } = errorOf(await worker.execute(request('taskflow_af3', 'exits', 3, { op_args: [], op_kwargs: {} }), recorder().channel));
        assert.deepEqual([error.type, error.message], ['SystemExit', 'Task failed due to SystemExit(0)']);
      });

      it('gives context-key parameters their context values (macros, ds)', async () => {
        assert.deepEqual(await worker.execute(request('taskflow_af3', 'next_week', 3, { op_args: [], op_kwargs: {} }), recorder().channel), { kind: 'returned', value: '2024-01-08' });
      });

      it('reports an EmailOperator\'s mail as an alert instead of sending it', async () => {
        const { seen, channel } = recorder();
        const rendered = { to: 'team@example.com', subject: 'Report for 2024-01-01', html_content: '<b>done</b>' };
        assert.deepEqual(await worker.execute(request('taskflow_af3', 'mail', 3, rendered), channel), { kind: 'returned', value: null });
        assert.deepEqual(seen.alerts, [{ kind: 'email', text: 'Report for 2024-01-01\n<b>done</b>', channel: null, username: null, conn_id: 'smtp_default' }]);
      });

      it('runs a DAG callback with the context of the given task and the reason', async () => {
        const { seen, channel } = recorder();
        const result = await worker.callback({
          task_id: null, context_task_id: 'add', name: 'on_failure_callback', try_number: 1, run: run('taskflow_af3'), params: {}, exception: null, reason: 'task_failure', airflow: 3,
        }, channel);
        assert.deepEqual(result, { error: null });
        assert.deepEqual(seen.logs, ['dag failed: task_failure via add']);
      });

      it('returns the command of a @task.bash function (examples/dags/af3_taskflow_etl.py)', async () => {
        const example = join(EXAMPLES, 'af3_taskflow_etl.py');
        const { worker: etl, ready } = await startOk(interpreter, example);
        try {
          const announce = ready.dags[0].tasks.find((t) => t.task_id === 'announce')!;
          assert.deepEqual([announce.kind, announce.template_fields.bash_command], ['bash', null], 'the command is only known when the task runs');
          const outcome = await etl.execute(request('af3_taskflow_etl', 'announce', 3, { op_args: [1236.7], op_kwargs: {} }), recorder().channel);
          assert.deepEqual(outcome, { kind: 'returned', value: 'echo "Loaded total order value 1236.7"' });
        } finally {
          await etl.shutdown();
        }
      });

      it('passes **context the Airflow 3 context: no conf, execution_date, prev_ds or next_ds', async () => {
        const outcome = await worker.execute(request('taskflow_af3', 'context_keys', 3, { op_args: [], op_kwargs: {} }), recorder().channel);
        // `ds` is a named parameter of the function, so **context holds the rest.
        assert.deepEqual(outcome, { kind: 'returned', value: [...AIRFLOW3_CONTEXT.filter((k) => k !== 'ds'), '2024-01-01'] });
      });
    }

    it('imports helper modules from the DAGs folder, and mocks for providers that are not installed', async () => {
      const file = join(DAGS, 'uses_helper.py');
      const { worker: helper, ready } = await startOk(interpreter, file);
      try {
        check(ready.dags, {
          outline: {
            uses_helper: [
              `greet [PythonOperator] python | 0 all_success @${lineOf(file, 'task_id="greet"')}`,
              `bucket [S3CreateBucketOperator] mock <- greet | 3 all_success @${lineOf(file, 'task_id="bucket"')}`,
            ],
          },
          tasks: { bucket: { template_fields: { bucket_name: { __xcomarg__: { task_id: 'greet', key: 'return_value' } }, aws_conn_id: 'aws' } } },
        });
        assert.deepEqual(await helper.execute(request('uses_helper', 'greet', v, { op_args: ['world'], op_kwargs: {} }), recorder().channel), { kind: 'returned', value: 'hello world' });
      } finally {
        await helper.shutdown();
      }
    });

    it('reports a DAG file that raises while imported, at the raising line', async () => {
      const file = join(DAGS, 'raises_at_import.py');
      const started = await start(interpreter, file);
      assert.ok('error' in started);
      const { traceback = '', ...error } = started.error;
      assert.deepEqual(error, { type: 'RuntimeError', message: 'settings.yaml is missing', retryable: true, file, line: lineOf(file, '# <- raise at import') });
      assert.match(traceback, /raise RuntimeError/);
    });

    it('reports a syntax error with its line', async () => {
      const file = join(DAGS, 'syntax_error.py');
      const started = await start(interpreter, file);
      assert.ok('error' in started);
      assert.deepEqual([started.error.type, started.error.file, started.error.line], ['SyntaxError', file, lineOf(file, '# <- syntax error')]);
    });

    if (v === 2) {
      const example = join(EXAMPLES, 'af2_slack_alert_on_failure.py');
      const slackText = [
        ':red_circle: Task failed.',
        '*Dag*: af2_slack_alert_on_failure',
        '*Task*: check_input',
        '*Logical date*: 2024-01-01 00:00:00+00:00 (ds=2024-01-01)',
        '*Log url*: http://localhost:8080/dags/af2_slack_alert_on_failure/grid?dag_run_id=manual__2024-01-01T00%3A00%3A00%2B00%3A00'
          + '&task_id=check_input&base_date=2024-01-01T00%3A00%3A00%2B0000&tab=logs',
      ].join('\n');

      const slackCase = (title: string, env: NodeJS.ProcessEnv) => it(title, async () => {
        const { worker: slack } = await startOk(interpreter, example, env);
        try {
          const manual = { ...request('af2_slack_alert_on_failure', 'check_input', 2), run: run('af2_slack_alert_on_failure', 'manual') };
          const { error } = errorOf(await slack.execute(manual, recorder().channel));
          assert.deepEqual(error, { type: 'AirflowFailException', message: 'Input file is missing; failing without retry.', retryable: false, file: example, line: lineOf(example, 'raise AirflowFailException') });
          const { seen, channel } = recorder();
          const result = await slack.callback({
            task_id: 'check_input', context_task_id: null, name: 'on_failure_callback', try_number: 1, run: manual.run, params: {},
            exception: { type: 'AirflowFailException', message: 'Input file is missing; failing without retry.', retryable: false }, reason: null, airflow: 2,
          }, channel);
          assert.deepEqual(result, { error: null });
          assert.deepEqual(seen.alerts, [{ kind: 'slack', text: slackText, channel: null, username: null, conn_id: 'slack_default' }]);
        } finally {
          await slack.shutdown();
        }
      });

      slackCase('turns the Slack message of examples/dags/utils/slack_notifier.py into an alert instead of a webhook call', {});
      if (interpreter.standIn === 'auto') {
        // Hide the installed Slack provider: its import must fall back to the stand-in's module.
        const hide = mkdtempSync(join(AIRFLOW_HOME, 'hide-slack-'));
        writeFileSync(join(hide, 'sitecustomize.py'), [
          'import importlib.machinery as m',
          'f = m.PathFinder.find_spec',
          'm.PathFinder.find_spec = classmethod(lambda cls, name, path=None, target=None: None if name.startswith("airflow.providers.slack") else f(name, path, target))',
        ].join('\n'));
        slackCase('uses the stand-in Slack provider when Airflow has none installed', { PYTHONPATH: hide });
      }
    }
  });
}

describe('Python worker process', () => {
  const interpreter = INTERPRETERS[0];
  const classic = join(DAGS, 'classic_af2.py');

  it('names the interpreter it could not find', async () => {
    const started = await PythonWorker.start({ python: '/no/such/python3', file: classic, dagsFolder: DAGS, airflow: 2 });
    assert.ok('error' in started);
    assert.equal(started.error.type, 'PythonNotFound');
    assert.match(started.error.message, /\/no\/such\/python3/);
  });

  it('kill() ends the worker and the processes its task started', async () => {
    const { worker } = await startOk(interpreter, classic);
    const { seen, channel } = recorder();
    const outcome = worker.execute(request('classic_af2', 'sleeps', 2), channel);
    const child = await waitFor(() => Number(/^child pid (\d+)$/.exec(seen.logs.join('\n'))?.[1]) || undefined);
    assert.ok(isAlive(child), 'the task started sleep');
    worker.kill();
    assert.deepEqual(errorOf(await outcome).error.type, 'WorkerCrashed');
    await waitFor(() => (!isAlive(child) && !isAlive(worker.pid!)) || undefined);
  });

  it('resolves the request in flight when the worker dies, with its exit code and stderr', async () => {
    const { worker } = await startOk(interpreter, classic);
    const { error } = errorOf(await worker.execute(request('classic_af2', 'crashes', 2), recorder().channel));
    assert.equal(error.type, 'WorkerCrashed');
    assert.match(error.message, /exited with code 7 while running crashes/);
    assert.match(error.message, /about to crash/);
    const after = await worker.execute(request('classic_af2', 'named', 2), recorder().channel);
    assert.equal(errorOf(after).error.type, 'WorkerCrashed', 'a dead worker answers at once');
  });

  it('finds worker.py beside the sources', () => {
    assert.equal(pythonWorkerScript(), resolve('python/preflight_worker/worker.py'));
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether a process runs (a zombie waiting for a reaper does not count). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    if (process.platform === 'linux') return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
