import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDagFile } from '../../bench/generate';
import { checkFile } from '../../src/core/check';
import { analyzeDagFile, parseFile, type ParsedFile, type TextChange } from '../../src/core/dag/analyze';
import type { DagFileModel } from '../../src/core/dag/model';
import { syntaxErrors } from '../../src/core/python/syntax';

/** The model as one line per task, `task_id [Operator] <- upstream, ids` (`mapped` marked), per DAG. */
function outline(model: DagFileModel): Record<string, string[]> {
  return Object.fromEntries(model.dags.map((dag) => [dag.dagId, dag.tasks.map((t) => {
    const upstream = t.upstream.length > 0 ? ` <- ${t.upstream.join(', ')}` : '';
    return `${t.taskId} [${t.operator}]${t.mapped ? ' mapped' : ''}${upstream}`;
  })]));
}

function check(source: string, expected: Record<string, string[]>): void {
  const model = analyzeDagFile(source);
  assert.deepEqual(outline(model), expected);
  assert.deepEqual(model.diagnostics.filter((d) => d.code !== 'PF001'), [], 'no analyser failures');
}

const HEADER = `from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
`;

describe('DAG forms', () => {
  it('with DAG(...) as dag: tasks created in the block belong to it', () => check(`${HEADER}
with DAG("d", schedule=None) as dag:
    a = EmptyOperator(task_id="a")
    b = BashOperator(task_id="b", bash_command="echo")
    a >> b
`, { d: ['a [EmptyOperator]', 'b [BashOperator] <- a'] }));

  it('dag = DAG(...) with dag=dag on each operator, dag_id as keyword', () => check(`${HEADER}
dag = DAG(dag_id="d")
a = EmptyOperator(task_id="a", dag=dag)
b = EmptyOperator(task_id="b", dag=dag)
orphan = EmptyOperator(task_id="orphan")
b.set_upstream(a)
`, { d: ['a [EmptyOperator]', 'b [EmptyOperator] <- a'] }));

  it('a task without a DAG joins the DAG of the task it is connected to', () => check(`${HEADER}
dag = DAG("d")
a = EmptyOperator(task_id="a", dag=dag)
b = EmptyOperator(task_id="b")
a >> b
`, { d: ['a [EmptyOperator]', 'b [EmptyOperator] <- a'] }));

  it('with dag: re-enters a DAG made earlier', () => check(`${HEADER}
dag = DAG("d")
with dag:
    EmptyOperator(task_id="a")
`, { d: ['a [EmptyOperator]'] }));

  it('@dag functions become DAGs only when called; dag_id defaults to the function name', () => check(`
from airflow.decorators import dag, task

@dag(schedule=None)
def called():
    @task
    def one():
        return 1
    one()

@dag(dag_id="renamed")
def also_called():
    @task
    def two():
        pass
    two()

@dag()
def never_called():
    @task
    def three():
        pass
    three()

called()
instance = also_called()
`, { called: ['one [@task]'], renamed: ['two [@task]'] }));

  it('resolves DAG and operators through module imports and aliases', () => check(`
import airflow
from airflow import models
from airflow.operators.bash import BashOperator as Bash
with airflow.DAG("one"):
    Bash(task_id="a", bash_command="x")
with models.DAG("two"):
    Bash(task_id="b", bash_command="x")
`, { one: ['a [BashOperator]'], two: ['b [BashOperator]'] }));

  it('names the class Airflow instantiates for deprecated Airflow 2 names', () => check(`
from airflow import DAG
from airflow.operators.dummy import DummyOperator
from airflow.operators.check_operator import CheckOperator
from my_company.operators import ValueCheckOperator
with DAG("d"):
    DummyOperator(task_id="a")
    CheckOperator(task_id="b", sql="select 1")
    ValueCheckOperator(task_id="c")
`, { d: ['a [EmptyOperator]', 'b [SQLCheckOperator]', 'c [ValueCheckOperator]'] }));

  it('keeps several DAGs of one file apart', () => check(`${HEADER}
with DAG("first"):
    EmptyOperator(task_id="a")
with DAG("second"):
    EmptyOperator(task_id="a")
`, { first: ['a [EmptyOperator]'], second: ['a [EmptyOperator]'] }));
});

