import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDagFile } from '../../bench/generate';
import { catalogFor } from '../../src/core/airflow/catalog';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { analyzeParsed, parseFile } from '../../src/core/dag/analyze';
import type { Diagnostic } from '../../src/core/diagnostics';
import { LineIndex } from '../../src/core/python/lines';
import { checkDagFile } from '../../src/core/rules/rules';

function diagnose(source: string, airflow: AirflowVersion, now?: number, templateFields?: Record<string, string[]>): Diagnostic[] {
  const parsed = parseFile(source);
  return checkDagFile({ text: source, tree: parsed.tree, model: analyzeParsed(parsed), airflow, catalog: catalogFor(airflow), now, templateFields });
}

/** Each diagnostic as `CODE line:column «marked text»` (1-based), the way a reader checks it. */
function describeDiagnostics(source: string, diagnostics: Diagnostic[]): string[] {
  const lines = new LineIndex(source);
  return diagnostics.map((d) => {
    const { line, character } = lines.position(d.range.from);
    return `${d.code} ${line + 1}:${character + 1} «${source.slice(d.range.from, d.range.to)}»`;
  });
}

/** The diagnostics of `code` in `source` (all codes if none is given) must be exactly `expected`. */
function check(source: string, expected: string[], options: { airflow?: AirflowVersion; code?: string; now?: string; templateFields?: Record<string, string[]> } = {}): Diagnostic[] {
  const airflow = options.airflow ?? 3;
  const diagnostics = diagnose(source, airflow, options.now ? Date.parse(options.now) : undefined, options.templateFields).filter((d) => !options.code || d.code === options.code);
  assert.deepEqual(describeDiagnostics(source, diagnostics), expected);
  return diagnostics;
}

/** Applies a diagnostic's first fix and returns the new text. */
function applyFix(source: string, diagnostic: Diagnostic): string {
  const [fix] = diagnostic.fixes ?? [];
  assert.ok(fix, `${diagnostic.code} has a fix`);
  return [...fix.edits].sort((a, b) => b.range.from - a.range.from)
    .reduce((text, edit) => text.slice(0, edit.range.from) + edit.newText + text.slice(edit.range.to), source);
}

const AF3 = `import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
`;
const AF2 = `import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
`;
const START = 'start_date=pendulum.datetime(2024, 1, 1, tz="UTC")';

describe('a clean DAG', () => {
  for (const airflow of [2, 3] as const) {
    it(`has no diagnostics on Airflow ${airflow}`, () => void check(`${airflow === 2 ? AF2 : AF3}
default_args = {"owner": "data", "retries": 2, "depends_on_past": False}
with DAG("clean", schedule="30 0 * * *", ${START}, catchup=False, default_args=default_args):
    extract = BashOperator(task_id="extract", bash_command="echo {{ ds }}")
    load = EmptyOperator(task_id="load", trigger_rule="all_done")
    extract >> load
`, [], { airflow }));
  }
});

describe('PF101 unknown default_args key', () => {
  it('names a key no task accepts, with the likely key', () => {
    const source = `${AF3}\nwith DAG("d", ${START}, default_args={"retires": 3, "owner": "me"}):\n    EmptyOperator(task_id="a")\n`;
    const [d] = check(source, ['PF101 6:81 «"retires"»'], { code: 'PF101' });
    assert.match(d.message, /did you mean 'retries'/);
    assert.match(applyFix(source, d), /default_args=\{"retries": 3/);
  });

  it('renames a key written as a keyword of dict() without quotes', () => {
    const source = `${AF3}\nwith DAG("d", ${START}, default_args=dict(retires=3)):\n    EmptyOperator(task_id="a")\n`;
    const [d] = check(source, ['PF101 6:85 «retires»'], { code: 'PF101' });
    assert.match(applyFix(source, d), /default_args=dict\(retries=3\)/);
  });

  it('accepts keys that one of the DAG\'s operators takes, such as bash_command', () => void check(
    `${AF3}\nwith DAG("d", ${START}, default_args={"bash_command": "echo", "retries": 1}):\n    BashOperator(task_id="a")\n`, [], { code: 'PF101' }));
});

describe('PF102 unknown operator argument', () => {
  it('is an error, because Airflow refuses invalid arguments', () => {
    const [d] = check(`${AF3}\nwith DAG("d", ${START}):\n    BashOperator(task_id="a", bash_comand="echo")\n`,
      ['PF102 7:31 «bash_comand»'], { code: 'PF102' });
    assert.match(d.message, /did you mean 'bash_command'/i);
  });

  it('checks the keys of a dict passed as **kwargs, and keeps their quotes in the fix', () => {
    const source = `${AF3}\nwith DAG("d", ${START}):\n    BashOperator(**{"task_id": "a", 'bash_comand': "echo"})\n`;
    const [d] = check(source, ["PF102 7:37 «'bash_comand'»"], { code: 'PF102' });
    assert.match(applyFix(source, d), /'bash_command': "echo"/);
  });

  it('knows arguments from BaseOperator and from sensor bases', () => void check(`${AF3}
from airflow.providers.standard.sensors.filesystem import FileSensor
with DAG("d", ${START}):
    BashOperator(task_id="a", bash_command="x", retries=1, pool="p", env={})
    FileSensor(task_id="f", filepath="/x", poke_interval=30, mode="reschedule")
`, [], { code: 'PF102' }));
});

describe('PF103 wrong argument type', () => {
  it('flags what Airflow rejects and fixes what it only converts', () => {
    const source = `${AF3}
with DAG("d", start_date="2024-01-01"):
    BashOperator(task_id="a", bash_command="x", retries="3")
    BashOperator(task_id="b", bash_command="x", retries="three", depends_on_past="yes", execution_timeout=30)
`;
    const diagnostics = check(source, [
      'PF103 6:26 «"2024-01-01"»',
      'PF103 7:57 «"3"»',
      'PF103 8:57 «"three"»',
      'PF103 8:82 «"yes"»',
      'PF103 8:107 «30»',
    ], { code: 'PF103' });
    assert.equal(diagnostics[1].severity, 'warning');
    assert.match(applyFix(source, diagnostics[1]), /retries=3\)/);
  });

  it('accepts date strings in default_args, which Airflow parses', () => void check(
    `${AF3}\nwith DAG("d", default_args={"start_date": "2024-01-01"}, schedule=None):\n    EmptyOperator(task_id="a")\n`, [], { code: 'PF103' }));
});

