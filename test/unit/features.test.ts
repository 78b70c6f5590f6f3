// Hover, completion and definition, with the cursor written into the source as `‸`.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogFor } from '../../src/core/airflow/catalog';
import { checkFile } from '../../src/core/check';
import { completionsAt, type CompletionSources } from '../../src/core/features/completion';
import { definitionAt } from '../../src/core/features/definition';
import { hoverAt } from '../../src/core/features/hover';
import { readFileSync } from 'node:fs';
import { moduleReaderFor } from '../../src/node/modules';
import { templateContext } from '../../src/core/templates/context';
import { renderString } from '../../src/core/templates/render';

const CURSOR = '‸';

function at(source: string) {
  const offset = source.indexOf(CURSOR);
  assert.ok(offset >= 0, 'the source marks the cursor');
  const text = source.slice(0, offset) + source.slice(offset + 1);
  return { file: checkFile({ file: 'dag.py', text }, 3), offset, text };
}

function checkCompletion(source: string, expected: { includes: string[]; excludes?: string[]; replaces?: string }, sources?: CompletionSources): void {
  const { file, offset, text } = at(source);
  const completions = completionsAt(file, offset, catalogFor(3), sources);
  assert.ok(completions, 'completions are offered');
  const labels = completions.items.map((i) => i.label);
  for (const label of expected.includes) assert.ok(labels.includes(label), `${label} in ${labels.slice(0, 12).join(', ')}…`);
  for (const label of expected.excludes ?? []) assert.ok(!labels.includes(label), `${label} not offered`);
  if (expected.replaces !== undefined) assert.equal(text.slice(completions.range.from, completions.range.to), expected.replaces);
}

function checkHover(source: string, expected: RegExp[]): void {
  const { file, offset } = at(source);
  const hover = hoverAt(file, offset, catalogFor(3));
  assert.ok(hover, 'a hover is shown');
  for (const pattern of expected) assert.match(hover.markdown, pattern);
}

function checkDefinition(source: string, expected: string | undefined): void {
  const { file, offset, text } = at(source);
  const location = definitionAt(file, offset);
  assert.equal(location ? text.slice(location.range.from, location.range.to) : undefined, expected);
}

const HEADER = `import pendulum
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
`;

describe('completion', () => {
  it('offers the operator\'s own and BaseOperator\'s arguments, minus those written', () => checkCompletion(
    `${HEADER}with DAG("d"):\n    BashOperator(task_id="a", bash_c‸)\n`,
    { includes: ['bash_command=', 'retries=', 'trigger_rule='].map((s) => s.replace('=', '')), excludes: ['task_id'], replaces: 'bash_c' }));

  it('offers DAG arguments of the version', () => checkCompletion(`${HEADER}with DAG("d", sch‸):\n    pass\n`,
    { includes: ['schedule', 'catchup', 'default_args'], excludes: ['schedule_interval'], replaces: 'sch' }));

  it('offers default_args keys inside the dict', () => checkCompletion(`${HEADER}default_args = {"owner": "me", "ret‸"}\n`,
    { includes: ['retries', 'retry_delay', 'on_failure_callback'], excludes: ['owner'], replaces: 'ret' }));

  it('offers the version\'s trigger rules, in arguments and default_args, while the string is still open', () => {
    checkCompletion(`${HEADER}with DAG("d"):\n    BashOperator(task_id="a", bash_command="x", trigger_rule="one_‸")\n`,
      { includes: ['one_success', 'one_failed', 'all_done_min_one_success'], replaces: 'one_' });
    checkCompletion(`${HEADER}with DAG("d"):\n    BashOperator(task_id="a", bash_command="x", trigger_rule="al‸\n`, { includes: ['all_done'], replaces: 'al' });
    checkCompletion(`${HEADER}default_args = {"trigger_rule": "‸"}\n`, { includes: ['none_failed'], replaces: '' });
  });

  it('offers task ids in xcom_pull, in code and in templates', () => {
    const dag = `${HEADER}with DAG("d"):\n    extract = BashOperator(task_id="extract", bash_command="x")\n`;
    checkCompletion(`${dag}    BashOperator(task_id="b", bash_command="{{ ti.xcom_pull(task_ids='ex‸') }}")\n`, { includes: ['extract', 'b'], replaces: 'ex' });
    checkCompletion(`${dag}def f(ti):\n    ti.xcom_pull(task_ids=["extract", "‸"])\n`, { includes: ['extract'], replaces: '' });
  });

  it('offers task variables after >>', () => checkCompletion(
    `${HEADER}with DAG("d"):\n    extract = BashOperator(task_id="extract", bash_command="x")\n    load = BashOperator(task_id="load", bash_command="x")\n    extract >> [lo‸\n`,
    { includes: ['load', 'extract'], replaces: 'lo' }));
});