describe('edges', () => {
  const tasks = (ids: string) => ids.split(' ').map((id) => `    ${id} = EmptyOperator(task_id="${id}")`).join('\n');
  const inDag = (ids: string, body: string) => `${HEADER}\nwith DAG("d"):\n${tasks(ids)}\n    ${body}\n`;

  it('t1 >> [t2, t3] fans out', () => check(inDag('t1 t2 t3', 't1 >> [t2, t3]'), {
    d: ['t1 [EmptyOperator]', 't2 [EmptyOperator] <- t1', 't3 [EmptyOperator] <- t1'],
  }));

  it('[a, b] >> c fans in, and a >> b >> c chains', () => check(inDag('a b c d', '[a, b] >> c >> d'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator]', 'c [EmptyOperator] <- a, b', 'd [EmptyOperator] <- c'],
  }));

  it('<< sets upstream and returns its right side', () => check(inDag('a b c', 'a << b << c'), {
    d: ['a [EmptyOperator] <- b', 'b [EmptyOperator] <- c', 'c [EmptyOperator]'],
  }));

  it('a list on both sides of >> is a TypeError in Python: no edge', () => check(inDag('a b c d', '[a, b] >> [c, d]'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator]', 'c [EmptyOperator]', 'd [EmptyOperator]'],
  }));

  it('set_downstream and set_upstream take tasks and lists', () => check(inDag('a b c', 'a.set_downstream([b, c]); c.set_upstream(b)'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator] <- a', 'c [EmptyOperator] <- a, b'],
  }));

  it('chain links neighbours and pairs lists position-wise', () => check(`from airflow.models.baseoperator import chain\n` + inDag('a b c d e f', 'chain(a, [b, c], [d, e], f)'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator] <- a', 'c [EmptyOperator] <- a', 'd [EmptyOperator] <- b', 'e [EmptyOperator] <- c', 'f [EmptyOperator] <- d, e'],
  }));

  it('chain_linear links lists all-to-all', () => check(`from airflow.sdk import chain_linear\n` + inDag('a b c d', 'chain_linear([a, b], [c, d])'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator]', 'c [EmptyOperator] <- a, b', 'd [EmptyOperator] <- a, b'],
  }));

  it('cross_downstream links every pair', () => check(`from airflow.models.baseoperator import cross_downstream\n` + inDag('a b c d', 'cross_downstream([a, b], [c, d])'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator]', 'c [EmptyOperator] <- a, b', 'd [EmptyOperator] <- a, b'],
  }));

  it('the same edge twice is one edge', () => check(inDag('a b', 'a >> b; b << a'), {
    d: ['a [EmptyOperator]', 'b [EmptyOperator] <- a'],
  }));
});

describe('TaskFlow', () => {
  it('data passed between calls makes edges; repeated calls get __1, __2 suffixes', () => check(`
from airflow.sdk import dag, task

@dag
def flow():
    @task
    def extract():
        return [1, 2]

    @task(task_id="sum_up")
    def total(values):
        return sum(values)

    @task.bash
    def report(value):
        return f"echo {value}"

    @task.branch
    def choose():
        return "report"

    first = extract()
    report(total(first))
    total(extract())
    total(values=extract())
    choose() >> report.override(task_id="late_report")(1)
flow()
`, {
    flow: [
      'extract [@task]',
      'sum_up [@task] <- extract',
      'report [@task.bash] <- sum_up',
      'extract__1 [@task]',
      'sum_up__1 [@task] <- extract__1',
      'extract__2 [@task]',
      'sum_up__2 [@task] <- extract__2',
      'choose [@task.branch]',
      'late_report [@task.bash] <- choose',
    ],
  }));

  it('operator.output and subscripts of results are XComArgs that make edges', () => check(`${HEADER}
from airflow.decorators import task
with DAG("d"):
    produce = BashOperator(task_id="produce", bash_command="echo 1")
    @task(multiple_outputs=True)
    def split(line):
        return {"a": line}
    parts = split(produce.output)
    BashOperator(task_id="consume", bash_command=parts["a"])
`, { d: ['produce [BashOperator]', 'split [@task] <- produce', 'consume [BashOperator] <- split'] }));

  it('@task.run_if is a modifier, not the task kind', () => check(`
from airflow.sdk import DAG, task
with DAG("d"):
    @task.run_if(lambda context: True)
    @task.bash
    def maybe():
        return "echo"
    maybe()
`, { d: ['maybe [@task.bash]'] }));
});

