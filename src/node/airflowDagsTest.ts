// "Run with local Airflow": one DAG run made by the real Airflow of the user's interpreter
// (`dag.test()`, what `airflow dags test` runs) through python/preflight_airflow/dags_test.py, in a
// child process of its own group so that cancelling ends it and every task it started. The
// driver's JSON-lines events become the simulator's live events (for the Runs view, the DAG panel
// and the log channel) and, at the end, a result in the shape of `preflight run --json`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AirflowVersion } from '../core/airflow/version';
import { checkFile } from '../core/check';
import { LineIndex } from '../core/python/lines';
import type { DagRunReason, DagRunResult, DagRunState, SimulationEvent, SimulationResult, TaskError, TaskInstanceResult, TaskState } from '../core/sim/types';
import { nextLogicalDate } from '../core/templates/fields';
import { readText } from './files';
import { moduleReaderFor } from './modules';
import { killTree, spawnGroup } from './processTree';
import type { HistoryTask } from './runHistory';

/**
 * The Airflow releases Preflight is tested against (scripts/airflow/requirements-*.txt): what the
 * message for an interpreter without Airflow tells the user to install.
 */
export const TESTED_AIRFLOW: Readonly<Record<AirflowVersion, string>> = { 2: '2.10.5', 3: '3.3.2' };

/** As much of a task's log as its result keeps, like the simulator's log tail. */
const LOG_TAIL_CHARS = 4000;
const STDERR_TAIL_CHARS = 4000;

/** Why the driver could not make the run, as it says it, or as Node saw it (`spawn_failed`, `exited`, `unreadable`, `no_dag`). */
export type AirflowProblemCode =
  | 'airflow_missing' | 'airflow_broken' | 'database_missing' | 'database_outdated' | 'database_unreachable'
  | 'import_error' | 'dag_not_found' | 'bad_arguments' | 'crashed' | 'spawn_failed' | 'exited' | 'unreadable' | 'no_dag';

export interface AirflowRunProblem {
  readonly code: AirflowProblemCode;
  readonly message: string;
  /** The command that sets up what is missing (installs Airflow, migrates the metadata database). */
  readonly command?: string;
  readonly file?: string;
  readonly line?: number;
  readonly airflowHome?: string;
}

export interface AirflowRunOptions {
  readonly file: string;
  /** Default: the file's first DAG. */
  readonly dagId?: string;
  /** Default: the DAG's next scheduled run after `now`, else now (Airflow's own default). */
  readonly logicalDate?: number;
  readonly conf?: Readonly<Record<string, unknown>>;
  readonly python: string;
  /** The Airflow home to use; by default the child inherits the caller's AIRFLOW_HOME, as `airflow` would. */
  readonly airflowHome?: string;
  /** The child's environment; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly now: number;
  readonly onEvent?: (event: SimulationEvent) => void;
  /** What Airflow prints outside any task (importing the file, creating the run), as it comes. */
  readonly onOutput?: (text: string) => void;
  readonly signal?: AbortSignal;
}

export interface AirflowRunOutcome {
  readonly result: SimulationResult;
  /** The DAG's tasks as Airflow loaded them, in its order, with their lines in the file when known. */
  readonly dag: { readonly dagId: string; readonly tasks: readonly HistoryTask[] };
  readonly airflowVersion: string;
  readonly airflowHome: string | null;
  readonly database: string | null;
  readonly file: string;
}

/** dags_test.py, from the source tree (src/node) or from the bundle (dist/, which ships beside python/). */
export function airflowDriverScript(): string {
  const candidates = [
    resolve(__dirname, '..', 'python', 'preflight_airflow', 'dags_test.py'),
    resolve(__dirname, '..', '..', 'python', 'preflight_airflow', 'dags_test.py'),
  ];
  return candidates.find((path) => existsSync(path)) ?? candidates[0];
}