describe('hover', () => {
  it('documents a DAG argument from Airflow\'s docs', () => checkHover(`${HEADER}with DAG("d", cat‸chup=False):\n    pass\n`, [/\*\*catchup \(DAG argument\)\*\*/, /`bool`, default `False`/]));

  it('shows a default_args key\'s value for every task, and where it comes from', () => checkHover(`${HEADER}
default_args = {"ret‸ries": 2}
with DAG("d", default_args=default_args):
    a = BashOperator(task_id="a", bash_command="x")
    b = BashOperator(task_id="b", bash_command="x", retries=5)
`, [/number of retries/, /\| a \| `2` \| DAG default_args \|/, /\| b \| `5` \| task \|/]));

  it('leaves out default_args keys an operator does not accept, as Airflow does', () => checkHover(`${HEADER}
default_args = {"bash_comm‸and": "echo hi"}
with DAG("d", default_args=default_args):
    a = BashOperator(task_id="a")
    p = PythonOperator(task_id="p", python_callable=print)
`, [/\| a \| `"echo hi"` \| DAG default_args \|/, /\| p \| `\(not accepted\)` \|/]));

  it('documents an operator argument and shows the value the task gets', () => checkHover(`${HEADER}
with DAG("d", default_args={"retries": 3}):
    a = BashOperator(task_id="a", bash_command="x", re‸tries=5)
`, [/^\*\*retries \(BashOperator argument\)\*\* — `int \| None`, default `0`/, /the number of retries that should be performed before failing the task/, /\n\nValue for `a`: `5`$/]));

  it('summarises a task on its variable', () => checkHover(`${HEADER}
with DAG("d", default_args={"retries": 3}):
    ex‸tract = BashOperator(task_id="extract", bash_command="x")
    load = BashOperator(task_id="load", bash_command="x", trigger_rule="all_done")
    extract >> load
`, [/\*\*extract\*\* — BashOperator/, /downstream: `load`/, /retries: `3`/]));
});

describe('definition', () => {
  it('goes from a python_callable to its function', () => checkDefinition(
    `${HEADER}def report(**context):\n    pass\nwith DAG("d"):\n    PythonOperator(task_id="a", python_callable=rep‸ort)\n`, 'report'));

  it('goes from a task variable to the call that creates the task', () => checkDefinition(
    `${HEADER}with DAG("d"):\n    a = BashOperator(task_id="a", bash_command="x")\n    b = BashOperator(task_id="b", bash_command="x")\n    ‸a >> b\n`,
    'BashOperator(task_id="a", bash_command="x")'));

  it('goes from a TaskFlow call to the decorated function', () => checkDefinition(
    `${HEADER}with DAG("d"):\n    @task\n    def extract():\n        return 1\n    ext‸ract()\n`, 'extract'));

  it('goes from a callback imported from a helper module of the DAG folder to its definition', () => {
    const path = 'examples/dags/af2_slack_alert_on_failure.py';
    const text = readFileSync(path, 'utf8');
    const file = checkFile({ file: path, text, readModule: moduleReaderFor(path) }, 2);
    const use = text.indexOf('"on_failure_callback": task_fail_slack_alert') + '"on_failure_callback": '.length;
    const location = definitionAt(file, use + 3);
    if (!location?.file) assert.fail(`no definition in another file: ${JSON.stringify(location)}`);
    assert.ok(location.file.endsWith('examples/dags/utils/slack_notifier.py'), location.file);
    const helper = readFileSync(location.file, 'utf8');
    assert.equal(helper.slice(location.range.from, location.range.to), 'task_fail_slack_alert');
  });

  it('finds nothing on words that are not DAG objects', () => checkDefinition(`${HEADER}import o‸s\n`, undefined));
});