describe('TaskGroups and mapping', () => {
  it('prefixes ids with group ids, nested, and stands for roots and leaves in edges', () => check(`${HEADER}
from airflow.utils.task_group import TaskGroup
with DAG("d"):
    start = EmptyOperator(task_id="start")
    with TaskGroup("outer") as outer:
        a = EmptyOperator(task_id="a")
        with TaskGroup("inner") as inner:
            b = EmptyOperator(task_id="b")
        with TaskGroup("flat", prefix_group_id=False):
            c = EmptyOperator(task_id="c")
        a >> inner
    end = EmptyOperator(task_id="end")
    start >> outer >> end
`, {
    d: [
      'start [EmptyOperator]',
      'outer.a [EmptyOperator] <- start',
      'outer.inner.b [EmptyOperator] <- outer.a',
      'outer.c [EmptyOperator] <- start',
      'end [EmptyOperator] <- outer.c, outer.inner.b',
    ],
  }));

  it('a @task_group call stands for the task its function returns, else for the whole group', () => check(`
import pendulum
from airflow.sdk import dag, task, task_group

@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"))
def d():
    @task
    def start():
        return 5

    @task_group
    def process(value):
        @task
        def square(x):
            return x * x

        @task
        def plus_one(x):
            return x + 1

        return plus_one(square(value))

    @task_group
    def checks():
        @task
        def first():
            pass

        @task
        def second():
            pass

        first() >> second()

    @task
    def finish(result):
        return result

    finish(process(start())) >> checks()

d()
`, {
    d: [
      'start [@task]',
      'process.square [@task] <- start',
      'process.plus_one [@task] <- process.square',
      'finish [@task] <- process.plus_one',
      'checks.first [@task] <- finish',
      'checks.second [@task] <- checks.first',
    ],
  }));

  it('marks .partial().expand() and TaskFlow .expand() as mapped, with edges from mapped inputs', () => check(`${HEADER}
from airflow.decorators import task
with DAG("d"):
    @task
    def files():
        return ["a", "b"]
    @task
    def size(name, unit):
        return 1
    listed = files()
    size.partial(unit="kb").expand(name=listed)
    BashOperator.partial(task_id="echo").expand(bash_command=["echo 1", "echo 2"])
`, { d: ['files [@task]', 'size [@task] mapped <- files', 'echo [BashOperator] mapped'] }));
});