/** What the driver writes, one object a line (python/preflight_airflow/dags_test.py). */
export type DriverEvent =
  | { readonly type: 'started'; readonly airflow_version: string; readonly python: string; readonly airflow_home: string | null; readonly database: string | null }
  | { readonly type: 'problem'; readonly code: AirflowProblemCode; readonly message: string; readonly file?: string; readonly line?: number; readonly command?: string; readonly airflow_home?: string }
  | { readonly type: 'dag'; readonly dag_id: string; readonly tasks: readonly { readonly task_id: string; readonly operator: string; readonly upstream: readonly string[]; readonly downstream: readonly string[] }[] }
  | ({ readonly type: 'run' } & DriverRun)
  | ({ readonly type: 'task' } & DriverTask)
  | { readonly type: 'log'; readonly task_id: string | null; readonly map_index: number; readonly try_number: number | null; readonly text: string }
  | { readonly type: 'error'; readonly task_id: string; readonly map_index: number; readonly try_number: number | null; readonly error: { readonly type: string; readonly message: string; readonly traceback?: string } }
  | { readonly type: 'end'; readonly run: DriverRun; readonly tasks: readonly (DriverTask & { readonly operator: string | null })[]; readonly xcom: readonly { readonly task_id: string; readonly map_index: number; readonly key: string; readonly value: unknown }[];
    /** Absent from drivers that do not read them. */
    readonly rendered?: readonly { readonly task_id: string; readonly map_index: number; readonly fields: Readonly<Record<string, unknown>> }[] };

interface DriverRun {
  readonly run_id: string;
  readonly run_type: string;
  readonly state: string;
  readonly logical_date: string | null;
  readonly data_interval_start: string | null;
  readonly data_interval_end: string | null;
  readonly start: string | null;
  readonly end: string | null;
  readonly conf: Readonly<Record<string, unknown>>;
}

interface DriverTask {
  readonly task_id: string;
  readonly map_index: number;
  readonly state: string;
  readonly try_number: number;
  readonly start: string | null;
  readonly end: string | null;
}

const EVENT_TYPES = new Set(['started', 'problem', 'dag', 'run', 'task', 'log', 'error', 'end']);

/** One line of the driver's channel as an event; undefined for anything else (it is reported, not trusted). */
export function parseDriverEvent(line: string): DriverEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !EVENT_TYPES.has((value as { type?: unknown }).type as string)) return undefined;
  return value as DriverEvent;
}

const TASK_STATES = new Set<TaskState>(['none', 'scheduled', 'queued', 'running', 'success', 'failed', 'up_for_retry', 'skipped', 'upstream_failed', 'removed']);

/** Airflow's state names onto the simulator's: the states it has no column for read as the nearest one. */
export function taskStateOf(state: string): TaskState {
  if (TASK_STATES.has(state as TaskState)) return state as TaskState;
  if (state === 'up_for_reschedule' || state === 'deferred' || state === 'restarting' || state === 'awaiting_input') return 'running';
  return 'none';
}

function runStateOf(state: string): DagRunState {
  return state === 'success' || state === 'failed' || state === 'queued' ? state : 'running';
}

/** The instance's id in events, as the simulator names mapped task instances: `task[2]`. */
function instanceId(taskId: string, mapIndex: number): string {
  return mapIndex >= 0 ? `${taskId}[${mapIndex}]` : taskId;
}

interface Try {
  tryNumber: number;
  state: TaskState;
  start: string | null;
  end: string | null;
  error?: TaskError;
}

interface Instance {
  readonly taskId: string;
  readonly mapIndex: number;
  state: TaskState;
  tryNumber: number;
  start: string | null;
  end: string | null;
  log: string;
  readonly tries: Map<number, Try>;
}

function durationMs(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isNaN(ms) ? null : Math.max(0, ms);
}

/** Where in the DAG file an exception was raised: the traceback's last frame in that file. */
export function locateInFile(traceback: string, file: string): number | undefined {
  let line: number | undefined;
  for (const match of traceback.matchAll(/File "([^"]+)", line (\d+)/g)) {
    if (resolve(match[1]) === resolve(file)) line = Number(match[2]);
  }
  return line;
}

