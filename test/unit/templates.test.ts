// Rendering as Airflow's Jinja renders, for a scheduled run of "30 0 * * *" with logical date
// 2024-01-01T00:30:00+00:00 (the example of shared/airflow-semantics.md §2.1).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { templateContext, type TemplateRun } from '../../src/core/templates/context';
import { parseConnection } from '../../src/core/templates/connections';
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
  variables: { env: 'dev', settings: '{"retries": 3}' },
  now: Date.UTC(2024, 0, 1, 1, 30),
};

/** `expected` is the rendered text, or an Error whose message must match. */
function check(template: string, expected: string | RegExp, airflow: AirflowVersion = 2): void {
  const rendered = renderString(template, templateContext(RUN, airflow));
  if (expected instanceof RegExp) {
    assert.ok('error' in rendered, `${template} fails, rendered ${JSON.stringify(rendered)}`);
    assert.match(rendered.error.message, expected);
  } else {
    assert.deepEqual(rendered, { value: expected }, template);
  }
}

describe('context keys', () => {
  it('ds, ts and their variants, in UTC', () => {
    check('{{ ds }} {{ ds_nodash }}', '2024-01-01 20240101');
    check('{{ ts }} {{ ts_nodash }} {{ ts_nodash_with_tz }}', '2024-01-01T00:30:00+00:00 20240101T003000 20240101T003000+0000');
    check('{{ logical_date }}', '2024-01-01 00:30:00+00:00');
    check('{{ data_interval_start }} / {{ data_interval_end }}', '2024-01-01 00:30:00+00:00 / 2024-01-02 00:30:00+00:00');
    check('{{ run_id }} {{ dag.dag_id }} {{ task.task_id }} {{ task_instance_key_str }}', 'scheduled__2024-01-01T00:30:00+00:00 d t d__t__20240101');
  });

  it('Airflow 2.10 keys that Airflow 3 removed', () => {
    check('{{ execution_date }} {{ prev_ds }} {{ next_ds }} {{ yesterday_ds }} {{ tomorrow_ds_nodash }}', '2024-01-01 00:30:00+00:00 2023-12-31 2024-01-02 2023-12-31 20240102', 2);
    for (const key of ['execution_date', 'prev_ds', 'next_ds', 'yesterday_ds', 'tomorrow_ds']) check(`{{ ${key} }}`, /UndefinedError/, 3);
  });

  it('params, dag_run.conf and Variables', () => {
    check('{{ params.x }} {{ params.name }}', '7 prod');
    check("{{ dag_run.conf.get('k', 'default') }} {{ dag_run.conf.get('other', 'default') }}", 'from conf default');
    check("{{ var.value.env }} {{ var.json.settings.retries }} {{ var.value.get('missing', 'fallback') }}", 'dev 3 fallback');
    check('{{ var.value.missing }}', /Variable missing does not exist/);
  });
});

describe('macros and filters', () => {
  it('ds_add and ds_format', () => {
    check('{{ macros.ds_add(ds, 7) }} {{ macros.ds_add(ds, -1) }} {{ macros.ds_add(ds, 0) }}', '2024-01-08 2023-12-31 2024-01-01');
    check("{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }} {{ macros.ds_format('2015-01-01', '%Y-%m-%d', '%m-%d-%y') }}", '01/01/2024 01-01-15');
  });

  it('datetimes: strftime, arithmetic with timedelta, pendulum add and subtract', () => {
    check("{{ logical_date.strftime('%Y/%m/%d %H %A %b') }}", '2024/01/01 00 Monday Jan');
    check("{{ (logical_date - macros.timedelta(days=1)).strftime('%Y-%m-%d') }}", '2023-12-31');
    check('{{ logical_date.add(days=1) }} {{ logical_date.subtract(hours=2) }}', '2024-01-02 00:30:00+00:00 2023-12-31 22:30:00+00:00');
    check('{{ data_interval_end - data_interval_start }}', '1 day, 0:00:00');
    check('{{ macros.datetime(2024, 1, 1) }}', '2024-01-01 00:00:00');
  });

  it("Airflow's filters and Jinja's", () => {
    check('{{ data_interval_end | ds }} {{ data_interval_end | ds_nodash }} {{ data_interval_end | ts }}', '2024-01-02 20240102 2024-01-02T00:30:00+00:00');
    check("{{ ds | upper }} {{ 'a,b' | replace(',', ';') }} {{ [1, 2] | join(',') }} {{ '7' | int + 1 }} {{ undefined_name | default('x') }}", '2024-01-01 a;b 1,2 8 x');
    check("{{ {'b': 1, 'a': '<x>'} | tojson }}", '{"a": "\\u003cx\\u003e", "b": 1}');
  });
});