describe('schedule hover', () => {
  it('describes the schedule, counts catchup runs and lists the next five runs in UTC and Seoul', () => {
    const source = `${HEADER}with DAG("d", schedule="30 0 * ‸* *", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=True):\n    pass\n`;
    const { file, offset } = at(source);
    const hover = hoverAt(file, offset, catalogFor(3), { now: Date.parse('2024-01-03T12:00:00Z'), zones: ['UTC', 'Asia/Seoul'] });
    assert.ok(hover);
    const lines = hover.markdown.split('\n');
    assert.equal(lines[0], '**At 00:30 (UTC time)** — CronTriggerTimetable (Airflow 3), catchup True');
    assert.ok(lines.includes('Unpausing now creates 3 catch-up runs, at most 16 active at once.'));
    assert.ok(lines.includes('| ds | logical date (UTC) | data interval (UTC) | runs at (UTC) | logical date (Asia/Seoul) | data interval (Asia/Seoul) | runs at (Asia/Seoul) |'));
    assert.ok(lines.includes('| 2024-01-04 | 2024-01-04 00:30 | 2024-01-04 00:30 – 2024-01-04 00:30 | 2024-01-04 00:30 | 2024-01-04 09:30 | 2024-01-04 09:30 – 2024-01-04 09:30 | 2024-01-04 09:30 |'));
    assert.equal(lines.filter((l) => /^\| 2024-01-0\d /.test(l)).length, 5);
  });

  it('shows the logical date and data interval in every zone that is not UTC, where they differ from the run time', () => {
    const source = `${HEADER}with DAG("d", schedule="30 ‸0 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=True, max_active_runs=2):\n    pass\n`;
    const { file } = at(source);
    const on2 = checkFile({ file: 'dag.py', text: file.text }, 2);
    const hover = hoverAt(on2, source.indexOf('‸'), catalogFor(2), { now: Date.parse('2024-01-03T12:00:00Z'), zones: ['UTC', 'Asia/Seoul', 'America/New_York'] });
    assert.ok(hover);
    const lines = hover.markdown.split('\n');
    assert.ok(lines.includes('Unpausing now creates 2 catch-up runs, at most 2 active at once.'), hover.markdown);
    const header = lines.find((l) => l.startsWith('| ds |'))!.split('|').map((cell) => cell.trim());
    assert.deepEqual(header.filter((cell) => /\((Asia\/Seoul|America\/New_York)\)/.test(cell)), [
      'logical date (Asia/Seoul)', 'data interval (Asia/Seoul)', 'runs at (Asia/Seoul)',
      'logical date (America/New_York)', 'data interval (America/New_York)', 'runs at (America/New_York)',
    ]);
    // Airflow 2.10's data interval: the run of 2024-01-03 00:30 covers a day and runs at its end.
    assert.ok(lines.includes('| 2024-01-03 | 2024-01-03 00:30 | 2024-01-03 00:30 – 2024-01-04 00:30 | 2024-01-04 00:30 '
      + '| 2024-01-03 09:30 | 2024-01-03 09:30 – 2024-01-04 09:30 | 2024-01-04 09:30 '
      + '| 2024-01-02 19:30 | 2024-01-02 19:30 – 2024-01-03 19:30 | 2024-01-03 19:30 |'), hover.markdown);
  });
});