/**
 * Folds the driver's events into the simulator's live events and, at the end, the run's result.
 * Pure: the tests feed it recorded events.
 */
export class AirflowRunRecorder {
  started: Extract<DriverEvent, { type: 'started' }> | undefined;
  problem: Extract<DriverEvent, { type: 'problem' }> | undefined;
  dag: Extract<DriverEvent, { type: 'dag' }> | undefined;
  run: DriverRun | undefined;
  end: Extract<DriverEvent, { type: 'end' }> | undefined;
  private readonly instances = new Map<string, Instance>();

  constructor(
    private readonly file: string,
    private readonly emit: (event: SimulationEvent) => void = () => undefined,
    /** Output outside any task, which has no task instance to belong to (nor a run, before it is created). */
    private readonly output: (text: string) => void = () => undefined,
  ) {}

  private instance(taskId: string, mapIndex: number): Instance {
    const key = instanceId(taskId, mapIndex);
    let instance = this.instances.get(key);
    if (!instance) {
      instance = { taskId, mapIndex, state: 'none', tryNumber: 0, start: null, end: null, log: '', tries: new Map() };
      this.instances.set(key, instance);
    }
    return instance;
  }

  private try(instance: Instance, tryNumber: number): Try {
    let found = instance.tries.get(tryNumber);
    if (!found) {
      found = { tryNumber, state: 'none', start: null, end: null };
      instance.tries.set(tryNumber, found);
    }
    return found;
  }

  accept(event: DriverEvent): void {
    switch (event.type) {
      case 'started':
        this.started = event;
        return;
      case 'problem':
        this.problem = event;
        return;
      case 'dag':
        this.dag = event;
        return;
      case 'run':
        this.run = event;
        this.emit({ kind: 'run', run_id: event.run_id, state: runStateOf(event.state) });
        return;
      case 'task':
        this.taskChanged(event);
        return;
      case 'log': {
        if (event.task_id === null) {
          this.output(event.text);
          return;
        }
        const instance = this.instance(event.task_id, event.map_index);
        instance.log = (instance.log + event.text).slice(-LOG_TAIL_CHARS);
        if (this.run) this.emit({ kind: 'log', run_id: this.run.run_id, task_id: instanceId(event.task_id, event.map_index), text: event.text });
        return;
      }
      case 'error': {
        const instance = this.instance(event.task_id, event.map_index);
        const line = event.error.traceback ? locateInFile(event.error.traceback, this.file) : undefined;
        const error: TaskError = {
          type: event.error.type,
          message: event.error.message,
          ...(event.error.traceback ? { traceback: event.error.traceback } : {}),
          retryable: event.error.type !== 'AirflowFailException' && event.error.type !== 'AirflowSensorTimeout',
          ...(line !== undefined ? { file: this.file, line } : {}),
        };
        this.try(instance, event.try_number ?? instance.tryNumber).error = error;
        return;
      }
      case 'end':
        this.end = event;
        for (const task of event.tasks) this.taskChanged(task);
        this.run = event.run;
        this.emit({ kind: 'run', run_id: event.run.run_id, state: runStateOf(event.run.state) });
        return;
    }
  }

  private taskChanged(task: DriverTask): void {
    const instance = this.instance(task.task_id, task.map_index);
    const state = taskStateOf(task.state);
    const changed = instance.state !== state || instance.tryNumber !== task.try_number;
    instance.state = state;
    instance.tryNumber = task.try_number;
    // The driver's "running" carries the time the try began; Airflow 2.10's rows under dag.test() keep no start.
    if (task.start !== null && (state === 'running' || instance.start === null)) instance.start = task.start;
    if (task.end !== null) instance.end = task.end;
    if (task.try_number > 0 && state !== 'scheduled' && state !== 'queued' && state !== 'none') {
      const attempt = this.try(instance, task.try_number);
      attempt.state = state;
      if (state === 'running') {
        attempt.start = task.start;
        attempt.end = null;
      } else if (task.end !== null) {
        attempt.end = task.end;
      }
    }
    if (changed && this.run) this.emit({ kind: 'task', run_id: this.run.run_id, task_id: instanceId(task.task_id, task.map_index), state, try_number: task.try_number });
  }