describe('PF104 unknown DAG argument and PF105 trigger rule', () => {
  it('names DAG arguments that do not exist', () => void check(
    `${AF3}\nwith DAG("d", ${START}, max_active_run=1):\n    EmptyOperator(task_id="a")\n`, ['PF104 6:67 «max_active_run»'], { code: 'PF104' }));

  it('checks trigger rules against the version\'s list', () => {
    check(`${AF3}\nwith DAG("d", ${START}):\n    EmptyOperator(task_id="a", trigger_rule="all_sucess")\n`, ['PF105 7:45 «"all_sucess"»'], { code: 'PF105' });
    // none_failed_or_skipped exists in 2.10 only.
    const source = (header: string) => `${header}\nwith DAG("d", ${START}):\n    EmptyOperator(task_id="a", trigger_rule="none_failed_or_skipped")\n`;
    check(source(AF2), [], { code: 'PF105', airflow: 2 });
    check(source(AF3), ['PF105 7:45 «"none_failed_or_skipped"»'], { code: 'PF105', airflow: 3 });
  });
});

describe('PF201 missing start_date', () => {
  const dag = (header: string, args: string) => `${header}\nwith DAG("d", ${args}):\n    EmptyOperator(task_id="a")\n`;
  it('Airflow 2 needs one for any schedule, including its default daily one', () => {
    check(dag(AF2, 'schedule="@daily"'), ['PF201 6:6 «DAG("d", schedule="@daily")»'], { code: 'PF201', airflow: 2 });
    check(dag(AF2, 'catchup=False'), ['PF201 6:6 «DAG("d", catchup=False)»'], { code: 'PF201', airflow: 2 });
    check(dag(AF2, 'schedule=None'), [], { code: 'PF201', airflow: 2 });
    check(dag(AF2, 'schedule="@daily", default_args={"start_date": pendulum.datetime(2024, 1, 1)}'), [], { code: 'PF201', airflow: 2 });
  });

  it('sees a start_date passed through **kwargs, and does not guess when the kwargs are unknown', () => {
    check(`${AF2}KW = {"start_date": pendulum.datetime(2024, 1, 1), "schedule": "@daily"}\nwith DAG("d", **KW):\n    EmptyOperator(task_id="a")\n`, [], { code: 'PF201', airflow: 2 });
    check(`${AF2}KW = {"schedule": "@daily"}\nwith DAG("d", **KW):\n    EmptyOperator(task_id="a")\n`, ['PF201 6:6 «DAG("d", **KW)»'], { code: 'PF201', airflow: 2 });
    check(`${AF2}import os\nwith DAG("d", schedule="@daily", **os.environ):\n    EmptyOperator(task_id="a")\n`, [], { code: 'PF201', airflow: 2 });
    check(`${AF2}import os\nwith DAG("d", schedule="@daily"):\n    EmptyOperator(task_id="a", **os.environ)\n`, [], { code: 'PF201', airflow: 2 });
  });

  it('Airflow 3 needs one only with catchup=True', () => {
    check(dag(AF3, 'schedule="@daily"'), [], { code: 'PF201' });
    const source = dag(AF3, 'schedule="@daily", catchup=True');
    const [d] = check(source, ['PF201 6:6 «DAG("d", schedule="@daily", catchup=True)»'], { code: 'PF201' });
    assert.match(applyFix(source, d), /catchup=False\)/);
  });
});

describe('PF202 end before start, PF204 naive start', () => {
  it('compares dates in the same zone', () => {
    check(`${AF3}\nwith DAG("d", ${START}, end_date=pendulum.datetime(2023, 12, 31, tz="UTC")):\n    EmptyOperator(task_id="a")\n`,
      ['PF202 6:76 «pendulum.datetime(2023, 12, 31, tz="UTC")»'], { code: 'PF202' });
    check(`${AF3}\nwith DAG("d", ${START}, end_date=pendulum.datetime(2024, 1, 5, tz="UTC")):\n    EmptyOperator(task_id="a")\n`, [], { code: 'PF202' });
  });

  it('explains that a naive start_date is UTC', () => {
    const [d] = check(`${AF3}\nfrom datetime import datetime\nwith DAG("d", start_date=datetime(2024, 1, 1)):\n    EmptyOperator(task_id="a")\n`,
      ['PF204 7:26 «datetime(2024, 1, 1)»'], { code: 'PF204' });
    assert.match(d.message, /UTC/);
    check(`${AF3}\nfrom datetime import datetime, timezone\nwith DAG("d", start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)):\n    EmptyOperator(task_id="a")\n`, [], { code: 'PF204' });
  });

  it('knows the zone of datetime(..., tzinfo=pendulum.timezone(...)): not naive', () => {
    const source = `${AF3}\nfrom datetime import datetime\nwith DAG("d", start_date=datetime(2024, 1, 1, 9, tzinfo=pendulum.timezone("Asia/Seoul"))):\n    EmptyOperator(task_id="a")\n`;
    check(source, [], { code: 'PF204' });
    const start = analyzeParsed(parseFile(source)).dags[0].args.find((a) => a.name === 'start_date')!.value;
    assert.deepEqual(start, { kind: 'datetime', year: 2024, month: 1, day: 1, hour: 9, minute: 0, second: 0, tz: 'Asia/Seoul' });
  });
});