describe('Python behaviour', () => {
  it('prints True, False, None, lists and dicts as Python does', () => {
    check('{{ True }} {{ False }} {{ None }}', 'True False None');
    check("{{ [1, 'a'] }} {{ {'a': 1} }}", "[1, 'a'] {'a': 1}");
  });

  it('string methods with Python semantics, and slicing', () => {
    check("{{ ds.replace('-', '/') }} {{ ds.split('-')[0] }} {{ 'abc'.upper() }} {{ ' x '.strip() }} {{ ds.startswith('2024') }}", '2024/01/01 2024 ABC x True');
    check('{{ ds[:4] }} {{ ds_nodash[0:6] }} {{ ds[-2:] }} {{ ds[::-1] }}', '2024 202401 01 10-10-4202');
  });

  it('% formatting and string concatenation', () => {
    check("{{ '%s-%s' % (ds, 'x') }} {{ '%05.1f|%d' % (3.14159, 7) }} {{ ds ~ '!' }}", '2024-01-01-x 003.1|7 2024-01-01!');
    check("{{ 'a' + 1 }}", /unsupported operand type/);
  });

  it('control structures, and one trailing newline is dropped', () => {
    check('{% for i in range(3) %}{{ i }}{% endfor %}{% if params.x > 5 %} big{% endif %}', '012 big');
    check('echo {{ ds }}\n', 'echo 2024-01-01');
    check('echo\n\n', 'echo\n');
  });
});

describe('XCom before any run', () => {
  it('renders ti.xcom_pull as a named placeholder that survives attribute and item access', () => {
    check("{{ ti.xcom_pull(task_ids='extract') }} {{ ti.xcom_pull(task_ids='extract', key='rows')['n'] }}",
      '<XCom extract.return_value> <XCom extract.rows["n"]>');
  });
});

describe('StrictUndefined', () => {
  it('fails on undefined names and missing keys when they are printed', () => {
    check('{{ ds_nodsh }}', /^UndefinedError: 'ds_nodsh' is undefined$/);
    check('echo {{ params.missing }}', /^UndefinedError: 'params.missing' is undefined$/);
    const rendered = renderString('a\n  {{ nope }}', templateContext(RUN, 3));
    assert.deepEqual(rendered, { error: { message: "UndefinedError: 'nope' is undefined", line: 2, column: 6 } });
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
  ];
  for (const template of escapes) {
    it(`refuses ${template}`, () => check(template, /not allowed in templates/));
  }
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
  const native = (template: string) => {
    const rendered = renderNative(template, templateContext(RUN, 3));
    return 'error' in rendered ? rendered.error.message : rendered.value;
  };

  it('gives one expression\'s value, and literal_evals text', () => {
    assert.equal(native('{{ ds_nodash }}'), 20240101);
    assert.equal(native('{{ ds }}'), '2024-01-01');
    assert.deepEqual(native("{{ [1, 'a'] }}"), [1, 'a']);
    assert.equal(native('{{ params.x + 1 }}'), 8);
    assert.equal(native('day {{ ds }}'), 'day 2024-01-01');
    assert.ok(native('{{ logical_date }}') instanceof PyDateTime);
  });

  it('reads Python literals as ast.literal_eval does', () => {
    const values = ['5', '-2.5', "'a b'", '"x"', 'True', 'None', '[1, [2]]', "{'k': (1, 2)}", '(1,)'].map((t) => literalEval(t));
    assert.deepEqual(values.map((v) => (v.ok ? pyStr(v.value, true) : 'fail')), ['5', '-2.5', "'a b'", "'x'", 'True', 'None', '[1, [2]]', "{'k': (1, 2)}", '(1,)']);
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
