// Rendering as Airflow's Jinja renders, for a scheduled run of "30 0 * * *" with logical date
// 2024-01-01T00:30:00+00:00 (the example of shared/airflow-semantics.md §2.1). Every expected text
// was printed by real Jinja2 3.1.6 in Airflow 2.10.5 and 3.3.2 (DAG.get_template_env(), the task
// context of test/oracle/render.py), except where a comment names a deliberate deviation.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { parseConnection } from '../../src/core/templates/connections';
import { templateContext, type TemplateRun } from '../../src/core/templates/context';
import { literalEval } from '../../src/core/templates/literal';
import { PyDateTime, pyStr } from '../../src/core/templates/pyobjects';
import { renderNative, renderString, renderValue } from '../../src/core/templates/render';

const RUN: TemplateRun = {
  dagId: 'd',
  taskId: 't',
  runId: 'scheduled__2024-01-01T00:30:00+00:00',
  logicalDate: Date.UTC(2024, 0, 1, 0, 30),
  dataIntervalStart: Date.UTC(2024, 0, 1, 0, 30),
  dataIntervalEnd: Date.UTC(2024, 0, 2, 0, 30),
  previousLogicalDate: Date.UTC(2023, 11, 31, 0, 30),
  nextLogicalDate: Date.UTC(2024, 0, 2, 0, 30),
  conf: { k: 'from conf' },
  params: { x: 7, name: 'prod' },
  variables: { env: 'dev', settings: '{"retries": 3}', floats: '{"ratio": 1.0, "sizes": [2.0, 1.5], "big": 1e3}' },
  connections: {
    db: parseConnection('db', 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require')!,
    api: parseConnection('api', '{"conn_type": "http", "host": "h", "extra": {"a": 1}}')!,
  },
  now: Date.UTC(2024, 0, 1, 1, 30),
  taskType: 'BashOperator',
  taskArguments: { owner: 'data', retries: 2, queue: 'default', pool: 'default_pool' },
};

const VERSIONS = [2, 3] as const;

/** `expected` is the rendered text, or a pattern the error message must match. */
type Case = readonly [template: string, expected: string | RegExp];

function check(template: string, expected: string | RegExp, airflow: AirflowVersion): void {
  const rendered = renderString(template, templateContext(RUN, airflow));
  if (expected instanceof RegExp) {
    assert.ok('error' in rendered, `${template} fails, rendered ${JSON.stringify(rendered)}`);
    assert.match(rendered.error.message, expected);
  } else {
    assert.deepEqual(rendered, { value: expected }, template);
  }
}

/** A table of cases, each checked on both Airflow versions. */
function cases(title: string, table: readonly Case[]): void {
  for (const airflow of VERSIONS) {
    it(`${title} (Airflow ${airflow})`, () => {
      for (const [template, expected] of table) check(template, expected, airflow);
    });
  }
}

describe('context keys', () => {
  cases('ds, ts and their variants, in UTC', [
    ['{{ ds }} {{ ds_nodash }}', '2024-01-01 20240101'],
    ['{{ ts }} {{ ts_nodash }} {{ ts_nodash_with_tz }}', '2024-01-01T00:30:00+00:00 20240101T003000 20240101T003000+0000'],
    ['{{ logical_date }}', '2024-01-01 00:30:00+00:00'],
    ['{{ data_interval_start }} / {{ data_interval_end }}', '2024-01-01 00:30:00+00:00 / 2024-01-02 00:30:00+00:00'],
    ['{{ run_id }} {{ dag.dag_id }} {{ task.task_id }} {{ task_instance_key_str }}', 'scheduled__2024-01-01T00:30:00+00:00 d t d__t__20240101'],
    ['{{ logical_date.timestamp() }} {{ dag_run.logical_date.timestamp() }}', '1704069000.0 1704069000.0'],
  ]);

  it('Airflow 2.10 keys that Airflow 3 removed', () => {
    check('{{ execution_date }} {{ prev_ds }} {{ next_ds }} {{ yesterday_ds }} {{ tomorrow_ds_nodash }}', '2024-01-01 00:30:00+00:00 2023-12-31 2024-01-02 2023-12-31 20240102', 2);
    for (const key of ['execution_date', 'prev_ds', 'next_ds', 'yesterday_ds', 'tomorrow_ds', 'conf']) check(`{{ ${key} }}`, /UndefinedError/, 3);
  });

  it('test_mode: False on Airflow 2.10; Airflow 3 does not populate it', () => {
    check('{{ test_mode }}', 'False', 2);
    check('{{ test_mode }}', /^UndefinedError: 'test_mode' is undefined$/, 3);
  });

  cases('params, dag_run.conf and Variables', [
    ['{{ params.x }} {{ params.name }} {{ params }}', "7 prod {'x': 7, 'name': 'prod'}"],
    ["{{ dag_run.conf.get('k', 'default') }} {{ dag_run.conf.get('other', 'default') }}", 'from conf default'],
    ["{{ var.value.env }} {{ var.json.settings.retries }} {{ var.value.get('missing', 'fallback') }}", 'dev 3 fallback'],
    ['{{ var.value.missing }}', /Variable missing does not exist/],
    // Python's json: a float stays a float.
    ['{{ var.json.floats.ratio }} {{ var.json.floats }} {{ var.json.floats.ratio * 2 }}', "1.0 {'ratio': 1.0, 'sizes': [2.0, 1.5], 'big': 1000.0} 2.0"],
  ]);

  it('var.value.get without a default: a KeyError on 2.10, NOTSET on Airflow 3', () => {
    check("{{ var.value.get('missing') }}", /^KeyError: Variable missing does not exist$/, 2);
    check("{{ var.value.get('missing') }} {{ var.value.get('missing', default=None) }}", 'NOTSET None', 3);
  });

  cases('Connections', [
    ['{{ conn.db.host }} {{ conn.db.port }} {{ conn.db.login }} {{ conn.db.password }} {{ conn.db.schema }} {{ conn.db.conn_type }}', 'db.internal 5432 etl s@cret analytics postgres'],
    ["{{ conn.db.extra_dejson.sslmode }} {{ conn.get('db').host }} {{ conn.api.extra_dejson }} {{ conn.api.extra_dejson.a }} {{ conn.api.port }} {{ conn.db.conn_id }}", "require db.internal {'a': 1} 1 None db"],
    ['{{ conn.missing.host }}', /^AirflowNotFoundException: The conn_id `missing` isn't defined$/],
    // A connection that does not exist is the default of get(), None unless given.
    ["{{ conn.get('missing') }} {{ conn.get('missing', 'fallback') }} {{ conn.get('missing', default_conn='keyword') }}", 'None fallback keyword'],
    ["{{ conn.get('missing').host }}", /UndefinedError/],
  ]);
});

// How the context's objects print and which attributes they have. Run-specific parts are fixed:
// Airflow 3's ids and trace context print as the nil UUID and zeros, the worker's host name as '',
// queued and start times as `now`, and the configuration object without its address.
describe('context objects', () => {
  // pydantic's str() of the task instance; its repr() is the same fields, comma-separated, in RuntimeTaskInstance(...).
  const TI_3_FIELDS = [
    "id=UUID('00000000-0000-0000-0000-000000000000')", "task_id='t'", "dag_id='d'", "run_id='scheduled__2024-01-01T00:30:00+00:00'", 'try_number=1',
    "dag_version_id=UUID('00000000-0000-0000-0000-000000000000')", 'map_index=-1', "hostname=''",
    "context_carrier={'traceparent': '00-00000000000000000000000000000000-0000000000000000-00'}", "queue='default'", 'task=<Task(BashOperator): t>',
    'max_tries=2', "start_date=datetime.datetime(2024, 1, 1, 1, 30, tzinfo=Timezone('UTC'))", 'end_date=None', "state=<TaskInstanceState.RUNNING: 'running'>",
    'is_mapped=None', 'rendered_map_index=None', "sentry_integration=''",
  ];
  const DAG_RUN_3 = "dag_id='d' run_id='scheduled__2024-01-01T00:30:00+00:00' logical_date=DateTime(2024, 1, 1, 0, 30, 0, tzinfo=Timezone('UTC')) "
    + "data_interval_start=DateTime(2024, 1, 1, 0, 30, 0, tzinfo=Timezone('UTC')) data_interval_end=DateTime(2024, 1, 2, 0, 30, 0, tzinfo=Timezone('UTC')) "
    + "run_after=DateTime(2024, 1, 1, 0, 30, 0, tzinfo=Timezone('UTC')) start_date=datetime.datetime(2024, 1, 1, 1, 30, tzinfo=Timezone('UTC')) end_date=None "
    + "clear_number=0 run_type=<DagRunType.SCHEDULED: 'scheduled'> state=<DagRunState.RUNNING: 'running'> conf={'k': 'from conf'} triggering_user_name=None "
    + 'consumed_asset_events=[] partition_key=None partition_date=None note=None team_name=None';

  it('print as Airflow 2.10 prints them', () => {
    check('{{ ti }} | {{ task_instance }}', '<TaskInstance: d.t scheduled__2024-01-01T00:30:00+00:00 [running]> | <TaskInstance: d.t scheduled__2024-01-01T00:30:00+00:00 [running]>', 2);
    check('{{ dag }} {{ task }} {{ [dag, task] }}', '<DAG: d> <Task(BashOperator): t> [<DAG: d>, <Task(BashOperator): t>]', 2);
    check('{{ dag_run }}', '<DagRun d @ 2024-01-01 00:30:00+00:00: scheduled__2024-01-01T00:30:00+00:00, state:running, queued_at: 2024-01-01 01:30:00+00:00. externally triggered: False>', 2);
    check('{{ conf }} {{ macros }} {{ params }}', "<airflow.configuration.AirflowConfigParser object> <module 'airflow.macros'> {'x': 7, 'name': 'prod'}", 2);
    // 2.10's accessors print the value they read last.
    check('{{ var.value }} {{ var }} {{ conn }}', "None {'json': None, 'value': None} None", 2);
    check('{{ var.value.env }} {{ var.value }} {{ var }} {{ conn.db.host }} {{ conn }} {{ conn.db }}', "dev dev {'json': None, 'value': dev} db.internal db db", 2);
  });

  it('print as Airflow 3 prints them', () => {
    check('{{ ti }}', TI_3_FIELDS.join(' '), 3);
    check('{{ [task_instance] }}', `[RuntimeTaskInstance(${TI_3_FIELDS.join(', ')})]`, 3);
    check('{{ dag }} {{ task }}', '<DAG: d> <Task(BashOperator): t>', 3);
    check('{{ dag_run }}', DAG_RUN_3, 3);
    check('{{ var.value }} {{ var }} {{ conn }} {{ macros }}',
      "<VariableAccessor (dynamic access)> {'json': <VariableAccessor (dynamic access)>, 'value': <VariableAccessor (dynamic access)>} <ConnectionAccessor (dynamic access)> <MacrosAccessor (dynamic access to macros)>", 3);
    check('{{ conn.db }}', 'Connection(conn_id=\'db\', conn_type=\'postgres\', description=None, host=\'db.internal\', schema=\'analytics\', login=\'etl\', password=\'s@cret\', port=5432, extra=\'{"sslmode": "require"}\')', 3);
  });

  cases('have the attributes of Airflow\'s objects', [
    ['{{ ti.task_id }} {{ ti.state }} {{ ti.try_number }} {{ ti.max_tries }} {{ ti.queue }} {{ ti.start_date }} {{ ti.task }}', 't running 1 2 default 2024-01-01 01:30:00+00:00 <Task(BashOperator): t>'],
    ['{{ task.task_type }} {{ task.owner }} {{ task.retries }} {{ task.pool }} {{ task.dag }}', 'BashOperator data 2 default_pool <DAG: d>'],
    ['{{ dag.dag_id }} {{ dag.timezone }} {{ dag.timezone.name }} {{ dag_run.state }} {{ dag_run.start_date }}', 'd UTC UTC running 2024-01-01 01:30:00+00:00'],
    ["{{ dag | attr('dag_id') }} {{ ti | attr('task_id') }} {{ params | attr('items') }}", 'd t <built-in method items of dict object>'],
  ]);

  cases('fail for attributes they do not have, as Airflow does', [
    ["{{ params | attr('x') }}", /^UndefinedError: /],
    ['{{ ti.nope }}', /^UndefinedError: 'ti.nope' is undefined$/],
    ['{{ dag.nope }}', /^UndefinedError: 'dag.nope' is undefined$/],
    ['{{ task.nope }}', /^UndefinedError: 'task.nope' is undefined$/],
    ['{{ dag_run.nope }}', /^UndefinedError: 'dag_run.nope' is undefined$/],
    ['{{ macros.nope }}', /^UndefinedError: 'macros.nope' is undefined$/],
    // Modelled as objects, not dicts: no dict methods.
    ["{{ dag_run.get('conf') }}", /UndefinedError/],
    ['{{ ti.keys() }}', /UndefinedError/],
  ]);

  cases('refuse the attributes Airflow has that the preview does not model', [
    ['{{ ti.hostname }}', /^(Runtime)?TaskInstance\.hostname is not supported by the template preview$/],
    ['{{ dag.tags }}', /^DAG\.tags is not supported by the template preview$/],
    ['{{ task.bash_command }}', /^BashOperator\.bash_command is not supported by the template preview$/],
  ]);

  it('have version-specific attributes', () => {
    check('{{ dag_run.queued_at }} {{ dag_run.external_trigger }} {{ ti.pool }} {{ ti.operator }}', '2024-01-01 01:30:00+00:00 False default_pool BashOperator', 2);
    check('{{ dag_run.queued_at }}', /UndefinedError/, 3);
    check('{{ dag_run.run_after }} {{ dag_run.clear_number }} {{ ti.end_date }} {{ ti.is_mapped }}', '2024-01-01 00:30:00+00:00 0 None None', 3);
    check('{{ dag_run.run_after }}', /UndefinedError/, 2);
  });
});

describe('macros', () => {
  cases('ds_add and ds_format', [
    ['{{ macros.ds_add(ds, 7) }} {{ macros.ds_add(ds, -1) }} {{ macros.ds_add(ds, 0) }}', '2024-01-08 2023-12-31 2024-01-01'],
    ["{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }} {{ macros.ds_format('2015-01-01', '%Y-%m-%d', '%m-%d-%y') }}", '01/01/2024 01-01-15'],
    ["{{ macros.ds_add('2024-01-31', 1.5) }}", '2024-02-01'],
    ["{{ macros.ds_add('not-a-date', 1) }}", /^ValueError: time data 'not-a-date' does not match format '%Y-%m-%d'$/],
  ]);

  cases('pendulum formatting', [
    ["{{ logical_date.format('dddd ddd d') }}|{{ logical_date.format('MMMM MMM M D Do') }}|{{ logical_date.format('H h hh A') }}|{{ logical_date.format('[at] HH:mm') }}", 'Monday Mon 1|January Jan 1 1 1st|0 12 12 AM|at 00:30'],
    ["{{ data_interval_end.add(days=21, hours=15).format('Do MMMM, h A') }} {{ logical_date.format('YYYY-MM-DDTHH:mm:ssZ') }} {{ '{:YYYY-MM}'.format(logical_date) }}", '23rd January, 3 PM 2024-01-01T00:30:00+00:00 2024-01'],
    // Airflow prints the quarter; tokens the preview does not model fail instead of printing a letter.
    ["{{ logical_date.format('Q') }}", /the pendulum format token 'Q' in 'Q' is not supported/],
  ]);

  cases('datetime and timedelta, with the run\'s clock', [
    ["{{ (logical_date - macros.timedelta(days=1)).strftime('%Y-%m-%d') }}", '2023-12-31'],
    ['{{ macros.datetime(2024, 1, 1) }} {{ [macros.datetime(2024, 1, 1, 5)] }}', '2024-01-01 00:00:00 [datetime.datetime(2024, 1, 1, 5, 0)]'],
    ['{{ macros.datetime.now() }} {{ macros.datetime.now().isoformat() }}', '2024-01-01 01:30:00 2024-01-01T01:30:00'],
    ['{{ macros.datetime }} {{ macros.timedelta }}', "<class 'datetime.datetime'> <class 'datetime.timedelta'>"],
    ['{{ macros.timedelta(days=1).total_seconds() }} {{ 3 * macros.timedelta(hours=1) }} {{ macros.timedelta(hours=36) / 2 }}', '86400.0 3:00:00 18:00:00'],
    ['{{ [macros.timedelta(days=1, seconds=5)] }} {{ [logical_date] }}', "[datetime.timedelta(days=1, seconds=5)] [DateTime(2024, 1, 1, 0, 30, 0, tzinfo=Timezone('UTC'))]"],
  ]);

  cases('time reads the run\'s clock, never the machine\'s', [
    ["{{ macros.time.time() }} {{ macros.time.strftime('%Y-%m-%d %H:%M') }}", '1704072600.0 2024-01-01 01:30'],
    // Airflow would sleep and print None; a preview refuses rather than blocks.
    ['{{ macros.time.sleep(1) }}', /macros\.time\.sleep|time\.sleep is not supported/],
  ]);

  cases('dateutil.relativedelta, on the calendar', [
    ['{{ macros.dateutil.relativedelta.relativedelta(months=1) }} {{ macros.dateutil.relativedelta.relativedelta(hours=25, months=13) }}', 'relativedelta(months=+1) relativedelta(years=+1, months=+1, days=+1, hours=+1)'],
    ['{{ logical_date + macros.dateutil.relativedelta.relativedelta(months=1) }}', '2024-02-01 00:30:00+00:00'],
    ['{{ logical_date - macros.dateutil.relativedelta.relativedelta(months=1, days=2) }}', '2023-11-29 00:30:00+00:00'],
    ['{{ logical_date + macros.dateutil.relativedelta.relativedelta(day=31) }}', '2024-01-31 00:30:00+00:00'],
    ["{{ (logical_date + macros.dateutil.relativedelta.relativedelta(months=1, day=31)).strftime('%Y-%m-%d') }}", '2024-02-29'],
    // Deliberately not modelled (Airflow prints the module): a clear error instead.
    ['{{ macros.dateutil.parser }}', /dateutil\.parser is not supported by the template preview/],
  ]);

  cases('json, uuid and random', [
    ["{{ macros.json.dumps({'a': [1, 2.0, None]}) }} {{ macros.json.dumps({'b': 1, 'a': 2}, sort_keys=true) }}", '{"a": [1, 2.0, null]} {"a": 2, "b": 1}'],
    ['{{ macros.json.dumps(params) }} {{ macros.json.dumps([1], indent=2) }}', '{"x": 7, "name": "prod"} [\n  1\n]'],
    ["{{ macros.json.loads('{\"a\": 1.0, \"b\": [1, null]}') }}", "{'a': 1.0, 'b': [1, None]}"],
    ['{{ macros.uuid.uuid4() | string | length }} {{ macros.uuid.uuid4().hex | length }} {{ macros.uuid.uuid4() == macros.uuid.uuid4() }}', '36 32 False'],
    // macros.random is the function random.random, random in Airflow as here.
    ['{{ macros.random() is float }} {{ 0 <= macros.random() < 1 }}', 'True True'],
    // Airflow: UndefinedError, a builtin has no such attribute; the sandbox refuses every attribute of a function.
    ['{{ macros.random.randint }}', /not allowed in templates/],
  ]);

  it('prints the namespace as Airflow does (2.10 adds the module\'s file path, which is left out)', () => {
    check('{{ macros }}', "<module 'airflow.macros'>", 2);
    check('{{ macros }}', '<MacrosAccessor (dynamic access to macros)>', 3);
  });
});

describe('filters', () => {
  cases("Airflow's date filters", [
    ['{{ data_interval_end | ds }} {{ data_interval_end | ds_nodash }} {{ data_interval_end | ts }}', '2024-01-02 20240102 2024-01-02T00:30:00+00:00'],
    ['{{ logical_date | ts_nodash }} {{ data_interval_end | ts_nodash }} {{ data_interval_end | ts_nodash_with_tz }} {{ logical_date.date() | ds }} {{ None | ds }}', '20240101T003000 20240102T003000 20240102T003000+0000 2024-01-01 None'],
    ['{{ ds | ds }}', /^AttributeError: 'str' object has no attribute 'strftime'$/],
  ]);

  cases('number conversions and rounding', [
    ['{{ 1.5 | round }} {{ 2.5 | round }} {{ 2.675 | round(2) }} {{ 5 | round }} {{ 1234 | round(-2) }} {{ 1.2 | round(0, "ceil") }} {{ 1.8 | round(0, "floor") }}', '2.0 2.0 2.67 5 1200 2.0 1.0'],
    ["{{ ds | int }} {{ '12' | int }} {{ '1.9' | int }} {{ ' 7 ' | int }} {{ 'x' | int(5) }} {{ '0x1A' | int(0, 16) }} {{ 3.9 | int }} {{ True | int }} {{ '1e3' | int }} {{ None | int }}", '0 12 1 7 5 26 3 1 1000 0'],
    ["{{ '1.5' | float }} {{ 'x' | float }} {{ 3 | float }} {{ 'inf' | float }} {{ '1_0' | float }} {{ -3 | abs }}", '1.5 0.0 3.0 inf 10.0 3'],
    ['{{ 12345.678 | round(1) }} {{ -2.5 | round }} {{ 0.5 | round }} {{ 1e20 | round(2) }} {{ 1.25 | round(1) }}', '12345.7 -2.0 0.0 1e+20 1.2'],
  ]);

  cases('sequences and mappings', [
    ["{{ {'b': 1, 'a': 2} | dictsort }} {{ {'a': 1}.items() | list }} {{ {'a': 1}.items() }} {{ {'a': 1} | items | list }}", "[('a', 2), ('b', 1)] [('a', 1)] dict_items([('a', 1)]) [('a', 1)]"],
    ["{{ [{'n': 'a'}, {'n': 'b'}] | map(attribute='n') | join(',') }} {{ ['a', 'b'] | map('upper') | list }} {{ [1, 2] | map('string') | join }}", "a,b ['A', 'B'] 12"],
    ["{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [3, 1] | sort(reverse=true) }}", "[1, 2, 3] ['A', 'b', 'c'] ['A', 'b', 'c'] [3, 1]"],
    ["{{ [1, 2, 2, 'a', 'A'] | unique | list }} {{ [1, 2, 3] | sum }} {{ [1.5, 2] | sum }} {{ ['b', 'a'] | min }} {{ [1, 3, 2] | max }}", "[1, 2, 'a'] 6 3.5 a 3"],
    ["{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | list }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }} {{ [1, 2] | length }} {{ {'a': 1} | count }}", "1 3 ['a', 'b', 'c'] cba [2, 1] 2 1"],
    ['{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3, 4, 5] | batch(2, "x") | list }} {{ [1, 2, 3, 4, 5] | slice(2) | list }}', "[[1, 2], [3, 4], [5]] [[1, 2], [3, 4], [5, 'x']] [[1, 2, 3], [4, 5]]"],
    ["{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ [{'a': 1}, {'a': 0}] | selectattr('a') | list }} {{ [1, 0, 2] | select | list }}", "[1, 3] [1, 3] [{'a': 1}] [1, 2]"],
    ["{{ [{'k': 'a', 'v': 1}, {'k': 'b', 'v': 2}, {'k': 'a', 'v': 3}] | groupby('k') }}", "[('a', [{'k': 'a', 'v': 1}, {'k': 'a', 'v': 3}]), ('b', [{'k': 'b', 'v': 2}])]"],
    ["{% for g in [{'k': 'a'}, {'k': 'b'}] | groupby('k') %}{{ g.grouper }}{{ g.list | length }}{% endfor %}", 'a1b1'],
    // Jinja's filters that return generators print with an address in Python; here without it.
    ["{{ ['a', 'b'] | map('upper') }}", '<generator object sync_do_map>'],
  ]);

  cases('strings', [
    ["{{ 'foo bar baz qux' | truncate(9) }}|{{ 'foo bar baz qux' | truncate(9, True) }}|{{ 'foo bar baz qux' | truncate(11) }}|{{ 'foo bar baz qux' | truncate(11, False, '...', 0) }}", 'foo...|foo ba...|foo bar baz qux|foo bar...'],
    // 300 characters: cut at 255 - 3, back to the last space, then the ellipsis.
    [`{{ ('ab ' * 100) | truncate }}`, `${'ab '.repeat(83)}ab...`],
    ["{{ '%s-%s' | format('a', 'b') }} {{ '%(x)s' | format(x=1) }} {{ ds | attr('upper') }}", 'a-b 1 <built-in method upper of str object>'],
    ["{{ 'hello world' | title }} {{ \"they're bill's\" | title }} {{ 'hELLO' | capitalize }} {{ ' x ' | trim }} {{ 'xxaxx' | trim('x') }} {{ 'aaa' | replace('a', 'b', 2) }}", "Hello World They're Bill's Hello x a bba"],
    ["{{ 'a' | center(5) }}|{{ 'ab' | center(5) }}|{{ 'one two  three' | wordcount }}|{{ 'a<b>&' | e }}|{{ 'a b/c?' | urlencode }}|{{ {'a': 'x y', 'b': '/'} | urlencode }}", '  a  |  ab |3|a&lt;b&gt;&amp;|a%20b/c%3F|a=x+y&b=%2F'],
    ["{{ 'a\nb\n\nc' | indent }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(2, blank=true) }}", 'a\n    b\n\n    c|  a\n  b|a\n  \n  b'],
    ["{{ 1024 | filesizeformat }} {{ 1 | filesizeformat }} {{ 1000000 | filesizeformat }} {{ 2048 | filesizeformat(true) }} {{ {'b': [1]} | pprint }}", "1.0 kB 1 Byte 1.0 MB 2.0 KiB {'b': [1]}"],
    ["{{ {'b': 1, 'a': '<x>'} | tojson }} {{ [1, 2.0] | tojson }}", '{"a": "\\u003cx\\u003e", "b": 1} [1, 2.0]'],
    ["{{ ds | upper }} {{ 'a,b' | replace(',', ';') }} {{ [1, 2] | join(',') }} {{ '7' | int + 1 }} {{ undefined_name | default('x') }}", '2024-01-01 a;b 1,2 8 x'],
    ["{{ [] | default('x') }} {{ '' | default('x', true) }} {{ none | default('x') }} {{ undefined_name | d('y') }}", '[] x None y'],
  ]);

  // Jinja reports an unknown filter as "No filter named 'dump'."; the wording here is nunjucks', which
  // fields.ts reads. wordwrap works in Airflow and is not modelled here.
  cases('what Jinja does not have, or the preview does not model, fails clearly', [
    ["{{ 'x' | dump }}", /^filter not found: dump$/],
    ["{{ 'x' | constructor }}", /^filter not found: constructor$/],
    ["{{ 'a b' | wordwrap(1) }}", /the 'wordwrap' filter is not supported by the template preview/],
  ]);
});

describe('tests', () => {
  cases('Jinja\'s tests, with and without parentheses', [
    ["{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }} {{ x is defined }} {{ none is none }} {{ 1 is number }} {{ 1.0 is float }}", 'True True True False False True True True'],
    ["{{ 1 is integer }} {{ true is integer }} {{ 'a' is string }} {{ {} is mapping }} {{ 'ab' is lower }} {{ 2 is in [1, 2] }} {{ 1 is eq 1 }} {{ 3 is gt 2 }} {{ 3 is not odd }}", 'True False True True True True True True False'],
  ]);
});

describe('Python behaviour', () => {
  cases('prints True, False, None, numbers, lists, tuples and dicts as Python does', [
    ['{{ True }} {{ False }} {{ None }}', 'True False None'],
    ["{{ [1, 'a'] }} {{ {'a': 1} }} {{ [1, 'a', None, True, 1.5, 2.0] }} {{ {'a': None} }} {{ True + 1 }}", "[1, 'a'] {'a': 1} [1, 'a', None, True, 1.5, 2.0] {'a': None} 2"],
    ["{{ (1,) }} {{ () }} {{ (1, 'a') }} {{ [1,] }} {{ {'a': 1,} }}", "(1,) () (1, 'a') [1] {'a': 1}"],
    ["{{ \"it's\" }} {{ [\"it's\", 'a\"b', 'c'] }}", `it's ["it's", 'a"b', 'c']`],
    ['{{ 2**70 }} {{ 10**20 }} {{ 1e22 }} {{ 1e16 }} {{ 1e15 }} {{ 0.1 + 0.2 }} {{ 1e-7 }} {{ -0.0 }} {{ 0x1F }} {{ 1_000 }}',
      '1180591620717411303424 100000000000000000000 1e+22 1e+16 1000000000000000.0 0.30000000000000004 1e-07 -0.0 31 1000'],
  ]);

  cases('ints and floats stay apart', [
    ['{{ 3 * 1.0 }} {{ 1e3 }} {{ 1.5e-3 }} {{ 2E2 }} {{ 1 / 3 }} {{ 10 / 4 }} {{ 4 / 2 }}', '3.0 1000.0 0.0015 200.0 0.3333333333333333 2.5 2.0'],
    ['{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ 7.0 // 2 }} {{ 2 ** -1 }} {{ 2 ** 10 }} {{ -1.0 }}', '3 -4 2 1.5 3.0 0.5 1024 -1.0'],
    ['{{ params.x * 1.5 }} {{ params.x / 7 }} {{ params.x // 2 }} {{ params.x ** 2 }} {{ -params.x }} {{ params.x % 4 }} {{ (ds | length) * 1.0 }}', '10.5 1.0 3 49 -7 3 10.0'],
    ['{{ 1 / 0 }}', /^ZeroDivisionError: division by zero$/],
    ['{{ 1.0 // 0 }}', /^ZeroDivisionError: float floor division by zero$/],
  ]);

  cases('repetition and concatenation', [
    ["{{ 'x' * 3 }} {{ [1, 2] * 2 }} {{ 2 * 'ab' }} {{ ds ~ '!' }} {{ None ~ 'x' ~ [1] ~ 1.0 }}", 'xxx [1, 2, 1, 2] abab 2024-01-01! Nonex[1]1.0'],
    ["{{ 'a' + 1 }}", /^TypeError: can only concatenate str \(not "int"\) to str$/],
    ['{{ [1] + (1,) }}', /^TypeError: can only concatenate list \(not "tuple"\) to list$/],
    ["{{ 'ab' * 1.5 }}", /^TypeError: can't multiply sequence by non-int of type 'float'$/],
    ["{{ -'a' }}", /^TypeError: bad operand type for unary -: 'str'$/],
  ]);

  cases('comparisons, membership and truthiness', [
    ["{{ '7' == 7 }} {{ 1 == 1.0 }} {{ [1, 2] == [1, 2] }} {{ (1, 2) == [1, 2] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }}", 'False True True False True False True True'],
    ["{{ 'ab' in 'cabd' }} {{ 1 in [1, 2] }} {{ 'a' in {'a': 1} }} {{ 3 not in [1] }}", 'True True True True'],
    ["{% if [] %}y{% else %}n{% endif %}{% if {} %}y{% else %}n{% endif %}{% if 0.0 %}y{% else %}n{% endif %}{% if '0' %}y{% endif %}", 'nnny'],
    ["{{ [] or 'x' }} {{ 'a' and 'b' }} {{ 0 and 1 }} {{ not [] }} {{ None or 0 }}", 'x b 0 True 0'],
    ["{{ 'a' < 1 }}", /^TypeError: '<' not supported between instances of 'str' and 'int'$/],
    ['{% if params.missing %}y{% endif %}', /^UndefinedError: 'params.missing' is undefined$/],
  ]);

  cases('string methods with Python semantics, and slicing', [
    ["{{ ds.replace('-', '/') }} {{ ds.split('-')[0] }} {{ 'abc'.upper() }} {{ ' x '.strip() }} {{ ds.startswith('2024') }}", '2024/01/01 2024 ABC x True'],
    ['{{ ds[:4] }} {{ ds_nodash[0:6] }} {{ ds[-2:] }} {{ ds[::-1] }} {{ (1, 2, 3)[1:] }} {{ [1, 2, 3][::2] }} {{ ds[100:] }}|', '2024 202401 01 10-10-4202 (2, 3) [1, 3] |'],
    ["{{ 'a,b,c'.rsplit(',', 1) }} {{ 'a b  c'.split(None, 1) }} {{ ' a b c '.rsplit(None, 1) }} {{ 'a,b,c'.split(',', maxsplit=1) }}", "['a,b', 'c'] ['a', 'b  c'] [' a b', 'c'] ['a', 'b,c']"],
    ["{{ 'abc'.replace('', '-') }} {{ 'a-b'.partition('-') }} {{ 'ab'.zfill(4) }} {{ '-5'.zfill(4) }} {{ 'abc'.find('c') }} {{ 'aaa'.count('a') }} {{ 'x'.join(['a', 'b']) }}", "-a-b-c- ('a', '-', 'b') 00ab -005 2 3 axb"],
    ["{{ ','.join([1, 2]) }}", /^TypeError: sequence item 0: expected str instance, int found$/],
  ]);

  cases('str.format with format specs', [
    ["{{ '{:02d}'.format(5) }} {{ '{:>8}|{:<8}|{:^8}'.format('a', 'b', 'c') }}", '05        a|b       |   c    '],
    ["{{ '{:,}'.format(1234567) }} {{ '{:,.2f}'.format(1234567.891) }} {{ '{:08.3f}'.format(-3.14159) }} {{ '{:010,}'.format(1234) }}", '1,234,567 1,234,567.89 -003.142 00,001,234'],
    ["{{ '{:x} {:X} {:#x} {:o} {:b}'.format(255, 255, 255, 8, 5) }} {{ '{0} {1} {0}'.format('a', 'b') }} {{ '{name}!'.format(name='x') }} {{ '{:.3}'.format('abcdef') }}", 'ff FF 0xff 10 101 a b a x! abc'],
    ["{{ '{:%Y/%m}'.format(logical_date) }} {{ '{:e}'.format(12345.678) }} {{ '{:g} {:g} {:g}'.format(0.00001, 123456789.0, 100.0) }} {{ '{:.1%}'.format(0.256) }}", '2024/01 1.234568e+04 1e-05 1.23457e+08 100 25.6%'],
    ["{{ '{}'.format(1.0) }} {{ '{}'.format(None) }} {{ '{!r}'.format('a') }} {{ '{:.2f}'.format(2.675) }} {{ '{:.0f}'.format(0.5) }} {{ '{:.0f}'.format(1.5) }}", "1.0 None 'a' 2.67 0 2"],
    ["{{ '{0[0]}-{0[1]}'.format(['a', 'b']) }} {{ '{0.year}'.format(logical_date) }} {{ '{{}}{}'.format(1) }} {{ '{:{w}}|'.format('a', w=3) }}", 'a-b 2024 {}1 a  |'],
    ["{{ '{:+.2f} {: d} {:=+8.1f} {:*^9}'.format(1.5, 3, -2.25, 'mid') }} {{ '{:n} {:.3g} {:.10g}'.format(1234, 0.000123456, 1/3) }} {{ '{:#o} {:#b} {:_d}'.format(8, 5, 1234567) }}", '+1.50  3 -    2.2 ***mid*** 1234 0.000123 0.3333333333 0o10 0b101 1_234_567'],
    ["{{ '{:d}'.format('a') }}", /^ValueError: Unknown format code 'd' for object of type 'str'$/],
    ["{{ '{:s}'.format(1) }}", /^ValueError: Unknown format code 's' for object of type 'int'$/],
    ["{{ '{0.__class__}'.format(ds) }}", /not allowed in templates/],
  ]);

  cases('% formatting', [
    ["{{ '%s-%s' % (ds, 'x') }} {{ '%05.1f|%d' % (3.14159, 7) }} {{ '%05.1f|%d|%-5s|%5s|%x|%r' % (3.14159, 7, 'a', 'b', 255, 'q') }}", "2024-01-01-x 003.1|7 003.1|7|a    |    b|ff|'q'"],
    ["{{ '%s' % [1, 2] }} {{ '%.2e %g %G' % (12345.678, 0.0001234, 1e20) }}", '[1, 2] 1.23e+04 0.0001234 1E+20'],
    ["{{ '%.3f %5.1f %-8.2e| %+d %08.2f' % (1.0005, 2.25, 0.000123, 5, -3.14159) }}", '1.000   2.2 1.23e-04| +5 -0003.14'],
    ["{{ '%s %s' % ('a',) }}", /^TypeError: not enough arguments for format string$/],
    ["{{ '%s' % ('a', 'b') }}", /^TypeError: not all arguments converted during string formatting$/],
  ]);

  cases('assignments, namespaces and loops as Jinja scopes them', [
    ['{% set ns = namespace(total=0) %}{% for i in range(3) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }} {{ namespace(a=1) }}', "3 <Namespace {'a': 1}>"],
    ["{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set a, b = ds.split('-')[:2] %}{{ b }}{{ a }} {% set x = 1, %}{{ x }}", '12 012024 (1,)'],
    ['{% set c = 0 %}{% for i in range(3) %}{% set c = c + 1 %}{{ c }}{% endfor %}{{ c }}', '1110'],
    ["{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %} {% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %} {% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}", 'ab a=1;b=2; 37'],
    ["{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{{ d }} {{ d.get('c', 'z') }} {{ d.keys() }} {{ d.values() | list }}", "{'a': 1, 'b': 2} z dict_keys(['a', 'b']) [1, 2]"],
    ['{% set l = [3, 1] %}{% do l.append(2) %}{% do l.sort() %}{{ l }} {{ l.index(2) }} {{ l.pop() }} {{ l }}', '[1, 2, 3] 1 3 [1, 2]'],
    ["{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }} {% set j = joiner('|') %}{% for i in range(3) %}{{ j() }}{{ i }}{% endfor %}", 'abab 0|1|2'],
    ['{{ range(3) }} {{ range(1, 10, 2) | list }} {{ dict(a=1) }}', "range(0, 3) [1, 3, 5, 7, 9] {'a': 1}"],
    ['{% for i in range(2) %}{% if i %}{{ x }}{% endif %}{% set x = i %}{% endfor %}', /^UndefinedError: 'x' is undefined$/],
    ['{% set a, b = [1] %}', /^ValueError: not enough values to unpack \(expected 2, got 1\)$/],
    ['{% for a, b in [[1, 2, 3]] %}{% endfor %}', /^ValueError: too many values to unpack \(expected 2\)$/],
    ['{% for x in None %}{% endfor %}', /^TypeError: 'NoneType' object is not iterable$/],
  ]);

  cases('control structures, and one trailing newline is dropped', [
    ['{% for i in range(3) %}{{ i }}{% endfor %}{% if params.x > 5 %} big{% endif %}', '012 big'],
    ['{% set a = 5 %}{% with a = 1, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }} {% for i in range(2) %}{% with i = i * 10 %}{{ i }}{% endwith %}{{ i }}{% endfor %}', '155 00101'],
    ["{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', punct='?') }} {% filter upper %}x {{ ds }}{% endfilter %}", 'Hi a! Hi b? X 2024-01-01'],
    ["{% for i in [] %}x{% else %}empty{% endfor %} {{ 'a' if false else 'b' }} {{ 'a' if false }}|{%- if true -%}  a  {%- endif -%}|", 'empty b |a|'],
    ['echo {{ ds }}\n', 'echo 2024-01-01'],
    ['echo\n\n', 'echo\n'],
  ]);

  // Jinja fails on each too (TemplateSyntaxError), in its own words.
  cases('nunjucks syntax that Jinja rejects is rejected', [
    ['{% switch 1 %}{% endswitch %}', /^Encountered unknown tag 'switch'\.$/],
    ['{{ r/a/ }}', /regular expression literals are nunjucks syntax/],
    ['{{ 1 === 1 }}', /unexpected '==='/],
  ]);
});

describe('XCom before any run', () => {
  cases('renders ti.xcom_pull as a named placeholder that survives attribute and item access', [
    ["{{ ti.xcom_pull(task_ids='extract') }} {{ ti.xcom_pull(task_ids='extract', key='rows')['n'] }}", '<XCom extract.return_value> <XCom extract.rows["n"]>'],
  ]);
});

describe('StrictUndefined', () => {
  // Jinja names the owner of a missing attribute ("'dict object' has no attribute 'missing'"); the
  // preview names the expression, which the diagnostics point at.
  cases('fails on undefined names and missing keys when they are used', [
    ['{{ ds_nodsh }}', /^UndefinedError: 'ds_nodsh' is undefined$/],
    ['echo {{ params.missing }}', /^UndefinedError: 'params.missing' is undefined$/],
    ['{{ params.missing | upper }}', /^UndefinedError: 'params.missing' is undefined$/],
    ['{{ toString }} {{ hasOwnProperty }}', /^UndefinedError: 'toString' is undefined$/],
  ]);

  it('locates the undefined name, and runtime and syntax errors', () => {
    const at = (template: string) => {
      const rendered = renderString(template, templateContext(RUN, 3));
      return 'error' in rendered ? rendered.error : rendered;
    };
    assert.deepEqual(at('a\n  {{ nope }}'), { message: "UndefinedError: 'nope' is undefined", line: 2, column: 6 });
    assert.deepEqual(at('x\n {% for a in 1 %}{% endfor %}'), { message: "TypeError: 'int' object is not iterable", line: 2, column: 14 });
    assert.deepEqual(at('{{ 1 + 2 * (3 / 0) }}'), { message: 'ZeroDivisionError: division by zero', line: 1, column: 13 });
    assert.deepEqual(at('{{ ds +'), { message: 'expected expression, got end of file', line: 1, column: 8 });
  });
});

describe('the sandbox', () => {
  const escapes = [
    '{{ range.constructor("return process")() }}',
    '{{ cycler.constructor("return process")() }}',
    '{{ joiner.constructor("return this")() }}',
    "{{ ''.constructor.constructor('return process')() }}",
    '{{ params.__proto__ }}',
    '{{ params.constructor }}',
    '{{ macros.ds_add.call(null, ds, 1) }}',
    '{{ macros.datetime.prototype }}',
    '{{ constructor }}',
    '{{ __proto__ }}',
    "{{ dag['constructor']['constructor']('return process')() }}",
    '{{ ds.upper.constructor }}',
    '{% set ns = namespace() %}{% set ns.__proto__ = 1 %}',
    '{% set __proto__ = 1 %}',
    "{{ '{0.constructor}'.format(ds) }}",
  ];
  for (const template of escapes) {
    it(`refuses ${template}`, () => {
      for (const airflow of VERSIONS) check(template, /not allowed in templates/, airflow);
    });
  }

  // Python prints functions with their address (`<function ds_add at 0x7f...>`), which cannot be
  // reproduced; the preview prints them without it, and never shows JavaScript source.
  cases('prints functions as Python names them, never as JavaScript source', [
    ['{{ macros.ds_add }} {{ ti.xcom_pull }} {{ range }} {{ macros.random }}', '<function ds_add> <function xcom_pull> <function safe_range> <built-in method random of Random object>'],
    ["{{ ds.upper }} {{ logical_date.add }} {{ dict }} {{ cycler }} {{ namespace }}", "<built-in method upper of str object> <bound method DateTime.add> <class 'dict'> <class 'jinja2.utils.Cycler'> <class 'jinja2.utils.Namespace'>"],
  ]);

  cases('keeps __proto__ an ordinary dict key', [
    ["{% set d = {} %}{% do d.update({'__proto__': 1}) %}{{ d }} {{ macros.json.loads('{\"__proto__\": 2}') }}", "{'__proto__': 1} {'__proto__': 2}"],
  ]);
});

describe('rendering field values', () => {
  it('renders lists and dict values recursively, leaves keys and falsy values alone', () => {
    const context = templateContext(RUN, 2);
    assert.deepEqual(renderValue({ '{{ ds }}': ['{{ ds_nodash }}', 1, { d: '{{ ts }}' }], empty: '' }, context), {
      value: { '{{ ds }}': ['20240101', 1, { d: '2024-01-01T00:30:00+00:00' }], empty: '' },
    });
    assert.deepEqual(renderValue('', context), { value: '' });
    assert.deepEqual(renderValue(null, context), { value: null });
  });

  it('locates a syntax error', () => {
    const rendered = renderString('echo {{ ds }\n', templateContext(RUN, 2));
    assert.ok('error' in rendered && rendered.error.line === 1, JSON.stringify(rendered));
  });
});

describe('native rendering (render_template_as_native_obj)', () => {
  for (const airflow of VERSIONS) {
    const native = (template: string) => {
      const rendered = renderNative(template, templateContext(RUN, airflow));
      return 'error' in rendered ? rendered.error.message : rendered.value;
    };

    it(`gives one expression's value, and literal_evals text (Airflow ${airflow})`, () => {
      assert.equal(native('{{ ds_nodash }}'), 20240101);
      assert.equal(native('{{ ds }}'), '2024-01-01');
      assert.deepEqual(native("{{ [1, 'a'] }}"), [1, 'a']);
      assert.equal(native('{{ params.x + 1 }}'), 8);
      assert.equal(native('day {{ ds }}'), 'day 2024-01-01');
      assert.ok(native('{{ logical_date }}') instanceof PyDateTime);
      assert.equal(pyStr(native('{{ 7 / 7 }}')), '1.0');
    });
  }

  it('reads Python literals as ast.literal_eval does', () => {
    const values = ['5', '-2.5', "'a b'", '"x"', 'True', 'None', '[1, [2]]', "{'k': (1, 2)}", '(1,)', '1.0'].map((t) => literalEval(t));
    assert.deepEqual(values.map((v) => (v.ok ? pyStr(v.value, true) : 'fail')), ['5', '-2.5', "'a b'", "'x'", 'True', 'None', '[1, [2]]', "{'k': (1, 2)}", '(1,)', '1.0']);
    assert.deepEqual(['2024-01-01', 'echo x', '[1,', ''].map((t) => literalEval(t).ok), [false, false, false, false]);
  });
});

describe('connections', () => {
  it('reads Airflow\'s URI and JSON forms', () => {
    assert.deepEqual(parseConnection('db', 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require'), {
      conn_id: 'db', conn_type: 'postgres', host: 'db.internal', login: 'etl', password: 's@cret', schema: 'analytics', port: 5432, extra_dejson: { sslmode: 'require' },
    });
    assert.deepEqual(parseConnection('api', '{"conn_type": "http", "host": "h", "extra": {"a": 1}}')?.extra_dejson, { a: 1 });
    assert.equal(parseConnection('x', 'not a uri'), undefined);
  });
});
