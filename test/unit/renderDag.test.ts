// A DAG's templated fields rendered as a whole: user-defined macros and filters, template files
// from template_searchpath, custom operators' fields, default_args, and XComs pulled from the
// simulator or pinned for a preview.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogFor } from '../../src/core/airflow/catalog';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { checkFile } from '../../src/core/check';
import type { XComPullRequest } from '../../src/core/sim/types';
import { templateContext } from '../../src/core/templates/context';
import { renderDag, type RenderedTask, type RenderOptions } from '../../src/core/templates/fields';
import { renderString } from '../../src/core/templates/render';
import { parseXComPins, pinnedXComPull } from '../../src/core/templates/xcom';
import { localXComPins } from '../../src/node/localSources';

const HEADER = `import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.providers.smtp.operators.smtp import EmailOperator
from mycompany.operators import MyOperator

def _shout(value):
    return str(value).upper()

`;
const DAG_ARGS = 'schedule="30 0 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False';
const LOGICAL_DATE = Date.UTC(2024, 0, 1, 0, 30);

/** The tasks of the file's only DAG, rendered for 2024-01-01T00:30Z. */
function render(source: string, options: Partial<RenderOptions> = {}, airflow: AirflowVersion = 3): Record<string, RenderedTask> {
  const [dag] = checkFile({ file: 'dag.py', text: HEADER + source }, airflow).model.dags;
  const rendered = renderDag(dag, { airflow, catalog: catalogFor(airflow), logicalDate: LOGICAL_DATE, now: LOGICAL_DATE, ...options });
  if ('error' in rendered) assert.fail(rendered.error);
  return Object.fromEntries(rendered.tasks.map((t) => [t.task_id, t]));
}

describe('user_defined_macros and user_defined_filters', () => {
  const dag = (args: string, task: string) => `with DAG("d", ${DAG_ARGS}, ${args}):\n    ${task}\n`;

  it('known values become names the templates read; a context key of the same name wins', () => {
    const { a } = render(dag('user_defined_macros={"project": "acme", "ds": "shadowed", "cfg": {"region": "kr"}, "ids": [1, 2]}',
      'BashOperator(task_id="a", bash_command="{{ project }} {{ ds }} {{ cfg.region }} {{ ids[1] }}")'));
    assert.deepEqual(a.fields, { bash_command: 'acme 2024-01-01 kr 2' });
  });

  it('a macro or filter only Python can run makes the fields that reach it unsupported, not failed', () => {
    const { a } = render(dag('user_defined_macros={"project": "acme", "fmt": _shout}, user_defined_filters={"shout": _shout}',
      'BashOperator(task_id="a", bash_command="{{ project }}", env={"A": "{{ fmt(ds) }}", "B": "{{ ds }}"}, cwd="/tmp/{{ ds | shout }}")'));
    assert.deepEqual(a.fields, { bash_command: 'acme' });
    assert.deepEqual(a.errors, {});
    assert.match(a.unsupported.env, /user-defined macro 'fmt' is the Python function _shout/);
    assert.match(a.unsupported.cwd, /user-defined filter 'shout' is the Python function _shout/);
  });

  it('a Python macro reached through an attribute is unsupported too; a branch that skips it renders', () => {
    const { a, b } = render(`with DAG("d", ${DAG_ARGS}, user_defined_macros={"helpers": _shout}, user_defined_filters={"shout": _shout}):
    BashOperator(task_id="a", bash_command="{{ helpers.run(ds) }}")
    BashOperator(task_id="b", bash_command="{% if false %}{{ ds | shout }}{{ helpers }}{% endif %}done")
`);
    assert.match(a.unsupported.bash_command, /user-defined macro 'helpers'/);
    assert.deepEqual(b.fields, { bash_command: 'done' });
  });

  it('an undefined name is still Airflow\'s failure when the macros are known', () => {
    const { a } = render(dag('user_defined_macros={"project": "acme"}', 'BashOperator(task_id="a", bash_command="{{ projet }}")'));
    assert.match(a.errors.bash_command.message, /'projet' is undefined/);
    assert.deepEqual(a.unsupported, {});
  });

  it('macros computed by Python: a name the context lacks may be one of them', () => {
    const { a, b } = render(`from mycompany.macros import load_macros
with DAG("d", ${DAG_ARGS}, user_defined_macros=load_macros()):
    BashOperator(task_id="a", bash_command="{{ project }}")
    BashOperator(task_id="b", bash_command="{{ ds }}")
`);
    assert.match(a.unsupported.bash_command, /user_defined_macros is computed when the DAG file runs; 'project' may be one of them/);
    assert.deepEqual(b.fields, { bash_command: '2024-01-01' });
  });
});

