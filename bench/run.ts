// `npm run bench`: speed as ratios to a peer measured in the same run, so results compare across
// machines. Writes bench/results.json and prints a table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../src/core/check';
import { analyzeDagFile, parseFile, type ParsedFile } from '../src/core/dag/analyze';
import { CronSchedule } from '../src/core/schedule/cron';
import { dagSchedule, isScheduleProblem, scheduledRuns } from '../src/core/schedule/runs';
import { catalogFor } from '../src/core/airflow/catalog';
import { renderDag } from '../src/core/templates/fields';
import { generateDagFile } from './generate';

interface Row {
  name: string;
  ours_ms: number;
  peer: string;
  peer_ms: number;
  ratio: number;
}

const ROUNDS = 31;

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
env = SandboxedEnvironment(undefined=StrictUndefined, cache_size=0)
context = {"ds": "2024-01-01", "ds_nodash": "20240101", "ts": "2024-01-01T00:30:00+00:00"}
def run():
    for t in templates: env.from_string(t).render(**context)
for _ in range(3): run()
times = []
for _ in range(${ROUNDS}):
    start = time.perf_counter(); run(); times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
`);
  return { name: `render all templated fields of a 1,000-task DAG (${fields} fields, ${templates.length} templates)`, ours_ms: ours, peer: 'Jinja2 SandboxedEnvironment', peer_ms: peer, ratio: ours / peer };
}

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

  row('parse + model, 1,000-task DAG', timeOurs(() => analyzeDagFile(source)));
  row('full analysis (model + all rules), 1,000-task DAG', timeOurs(() => checkFile({ file, text: source }, 3)));

  // What the editor does after a keystroke: reparse reusing the previous tree, then model and rules.
  // The edit alternates between typing a character in the middle of the file and deleting it.
  const at = source.indexOf('task_500 = ') + 'task_5'.length;
  const edited = source.slice(0, at) + 'x' + source.slice(at);
  let previous: ParsedFile = parseFile(source);
  let typed = false;
  row('re-analysis after a one-character edit, 1,000-task DAG', timeOurs(() => {
    const [text, change] = typed
      ? [source, { fromA: at, toA: at + 1, fromB: at, toB: at }]
      : [edited, { fromA: at, toA: at, fromB: at, toB: at + 1 }];
    previous = parseFile(text, { parsed: previous, changes: [change] });
    checkFile({ file, text, parsed: previous }, 3);
    typed = !typed;
  }));

  rows.push(...scheduleRows());
  rows.push(renderRow(source));

  const round = (n: number) => Math.round(n * 1000) / 1000;
  const results = { rows: rows.map((r) => ({ ...r, ours_ms: round(r.ours_ms), peer_ms: round(r.peer_ms), ratio: round(r.ratio) })) };
  writeFileSync(join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.table(results.rows);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