  private instanceResult(instance: Instance, lines: ReadonlyMap<string, number>, xcom: Readonly<Record<string, unknown>>, rendered: Readonly<Record<string, unknown>>): TaskInstanceResult {
    const tries = [...instance.tries.values()].filter((t) => t.start !== null || t.end !== null).sort((a, b) => a.tryNumber - b.tryNumber);
    const last = instance.tries.get(instance.tryNumber);
    const start = instance.start ?? tries[0]?.start ?? null;
    const line = lines.get(instance.taskId);
    return {
      task_id: instance.taskId,
      state: instance.state,
      try_number: instance.tryNumber,
      start,
      end: instance.end,
      duration_ms: durationMs(last?.start ?? start, instance.end),
      xcom,
      rendered,
      log_tail: instance.log,
      ...(last?.error && instance.state === 'failed' ? { error: last.error } : {}),
      tries: tries.map((t) => ({ try_number: t.tryNumber, state: t.state, start: t.start ?? t.end!, end: t.end ?? t.start!, ...(t.error ? { error: `${t.error.type}: ${t.error.message}` } : {}) })),
      ...(line !== undefined ? { line } : {}),
      ...(instance.mapIndex >= 0 ? { map_index: instance.mapIndex } : {}),
    };
  }

  /** The run as `preflight run --json` reports runs; undefined until the driver said how it ended. */
  result(airflow: AirflowVersion, lines: ReadonlyMap<string, number>, cancelled = false): SimulationResult | undefined {
    const run = this.end?.run ?? (cancelled ? this.run : undefined);
    if (!run || !this.dag) return undefined;
    const xcoms = new Map<string, Record<string, unknown>>();
    for (const x of this.end?.xcom ?? []) {
      const key = instanceId(x.task_id, x.map_index);
      xcoms.set(key, { ...xcoms.get(key), [x.key]: x.value });
    }
    const rendered = new Map((this.end?.rendered ?? []).map((r) => [instanceId(r.task_id, r.map_index), r.fields]));
    const byTask = new Map<string, Instance[]>();
    for (const instance of this.instances.values()) byTask.set(instance.taskId, [...(byTask.get(instance.taskId) ?? []), instance]);
    const ordered = [...this.dag.tasks.map((t) => t.task_id), ...[...byTask.keys()].filter((id) => !this.dag!.tasks.some((t) => t.task_id === id))];
    const tasks = ordered.flatMap((taskId): TaskInstanceResult[] => {
      const instances = byTask.get(taskId) ?? [];
      const mapped = instances.filter((i) => i.mapIndex >= 0).sort((a, b) => a.mapIndex - b.mapIndex);
      if (mapped.length === 0) {
        const single = instances.find((i) => i.mapIndex < 0) ?? this.instance(taskId, -1);
        return [this.instanceResult(single, lines, xcoms.get(taskId) ?? {}, rendered.get(taskId) ?? {})];
      }
      const children = mapped.map((i) => {
        const id = instanceId(taskId, i.mapIndex);
        return this.instanceResult(i, lines, xcoms.get(id) ?? {}, rendered.get(id) ?? {});
      });
      return [mappedSummary(taskId, children, lines.get(taskId))];
    });
    const state: DagRunState = cancelled ? 'failed' : runStateOf(run.state);
    const starts = tasks.map((t) => t.start).filter((s): s is string => s !== null).sort();
    const logicalDate = run.logical_date ?? run.start ?? new Date().toISOString();
    const result: DagRunResult = {
      run_id: run.run_id,
      run_type: run.run_type === 'scheduled' ? 'scheduled' : 'manual',
      logical_date: logicalDate,
      data_interval_start: run.data_interval_start ?? logicalDate,
      data_interval_end: run.data_interval_end ?? logicalDate,
      state,
      reason: runReason(state, tasks, cancelled),
      conf: run.conf,
      // dag.test() starts its run at the logical date; the run's time here is when its first task began.
      start: starts[0] ?? run.start ?? logicalDate,
      end: run.end ?? tasks.map((t) => t.end).filter((e): e is string => e !== null).sort().at(-1) ?? starts[0] ?? logicalDate,
      tasks,
    };
    return { dag_id: this.dag.dag_id, airflow, mode: 'real', runs: [result], alerts: [], warnings: [] };
  }
}

