// `npm run bench`: speed as ratios to a peer measured in the same run, so results compare across
// machines. Writes bench/results.json and prints a table. It runs bundled and minified, as a
// release ships the code (esbuild.mjs --bench, to out/bench.js); it also runs from the sources
// with `node --import tsx bench/run.ts`, more slowly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkFile } from '../src/core/check';
import { analyzeDagFile, parseFile, type ParsedFile } from '../src/core/dag/analyze';
import { CronSchedule } from '../src/core/schedule/cron';
import { dagSchedule, isScheduleProblem, scheduledRuns } from '../src/core/schedule/runs';
import { catalogFor } from '../src/core/airflow/catalog';
import { renderDag } from '../src/core/templates/fields';
import { runDagLocally } from '../src/node/localRun';
import { generateDagFile, generatePythonChainDagFile } from './generate';
import { graphRows } from './graph';

interface Row {
  name: string;
  ours_ms: number;
  peer: string;
  peer_ms: number;
  ratio: number;
}

const ROUNDS = 31;

/** The repository: this file runs from bench/ (tsx) or out/ (the bundle). */
const ROOT = resolve(__dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function timeOurs(run: () => void): number {
  for (let i = 0; i < 5; i++) run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** CPython's own parser on the same file, timed inside Python so that start-up is not counted. */
function timeCPythonAstParse(file: string): number {
  const script = `
import ast, json, statistics, sys, time
source = open(sys.argv[1], encoding="utf-8").read()
for _ in range(5): ast.parse(source)
times = []
for _ in range(${ROUNDS}):
    start = time.perf_counter(); ast.parse(source); times.append((time.perf_counter() - start) * 1000)
print(json.dumps(statistics.median(times)))
`;
  const python = process.env.PREFLIGHT_BENCH_PYTHON ?? 'python3';
  const result = spawnSync(python, ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${python} failed: ${result.stderr || result.error}`);
  return Number(result.stdout.trim());
}

/** The Python of the cached Airflow 2.10 environment, which has croniter and Airflow's timetables. */
function airflowPython(): string {
  const lines = spawnSync('sh', ['scripts/airflow/provision.sh', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
  const python = /^2 (.+)$/m.exec(lines)?.[1];
  if (!python) throw new Error('scripts/airflow/provision.sh did not give an Airflow 2.10 interpreter');
  return python;
}

function timePython(python: string, script: string): number {
  const result = spawnSync(python, ['-c', script], { encoding: 'utf8', env: { ...process.env, AIRFLOW_HOME: mkdtempSync(join(tmpdir(), 'preflight-bench-airflow-')) } });
  if (result.status !== 0) throw new Error(`${python} failed: ${result.stderr}`);
  return Number(result.stdout.trim().split('\n').pop());
}

/** One timed run each (the workloads are long enough): ten years of five-minute ticks, and a year of hourly catch-up runs. */
function scheduleRows(): Row[] {
  const python = airflowPython();
  const rows: Row[] = [];
  const cron = CronSchedule.parse('*/5 * * * *') as CronSchedule;
  const from = Date.UTC(2024, 0, 1);
  const until = Date.UTC(2034, 0, 1);
  let start = process.hrtime.bigint();
  let ticks = 0;
  for (let t = from; t < until; t = cron.nextWall(t)) ticks++;
  const oursTicks = Number(process.hrtime.bigint() - start) / 1e6;
  const peerTicks = timePython(python, `
import datetime, time
from croniter import croniter
it = croniter("*/5 * * * *", datetime.datetime(2024, 1, 1))
end = datetime.datetime(2034, 1, 1)
start = time.perf_counter(); n = 1
while it.get_next(datetime.datetime) < end: n += 1
print((time.perf_counter() - start) * 1000)
assert n == ${ticks}, n
`);
  rows.push({ name: `10 years of */5 firings (${ticks.toLocaleString('en-US')} ticks)`, ours_ms: oursTicks, peer: 'croniter get_next', peer_ms: peerTicks, ratio: oursTicks / peerTicks });

  const [dag] = analyzeDagFile('import pendulum\nfrom airflow import DAG\nwith DAG("d", schedule="@hourly", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=True):\n    pass\n').dags;
  const schedule = dagSchedule(dag, 2);
  if (isScheduleProblem(schedule)) throw new Error(schedule.message);
  const now = Date.UTC(2025, 0, 1);
  start = process.hrtime.bigint();
  const { due } = scheduledRuns(schedule, { now, count: 1_000_000 });
  const oursRuns = Number(process.hrtime.bigint() - start) / 1e6;
  const peerRuns = timePython(python, `
import time, pendulum, logging
logging.disable(logging.CRITICAL)
from airflow.timetables.interval import CronDataIntervalTimetable
from airflow.timetables.base import TimeRestriction
timetable = CronDataIntervalTimetable("0 * * * *", timezone=pendulum.timezone("UTC"))
restriction = TimeRestriction(earliest=pendulum.datetime(2024, 1, 1, tz="UTC"), latest=None, catchup=True)
now = pendulum.datetime(2025, 1, 1, tz="UTC")
start = time.perf_counter(); last = None; n = 0
while True:
    info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
    if info is None or info.run_after > now: break
    last = info.data_interval; n += 1
print((time.perf_counter() - start) * 1000)
assert n == ${due.length}, n
`);
  rows.push({ name: `a year of hourly catch-up runs (${due.length.toLocaleString('en-US')} runs)`, ours_ms: oursRuns, peer: 'Airflow 2.10 CronDataIntervalTimetable (croniter)', peer_ms: peerRuns, ratio: oursRuns / peerRuns });
  return rows;
}

/**
 * Rendering every templated field of the 1,000-task DAG for one run, against Jinja2's sandboxed
 * environment rendering the same template strings with the same context values in Python.
 * Both sides are timed warm: our compile cache is filled by the first renderDag and the warm-up
 * rounds, and Jinja2 (with its default template cache) compiles every template once before the
 * timed loop, which then only renders. Timing Jinja2's from_string in the loop would count a
 * compilation per template against a cache hit on our side.
 */
function renderRow(source: string): Row {
  const [dag] = analyzeDagFile(source).dags;
  const options = { airflow: 3 as const, catalog: catalogFor(3), logicalDate: Date.UTC(2024, 0, 1, 0, 30), now: Date.UTC(2024, 0, 1, 1, 30) };
  const first = renderDag(dag, options);
  if ('error' in first) throw new Error(first.error);
  const templates = first.tasks.flatMap((t) => dag.tasks.find((m) => m.taskId === t.task_id)!.args
    .filter((a) => a.name === 'bash_command' || a.name === 'op_kwargs')
    .flatMap((a) => (a.value.kind === 'str' ? [a.value] : a.value.kind === 'dict' ? [...a.value.entries.values()].map((e) => e.value) : []))
    .flatMap((v) => (v.kind === 'str' ? [v.value] : [])));
  const fields = first.tasks.reduce((n, t) => n + Object.keys(t.fields).length, 0);
  const ours = timeOurs(() => renderDag(dag, options));
  const peer = timePython(airflowPython(), `
import json, statistics, time
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
templates = json.loads(${JSON.stringify(JSON.stringify(templates))})
env = SandboxedEnvironment(undefined=StrictUndefined)
context = {"ds": "2024-01-01", "ds_nodash": "20240101", "ts": "2024-01-01T00:30:00+00:00"}
compiled = [env.from_string(t) for t in templates]
def run():
    for t in compiled: t.render(**context)
for _ in range(3): run()
times = []
for _ in range(${ROUNDS}):
    start = time.perf_counter(); run(); times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
`);
  return { name: `render all templated fields of a 1,000-task DAG (${fields} fields, ${templates.length} templates)`, ours_ms: ours, peer: 'Jinja2 SandboxedEnvironment', peer_ms: peer, ratio: ours / peer };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Real Airflow's `dag.test()` of one DAG file for one logical date: the median over `rounds` of
 * the milliseconds dag.test itself takes, timed inside Python. The clean Airflow home of
 * scripts/airflow/oracle_env.py, its SQLite database and the DagBag import come first and are not
 * counted, as our side is not charged for loading Node either. Each round must end with every task
 * in success, so that a broken DAG cannot pass for a fast one.
 */
function timeDagTest(python: string, file: string, dagId: string, logicalDate: number, options: { rounds: number; taskCount: number; markSuccessPattern?: string }): number {
  const script = `
import json, shutil, statistics, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr
home = tempfile.mkdtemp(prefix="preflight-bench-airflow-")
prepare_airflow_env(home)
out = redirect_stdout_to_stderr()
import pendulum
from airflow.models.dagbag import DagBag
from airflow.utils.db import initdb
initdb()
bag = DagBag(dag_folder=sys.argv[2], include_examples=False)
assert not bag.import_errors, bag.import_errors
dag = bag.get_dag(sys.argv[3])
logical_date = pendulum.parse(sys.argv[4])
pattern = sys.argv[5] or None
times = []
for _ in range(int(sys.argv[6])):
    start = time.perf_counter()
    run = dag.test(execution_date=logical_date, mark_success_pattern=pattern)
    times.append((time.perf_counter() - start) * 1000)
    states = [ti.state for ti in run.get_task_instances()]
    assert run.state == "success" and len(states) == int(sys.argv[7]) and all(s == "success" for s in states), (run.state, states)
shutil.rmtree(home, ignore_errors=True)
out.write(json.dumps(statistics.median(times)) + "\\n")
`;
  const args = [join(ROOT, 'scripts', 'airflow'), file, dagId, new Date(logicalDate).toISOString(), options.markSuccessPattern ?? '', String(options.rounds), String(options.taskCount)];
  // Airflow logs to stderr while it runs; a generous buffer keeps a chatty run from being cut off.
  const result = spawnSync(python, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`dag.test of ${file} failed: ${result.stderr.slice(-4000) || result.error}`);
  return Number(result.stdout.trim());
}

/**
 * What `preflight run --dry` does, over 365 daily logical dates of the generated 1,000-task DAG,
 * per run: runDagLocally with the whole analysis of the file, the runs of the range, and every
 * task rendered and marked success by the dry executor. The peer is Airflow 2.10's dag.test with
 * `mark_success_pattern=".*"`, which marks every task success without executing (or rendering)
 * it, the closest thing Airflow has to a dry run, for one logical date. One such dag.test takes
 * minutes, since its loop re-reads every task instance from the database after each step, so the
 * peer is timed once.
 */
async function dryRunRow(python: string, file: string): Promise<Row> {
  // generateDagFile's DAG runs daily at 00:30 UTC from 2024-01-01: these are its first 365 logical dates.
  const from = Date.UTC(2024, 0, 1, 0, 30);
  const to = from + 364 * DAY_MS;
  // A "now" after the range, as when the range is run today; fixed so that runs compare.
  const now = Date.UTC(2025, 0, 1);
  const rounds = 3;
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    const outcome = await runDagLocally({ file, airflow: 2, selection: { kind: 'range', from, to }, conf: {}, dry: true, now });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if ('problem' in outcome) throw new Error(outcome.problem.message);
    const { runs } = outcome.result;
    if (runs.length !== 365 || !runs.every((r) => r.state === 'success' && r.tasks.length === 1000)) throw new Error('the dry run did not give 365 successful runs of 1,000 tasks');
    times.push(elapsed / runs.length);
  }
  const peer = timeDagTest(python, file, 'generated', from, { rounds: 1, taskCount: 1000, markSuccessPattern: '.*' });
  return { name: 'dry run of a 1,000-task DAG over 365 daily logical dates, per run (peer: one dag.test of one run)', ours_ms: median(times), peer: 'Airflow 2.10 dag.test(mark_success_pattern=".*")', peer_ms: peer, ratio: median(times) / peer };
}

/**
 * The per-task cost of executing Python for real: a chain of 200 trivial PythonOperator tasks run
 * by runDagLocally with the Airflow 2.10 environment's Python, so that our worker imports the same
 * Airflow as the peer, Airflow 2.10's dag.test of the same file. Our time starts when the run
 * starts, after the worker has started and imported the DAG file, just as the peer's starts after
 * the DagBag import; per task, the worker's start-up would otherwise be charged 200 times over.
 */
async function pythonExecutionRow(python: string, scratch: string): Promise<Row> {
  const taskCount = 200;
  const file = join(scratch, `python_chain_${taskCount}.py`);
  writeFileSync(file, generatePythonChainDagFile(taskCount));
  // The DAG's first @daily logical date, and a fixed "now" after it.
  const logicalDate = Date.UTC(2024, 0, 1);
  const now = Date.UTC(2025, 0, 1);
  // Importing Airflow writes airflow.cfg into AIRFLOW_HOME (~/airflow unless set), and the worker
  // inherits this process's environment, so it gets a scratch home for the duration.
  const callerHome = process.env.AIRFLOW_HOME;
  process.env.AIRFLOW_HOME = mkdtempSync(join(scratch, 'airflow-home-'));
  const times: number[] = [];
  try {
    // The first round warms the file system and Python's caches and is not counted.
    for (let round = 0; round < 6; round++) {
      let runStarted: bigint | undefined;
      const outcome = await runDagLocally({
        file, airflow: 2, selection: { kind: 'date', logicalDate }, conf: {}, dry: false, python, now,
        onEvent: (event) => { if (event.kind === 'run' && event.state === 'running') runStarted ??= process.hrtime.bigint(); },
      });
      const end = process.hrtime.bigint();
      if ('problem' in outcome) throw new Error(outcome.problem.message);
      const [run] = outcome.result.runs;
      if (outcome.structure !== 'python' || !outcome.airflowInstalled?.startsWith('2.10')) throw new Error(`the worker did not import Airflow 2.10 (it imported ${outcome.airflowInstalled ?? 'none'})`);
      if (run.state !== 'success' || run.tasks.length !== taskCount || !run.tasks.every((t) => t.state === 'success' && t.xcom.return_value === 42)) throw new Error('the real run of the Python chain did not succeed with every task returning 42');
      if (round > 0) times.push(Number(end - runStarted!) / 1e6 / taskCount);
    }
  } finally {
    if (callerHome === undefined) delete process.env.AIRFLOW_HOME;
    else process.env.AIRFLOW_HOME = callerHome;
  }
  const peer = timeDagTest(python, file, 'python_chain', logicalDate, { rounds: 3, taskCount }) / taskCount;
  return { name: `${taskCount} trivial PythonOperator tasks in a chain, executed for real, per task`, ours_ms: median(times), peer: 'Airflow 2.10 dag.test()', peer_ms: peer, ratio: median(times) / peer };
}

// Local runs are asynchronous, so the rows are gathered in an async function; the module stays CommonJS.
async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'preflight-bench-'));
  try {
    const rows: Row[] = [];
    const source = generateDagFile(1000);
    const file = join(scratch, 'generated_1000.py');
    writeFileSync(file, source);

    const model = analyzeDagFile(source);
    if (model.dags[0]?.tasks.length !== 1000) throw new Error('the generated DAG did not analyse to 1,000 tasks');
    const peer = timeCPythonAstParse(file);
    const row = (name: string, ours: number) => rows.push({ name, ours_ms: ours, peer: 'CPython ast.parse', peer_ms: peer, ratio: ours / peer });

    // The editor passes the current time, which turns on the rules that need one (catchup runs,
    // templates rendered for the next run). A fixed instant keeps the rows comparable between runs.
    const now = Date.UTC(2024, 0, 3, 12);
    row('parse + model, 1,000-task DAG', timeOurs(() => analyzeDagFile(source)));
    row('full analysis (model + all rules), 1,000-task DAG', timeOurs(() => checkFile({ file, text: source }, 3, now)));

    // What the editor does after a keystroke: reparse reusing the previous tree, then model and
    // rules, replaying the statements the edit did not touch from the previous check. The edit
    // alternates between typing a character in the middle of the file and deleting it.
    const at = source.indexOf('task_500 = ') + 'task_5'.length;
    const edited = source.slice(0, at) + 'x' + source.slice(at);
    let previous: ParsedFile = parseFile(source);
    let checked = checkFile({ file, text: source, parsed: previous, incremental: {} }, 3, now);
    let typed = false;
    row('re-analysis after a one-character edit, 1,000-task DAG', timeOurs(() => {
      const [text, change] = typed
        ? [source, { fromA: at, toA: at + 1, fromB: at, toB: at }]
        : [edited, { fromA: at, toA: at, fromB: at, toB: at + 1 }];
      previous = parseFile(text, { parsed: previous, changes: [change] });
      checked = checkFile({ file, text, parsed: previous, incremental: { previous: checked } }, 3, now);
      typed = !typed;
    }));

    rows.push(...scheduleRows());
    rows.push(renderRow(source));
    rows.push(...(await graphRows()));
    const python = airflowPython();
    rows.push(await dryRunRow(python, file));
    rows.push(await pythonExecutionRow(python, scratch));

    const round = (n: number) => Math.round(n * 1000) / 1000;
    // Ratios keep four significant digits: against dag.test they are far below 0.001, which three
    // decimal places would round to a meaningless 0.
    const significant = (n: number) => Number(n.toPrecision(4));
    const results = { rows: rows.map((r) => ({ ...r, ours_ms: round(r.ours_ms), peer_ms: round(r.peer_ms), ratio: significant(r.ratio) })) };
    writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
    console.table(results.rows);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