describe('completion inside templates', () => {
  const dag = `${HEADER}with DAG("d", params={"region": "kr", "limit": 5}):\n`;
  it('offers the version\'s context keys', () => checkCompletion(`${dag}    BashOperator(task_id="a", bash_command="echo {{ ds_‸")\n`,
    { includes: ['ds_nodash', 'ds'], excludes: ['execution_date'], replaces: 'ds_' }));

  it('offers macros and the DAG\'s params after a dot', () => {
    checkCompletion(`${dag}    BashOperator(task_id="a", bash_command="{{ macros.ds_‸ }}")\n`, { includes: ['ds_add', 'ds_format'], replaces: 'ds_' });
    checkCompletion(`${dag}    BashOperator(task_id="a", bash_command="{{ params.‸")\n`, { includes: ['region', 'limit'], replaces: '' });
  });

  it('offers only the macros that render here, dateutil, time and uuid among them', () => {
    const { file, offset } = at(`${dag}    BashOperator(task_id="a", bash_command="{{ macros.‸ }}")\n`);
    const labels = completionsAt(file, offset, catalogFor(3))!.items.map((i) => i.label);
    const context = templateContext({ dagId: 'd', taskId: 'a', runId: 'r', logicalDate: 0, dataIntervalStart: 0, dataIntervalEnd: 0, now: 0 }, 3);
    for (const label of ['ds_add', 'ds_format', 'datetime', 'timedelta', 'dateutil', 'time', 'uuid', 'json', 'random']) assert.ok(labels.includes(label), label);
    // Airflow has these, the renderer does not: offering them would propose a template that fails here.
    for (const absent of ['yaml', 'ds_format_locale', 'datetime_diff_for_humans']) assert.ok(!labels.includes(absent), absent);
    for (const label of labels) {
      const rendered = renderString(`{{ macros.${label} is defined }}`, context);
      assert.deepEqual(rendered, { value: 'True' }, label);
    }
  });

  it('offers the local Variables after var.value. and var.json.', () => {
    const variables = { variables: ['region', 'db_config'] };
    checkCompletion(`${dag}    BashOperator(task_id="a", bash_command="{{ var.value.re‸ }}")\n`, { includes: ['region', 'db_config'], replaces: 're' }, variables);
    checkCompletion(`${dag}    BashOperator(task_id="a", bash_command="{{ var.json.‸")\n`, { includes: ['region', 'db_config'], replaces: '' }, variables);
    checkCompletion(`${dag}    BashOperator(task_id="a", bash_command="{{ var.value.‸")\n`, { includes: [], excludes: ['region', 'ds'] });
  });
});

describe('template hover', () => {
  it('shows a templated field rendered for the next run, and its error when it fails', () => {
    const dag = `${HEADER}with DAG("d", schedule="30 0 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="UTC")):\n`;
    const options = { now: Date.parse('2024-01-03T12:00:00Z'), zones: ['UTC'] };
    const good = at(`${dag}    BashOperator(task_id="a", bash_command="echo {{ macros.ds_‸add(ds, 1) }}")\n`);
    const hover = hoverAt(good.file, good.offset, catalogFor(3), options);
    assert.ok(hover);
    assert.match(hover.markdown, /\*\*bash_command\*\* rendered for the run of 2024-01-04T00:30:00\+00:00/);
    assert.match(hover.markdown, /```\necho 2024-01-05\n```/);
    const bad = at(`${dag}    BashOperator(task_id="a", bash_command="echo {{ ds_no‸dsh }}")\n`);
    assert.match(hoverAt(bad.file, bad.offset, catalogFor(3), options)!.markdown, /⚠ UndefinedError: 'ds_nodsh' is undefined/);
  });
});