const STATE_ORDER: readonly TaskState[] = ['failed', 'upstream_failed', 'up_for_retry', 'running', 'queued', 'scheduled', 'none', 'success', 'skipped', 'removed'];

/** A mapped task's own row: its instances' worst state, their first start and last end. */
function mappedSummary(taskId: string, children: readonly TaskInstanceResult[], line: number | undefined): TaskInstanceResult {
  const state = children.every((c) => c.state === 'skipped') ? 'skipped' : STATE_ORDER.find((s) => children.some((c) => c.state === s)) ?? 'none';
  const starts = children.map((c) => c.start).filter((s): s is string => s !== null).sort();
  const ends = children.map((c) => c.end).filter((e): e is string => e !== null).sort();
  const start = starts[0] ?? null;
  const end = ends.at(-1) ?? null;
  return {
    task_id: taskId, state, try_number: Math.max(...children.map((c) => c.try_number)), start, end, duration_ms: durationMs(start, end),
    xcom: {}, rendered: {}, log_tail: '', tries: [], ...(line !== undefined ? { line } : {}), mapped: children,
  };
}

function runReason(state: DagRunState, tasks: readonly TaskInstanceResult[], cancelled: boolean): DagRunReason {
  if (cancelled) return 'cancelled';
  if (state === 'success') return 'success';
  return tasks.some((t) => t.state === 'failed' || t.state === 'upstream_failed') ? 'task_failure' : 'all_tasks_deadlocked';
}

/** A command-line word quoted for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The problem the driver reported, with what sets up what is missing. */
export function problemFromDriver(event: Extract<DriverEvent, { type: 'problem' }>, python: string, airflow: AirflowVersion): AirflowRunProblem {
  const where = { ...(event.file ? { file: event.file } : {}), ...(event.line ? { line: event.line } : {}), ...(event.airflow_home ? { airflowHome: event.airflow_home } : {}) };
  switch (event.code) {
    case 'airflow_missing': {
      const command = `${shellWord(python)} -m pip install ${shellWord(`apache-airflow==${TESTED_AIRFLOW[airflow]}`)}`;
      return { code: event.code, message: `${event.message}. Install it with: ${command}`, command, ...where };
    }
    case 'database_missing':
    case 'database_outdated':
      return { code: event.code, message: `${event.message}. Set it up with: ${event.command}`, ...(event.command ? { command: event.command } : {}), ...where };
    default:
      return { code: event.code, message: event.message, ...(event.command ? { command: event.command } : {}), ...where };
  }
}