describe('PF203 clock read at parse time', () => {
  it('finds now(), today() and days_ago in DAG, default_args and task arguments', () => void check(`${AF2}
from datetime import datetime, timedelta, date
from airflow.utils.dates import days_ago
args = {"start_date": days_ago(1)}
with DAG("d", start_date=datetime.now() - timedelta(days=1), default_args=args):
    BashOperator(task_id="a", bash_command="echo", params={"day": str(date.today())})
    EmptyOperator(task_id="b", end_date=pendulum.now("UTC"))
`, [
    'PF203 8:23 «days_ago(1)»',
    'PF203 9:26 «datetime.now()»',
    'PF203 10:71 «date.today()»',
    'PF203 11:41 «pendulum.now("UTC")»',
  ], { code: 'PF203', airflow: 2 }));

  it('leaves clock reads inside task code alone', () => void check(`${AF3}
from datetime import datetime
def work():
    print(datetime.now())
with DAG("d", ${START}):
    EmptyOperator(task_id="a")
`, [], { code: 'PF203' }));
});

describe('structure rules', () => {
  it('PF301 duplicate task ids', () => void check(`${AF3}\nwith DAG("d", ${START}):\n    EmptyOperator(task_id="a")\n    EmptyOperator(task_id="a")\n`,
    ['PF301 8:5 «EmptyOperator(task_id="a")»'], { code: 'PF301' }));

  it('PF303 names the cycle', () => {
    const [d] = check(`${AF3}\nwith DAG("d", ${START}):\n    a = EmptyOperator(task_id="a")\n    b = EmptyOperator(task_id="b")\n    c = EmptyOperator(task_id="c")\n    a >> b >> c >> a\n`,
      ['PF303 7:9 «EmptyOperator(task_id="a")»'], { code: 'PF303' });
    assert.match(d.message, /a >> b >> c >> a/);
  });

  it('PF303 finds a cycle behind a long chain, and none in a long chain alone', () => {
    // A thousand tasks deep: the walk must not be limited by the call stack.
    const chain = `${AF3}\nwith DAG("d", ${START}):\n    ts = [EmptyOperator(task_id=f"t{i}") for i in range(1000)]\n    chain(*ts)\n`;
    check(chain.replace('from airflow', 'from airflow.sdk import chain\nfrom airflow'), [], { code: 'PF303' });
    const [d] = check(`${AF3}\nfrom airflow.sdk import chain\nwith DAG("d", ${START}):\n    first = EmptyOperator(task_id="first")\n    ts = [EmptyOperator(task_id=f"t{i}") for i in range(1000)]\n    first >> ts[0]\n    chain(*ts)\n    ts[999] >> ts[500]\n`,
      ['PF303 9:11 «EmptyOperator(task_id=f"t{i}")»'], { code: 'PF303' });
    assert.match(d.message, /'d': t500 >> t501 >> .* >> t999 >> t500\./);
  });

  it('PF304 undefined names in >> with the likely task', () => {
    const source = `${AF3}\nwith DAG("d", ${START}):\n    extract = EmptyOperator(task_id="extract")\n    load = EmptyOperator(task_id="load")\n    extract >> [lod, transform]\n`;
    const [first] = check(source, ['PF304 9:17 «lod»', 'PF304 9:22 «transform»'], { code: 'PF304' });
    assert.match(applyFix(source, first), /extract >> \[load, transform\]/);
  });

  it('PF305 callables and callbacks that are neither defined nor imported', () => void check(`${AF3}
from airflow.providers.standard.operators.python import PythonOperator
from utils.alerts import notify
def report():
    pass
with DAG("d", ${START}, on_failure_callback=notify, default_args={"on_retry_callback": alert}):
    PythonOperator(task_id="a", python_callable=reprt)
    PythonOperator(task_id="b", python_callable=report)
    PythonOperator(task_id="c", python_callable=print)
`, ['PF305 10:130 «alert»', 'PF305 11:49 «reprt»'], { code: 'PF305' }));

  it('PF306 xcom_pull from tasks that do not exist, in code and templates', () => void check(`${AF3}
def pull(ti):
    ti.xcom_pull(task_ids="extrct")
with DAG("d", ${START}):
    extract = BashOperator(task_id="extract", bash_command="echo")
    BashOperator(task_id="show", bash_command="echo {{ ti.xcom_pull(task_ids=['extract', 'missing']) }}")
`, ['PF306 7:28 «extrct»', 'PF306 10:91 «missing»'], { code: 'PF306' }));

  it('PF307 a variable named differently from its task id, but not in loops', () => void check(`${AF3}
with DAG("d", ${START}):
    extract = EmptyOperator(task_id="load")
    same = EmptyOperator(task_id="same")
    for i in range(2):
        step = EmptyOperator(task_id=f"step_{i}")
`, ['PF307 7:5 «extract»'], { code: 'PF307' }));
});