describe('template files and template_searchpath', () => {
  const files: Record<string, string> = {
    'null:run.sh': 'dag folder {{ ds }}',
    'include:run.sh': 'include {{ ds }}',
    'include:only_include.sh': 'only include {{ ds_nodash }}',
    'sql/extra:q.sh': 'extra {{ ds }}',
    'null:nested/x.sh': 'nested',
  };
  const readTemplate = (name: string, folder: string | null) => files[`${folder}:${name}`];
  const dag = (searchpath: string) => `with DAG("d", ${DAG_ARGS}${searchpath}):
    BashOperator(task_id="local", bash_command="run.sh")
    BashOperator(task_id="searched", bash_command="only_include.sh")
    BashOperator(task_id="second", bash_command="q.sh")
    BashOperator(task_id="missing", bash_command="nope.sh")
    BashOperator(task_id="normalised", bash_command="/nested/./x.sh")
    BashOperator(task_id="parent", bash_command="../run.sh")
`;

  it('looks in the DAG folder first, then in each template_searchpath folder in order', () => {
    const tasks = render(dag(', template_searchpath=["include", "sql/extra"]'), { readTemplate });
    assert.deepEqual(tasks.local.fields, { bash_command: 'dag folder 2024-01-01' });
    assert.deepEqual(tasks.searched.fields, { bash_command: 'only include 20240101' });
    assert.deepEqual(tasks.second.fields, { bash_command: 'extra 2024-01-01' });
    assert.deepEqual(tasks.missing.errors, { bash_command: { message: 'TemplateNotFound: nope.sh' } });
    // Jinja's loader drops empty and `.` parts of a name and refuses `..`.
    assert.deepEqual(tasks.normalised.fields, { bash_command: 'nested' });
    assert.deepEqual(tasks.parent.errors, { bash_command: { message: 'TemplateNotFound: ../run.sh' } });
  });

  it('takes a single string as one folder, and without a search path only the DAG folder', () => {
    assert.deepEqual(render(dag(', template_searchpath="include"'), { readTemplate }).searched.fields, { bash_command: 'only include 20240101' });
    assert.deepEqual(Object.keys(render(dag(''), { readTemplate }).searched.errors), ['bash_command']);
  });

  it('a search path only Python knows: files outside the DAG folder are unsupported', () => {
    const tasks = render(`import os\n${dag(', template_searchpath=[os.path.join(os.path.dirname(__file__), "include")]')}`, { readTemplate });
    assert.deepEqual(tasks.local.fields, { bash_command: 'dag folder 2024-01-01' });
    assert.match(tasks.searched.unsupported.bash_command, /template_searchpath is computed when the file runs/);
  });
});

describe('templated fields of custom operators, default_args and Airflow defaults', () => {
  it('renders the fields declared for an operator the catalogue does not know', () => {
    const source = `with DAG("d", ${DAG_ARGS}):\n    MyOperator(task_id="a", field_a="{{ ds }}", sql=["select '{{ ds_nodash }}'"], other="{{ ds }}")\n`;
    const undeclared = render(source).a;
    assert.deepEqual(undeclared.fields, {});
    assert.match(undeclared.unsupported['*'], /MyOperator is not an operator Preflight knows: declare its templated fields in the preflight.templateFields setting/);
    assert.deepEqual(render(source, { templateFields: { MyOperator: ['field_a', 'sql'] } }).a.fields, { field_a: '2024-01-01', sql: ["select '20240101'"] });
  });

  it('declared fields replace those of a known operator', () => {
    const source = `with DAG("d", ${DAG_ARGS}):\n    BashOperator(task_id="a", bash_command="echo {{ ds }}", output_encoding="{{ 'utf-8' }}")\n`;
    assert.deepEqual(render(source, { templateFields: { BashOperator: ['output_encoding'] } }).a.fields, { output_encoding: 'utf-8' });
  });

  it('a templated field may come from default_args, or from the operator\'s own truthy default', () => {
    const { a, mail } = render(`with DAG("d", ${DAG_ARGS}, default_args={"env": {"DAY": "{{ ds }}"}}):
    BashOperator(task_id="a", bash_command="echo")
    EmailOperator(task_id="mail", to="a@example.com", subject="{{ ds }}")
`);
    assert.deepEqual(a.fields, { bash_command: 'echo', env: { DAY: '2024-01-01' } });
    assert.deepEqual(mail.fields, { to: 'a@example.com', subject: '2024-01-01', mime_subtype: 'mixed', mime_charset: 'utf-8', conn_id: 'smtp_default' });
  });

  it('a field that is falsy for Python ({}, [], "", 0) is left as it is, not rendered', () => {
    const { a } = render(`with DAG("d", ${DAG_ARGS}):
    PythonOperator(task_id="a", python_callable=print, op_args=["{{ ds }}"], op_kwargs={}, templates_dict={})
`);
    assert.deepEqual(a.fields, { op_args: ['2024-01-01'] });
  });

  it('@task.branch and @task.short_circuit render their arguments as @task does, and print their own class', () => {
    const { route, gate } = render(`from airflow.sdk import task

with DAG("d", ${DAG_ARGS}):
    @task.branch
    def route(day):
        return "a"

    @task.short_circuit
    def gate(day, who):
        return True

    route("{{ ds }}")
    gate("{{ ds_nodash }}", who="{{ task }}")
`);
    assert.deepEqual(route.fields, { op_args: ['2024-01-01'] });
    assert.deepEqual(gate.fields, { op_args: ['20240101'], op_kwargs: { who: '<Task(_ShortCircuitDecoratedOperator): gate>' } });
    assert.deepEqual({ ...route.unsupported, ...gate.unsupported }, {});
  });
});