describe('evaluation', () => {
  it('creates tasks in loops over literal lists and ranges, with f-string ids', () => check(`${HEADER}
TABLES = ["users", "orders"]
with DAG("d"):
    start = EmptyOperator(task_id="start")
    for table in TABLES:
        start >> BashOperator(task_id=f"load_{table}", bash_command="x")
    shards = [EmptyOperator(task_id="shard_" + str(i)) for i in range(2)]
    start >> shards
`, {
    d: [
      'start [EmptyOperator]',
      'load_users [BashOperator] <- start',
      'load_orders [BashOperator] <- start',
      'shard_0 [EmptyOperator] <- start',
      'shard_1 [EmptyOperator] <- start',
    ],
  }));

  it('runs task and DAG factories defined in the file', () => check(`${HEADER}
def make_dag(dag_id, steps=("a", "b")):
    with DAG(dag_id) as dag:
        previous = None
        for step in steps:
            current = EmptyOperator(task_id=step)
            if previous:
                previous >> current
            previous = current
    return dag

for name in ["x", "y"]:
    globals()[name] = make_dag(f"factory_{name}")
`, {
    factory_x: ['a [EmptyOperator]', 'b [EmptyOperator] <- a'],
    factory_y: ['a [EmptyOperator]', 'b [EmptyOperator] <- a'],
  }));

  it('reads module constants, dict entries, string escapes and implicit concatenation', () => check(`${HEADER}
CONFIG = {"dag": "my" "_dag", "ids": ["fir\\x73t"]}
with DAG(CONFIG["dag"]):
    EmptyOperator(task_id=CONFIG["ids"][0])
    EmptyOperator(task_id=r"raw\\d")
`, { my_dag: ['first [EmptyOperator]', 'raw\\d [EmptyOperator]'] }));

  it('reads arguments, dicts and lists with comments between their items', () => {
    const model = analyzeDagFile(`${HEADER}
with DAG(
    "d",  # the id
    # the schedule, in UTC
    schedule="30 0 * * *",  # 09:30 KST
    default_args={
        "retries": 2,  # twice
        # "owner": "nobody",
        "owner": "data",
    },
):
    EmptyOperator(task_id="a")  # first
`);
    const [dag] = model.dags;
    assert.deepEqual(dag.args.map((a) => a.name), ['dag_id', 'schedule', 'default_args']);
    assert.deepEqual([...dag.defaultArgs.keys()], ['retries', 'owner']);
  });

  it('leaves unknown values unknown instead of guessing', () => check(`${HEADER}
import os
with DAG("d"):
    EmptyOperator(task_id=os.environ["TASK"])
    EmptyOperator(task_id=f"t_{undefined_thing}")
    EmptyOperator(task_id="known")
`, { d: ['known [EmptyOperator]'] }));
});

describe('starred arguments and dict()', () => {
  const only = (source: string) => {
    const model = analyzeDagFile(source);
    assert.deepEqual(model.diagnostics, [], 'no analyser failures');
    return model.dags;
  };
  /** default_args as `key=value` per entry, so that the order of keys is checked too. */
  const defaultArgs = (source: string) => [...only(source)[0].defaultArgs].map(([key, entry]) => `${key}=${JSON.stringify(entry.value)}`);

  it('passes the entries of a known dict given as **kwargs as keyword arguments, named where the dict writes them', () => {
    const source = `${HEADER}import pendulum
KW = {"start_date": pendulum.datetime(2024, 1, 1), "schedule": "@daily"}
with DAG("x", **KW):
    EmptyOperator(**{"task_id": "t", "retries": 2})
`;
    const [dag] = only(source);
    assert.deepEqual(dag.args.map((a) => a.name), ['dag_id', 'start_date', 'schedule']);
    assert.equal(dag.argsKnown, true);
    const start = dag.args.find((a) => a.name === 'start_date')!;
    assert.equal(source.slice(start.nameRange!.from, start.nameRange!.to), '"start_date"');
    assert.equal(source.slice(start.valueRange.from, start.valueRange.to), 'pendulum.datetime(2024, 1, 1)');
    assert.deepEqual(dag.tasks.map((t) => [t.taskId, t.argsKnown, t.args.map((a) => a.name)]), [['t', true, ['task_id', 'retries']]]);
  });

  it('expands *args of a known list into positional arguments', () => {
    const [dag] = only(`${HEADER}ARGS = ["from_list"]\nwith DAG(*ARGS):\n    EmptyOperator(task_id="a")\n`);
    assert.equal(dag.dagId, 'from_list');
  });

  it('marks arguments passed through unknown **kwargs as not known, and guesses no task id from them', () => {
    const dags = only(`${HEADER}import os
kw = os.environ.get("DAG_KWARGS")
with DAG("x", **kw):
    EmptyOperator(task_id="a", **kw)
    EmptyOperator(retries=1, **kw)
    EmptyOperator(task_id="b")
`);
    assert.deepEqual(dags.map((d) => [d.dagId, d.argsKnown]), [['x', false]]);
    assert.deepEqual(dags[0].tasks.map((t) => [t.taskId, t.argsKnown]), [['a', false], ['b', true]]);
  });

  it('binds a factory\'s parameters from **kwargs, and takes no default for what unknown ones may pass', () => {
    const factory = `${HEADER}import os
def make(dag_id="fallback", task="t"):
    with DAG(dag_id):
        EmptyOperator(task_id=task)
`;
    assert.deepEqual(outline(analyzeDagFile(`${factory}make(**{"dag_id": "from_dict"})\n`)), { from_dict: ['t [EmptyOperator]'] });
    assert.deepEqual(outline(analyzeDagFile(`${factory}make(**os.environ)\nmake(*os.environ)\n`)), {});
    assert.deepEqual(outline(analyzeDagFile(`${factory}make("first", *os.environ)\n`)), { first: [] });
  });

  it('merges {**default_args, "k": v}: later keys win, in first-written order', () => assert.deepEqual(defaultArgs(`${HEADER}
base = {"owner": "data", "retries": 1}
with DAG("x", default_args={**base, "retries": 3, "queue": "q"}):
    pass
`), ['owner={"kind":"str","value":"data"}', 'retries={"kind":"num","value":3,"float":false}', 'queue={"kind":"str","value":"q"}']));

  it('dict(base, k=v) starts from the positional mapping or list of pairs', () => {
    assert.deepEqual(defaultArgs(`${HEADER}base = {"owner": "data", "retries": 1}\nwith DAG("x", default_args=dict(base, retries=3)):\n    pass\n`),
      ['owner={"kind":"str","value":"data"}', 'retries={"kind":"num","value":3,"float":false}']);
    assert.deepEqual(defaultArgs(`${HEADER}with DAG("x", default_args=dict([("owner", "data")], queue="q")):\n    pass\n`),
      ['owner={"kind":"str","value":"data"}', 'queue={"kind":"str","value":"q"}']);
  });

  it('dict(**base, k=v) merges base\'s keys, with their locations', () => {
    const source = `${HEADER}base = {"owner": "data"}\nwith DAG("x", default_args=dict(**base, retries=3)):\n    pass\n`;
    assert.deepEqual(defaultArgs(source), ['owner={"kind":"str","value":"data"}', 'retries={"kind":"num","value":3,"float":false}']);
    const owner = only(source)[0].defaultArgs.get('owner')!;
    assert.equal(source.slice(owner.keyRange!.from, owner.keyRange!.to), '"owner"');
  });

  it('leaves dict() unknown when a part is unknown or Python raises for a key given twice', () => {
    for (const call of ['dict(**unknown_kwargs, retries=3)', 'dict(unknown_mapping, retries=3)', 'dict(**{"retries": 1}, retries=3)', 'dict({}, {})']) {
      const [dag] = only(`${HEADER}with DAG("x", default_args=${call}):\n    pass\n`);
      assert.deepEqual([dag.defaultArgsKnown, dag.defaultArgs.size], [false, 0], call);
    }
  });
});