describe('Airflow 3 migration', () => {
  it('PF401 schedule_interval: deprecated on 2, an error on 3, renamed by the fix', () => {
    const source = `${AF2}\nwith DAG("d", ${START}, schedule_interval="@daily"):\n    EmptyOperator(task_id="a")\n`;
    const [on2] = check(source, ['PF401 6:67 «schedule_interval»'], { code: 'PF401', airflow: 2 });
    const [on3] = check(source, ['PF401 6:67 «schedule_interval»'], { code: 'PF401', airflow: 3 });
    assert.deepEqual([on2.severity, on3.severity], ['warning', 'error']);
    assert.match(applyFix(source, on3), /, schedule="@daily"\)/);
  });

  it('PF402 DummyOperator, in the import and the calls', () => {
    const source = `from airflow import DAG\nfrom airflow.operators.dummy import DummyOperator\nwith DAG("d", schedule=None):\n    DummyOperator(task_id="a")\n`;
    const diagnostics = check(source, ['PF402 2:6 «airflow.operators.dummy»', 'PF402 2:37 «DummyOperator»', 'PF402 4:5 «DummyOperator»'], { code: 'PF402', airflow: 3 });
    const fixed = diagnostics.reduceRight((text, d) => applyFix(text, d), source);
    assert.equal(fixed, 'from airflow import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\nwith DAG("d", schedule=None):\n    EmptyOperator(task_id="a")\n');
  });

  it('PF403 removed context keys in templates and context lookups', () => {
    const source = `${AF3}
def show(**context):
    print(context["execution_date"], context.get("next_ds"), context["ds"])
with DAG("d", ${START}):
    BashOperator(task_id="a", bash_command="echo {{ execution_date }} {{ ds }} {{ dag_run.execution_date }} {{ yesterday_ds }}")
`;
    const diagnostics = check(source, [
      'PF403 7:20 «execution_date»',
      'PF403 7:51 «next_ds»',
      'PF403 9:53 «execution_date»',
      'PF403 9:112 «yesterday_ds»',
    ], { code: 'PF403' });
    assert.match(applyFix(source, diagnostics[2]), /echo \{\{ logical_date \}\}/);
    assert.ok(diagnose(source, 2).filter((d) => d.code === 'PF403').every((d) => d.severity === 'info'));
  });
});