describe('ti.xcom_pull in templates', () => {
  const RUN = { dagId: 'd', taskId: 'load', runId: 'r', logicalDate: LOGICAL_DATE, dataIntervalStart: LOGICAL_DATE, dataIntervalEnd: LOGICAL_DATE, now: LOGICAL_DATE };

  it('reads its arguments by position and keyword as Airflow names them', () => {
    const call = (template: string) => {
      const requests: XComPullRequest[] = [];
      renderString(template, templateContext({ ...RUN, xcomPull: (request) => requests.push(request) }, 3));
      return requests[0];
    };
    assert.deepEqual(call('{{ ti.xcom_pull("extract") }}'), { task_ids: 'extract' });
    assert.deepEqual(call('{{ ti.xcom_pull("extract", "other_dag", "rows", True) }}'), { task_ids: 'extract', dag_id: 'other_dag', key: 'rows', include_prior_dates: true });
    assert.deepEqual(call('{{ task_instance.xcom_pull(task_ids=["a", "b"], key=None, default=0, map_indexes=[0, 1]) }}'),
      { task_ids: ['a', 'b'], key: null, default: 0, map_indexes: [0, 1] });
  });

  it('prints what the given xcomPull answers, and a placeholder without one', () => {
    const rows = templateContext({ ...RUN, xcomPull: (request) => (request.task_ids === 'extract' ? { rows: 3 } : null) }, 3);
    assert.deepEqual(renderString('{{ ti.xcom_pull(task_ids="extract")["rows"] }} {{ ti.xcom_pull("other") }}', rows), { value: '3 None' });
    assert.deepEqual(renderString('{{ ti.xcom_pull("extract", key="rows") }}', templateContext(RUN, 3)), { value: '<XCom extract.rows>' });
  });

  it('pins from JSON: an object is keys, anything else the return_value', () => {
    assert.deepEqual(parseXComPins({ extract: { rows: 3 }, count: 7, names: ['a'] }), { extract: { rows: 3 }, count: { return_value: 7 }, names: { return_value: ['a'] } });
  });

  it('reads pins from the nearest .preflight/xcom.json, and none without the file (placeholders stay)', () => {
    assert.deepEqual(localXComPins('test/fixtures/local_sources/xcom_dag.py'), {
      extract: { return_value: 's3://bucket/2024-01-01.csv', rows: 42 }, count: { return_value: 7 },
    });
    assert.equal(localXComPins('test/fixtures/templates/operators.py'), undefined);
  });

  const pins = parseXComPins({ extract: 'rows.csv', load: { return_value: 'own', n: 5 } });

  it('pinned values on Airflow 2.10: default for a missing one, any task or key for None, a lazy sequence for a list', () => {
    const pull = pinnedXComPull(pins, 2, 'report');
    assert.equal(pull({ task_ids: 'extract' }), 'rows.csv');
    assert.equal(pull({ task_ids: 'extract', key: 'n' }), null);
    assert.equal(pull({ task_ids: 'nope', default: 'fallback' }), 'fallback');
    assert.equal(pull({ key: 'n' }), 5);
    assert.equal(pull({ task_ids: 'load', key: null }), 'own');
    assert.equal(pull({ task_ids: 'extract', map_indexes: 0, default: 'none mapped' }), 'none mapped');
    const sequence = pull({ task_ids: ['extract', 'nope', 'load'] }) as unknown[];
    assert.deepEqual([...sequence], ['rows.csv', 'own']);
    assert.equal(String(sequence), 'LazySelectSequence([2 items])');
  });

  it('pinned values on Airflow 3: the calling task for None, None for a missing one unless map_indexes is given', () => {
    const pull = pinnedXComPull(pins, 3, 'load');
    assert.equal(pull({ task_ids: 'extract' }), 'rows.csv');
    assert.equal(pull({}), 'own');
    assert.equal(pull({ key: null }), 'own');
    assert.equal(pull({ task_ids: 'nope', default: 'fallback' }), null);
    assert.equal(pull({ task_ids: 'nope', default: 'fallback', map_indexes: null }), 'fallback');
    assert.deepEqual(pull({ task_ids: ['extract', 'nope'] }), ['rows.csv', null]);
    assert.deepEqual(pull({ task_ids: 'extract', map_indexes: [-1, 0], default: 'd' }), ['rows.csv', 'd']);
  });

  it('renderDag pulls pinned values for each task', () => {
    const source = `with DAG("d", ${DAG_ARGS}):
    BashOperator(task_id="load", bash_command="load {{ ti.xcom_pull(task_ids='extract') }} {{ ti.xcom_pull() }}")
`;
    assert.deepEqual(render(source, { xcomPins: pins }).load.fields, { bash_command: 'load rows.csv own' });
    assert.deepEqual(render(source, { xcomPins: pins }, 2).load.fields, { bash_command: 'load rows.csv rows.csv' });
    assert.deepEqual(render(source).load.fields, { bash_command: 'load <XCom extract.return_value> <XCom this task.return_value>' });
  });
});