describe('broken input', () => {
  it('recovers the DAGs and tasks before and after a syntax error, and locates the error', () => {
    const source = `${HEADER}
with DAG("d"):
    a = EmptyOperator(task_id="a")
    b = EmptyOperator(task_id="b"
    c = EmptyOperator(task_id="c")
    a >> c
`;
    const model = analyzeDagFile(source);
    assert.deepEqual(outline(model).d.slice(0, 1), ['a [EmptyOperator]']);
    assert.ok(outline(model).d.includes('c [EmptyOperator] <- a'), JSON.stringify(outline(model)));
    const c = model.dags[0].tasks.find((t) => t.taskId === 'c')!;
    assert.equal(source.slice(c.range.from, c.range.to), 'EmptyOperator(task_id="c")', 'ranges point into the text as written');
    const errors = model.diagnostics.filter((d) => d.code === 'PF001');
    assert.ok(errors.length > 0);
    const errorLine = source.slice(0, errors[0].range.from).split('\n').length;
    assert.ok([7, 8].includes(errorLine), `error on line ${errorLine}`);
  });

  it('marks the unfinished last statement when the file ends mid-call', () => {
    const source = `${HEADER}\nwith DAG("d"):\n    a = BashOperator(task_id="a", bash_command=\n`;
    const [error] = analyzeDagFile(source).diagnostics;
    assert.equal(error.code, 'PF001');
    assert.equal(source.slice(error.range.from, error.range.to), 'a = BashOperator(task_id="a", bash_command=');
  });
});