describe('Airflow 3 removals: imports and arguments', () => {
  const body = 'with DAG("d", schedule=None):\n    BashOperator(task_id="a", bash_command="echo")\n';

  it('PF404 an Airflow 2 module path: an error on 3 fixed to the Airflow 3 module, a warning on 2 fixed to 2.10\'s', () => {
    const source = `from airflow import DAG\nfrom airflow.operators.bash_operator import BashOperator\n${body}`;
    const [on3] = check(source, ['PF404 2:6 «airflow.operators.bash_operator»'], { code: 'PF404', airflow: 3 });
    assert.equal(on3.severity, 'error');
    assert.match(on3.message, /ModuleNotFoundError/);
    const fixed = applyFix(source, on3);
    assert.match(fixed, /^from airflow\.providers\.standard\.operators\.bash import BashOperator$/m);
    check(fixed, [], { airflow: 3 });
    const [on2] = check(source, ['PF404 2:6 «airflow.operators.bash_operator»'], { code: 'PF404', airflow: 2 });
    assert.equal(on2.severity, 'warning');
    assert.match(applyFix(source, on2), /^from airflow\.operators\.bash import BashOperator$/m);
  });

  it('PF404 finds an import deep in a large DAG\'s body, also in the tree an edit reparsed', () => {
    // Large enough for the with body to be a tree of subtrees, which the walk skips unless one holds an import.
    const generated = generateDagFile(300);
    const at = generated.indexOf('    task_250 = ');
    const source = `${generated.slice(0, at)}    from airflow.operators.python_operator import PythonOperator as Legacy\n${generated.slice(at)}`;
    const expected = ['PF404 520:10 «airflow.operators.python_operator»'];
    check(source, expected, { code: 'PF404', airflow: 3 });
    // The same after a keystroke far from the import, with the unchanged subtrees reused.
    const typed = source.indexOf('task_100 = ') + 'task_1'.length;
    const edited = source.slice(0, typed) + 'x' + source.slice(typed);
    const parsed = parseFile(edited, { parsed: parseFile(source), changes: [{ fromA: typed, toA: typed, fromB: typed, toB: typed + 1 }] });
    const diagnostics = checkDagFile({ text: edited, tree: parsed.tree, model: analyzeParsed(parsed), airflow: 3, catalog: catalogFor(3) });
    assert.deepEqual(describeDiagnostics(edited, diagnostics.filter((d) => d.code === 'PF404')), expected);
  });

  it('PF404 rewrites python_operator imports, and airflow.contrib paths into providers verified on Airflow 3', () => {
    const source = `from airflow.operators.python_operator import PythonOperator, BranchPythonOperator\nfrom airflow.contrib.sensors.file_sensor import FileSensor\n`;
    const diagnostics = check(source, ['PF404 1:6 «airflow.operators.python_operator»', 'PF404 2:6 «airflow.contrib.sensors.file_sensor»'], { code: 'PF404', airflow: 3 });
    assert.equal(diagnostics.reduceRight((text, d) => applyFix(text, d), source),
      'from airflow.providers.standard.operators.python import PythonOperator, BranchPythonOperator\nfrom airflow.providers.standard.sensors.filesystem import FileSensor\n');
  });

  it('PF404 names renamed and provider-only replacements without guessing a fix', () => {
    const source = 'from airflow.operators.check_operator import CheckOperator\nfrom airflow.contrib.operators.bigquery_operator import BigQueryOperator\nfrom airflow.operators.subdag_operator import SubDagOperator\n';
    const diagnostics = check(source, [
      'PF404 1:6 «airflow.operators.check_operator»', 'PF404 2:6 «airflow.contrib.operators.bigquery_operator»', 'PF404 3:6 «airflow.operators.subdag_operator»',
    ], { code: 'PF404', airflow: 3 });
    assert.deepEqual(diagnostics.map((d) => d.fixes), [undefined, undefined, undefined]);
    assert.match(diagnostics[0].message, /CheckOperator is SQLCheckOperator in airflow\.providers\.common\.sql\.operators\.sql/);
    assert.match(diagnostics[1].message, /Airflow 2\.10 maps BigQueryOperator to airflow\.providers\.google\.cloud\.operators\.bigquery\.BigQueryExecuteQueryOperator, from a provider package/);
    assert.match(diagnostics[2].message, /SubDagOperator has no replacement in Airflow 3/);
  });

  it('PF404 leaves the paths Airflow 3 still has alone, and DummyOperator to PF402', () => void check(
    `from airflow import DAG\nfrom airflow.operators.bash import BashOperator\nfrom airflow.sensors.base import BaseSensorOperator\nfrom airflow.operators.dummy import DummyOperator\n${body}`,
    [], { code: 'PF404', airflow: 3 }));

  it('PF404 days_ago in the import on Airflow 3, removed by the fix once no call is left', () => {
    const calls = `from airflow import DAG\nfrom airflow.utils.dates import days_ago\nwith DAG("d", start_date=days_ago(1), schedule=None):\n    pass\n`;
    const [withCalls] = check(calls, ['PF404 2:33 «days_ago»'], { code: 'PF404', airflow: 3 });
    assert.equal(withCalls.fixes, undefined, 'removing the import would leave a NameError');
    check(calls, [], { code: 'PF404', airflow: 2 });
    const unused = 'import pendulum\nfrom airflow.utils.dates import days_ago\nfrom airflow import DAG\n';
    const [d] = check(unused, ['PF404 2:33 «days_ago»'], { code: 'PF404', airflow: 3 });
    assert.equal(applyFix(unused, d), 'import pendulum\nfrom airflow import DAG\n');
  });

  it('PF203 rewrites days_ago(n) as the fixed date it gives now, or as Airflow\'s own equivalent, adding import pendulum', () => {
    const source = `from airflow import DAG\nfrom airflow.utils.dates import days_ago\nwith DAG("d", start_date=days_ago(2, hour=3), schedule=None):\n    pass\n`;
    const [d] = check(source, ['PF203 3:26 «days_ago(2, hour=3)»'], { code: 'PF203', airflow: 3, now: '2024-03-01T12:00:00Z' });
    assert.deepEqual(d.fixes!.map((f) => f.title), [
      'Use the date it gives today: pendulum.datetime(2024, 2, 28, 3, 0, 0, tz="UTC")',
      'Rewrite as pendulum.today("UTC").add(days=-2, hours=3) (the same moving date, without days_ago)',
    ]);
    const fixed = applyFix(source, d);
    assert.equal(fixed, `import pendulum\n${source.replace('days_ago(2, hour=3)', 'pendulum.datetime(2024, 2, 28, 3, 0, 0, tz="UTC")')}`);
    check(fixed, [], { code: 'PF203', airflow: 3 });
    const [removeImport] = check(fixed, ['PF404 3:33 «days_ago»'], { code: 'PF404', airflow: 3 });
    assert.doesNotMatch(applyFix(fixed, removeImport), /days_ago/);
    const [unknown] = check(source.replace('days_ago(2, hour=3)', 'days_ago(n)'), ['PF203 3:26 «days_ago(n)»'], { code: 'PF203', airflow: 3, now: '2024-03-01T12:00:00Z' });
    assert.equal(unknown.fixes, undefined, 'no fix when the number of days is not a literal');
  });

  it('PF405 concurrency and task_concurrency: an error on 3, a deprecation on 2, renamed by the fix', () => {
    const source = `${AF3}\nwith DAG("d", ${START}, concurrency=4):\n    BashOperator(task_id="a", bash_command="echo", task_concurrency=2)\n`;
    const diagnostics = check(source, ['PF405 6:67 «concurrency»', 'PF405 7:52 «task_concurrency»'], { code: 'PF405' });
    assert.deepEqual(diagnostics.map((d) => d.severity), ['error', 'error']);
    const fixed = diagnostics.reduceRight((text, d) => applyFix(text, d), source);
    assert.match(fixed, /, max_active_tasks=4\):/);
    assert.match(fixed, /, max_active_tis_per_dag=2\)/);
    check(fixed, [], { airflow: 3 });
    assert.deepEqual(diagnose(source, 2).filter((d) => d.code === 'PF405').map((d) => d.severity), ['warning', 'warning']);
    check(source, [], { code: 'PF104' });
    check(source, [], { code: 'PF102' });
  });

  it('PF405 deletes concurrency when max_active_tasks is given as well', () => {
    const source = `${AF3}\nwith DAG("d", ${START}, concurrency=4, max_active_tasks=2):\n    pass\n`;
    const [d] = check(source, ['PF405 6:67 «concurrency»'], { code: 'PF405' });
    assert.match(applyFix(source, d), /tz="UTC"\), max_active_tasks=2\):/);
  });

  it('PF405 provide_context on PythonOperators, deleted by the fix, across lines too; other operators get PF102', () => {
    const source = `${AF3}from airflow.providers.standard.operators.python import PythonOperator
with DAG("d", ${START}):
    PythonOperator(
        task_id="a",
        provide_context=True,
        python_callable=print,
    )
    PythonOperator(task_id="b", python_callable=print, provide_context=True)
    BashOperator(task_id="c", bash_command="echo", provide_context=True)
`;
    const diagnostics = check(source, ['PF405 9:9 «provide_context»', 'PF405 12:56 «provide_context»'], { code: 'PF405' });
    const fixed = diagnostics.reduceRight((text, d) => applyFix(text, d), source);
    assert.match(fixed, /PythonOperator\(\n {8}task_id="a",\n {8}python_callable=print,\n {4}\)/);
    assert.match(fixed, /PythonOperator\(task_id="b", python_callable=print\)/);
    check(source, ['PF102 13:52 «provide_context»'], { code: 'PF102' });
    const af2 = source.replace(AF3, AF2).replace('airflow.providers.standard.operators.python', 'airflow.operators.python');
    check(af2, ['PF405 9:9 «provide_context»', 'PF405 12:56 «provide_context»'], { code: 'PF405', airflow: 2 });
    check(af2, ['PF102 13:52 «provide_context»'], { code: 'PF102', airflow: 2 });
  });
});