/** The file's DAG to run, its logical date (the next scheduled run by default) and the lines of its tasks. */
function staticFacts(options: AirflowRunOptions): { dagId: string; airflow: AirflowVersion; logicalDate?: number; lines: Map<string, number> } | { problem: AirflowRunProblem } {
  let text: string;
  try {
    text = readText(options.file);
  } catch (error) {
    return { problem: { code: 'unreadable', message: `Cannot read ${options.file}: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const checked = checkFile({ file: options.file, text, readModule: moduleReaderFor(options.file) }, undefined, options.now);
  const model = options.dagId ? checked.model.dags.find((d) => d.dagId === options.dagId) : checked.model.dags[0];
  const lines = new Map<string, number>();
  const index = new LineIndex(text);
  for (const task of model?.tasks ?? []) lines.set(task.taskId, index.position(task.range.from).line + 1);
  // A DAG Preflight cannot read statically may still be one Airflow finds: the driver decides.
  const dagId = options.dagId ?? model?.dagId;
  if (!dagId) return { problem: { code: 'no_dag', message: `Preflight finds no DAG in ${options.file}: name one with --dag`, file: options.file } };
  let logicalDate = options.logicalDate;
  if (logicalDate === undefined && model) logicalDate = nextLogicalDate(model, checked.airflow, options.now);
  return { dagId, airflow: checked.airflow, ...(logicalDate !== undefined ? { logicalDate } : {}), lines };
}

function isoWithOffset(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+00:00');
}

/** Runs the DAG with the interpreter's Airflow; resolves with the result, or with why it could not run. */
export function runDagWithAirflow(options: AirflowRunOptions): Promise<AirflowRunOutcome | { problem: AirflowRunProblem }> {
  const facts = staticFacts(options);
  if ('problem' in facts) return Promise.resolve(facts);
  const args = ['-u', airflowDriverScript(), '--file', resolve(options.file), '--dag-id', facts.dagId, '--conf', JSON.stringify(options.conf ?? {})];
  if (facts.logicalDate !== undefined) args.push('--logical-date', isoWithOffset(facts.logicalDate));
  const env = { ...(options.env ?? process.env), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', ...(options.airflowHome ? { AIRFLOW_HOME: options.airflowHome } : {}) };
  return new Promise((settle) => {
    const recorder = new AirflowRunRecorder(resolve(options.file), (event) => options.onEvent?.(event), (text) => options.onOutput?.(text));
    let child: ReturnType<typeof spawnGroup>;
    try {
      child = spawnGroup(options.python, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    } catch (error) {
      settle({ problem: { code: 'spawn_failed', message: `Cannot start ${options.python}: ${error instanceof Error ? error.message : String(error)}` } });
      return;
    }
    let pending = '';
    let stderr = '';
    let spawnError: NodeJS.ErrnoException | undefined;
    let cancelled = false;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const event = parseDriverEvent(line);
        if (event) recorder.accept(event);
        else if (line.trim()) stderr = (stderr + line + '\n').slice(-STDERR_TAIL_CHARS);
      }
    });
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    const abort = () => {
      cancelled = true;
      killTree(child);
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      if (spawnError) {
        const missing = spawnError.code === 'ENOENT' || spawnError.code === 'EACCES';
        settle({ problem: { code: 'spawn_failed', message: missing ? `Python interpreter not found: ${options.python}` : `Cannot start ${options.python}: ${spawnError.message}` } });
        return;
      }
      const airflow: AirflowVersion = recorder.started ? (recorder.started.airflow_version.startsWith('2.') ? 2 : 3) : facts.airflow;
      if (recorder.problem) {
        settle({ problem: problemFromDriver(recorder.problem, options.python, facts.airflow) });
        return;
      }
      const result = recorder.result(airflow, facts.lines, cancelled && !recorder.end);
      if (!result || !recorder.started || !recorder.dag) {
        if (cancelled) {
          settle({ problem: { code: 'exited', message: `The Airflow run of ${facts.dagId} was cancelled before its DAG run began.` } });
          return;
        }
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        settle({ problem: { code: 'exited', message: `The Airflow run of ${facts.dagId} ${how} before it ended.${stderr.trim() ? `\n${stderr.trim()}` : ''}` } });
        return;
      }
      const { dag } = recorder;
      settle({
        result,
        dag: { dagId: dag.dag_id, tasks: dag.tasks.map((t) => ({ taskId: t.task_id, upstream: [...t.upstream], downstream: [...t.downstream], ...(facts.lines.has(t.task_id) ? { line: facts.lines.get(t.task_id) } : {}) })) },
        airflowVersion: recorder.started.airflow_version,
        airflowHome: recorder.started.airflow_home,
        database: recorder.started.database,
        file: options.file,
      });
    });
  });
}