// renderDag keeps renderings between calls (the editor renders the whole DAG after each keystroke);
// reusing one must never change a result.
describe('renderings reused between calls', () => {
  const dag = (tasks: string) => `with DAG("d", ${DAG_ARGS}, user_defined_macros={"items": [1]}):\n${tasks}`;

  it('reuses the rendering of a task whose inputs did not change, and renders a changed one again', () => {
    const first = render(dag('    BashOperator(task_id="a", bash_command="echo {{ ds }}")\n    BashOperator(task_id="b", bash_command="echo {{ ts }}")\n'));
    const second = render(dag('    BashOperator(task_id="a", bash_command="echo {{ ds }}")\n    BashOperator(task_id="b", bash_command="echo {{ ts }}!")\n'));
    assert.equal(second.a, first.a);
    assert.deepEqual(second.b.fields, { bash_command: 'echo 2024-01-01T00:30:00+00:00!' });
  });

  it('renders again at another time what read the clock', () => {
    const source = dag('    BashOperator(task_id="a", bash_command="{{ macros.datetime.now() }} {{ dag_run.start_date }}")\n');
    assert.deepEqual(render(source, { now: Date.UTC(2024, 0, 1, 1) }).a.fields, { bash_command: '2024-01-01 01:00:00 2024-01-01 01:00:00+00:00' });
    assert.deepEqual(render(source, { now: Date.UTC(2024, 0, 1, 2) }).a.fields, { bash_command: '2024-01-01 02:00:00 2024-01-01 02:00:00+00:00' });
  });

  it('never reuses what drew random values', () => {
    const source = dag('    BashOperator(task_id="a", bash_command="{{ macros.uuid.uuid4() }}")\n');
    assert.notEqual(render(source).a.fields.bash_command, render(source).a.fields.bash_command);
  });

  it('gives each task its own dag_run.conf, params and macro values, as each task process has', () => {
    const source = dag(`    BashOperator(task_id="a", bash_command="{% do dag_run.conf.update({'k': 1}) %}{% do params.update({'p': 1}) %}{% do items.append(2) %}{{ items }}")
    BashOperator(task_id="b", bash_command="{{ dag_run.conf }} {{ params }} {{ items }}")
`);
    for (let i = 0; i < 2; i++) {
      const { a, b } = render(source, { conf: { c: 0 } });
      assert.deepEqual([a.fields, b.fields], [{ bash_command: '[1, 2]' }, { bash_command: "{'c': 0} {'c': 0} [1]" }]);
    }
  });
});