describe('schedule rules', () => {
  const dag = (header: string, args: string, comment = '') => `${header}\nwith DAG("d", ${args}):${comment}\n    EmptyOperator(task_id="a")\n`;

  it('PF501 points at the bad field of a cron, and at a non-positive delta', () => {
    check(dag(AF3, `schedule="30 25 * * *", ${START}`), ['PF501 6:28 «25»'], { code: 'PF501' });
    check(dag(AF3, `schedule="* * *", ${START}`), ['PF501 6:24 «"* * *"»'], { code: 'PF501' });
    check(dag(`${AF3}from datetime import timedelta\n`, `schedule=timedelta(0), ${START}`), ['PF501 7:24 «timedelta(0)»'], { code: 'PF501' });
    check(dag(AF3, `schedule="30 0 * * *", ${START}`), [], { code: 'PF501' });
  });

  it('PF501 for croniter syntax croniter refuses, not for the syntax it accepts', () => {
    // cron-parser would read `5L` and lists with `W`; croniter refuses both.
    check(dag(AF3, `schedule="0 0 * * 5L", ${START}`), ['PF501 6:33 «5L»'], { code: 'PF501' });
    check(dag(AF3, `schedule="0 0 1,15W * *", ${START}`), ['PF501 6:29 «1,15W»'], { code: 'PF501' });
    for (const accepted of ['0 0 * * L5', '0 0 W15 * *', '0 6 * * * 0 2024-2030', '0 0 * * 0,7', '0 0 1 NOV-FEB *']) {
      check(dag(AF3, `schedule="${accepted}", ${START}`), [], { code: 'PF501' });
    }
  });

  it('PF505 a cron croniter finds no date for: the DAG loads, its scheduler never creates a run', () => {
    const [never] = check(dag(AF3, `schedule="0 0 1 * L5", ${START}`), ['PF505 6:24 «"0 0 1 * L5"»'], { code: 'PF505' });
    assert.match(never.message, /croniter finds no date for '0 0 1 \* L5' \(CroniterBadDateError\): Airflow loads the DAG/);
    // February 30th: croniter accepts the expression, and the scheduler then finds no date.
    check(dag(AF3, `schedule="0 0 30 2 *", ${START}`), ['PF505 6:24 «"0 0 30 2 *"»'], { code: 'PF505' });
    check(dag(AF3, `schedule="0 0 30 2 *", ${START}`), [], { code: 'PF501' });
  });

  it('PF505 a year field whose ticks run out, or that starts after start_date', () => {
    const [ended] = check(dag(AF3, 'schedule="0 6 1 * * 0 2024", start_date=pendulum.datetime(2024, 1, 15, tz="UTC"), catchup=True'), ['PF505 6:24 «"0 6 1 * * 0 2024"»'], { code: 'PF505', now: '2025-03-01T00:00:00Z' });
    assert.match(ended.message, /fails computing the run after 2024-12-01T06:00:00\+00:00 \(CroniterBadDateError: failed to find next date\): croniter finds no tick within the years of the seventh field, so no further run is created/);
    const [before] = check(dag(AF2, `schedule="0 6 * * * 0 2025", ${START}`), ['PF505 6:24 «"0 6 * * * 0 2025"»'], { code: 'PF505', airflow: 2, now: '2025-01-03T00:00:00Z' });
    assert.match(before.message, /fails computing its first run \(CroniterBadDateError: failed to find prev date\)/);
    check(dag(AF3, `schedule="0 6 * * * 0 2024-2025", start_date=pendulum.datetime(2024, 1, 2, tz="UTC"), catchup=True`), [], { code: 'PF505', now: '2024-01-05T12:00:00Z' });
  });

  it('PF502 counts the runs unpausing now would create, and fixes it with catchup=False', () => {
    const source = dag(AF2, `schedule="@daily", ${START}`);
    const [d] = check(source, ['PF502 6:6 «DAG("d", schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"))»'], { code: 'PF502', airflow: 2, now: '2024-03-01T00:00:00Z' });
    assert.match(d.message, /creates 60 runs, at most 16 active at once \(catchup defaults to True on Airflow 2, from 2024-01-01T00:00:00\+00:00\)/);
    const limited = check(dag(AF2, `schedule="@daily", ${START}, max_active_runs=3`), ['PF502 6:6 «DAG("d", schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), max_active_runs=3)»'], { code: 'PF502', airflow: 2, now: '2024-03-01T00:00:00Z' });
    assert.match(limited[0].message, /creates 60 runs, at most 3 active at once/);
    assert.match(applyFix(source, d), /tz="UTC"\), catchup=False\)/);
    check(source, [], { code: 'PF502', airflow: 2, now: '2024-01-20T00:00:00Z' });
    check(source, [], { code: 'PF502', airflow: 3, now: '2024-03-01T00:00:00Z' });
  });

  it('PF503 a cron hour written as KST in a comment while the cron runs in UTC', () => {
    const [d] = check(dag(AF3, `schedule="0 9 * * *", ${START}`, '  # every day 9:00 KST'), ['PF503 6:24 «"0 9 * * *"»'], { code: 'PF503' });
    assert.match(d.message, /09:00 is 18:00 in Asia\/Seoul/);
    check(dag(AF3, `schedule="30 0 * * *", ${START}`, '  # 00:30 UTC == 09:30 KST'), [], { code: 'PF503' });
    check(dag(AF3, 'schedule="0 9 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Seoul")', '  # 9am KST'), [], { code: 'PF503' });
  });

  it('PF503 a literal cron hour in a DAG whose comments, description, doc_md or tags mention another zone', () => {
    const inBlock = `${AF3}
with DAG("d", schedule="0 9 * * *", ${START}):
    # Reports for the Seoul office
    EmptyOperator(task_id="a")
`;
    const [d] = check(inBlock, ['PF503 6:24 «"0 9 * * *"»'], { code: 'PF503' });
    // A '#' inside a string starts no comment: the zone it names is not the DAG's words.
    check(`${AF3}
with DAG("d", schedule="0 9 * * *", ${START}):
    BashOperator(task_id="a", bash_command="echo '# Reports for the Seoul office'")
`, [], { code: 'PF503' });
    assert.match(d.message, /^"0 9 \* \* \*" runs at 09:00 UTC = 18:00 KST: this DAG mentions KST, but the cron runs in UTC\. To run at 09:00 KST, give start_date the zone: pendulum\.datetime\(\.\.\., tz="Asia\/Seoul"\)\.$/);
    check(dag(AF3, `schedule="30 22 * * *", ${START}, description="Daily KST settlement"`), ['PF503 6:24 «"30 22 * * *"»'], { code: 'PF503' });
    const [nextDay] = check(dag(AF3, `schedule="30 22 * * *", ${START}, tags=["kst"]`), ['PF503 6:24 «"30 22 * * *"»'], { code: 'PF503' });
    assert.match(nextDay.message, /runs at 22:30 UTC = 07:30 KST the next day/);
    const docstring = `"""Loads the Tokyo exchange's close."""
${AF3}
with DAG("d", schedule="0 15 * * 1-5", ${START}, doc_md=__doc__):
    EmptyOperator(task_id="a")
`;
    const [tokyo] = check(docstring, ['PF503 7:24 «"0 15 * * 1-5"»'], { code: 'PF503' });
    assert.match(tokyo.message, /runs at 15:00 UTC = 00:00 JST the next day/);
    const [local] = check(dag(AF3, `schedule="0 9 * * *", ${START}, description="Runs at 9 local time"`), ['PF503 6:24 «"0 9 * * *"»'], { code: 'PF503' });
    assert.match(local.message, /runs at 09:00 UTC, not at 09:00 local time as this DAG's text says/);
    const [iana] = check(dag(AF3, `schedule="0 9 * * *", ${START}, description="For the Europe/Paris team"`), ['PF503 6:24 «"0 9 * * *"»'], { code: 'PF503' });
    assert.match(iana.message, /runs at 09:00 UTC = 10:00 Europe\/Paris/);
  });

  it('PF503 stays quiet when the zone is the DAG\'s, the hour is not a literal, the text knows UTC, or the mention is outside the DAG', () => {
    const seoul = 'start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Seoul")';
    check(dag(AF3, `schedule="0 9 * * *", ${seoul}, description="KST morning report"`), [], { code: 'PF503' });
    check(dag(AF3, `schedule="0 */2 * * *", ${START}, description="KST reports"`), [], { code: 'PF503' });
    check(dag(AF3, `schedule="0 9 * * *", ${START}, description="09:00 UTC, 18:00 in Seoul"`), [], { code: 'PF503' });
    check(dag(AF3, `schedule="0 9 * * *", ${START}, description="Seoul office, at 18:00"`), [], { code: 'PF503' });
    check(dag(AF3, `schedule="0 9 * * *", ${START}, description="Daily report"`), [], { code: 'PF503' });
    check(`${AF3}# The Seoul team owns this file.
with DAG("d", schedule="0 9 * * *", ${START}):
    EmptyOperator(task_id="a")
`, [], { code: 'PF503' });
    const two = `${AF3}
with DAG("kr", schedule="0 9 * * *", ${START}, tags=["kst"]):
    EmptyOperator(task_id="a")
with DAG("plain", schedule="0 9 * * *", ${START}):
    EmptyOperator(task_id="b")
`;
    check(two, ['PF503 6:25 «"0 9 * * *"»'], { code: 'PF503' });
  });

  it('PF504 the DST gap and fold a daily cron runs into, but not Seoul or hourly schedules', () => {
    const amsterdam = (cron: string) => dag(AF3, `schedule="${cron}", start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Amsterdam")`);
    const gap = check(amsterdam('30 2 * * *'), ['PF504 6:24 «"30 2 * * *"»', 'PF504 6:24 «"30 2 * * *"»'], { code: 'PF504', now: '2024-01-01T00:00:00Z' });
    assert.match(gap[0].message, /2024-03-31 02:30 does not exist in Europe\/Amsterdam .* 2024-03-31T03:30:00\+02:00 \(2024-03-31T01:30:00\+00:00\)/);
    assert.match(gap[1].message, /2024-10-27 02:30 happens twice .* \(2024-10-27T01:30:00\+00:00\)/);
    check(amsterdam('30 * * * *'), [], { code: 'PF504', now: '2024-01-01T00:00:00Z' });
    check(amsterdam('0 12 * * *'), [], { code: 'PF504', now: '2024-01-01T00:00:00Z' });
    check(dag(AF3, 'schedule="30 2 * * *", start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Seoul")'), [], { code: 'PF504', now: '2024-01-01T00:00:00Z' });
  });
});

