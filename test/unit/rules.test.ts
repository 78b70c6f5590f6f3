import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogFor } from '../../src/core/airflow/catalog';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { analyzeParsed, parseFile } from '../../src/core/dag/analyze';
import type { Diagnostic } from '../../src/core/diagnostics';
import { LineIndex } from '../../src/core/python/lines';
import { checkDagFile } from '../../src/core/rules/rules';

function diagnose(source: string, airflow: AirflowVersion, now?: number): Diagnostic[] {
  const parsed = parseFile(source);
  return checkDagFile({ text: source, tree: parsed.tree, model: analyzeParsed(parsed), airflow, catalog: catalogFor(airflow), now });
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
function check(source: string, expected: string[], options: { airflow?: AirflowVersion; code?: string; now?: string } = {}): Diagnostic[] {
  const airflow = options.airflow ?? 3;
  const diagnostics = diagnose(source, airflow, options.now ? Date.parse(options.now) : undefined).filter((d) => !options.code || d.code === options.code);
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

  it('accepts keys that one of the DAG\'s operators takes, such as bash_command', () => void check(
    `${AF3}\nwith DAG("d", ${START}, default_args={"bash_command": "echo", "retries": 1}):\n    BashOperator(task_id="a")\n`, [], { code: 'PF101' }));
});

describe('PF102 unknown operator argument', () => {
  it('is an error, because Airflow refuses invalid arguments', () => {
    const [d] = check(`${AF3}\nwith DAG("d", ${START}):\n    BashOperator(task_id="a", bash_comand="echo")\n`,
      ['PF102 7:31 «bash_comand»'], { code: 'PF102' });
    assert.match(d.message, /did you mean 'bash_command'/i);
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

describe('schedule rules', () => {
  const dag = (header: string, args: string, comment = '') => `${header}\nwith DAG("d", ${args}):${comment}\n    EmptyOperator(task_id="a")\n`;

  it('PF501 points at the bad field of a cron, and at a non-positive delta', () => {
    check(dag(AF3, `schedule="30 25 * * *", ${START}`), ['PF501 6:28 «25»'], { code: 'PF501' });
    check(dag(AF3, `schedule="* * *", ${START}`), ['PF501 6:24 «"* * *"»'], { code: 'PF501' });
    check(dag(`${AF3}from datetime import timedelta\n`, `schedule=timedelta(0), ${START}`), ['PF501 7:24 «timedelta(0)»'], { code: 'PF501' });
    check(dag(AF3, `schedule="30 0 * * *", ${START}`), [], { code: 'PF501' });
  });

  it('PF502 counts the runs unpausing now would create, and fixes it with catchup=False', () => {
    const source = dag(AF2, `schedule="@daily", ${START}`);
    const [d] = check(source, ['PF502 6:6 «DAG("d", schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"))»'], { code: 'PF502', airflow: 2, now: '2024-03-01T00:00:00Z' });
    assert.match(d.message, /creates 60 runs \(catchup defaults to True on Airflow 2, from 2024-01-01T00:00:00\+00:00\)/);
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

  it('PF601 a Jinja syntax error; nothing for a template that renders, or without a current time', () => {
    check(dag('BashOperator(task_id="a", bash_command="echo {% if %}")'), ['PF601 7:44 «"echo {% if %}"»'], { code: 'PF601', now });
    check(dag('BashOperator(task_id="a", bash_command="echo {{ macros.ds_add(ds, 1) }} {{ params.region }}")'), [], { code: 'PF601', now });
    check(dag('BashOperator(task_id="a", bash_command="echo {{ ds_nodsh }}")'), [], { code: 'PF601' });
  });

  it('PF602 a template in an argument the operator does not template', () => {
    check(dag('BashOperator(task_id="a", bash_command="echo", output_encoding="{{ ds }}")'), ['PF602 7:68 «"{{ ds }}"»'], { code: 'PF602' });
    check(dag('BashOperator(task_id="a", bash_command="echo {{ ds }}", env={"D": "{{ ds }}"})'), [], { code: 'PF602' });
  });
});