describe('incremental parsing', () => {
  const source = `${HEADER}
with DAG("d", schedule="@daily") as dag:
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    load = EmptyOperator(task_id="load")
    extract >> load
`;
  /** Replaces `from..to` by `insert`, and describes the edit as the editor reports it. */
  const edit = (text: string, from: number, to: number, insert: string): { text: string; change: TextChange } =>
    ({ text: text.slice(0, from) + insert + text.slice(to), change: { fromA: from, toA: to, fromB: from, toB: from + insert.length } });

  /** The reused parse must give exactly what a fresh parse of the new text gives: tree, model and diagnostics. */
  const sameAsFresh = (parsed: ParsedFile) => {
    const fresh = parseFile(parsed.text);
    assert.equal(parsed.tree.toString(), fresh.tree.toString());
    const incremental = checkFile({ file: 'dag.py', text: parsed.text, parsed }, 3);
    const reference = checkFile({ file: 'dag.py', text: parsed.text, parsed: fresh }, 3);
    assert.deepEqual(incremental.model, reference.model);
    assert.deepEqual(incremental.diagnostics, reference.diagnostics);
    return incremental;
  };

  it('after inserting a task, deleting it again, and breaking and mending a call', () => {
    let parsed = parseFile(source);
    const at = source.indexOf('    extract >> load');
    const inserted = edit(source, at, at, '    report = EmptyOperator(task_id="report")\n    load >> report\n');
    parsed = parseFile(inserted.text, { parsed, changes: [inserted.change] });
    assert.deepEqual(sameAsFresh(parsed).model.dags[0].tasks.map((t) => t.taskId), ['extract', 'load', 'report']);

    const deleted = edit(inserted.text, at, at + '    report = EmptyOperator(task_id="report")\n    load >> report\n'.length, '');
    parsed = parseFile(deleted.text, { parsed, changes: [deleted.change] });
    assert.equal(deleted.text, source);
    assert.deepEqual(sameAsFresh(parsed).model.dags[0].tasks.map((t) => t.taskId), ['extract', 'load']);

    const close = source.indexOf('")\n    load');
    const broken = edit(source, close + 1, close + 2, '');
    parsed = parseFile(broken.text, { parsed, changes: [broken.change] });
    assert.ok(sameAsFresh(parsed).diagnostics.some((d) => d.code === 'PF001'));
    const mended = edit(broken.text, close + 1, close + 1, ')');
    parsed = parseFile(mended.text, { parsed, changes: [mended.change] });
    assert.deepEqual(sameAsFresh(parsed).diagnostics, []);
  });

  it('finds the syntax errors of a reparsed tree, whose unchanged subtrees it remembers, as a fresh parse does', () => {
    // Large enough for a tree of nested subtrees. A character deleted at offsets all over it
    // breaks it in the ways typing does; typing the character again mends it.
    const large = generateDagFile(50);
    let parsed = parseFile(large);
    for (let at = 0; at < large.length; at += 13) {
      const broken = edit(large, at, at + 1, '');
      parsed = parseFile(broken.text, { parsed, changes: [broken.change] });
      assert.deepEqual(syntaxErrors(parsed.tree), syntaxErrors(parseFile(broken.text).tree), `with the character at ${at} deleted`);
      const mended = edit(broken.text, at, at, large[at]);
      parsed = parseFile(mended.text, { parsed, changes: [mended.change] });
      assert.deepEqual(syntaxErrors(parsed.tree), [], `with the character at ${at} typed again`);
    }
  });

  it('after several changes reported together, each in the text the previous one left', () => {
    const rename = source.indexOf('"load")') + 1;
    const first = edit(source, rename, rename + 'load'.length, 'load_all');
    const typo = first.text.indexOf('"@daily"') + 2;
    const second = edit(first.text, typo, typo + 1, '');
    const parsed = parseFile(second.text, { parsed: parseFile(source), changes: [first.change, second.change] });
    const checked = sameAsFresh(parsed);
    assert.deepEqual(checked.model.dags[0].tasks.map((t) => t.taskId), ['extract', 'load_all']);
    assert.ok(checked.diagnostics.some((d) => d.code === 'PF501'), 'the cron typo "@aily" is reported');
  });
});