describe('template rules', () => {
  const dag = (task: string) => `${AF3}\nwith DAG("d", schedule="30 0 * * *", ${START}, params={"region": "kr"}):\n    ${task}\n`;
  const now = '2024-01-03T12:00:00Z';

  it('PF601 an undefined name, marked inside the string, with the likely key as the fix', () => {
    const source = dag('BashOperator(task_id="a", bash_command="echo {{ ds_nodsh }} {{ params.regoin }}")');
    const diagnostics = check(source, ['PF601 7:53 «ds_nodsh»'], { code: 'PF601', now });
    assert.match(diagnostics[0].message, /Airflow fails a when it renders bash_command \(run of 2024-01-04T00:30:00\+00:00\): UndefinedError: 'ds_nodsh' is undefined\. Did you mean 'ds_nodash'\?/);
    assert.match(applyFix(source, diagnostics[0]), /echo \{\{ ds_nodash \}\} \{\{ params\.regoin \}\}/);
    const fixed = applyFix(source, diagnostics[0]);
    const [param] = check(fixed, ['PF601 7:69 «params.regoin»'], { code: 'PF601', now });
    assert.match(applyFix(fixed, param), /\{\{ params\.region \}\}/);
  });

  it('PF601 a Jinja syntax error at its character, through prefixes, quotes and escapes', () => {
    check(dag('BashOperator(task_id="a", bash_command="echo {% if %}")'), ['PF601 7:56 «%»'], { code: 'PF601', now });
    // Escapes before the error take more source characters than they give the template.
    check(dag('BashOperator(task_id="a", bash_command="\\t\\x41\\u00e9 {{ ds | upper( }}")'), ['PF601 7:73 «}»'], { code: 'PF601', now });
    check(dag('BashOperator(task_id="a", bash_command=r"\\d {% for %}")'), ['PF601 7:56 «%»'], { code: 'PF601', now });
    // A triple-quoted template: nunjucks' second line is the string's second line.
    check(dag('BashOperator(task_id="a", bash_command=\'\'\'echo\n{% if %}\'\'\')'), ['PF601 8:7 «%»'], { code: 'PF601', now });
    // A template that ends too early: the closing quote, where the missing end belongs.
    check(dag('BashOperator(task_id="a", bash_command="echo {{ ds ")'), ['PF601 7:56 «"»'], { code: 'PF601', now });
    check(dag('BashOperator(task_id="a", bash_command="{% if ds %}no endif")'), ['PF601 7:64 «"»'], { code: 'PF601', now });
  });

  it('PF601 a Jinja syntax error in a concatenation or f-string marks the whole string', () => {
    check(dag('BashOperator(task_id="a", bash_command="echo " "{% if %}")'), ['PF601 7:44 «"echo " "{% if %}"»'], { code: 'PF601', now });
    check(dag('BashOperator(task_id="a", bash_command=("echo {% if %}"))'), ['PF601 7:44 «("echo {% if %}")»'], { code: 'PF601', now });
  });

  it('PF601 nothing for a template that renders, or without a current time', () => {
    check(dag('BashOperator(task_id="a", bash_command="echo {{ macros.ds_add(ds, 1) }} {{ params.region }}")'), [], { code: 'PF601', now });
    check(dag('BashOperator(task_id="a", bash_command="echo {{ ds_nodsh }}")'), [], { code: 'PF601' });
  });

  it('PF602 a template in an argument the operator does not template', () => {
    check(dag('BashOperator(task_id="a", bash_command="echo", output_encoding="{{ ds }}")'), ['PF602 7:68 «"{{ ds }}"»'], { code: 'PF602' });
    check(dag('BashOperator(task_id="a", bash_command="echo {{ ds }}", env={"D": "{{ ds }}"})'), [], { code: 'PF602' });
  });

  it('PF602 and PF601 follow the templated fields declared for custom operators', () => {
    const custom = dag('MyOperator(task_id="a", field_a="{{ ds }}", other="{{ ds }}", sql="{{ ds_nodsh }}")');
    check(custom, [], { code: 'PF602' });
    check(custom, ['PF602 7:55 «"{{ ds }}"»'], { code: 'PF602', templateFields: { MyOperator: ['field_a', 'sql'] } });
    check(custom, ['PF601 7:75 «ds_nodsh»'], { code: 'PF601', now, templateFields: { MyOperator: ['field_a', 'sql'] } });
    // Declared fields replace a known operator's, as a subclass's template_fields do.
    check(dag('BashOperator(task_id="a", bash_command="echo", output_encoding="{{ ds }}")'), [], { code: 'PF602', templateFields: { BashOperator: ['bash_command', 'output_encoding'] } });
  });
});
