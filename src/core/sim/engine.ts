// The local scheduler: DAG runs driven to their end as Airflow's scheduler and task runner drive
// them (shared/airflow-semantics.md §4-§5). Each pass evaluates every waiting task instance —
// depends_on_past, retry wait, trigger rule — sets the auto-states, starts what may run (up to
// max_active_tasks, runs up to max_active_runs) and waits for a try to end; a run is judged by its
// leaf tasks once nothing in it is unfinished. Task code runs through the Executor; the engine owns
// states, XCom, branching and callbacks, so a dry run and a real run follow the same rules.
//
// Time is simulated: the clock starts at the latest run_after of the requested runs and moves with
// the real time tasks take; waiting for a retry jumps the clock instead of sleeping, unless the
// caller passes `sleep`. The real clock comes in as an argument, never from the core itself.
import type { AirflowVersion } from '../airflow/version';
import { utcIso } from '../time/zones';
import type { RunResume } from './clear';
import { plainValue, renderForTry, renderTaskFields, type RenderRequest, type RenderSources } from './render';
import { retryDelayMs } from './retries';
import { expandTask, mappedInstanceTask } from './mapping';
import { evaluateTriggerRule } from './triggerRules';
import {
  FINISHED_STATES,
  type Alert,
  type CallbackName,
  type DagRunReason,
  type DagRunResult,
  type DagRunState,
  type ExecutionOutcome,
  type Executor,
  type FixtureOutcome,
  type RunRequest,
  type SimDag,
  type SimTask,
  type SimulationEvent,
  type SimulationResult,
  type TaskChannel,
  type TaskError,
  type TaskInstanceResult,
  type TaskState,
} from './types';
import { XComStore, XCOM_MYSQL_PACKET_BYTES, XCOM_WARN_BYTES, type XComCaller } from './xcom';

export interface SimulationOptions extends RenderSources {
  readonly airflow: AirflowVersion;
  readonly executor: Executor;
  readonly mode: 'dry' | 'real';
  /** The real clock, for how long tries take. */
  readonly clock: () => number;
  /** Where the simulated clock starts; default: the latest run_after of the runs. */
  readonly startAt?: number;
  /** Tasks to fail on purpose (each try raises), to try alerts and trigger rules. */
  readonly failTasks?: ReadonlySet<string>;
  readonly onEvent?: (event: SimulationEvent) => void;
  readonly signal?: AbortSignal;
  /** Really wait for retry delays; without it the simulated clock jumps. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How much of each task instance's log is kept (head and tail); default 1 MiB. */
  readonly logLimitBytes?: number;
  /** Airflow's Clear: a run resumed from how it ended, with the cleared task instances run again. */
  readonly resume?: RunResume;
  /** Outcomes the user wrote for tasks that cannot run here (mocks) and for dry runs, by task id. */
  readonly fixtures?: Readonly<Record<string, FixtureOutcome>>;
}

const LOG_TAIL_CHARS = 4000;

/** A log that keeps its first and last `limit / 2` characters, so a task printing 100 MB costs 1 MiB. */
class CappedLog {
  private head = '';
  private tail = '';
  private dropped = 0;

  constructor(private readonly limit: number) {}

  append(text: string): void {
    const half = this.limit / 2;
    if (this.head.length < half) {
      const room = half - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    if (!text) return;
    this.tail += text;
    if (this.tail.length > half) {
      this.dropped += this.tail.length - half;
      this.tail = this.tail.slice(this.tail.length - half);
    }
  }

  text(): string {
    return this.dropped > 0 ? `${this.head}\n[... ${this.dropped} characters of log omitted ...]\n${this.tail}` : this.head + this.tail;
  }
}

interface TryState {
  readonly tryNumber: number;
  readonly state: TaskState;
  readonly start: number;
  readonly end: number;
  readonly error?: TaskError;
}

/** A task instance: one task in one run. */
interface Instance {
  readonly task: SimTask;
  state: TaskState;
  tryNumber: number;
  /** The try number before this simulation: a cleared task goes on counting, and gets its retries again. */
  firstTry: number;
  start: number | null;
  end: number | null;
  nextTryAt: number | null;
  rendered: Record<string, unknown>;
  error?: TaskError;
  note?: string;
  readonly tries: TryState[];
  readonly log: CappedLog;
  /** A mapped task instance's index; -1 for a task that is not mapped, as in Airflow. */
  readonly mapIndex: number;
  /** A mapped task, once expanded: its instances. The task's own state sums them up. */
  children?: Instance[];
  /** For a mapped task instance: the mapped task it belongs to. */
  readonly parent?: Instance;
}

interface Run {
  readonly request: RunRequest;
  readonly instances: Map<string, Instance>;
  /**
   * The task instances the next scheduling pass looks at: those whose upstream (or past run)
   * changed since they were last found waiting. Re-evaluating only these keeps a pass cheap on
   * DAGs of thousands of tasks.
   */
  readonly candidates: Set<string>;
  /** How many of its task instances are not finished yet; the run is judged at zero. */
  unfinished: number;
  state: DagRunState;
  reason: DagRunReason;
  start: number | null;
  end: number | null;
}

const NOT_RETRYABLE = new Set(['AirflowFailException', 'AirflowSensorTimeout']);

/** Operators that only send a message: they run, and the executor records the message as an alert instead of sending it. */
const ALERTING_OPERATORS: ReadonlySet<string> = new Set(['SlackWebhookOperator', 'SlackAPIPostOperator', 'EmailOperator']);

function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value.constructor === Object) return Object.keys(value).length > 0;
  return true;
}

/** Python's `str()` of a UTC datetime, which Airflow hashes for exponential backoff. */
function pythonDatetimeStr(epoch: number): string {
  return utcIso(epoch).replace('T', ' ');
}

/** Natural sort, as Airflow 3 orders task ids to pick the context of a DAG callback. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export class Simulation {
  private readonly store = new XComStore();
  private readonly runs: Run[];
  private readonly alerts: Alert[] = [];
  private readonly warnings: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly tasks: ReadonlyMap<string, SimTask>;
  private readonly order: ReadonlyMap<string, number>;
  /** Whether any task looks at the previous run (depends_on_past, wait_for_downstream). */
  private readonly pastDependent: boolean;
  private readonly realStart: number;
  private clockBase: number;
  /** Tries in progress, for max_active_tasks. */
  private busy = 0;
  /** Whether any task instance or run changed state since the scheduling loop last looked. */
  private progressed = false;

  constructor(private readonly dag: SimDag, requests: readonly RunRequest[], private readonly options: SimulationOptions) {
    this.tasks = new Map(dag.tasks.map((t) => [t.taskId, t]));
    this.order = new Map(dag.tasks.map((t, i) => [t.taskId, i]));
    this.pastDependent = dag.tasks.some((t) => t.dependsOnPast || t.waitForDownstream);
    const ordered = [...requests].sort((a, b) => a.logicalDate - b.logicalDate);
    this.runs = ordered.map((request) => ({
      request,
      instances: new Map(dag.tasks.map((task) => [task.taskId, this.newInstance(task)])),
      candidates: new Set(dag.tasks.map((task) => task.taskId)),
      unfinished: dag.tasks.length,
      state: 'queued',
      reason: 'success',
      start: null,
      end: null,
    }));
    if (options.resume) this.restore(options.resume);
    this.realStart = options.clock();
    this.clockBase = options.startAt ?? Math.max(...ordered.map((r) => r.runAfter), 0);
  }

  /**
   * The task instances a Clear left alone keep their state, tries, times and XComs; the cleared ones
   * start again from no status, their try numbers going on from where they were, as in Airflow.
   */
  private restore(resume: RunResume): void {
    const run = this.runs.find((r) => r.request.runId === resume.initialRun.run_id);
    if (!run) return;
    const cleared = new Set(resume.cleared);
    for (const previous of resume.initialRun.tasks) {
      const instance = run.instances.get(previous.task_id);
      if (!instance) continue;
      instance.tryNumber = previous.try_number;
      instance.firstTry = previous.try_number;
      if (cleared.has(previous.task_id)) continue;
      instance.state = previous.state;
      instance.start = previous.start === null ? null : Date.parse(previous.start);
      instance.end = previous.end === null ? null : Date.parse(previous.end);
      instance.rendered = { ...previous.rendered };
      if (previous.error) instance.error = previous.error;
      if (previous.note) instance.note = previous.note;
      instance.log.append(previous.log_tail);
      for (const t of previous.tries) instance.tries.push({ tryNumber: t.try_number, state: t.state, start: Date.parse(t.start), end: Date.parse(t.end), ...(t.error ? { error: { type: t.error.split(':')[0], message: t.error, retryable: false } } : {}) });
      for (const [key, value] of Object.entries(previous.xcom)) this.store.push(this.caller(run, previous.task_id), key, value);
      for (const mapped of previous.mapped ?? []) {
        for (const [key, value] of Object.entries(mapped.xcom)) this.store.push(this.caller(run, previous.task_id, mapped.map_index), key, value);
      }
      if (FINISHED_STATES.has(previous.state)) run.unfinished--;
    }
  }

  private newInstance(task: SimTask, mapIndex = -1, parent?: Instance): Instance {
    return {
      task, state: 'none', tryNumber: 0, firstTry: 0, start: null, end: null, nextTryAt: null, rendered: {}, tries: [],
      log: new CappedLog(this.options.logLimitBytes ?? 1 << 20), mapIndex, ...(parent ? { parent } : {}),
    };
  }

  /** The simulated time now. */
  private now(): number {
    return this.clockBase + (this.options.clock() - this.realStart);
  }

  private emit(event: SimulationEvent): void {
    this.options.onEvent?.(event);
  }

  private setState(run: Run, instance: Instance, state: TaskState, note?: string): void {
    this.progressed = true;
    if (instance.parent) {
      // A mapped task instance: the mapped task's own state changes once all of them are done.
      instance.state = state;
      if (note !== undefined) instance.note = note;
      this.emit({ kind: 'task', run_id: run.request.runId, task_id: `${instance.task.taskId}[${instance.mapIndex}]`, state, try_number: instance.tryNumber, ...(note ? { text: note } : {}) });
      return;
    }
    if (FINISHED_STATES.has(state) && !FINISHED_STATES.has(instance.state)) run.unfinished--;
    instance.state = state;
    if (note !== undefined) instance.note = note;
    if (FINISHED_STATES.has(state)) {
      for (const id of instance.task.downstream) run.candidates.add(id);
      // depends_on_past and wait_for_downstream of the other runs look at this task instance.
      if (this.pastDependent) for (const other of this.runs) {
        if (other === run) continue;
        other.candidates.add(instance.task.taskId);
        for (const id of instance.task.upstream) other.candidates.add(id);
      }
    } else if (state === 'up_for_retry') {
      run.candidates.add(instance.task.taskId);
    }
    this.emit({ kind: 'task', run_id: run.request.runId, task_id: instance.task.taskId, state, try_number: instance.tryNumber, ...(note ? { text: note } : {}) });
  }

  async run(): Promise<SimulationResult> {
    for (;;) {
      if (this.options.signal?.aborted) {
        await Promise.all(this.running.values());
        this.cancelRemaining();
        break;
      }
      this.progressed = false;
      this.activateRuns();
      this.schedulePass();
      await this.finishRuns();
      // Tries that ended while this pass awaited made progress too: look again before waiting.
      if (this.progressed) continue;
      if (this.running.size > 0) {
        await Promise.race(this.running.values());
        continue;
      }
      const retryAt = this.earliestRetry();
      if (retryAt !== null) {
        const wait = retryAt - this.now();
        if (wait > 0 && this.options.sleep) await this.options.sleep(wait);
        // Without a sleep (or with a clock that did not move through it) the simulated clock jumps.
        const left = retryAt - this.now();
        if (left > 0) this.clockBase += left;
        continue;
      }
      if (!(await this.settleStuckRuns())) break;
    }
    return this.result();
  }

  /** The runs being scheduled. */
  private active(): Run[] {
    return this.runs.filter((r) => r.state === 'running' && !this.parked.has(r));
  }

  /** Queued runs start in logical-date order while fewer than max_active_runs are running. */
  private activateRuns(): void {
    // A run held by depends_on_past keeps its slot, as a running run does in Airflow.
    let active = this.runs.filter((r) => r.state === 'running').length;
    for (const run of this.runs) {
      if (active >= this.dag.maxActiveRuns) break;
      if (run.state !== 'queued') continue;
      run.state = 'running';
      run.start = this.now();
      active++;
      this.emit({ kind: 'run', run_id: run.request.runId, state: 'running' });
    }
  }

  /** One pass of the scheduler over the task instances that may have become ready; true when anything changed. */
  private schedulePass(): boolean {
    let changed = false;
    for (const run of this.active()) {
      if (run.candidates.size === 0) continue;
      // In the DAG's task order, so that equal inputs always give the same order of starts.
      const candidates = [...run.candidates].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
      for (const taskId of candidates) {
        const instance = run.instances.get(taskId)!;
        const task = instance.task;
        if (instance.children) {
          if (this.scheduleMapped(run, instance)) changed = true;
          continue;
        }
        if (instance.state !== 'none' && instance.state !== 'up_for_retry') {
          run.candidates.delete(taskId);
          continue;
        }
        // A retry waits in the candidates for its time; a task waits there for a free slot.
        if (instance.state === 'up_for_retry' && instance.nextTryAt! > this.now()) continue;
        if (!this.pastAllows(run, task)) {
          run.candidates.delete(taskId);
          continue;
        }
        const decision = evaluateTriggerRule(task.triggerRule, task.upstream.flatMap((id) => this.upstreamStates(run, id)));
        if (decision.kind === 'wait') {
          run.candidates.delete(taskId);
          continue;
        }
        if (decision.kind !== 'run') {
          run.candidates.delete(taskId);
          this.setState(run, instance, decision.kind, decision.reason);
          changed = true;
          continue;
        }
        if (task.mapped) {
          this.expand(run, instance);
          changed = true;
          continue;
        }
        if (this.busy >= this.dag.maxActiveTasks) continue;
        run.candidates.delete(taskId);
        if (task.kind === 'empty') {
          // The scheduler marks such a task success itself: no rendering, callbacks, XCom or retries (§3.9),
          // though DagRun.schedule_tis still counts it as a try (try_number 0 -> 1), as for any scheduled task.
          instance.start = instance.end = this.now();
          instance.tryNumber += 1;
          this.setState(run, instance, 'success', 'EmptyOperator: marked success by the scheduler without running');
          changed = true;
          continue;
        }
        this.startTry(run, instance);
        changed = true;
      }
    }
    return changed;
  }

  /** What a downstream task's trigger rule counts for an upstream task: each of a mapped task's instances. */
  private upstreamStates(run: Run, taskId: string): TaskState[] {
    const instance = run.instances.get(taskId)!;
    return instance.children && instance.children.length > 0 ? instance.children.map((c) => c.state) : [instance.state];
  }

  /** A mapped task whose upstream is done becomes its instances, or fails or skips when it cannot map. */
  private expand(run: Run, instance: Instance): void {
    const expansion = expandTask(instance.task, this.dag, run.request.runId, this.store);
    instance.start = this.now();
    if ('error' in expansion) {
      instance.end = instance.start;
      instance.error = expansion.error;
      run.candidates.delete(instance.task.taskId);
      this.setState(run, instance, 'failed', `${expansion.error.type}: ${expansion.error.message}`);
      return;
    }
    if (expansion.kwargs.length === 0) {
      instance.end = instance.start;
      run.candidates.delete(instance.task.taskId);
      // Airflow marks a task mapped over an empty list skipped.
      this.setState(run, instance, 'skipped', 'mapped over an empty list: no task instance to run');
      return;
    }
    instance.children = expansion.kwargs.map((kwargs, index) => this.newInstance(mappedInstanceTask(instance.task, kwargs), index, instance));
    this.setState(run, instance, 'running', `mapped into ${instance.children.length} task instances`);
  }

  /** Starts the mapped instances that may run; once all are done, the mapped task takes their summed-up state. */
  private scheduleMapped(run: Run, parent: Instance): boolean {
    let changed = false;
    for (const child of parent.children!) {
      if (child.state !== 'none' && child.state !== 'up_for_retry') continue;
      if (child.state === 'up_for_retry' && child.nextTryAt! > this.now()) continue;
      if (this.busy >= this.dag.maxActiveTasks) return changed;
      if (child.task.kind === 'empty') {
        child.start = child.end = this.now();
        this.setState(run, child, 'success');
      } else {
        this.startTry(run, child);
      }
      changed = true;
    }
    const states = parent.children!.map((c) => c.state);
    if (!states.every((state) => FINISHED_STATES.has(state))) return changed;
    const summed: TaskState = states.some((s) => s === 'failed' || s === 'upstream_failed') ? 'failed' : states.every((s) => s === 'skipped') ? 'skipped' : 'success';
    parent.end = Math.max(...parent.children!.map((c) => c.end ?? parent.start!));
    parent.tryNumber = Math.max(...parent.children!.map((c) => c.tryNumber));
    run.candidates.delete(parent.task.taskId);
    this.setState(run, parent, summed);
    return true;
  }

  /** depends_on_past and wait_for_downstream (§4.5) over the runs of this simulation. */
  private pastAllows(run: Run, task: SimTask): boolean {
    if (!task.dependsOnPast && !task.waitForDownstream) return true;
    const previous = this.previousRun(run);
    if (!previous) return true;
    if (this.dag.catchup && task.startDate !== undefined && previous.request.logicalDate < task.startDate) return true;
    const done = (id: string) => {
      const state = previous.instances.get(id)?.state;
      return state === 'success' || state === 'skipped';
    };
    if (!done(task.taskId)) return false;
    return !task.waitForDownstream || task.downstream.every(done);
  }

  private previousRun(run: Run): Run | undefined {
    let previous: Run | undefined;
    for (const other of this.runs) {
      if (other.request.logicalDate >= run.request.logicalDate) continue;
      if (this.dag.catchup && other.request.runType === 'manual') continue;
      if (!previous || other.request.logicalDate > previous.request.logicalDate) previous = other;
    }
    return previous;
  }

  private earliestRetry(): number | null {
    let earliest: number | null = null;
    for (const run of this.active()) {
      for (const instance of run.instances.values()) {
        for (const each of instance.children ?? [instance]) {
          if (each.state === 'up_for_retry' && (earliest === null || each.nextTryAt! < earliest)) earliest = each.nextTryAt!;
        }
      }
    }
    return earliest;
  }

  private startTry(run: Run, instance: Instance): void {
    this.busy++;
    instance.tryNumber++;
    instance.start = this.now();
    instance.end = null;
    instance.error = undefined;
    this.setState(run, instance, 'running');
    // One entry per task instance: the instances of a mapped task run side by side under one task id.
    const key = `${run.request.runId}\u0000${instance.task.taskId}\u0000${instance.mapIndex}`;
    const done = this.executeTry(run, instance).finally(() => this.running.delete(key));
    this.running.set(key, done);
  }

  private caller(run: Run, taskId: string, mapIndex = -1): XComCaller {
    return { dagId: this.dag.dagId, runId: run.request.runId, logicalDate: run.request.logicalDate, taskId, mapIndex };
  }

  private params(run: Run, task?: SimTask): Record<string, unknown> {
    // A task's params go over the DAG's, and dag_run.conf over both ([core] dag_run_conf_overrides_params, True by default).
    return { ...this.dag.params, ...task?.params, ...run.request.conf };
  }

  private channel(run: Run, instance: Instance | undefined, source: string): TaskChannel {
    const taskId = instance?.task.taskId ?? null;
    return {
      xcomPull: (request) => this.store.pull(this.caller(run, taskId ?? '', instance?.mapIndex), request, this.options.airflow),
      xcomPush: (key, value) => this.push(run, taskId ?? '', key, value, instance?.mapIndex),
      log: (text) => {
        instance?.log.append(text);
        this.emit({ kind: 'log', run_id: run.request.runId, ...(taskId ? { task_id: taskId } : {}), text });
      },
      alert: (alert) => {
        // Recorded, not sent: sending for real is the caller's choice, made after the run.
        const recorded: Alert = { ...alert, dag_id: this.dag.dagId, task_id: taskId, run_id: run.request.runId, source, sent: false };
        this.alerts.push(recorded);
        this.emit({ kind: 'alert', run_id: run.request.runId, ...(taskId ? { task_id: taskId } : {}), text: alert.text });
      },
      render: (template) =>
        instance ? renderForTry(template, this.renderRequest(run, instance), this.options) : { error: { type: 'TemplateError', message: 'no task to render for', retryable: false } },
    };
  }

  private renderRequest(run: Run, instance: Instance): RenderRequest {
    const caller = this.caller(run, instance.task.taskId, instance.mapIndex);
    return {
      dag: this.dag, task: instance.task, run: run.request, tryNumber: instance.tryNumber, airflow: this.options.airflow, params: this.params(run, instance.task), store: this.store, now: this.now(),
      xcomPull: (request) => this.store.pull(caller, request, this.options.airflow),
    };
  }

  /** Stores an XCom; what Airflow's database would take badly is a warning, what JSON cannot hold a failure. */
  private push(run: Run, taskId: string, key: string, value: unknown, mapIndex = -1): void {
    const { bytes } = this.store.push(this.caller(run, taskId, mapIndex), key, value);
    if (bytes > XCOM_WARN_BYTES) {
      const size = `${(bytes / (1 << 20)).toFixed(1)} MiB`;
      this.warnings.push(
        bytes > XCOM_MYSQL_PACKET_BYTES
          ? `XCom ${taskId}.${key} in ${run.request.runId} is ${size}: more than MySQL's default max_allowed_packet (64 MiB), so a MySQL metadata database refuses it; use object storage or a custom XCom backend`
          : `XCom ${taskId}.${key} in ${run.request.runId} is ${size}: Airflow keeps XCom in its metadata database, meant for small values; use object storage or a custom XCom backend`,
      );
    }
  }

  private async callbacks(run: Run, instance: Instance, names: readonly CallbackName[], exception?: TaskError): Promise<void> {
    for (const name of names) {
      if (!instance.task.callbacks.includes(name)) continue;
      const result = await this.options.executor.callback(
        { dag: this.dag, task: instance.task, name, run: run.request, tryNumber: instance.tryNumber, airflow: this.options.airflow, params: this.params(run, instance.task), ...(exception ? { exception } : {}) },
        this.channel(run, instance, name),
      );
      // Airflow logs a callback's exception and carries on.
      if (result.error) instance.log.append(`\n${name} raised ${result.error.type}: ${result.error.message}\n${result.error.traceback ?? ''}`);
    }
  }

  private async executeTry(run: Run, instance: Instance): Promise<void> {
    const { task } = instance;
    const caller = this.caller(run, task.taskId, instance.mapIndex);
    // Every try starts with no XCom of its own (§5.1).
    this.store.clear(caller);
    const params = this.params(run, instance.task);
    const render = renderTaskFields(this.renderRequest(run, instance), this.options);
    let outcome: ExecutionOutcome;
    if ('error' in render) {
      outcome = { kind: 'error', error: render.error };
    } else {
      instance.rendered = render.rendered;
      await this.callbacks(run, instance, ['on_execute_callback']);
      outcome = this.options.failTasks?.has(task.taskId)
        ? { kind: 'error', error: { type: 'AirflowException', message: 'Failure injected by Preflight (--fail)', retryable: true } }
        : await this.execute(run, instance, params);
    }
    if (outcome.kind === 'returned') outcome = this.completeReturn(run, instance, outcome.value);
    instance.end = this.now();
    // The slot frees with the state change, not when the promise settles, so no pass sees a stale count.
    this.busy--;
    await this.finishTry(run, instance, outcome);
  }

  private async execute(run: Run, instance: Instance, params: Record<string, unknown>): Promise<ExecutionOutcome> {
    const { task } = instance;
    const fixture = this.options.fixtures?.[task.taskId];
    if (fixture && (task.kind === 'mock' || this.options.mode === 'dry')) return this.playFixture(run, instance, fixture);
    if (task.kind === 'mock' && !ALERTING_OPERATORS.has(task.operator)) {
      instance.log.append(`${task.operator} has no local meaning: Preflight marks it success without running it.\n`);
      return { kind: 'returned', value: null };
    }
    const signal = this.options.signal ?? new AbortController().signal;
    try {
      return await this.options.executor.execute(
        { dag: this.dag, task, run: run.request, tryNumber: instance.tryNumber, maxTries: instance.firstTry + task.retries, mapIndex: instance.mapIndex, airflow: this.options.airflow, rendered: instance.rendered, params, start: instance.start! },
        this.channel(run, instance, task.taskId),
        signal,
      );
    } catch (error) {
      // Executors resolve with outcomes; a rejection is a bug of ours, reported on the task rather than lost.
      return { kind: 'error', error: { type: 'PreflightError', message: error instanceof Error ? error.stack ?? error.message : String(error), retryable: false } };
    }
  }

  /** A fixture's outcome, as if the task's code had done it: its extra XComs pushed, its state reached. */
  private playFixture(run: Run, instance: Instance, fixture: FixtureOutcome): ExecutionOutcome {
    instance.log.append(`Outcome from .preflight/outcomes.json: ${fixture.state ?? 'success'}${fixture.message ? ` (${fixture.message})` : ''}.\n`);
    for (const [key, value] of Object.entries(fixture.xcom ?? {})) this.push(run, instance.task.taskId, key, value, instance.mapIndex);
    const message = fixture.message ?? 'as .preflight/outcomes.json says';
    if (fixture.state === 'failed') return { kind: 'error', error: { type: 'AirflowException', message, retryable: true } };
    if (fixture.state === 'skipped') return { kind: 'skip', message };
    return { kind: 'returned', value: fixture.return_value ?? null };
  }

  /**
   * What a returned value means for the task's kind: the XComs Airflow pushes (§5.1), and for
   * branch and short-circuit tasks which downstream tasks are skipped (§3.4, §3.5).
   */
  private completeReturn(run: Run, instance: Instance, value: unknown): ExecutionOutcome {
    const { task } = instance;
    try {
      let skippedSomething = false;
      if (task.kind === 'branch') {
        const followed = this.branchTargets(value);
        if ('error' in followed) return { kind: 'error', error: followed.error };
        skippedSomething = this.skipNotFollowed(run, task, followed.ids);
        // SkipMixin.skip_all_except records the direct downstream tasks it keeps: the chosen ones and
        // those below a chosen one (a join), not a chosen task that is not directly downstream.
        const kept = new Set([...followed.ids, ...this.descendants(followed.ids)]);
        this.push(run, task.taskId, 'skipmixin_key', { followed: task.downstream.filter((id) => kept.has(id)).sort() }, instance.mapIndex);
      } else if (task.kind === 'short_circuit' && !isTruthy(value)) {
        const targets = this.shortCircuitTargets(task);
        skippedSomething = this.shortCircuit(run, task, targets);
        // SkipMixin.skip records the tasks it skips (whatever state they are in) when there are any.
        if (targets.size > 0) this.push(run, task.taskId, 'skipmixin_key', { skipped: [...targets].sort() }, instance.mapIndex);
      }
      // 3.x signals these skips with DownstreamTasksSkipped, which bypasses the return_value push.
      const pushReturn = task.doXcomPush && value !== null && value !== undefined && !(this.options.airflow === 3 && skippedSomething);
      if (pushReturn && task.multipleOutputs) {
        if (typeof value !== 'object' || Array.isArray(value) || value === null) {
          return { kind: 'error', error: { type: 'AirflowException', message: `Returned output was type ${Array.isArray(value) ? 'list' : typeof value} expected dictionary for multiple_outputs`, retryable: true } };
        }
        for (const [key, item] of Object.entries(value)) this.push(run, task.taskId, key, item, instance.mapIndex);
      }
      if (pushReturn) this.push(run, task.taskId, 'return_value', value, instance.mapIndex);
    } catch (error) {
      return { kind: 'error', error: { type: 'TypeError', message: error instanceof Error ? error.message : String(error), retryable: true } };
    }
    return { kind: 'returned', value };
  }

  /** The task ids a branch callable chose, with TaskGroup ids replaced by the group's roots. */
  private branchTargets(value: unknown): { ids: Set<string> } | { error: TaskError } {
    if (value === null || value === undefined) return { ids: new Set() };
    const chosen = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
    if (!chosen) return { error: { type: 'AirflowException', message: `'branch_task_ids' must be either None, a task ID, or an Iterable of IDs, but got '${typeof value}'.`, retryable: true } };
    const notStrings = chosen.filter((id) => typeof id !== 'string');
    if (notStrings.length > 0) return { error: { type: 'AirflowException', message: `'branch_task_ids' expected all task IDs are strings. Invalid tasks found: ${JSON.stringify(notStrings)}.`, retryable: true } };
    const ids = new Set<string>();
    const invalid: string[] = [];
    for (const id of chosen as string[]) {
      if (this.tasks.has(id)) ids.add(id);
      else if (this.dag.groupRoots[id]) this.dag.groupRoots[id].forEach((root) => ids.add(root));
      else invalid.push(id);
    }
    if (invalid.length > 0) return { error: { type: 'AirflowException', message: `'branch_task_ids' must contain only valid task_ids. Invalid tasks found: {${invalid.map((i) => `'${i}'`).join(', ')}}.`, retryable: true } };
    return { ids };
  }

  private descendants(taskIds: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...taskIds];
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (const next of this.tasks.get(id)?.downstream ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return seen;
  }

  /** Direct downstream tasks outside the followed branches (and what they lead to) are skipped. */
  private skipNotFollowed(run: Run, task: SimTask, followed: Set<string>): boolean {
    const keep = new Set([...followed, ...this.descendants(followed)]);
    let skipped = false;
    for (const id of task.downstream) {
      if (keep.has(id)) continue;
      const instance = run.instances.get(id)!;
      if (FINISHED_STATES.has(instance.state)) continue;
      this.setState(run, instance, 'skipped', `skipped by branch ${task.taskId} (followed: ${[...followed].sort().join(', ') || 'none'})`);
      skipped = true;
    }
    return skipped;
  }

  /** A falsy condition skips everything downstream, or only the direct downstream tasks when trigger rules are respected. */
  private shortCircuitTargets(task: SimTask): Set<string> {
    return task.ignoreDownstreamTriggerRules ? this.descendants([task.taskId]) : new Set(task.downstream);
  }

  /** Skips the targets that have not finished yet; true when any was skipped. */
  private shortCircuit(run: Run, task: SimTask, targets: Set<string>): boolean {
    let skipped = false;
    for (const id of targets) {
      const instance = run.instances.get(id)!;
      if (FINISHED_STATES.has(instance.state)) continue;
      this.setState(run, instance, 'skipped', `skipped by short-circuit ${task.taskId} (condition was falsy)`);
      skipped = true;
    }
    return skipped;
  }

  private async finishTry(run: Run, instance: Instance, outcome: ExecutionOutcome): Promise<void> {
    const { task } = instance;
    const record = (state: TaskState, error?: TaskError) =>
      instance.tries.push({ tryNumber: instance.tryNumber, state, start: instance.start!, end: instance.end!, ...(error ? { error } : {}) });
    if (outcome.kind === 'returned') {
      record('success');
      this.setState(run, instance, 'success');
      await this.callbacks(run, instance, ['on_success_callback']);
      return;
    }
    if (outcome.kind === 'skip') {
      record('skipped');
      instance.note = outcome.message;
      this.setState(run, instance, 'skipped', outcome.message);
      // 2.10 also calls on_success_callback for a task that skipped itself (fixed in 3.0).
      await this.callbacks(run, instance, this.options.airflow === 2 ? ['on_skipped_callback', 'on_success_callback'] : ['on_skipped_callback']);
      return;
    }
    const error = outcome.error;
    instance.error = error;
    instance.log.append(`\n${error.type}: ${error.message}\n${error.traceback ?? ''}`);
    const retryable = error.retryable && !NOT_RETRYABLE.has(error.type);
    if (retryable && instance.tryNumber - instance.firstTry <= task.retries && !this.options.signal?.aborted) {
      record('up_for_retry', error);
      instance.nextTryAt = instance.end! + (await retryDelayMs(task, this.dag.dagId, pythonDatetimeStr(run.request.logicalDate), instance.tryNumber));
      this.setState(run, instance, 'up_for_retry', `try ${instance.tryNumber} failed; next try at ${utcIso(instance.nextTryAt)}`);
      await this.callbacks(run, instance, ['on_retry_callback'], error);
      return;
    }
    record('failed', error);
    this.setState(run, instance, 'failed');
    await this.callbacks(run, instance, ['on_failure_callback'], error);
  }

  /** Runs with nothing unfinished are judged by their leaves (§4.6) and their DAG callbacks fire. */
  private async finishRuns(): Promise<boolean> {
    let changed = false;
    for (const run of this.active()) {
      if (run.unfinished > 0) continue;
      const instances = [...run.instances.values()];
      const leaves = instances.filter((i) => i.task.downstream.length === 0 && i.state !== 'removed');
      const failed = leaves.some((i) => i.state === 'failed' || i.state === 'upstream_failed');
      await this.endRun(run, failed ? 'failed' : 'success', failed ? 'task_failure' : 'success');
      changed = true;
    }
    return changed;
  }

  /**
   * Nothing runs and nothing can start. A run held by depends_on_past stays running, as in Airflow,
   * whose scheduler does not call it deadlocked, and keeps its max_active_runs slot; any other such
   * run is failed as deadlocked. True when a queued run can still start.
   */
  private async settleStuckRuns(): Promise<boolean> {
    for (const run of this.active()) {
      const waiting = [...run.instances.values()].filter((i) => !FINISHED_STATES.has(i.state));
      if (waiting.some((i) => i.task.dependsOnPast || i.task.waitForDownstream)) {
        run.reason = 'depends_on_past';
        run.end = this.now();
        for (const instance of waiting) instance.note = 'waiting: depends_on_past needs this task to have succeeded or been skipped in the previous run';
        this.parked.add(run);
      } else {
        await this.endRun(run, 'failed', 'all_tasks_deadlocked');
      }
    }
    const running = this.runs.filter((r) => r.state === 'running').length;
    return running < this.dag.maxActiveRuns && this.runs.some((r) => r.state === 'queued');
  }

  /** Runs left running because depends_on_past holds them: no longer scheduled. */
  private readonly parked = new Set<Run>();

  private async endRun(run: Run, state: DagRunState, reason: DagRunReason): Promise<void> {
    this.progressed = true;
    run.state = state;
    run.reason = reason;
    run.end = this.now();
    this.emit({ kind: 'run', run_id: run.request.runId, state });
    const name = state === 'success' ? 'on_success_callback' : 'on_failure_callback';
    if (!this.dag.callbacks.includes(name) || reason === 'cancelled') return;
    const ids = this.dag.tasks.map((t) => t.taskId);
    // 2.10 passes the last task instance of its query (creation order); 3.x the greatest task id in natural order.
    const contextTaskId = this.options.airflow === 2 ? ids[ids.length - 1] : [...ids].sort(naturalCompare).pop();
    const result = await this.options.executor.callback(
      { dag: this.dag, name, run: run.request, tryNumber: 1, airflow: this.options.airflow, params: this.params(run), reason, ...(contextTaskId ? { contextTaskId } : {}) },
      this.channel(run, undefined, `DAG ${name}`),
    );
    if (result.error) this.warnings.push(`The DAG's ${name} raised ${result.error.type}: ${result.error.message}`);
  }

  /** A cancelled simulation: what was running failed, what never started keeps no status. */
  private cancelRemaining(): void {
    for (const run of this.runs) {
      if (run.state !== 'running' && run.state !== 'queued') continue;
      run.state = 'failed';
      run.reason = 'cancelled';
      run.end = this.now();
      this.emit({ kind: 'run', run_id: run.request.runId, state: 'failed' });
    }
  }

  private result(): SimulationResult {
    return {
      dag_id: this.dag.dagId,
      airflow: this.options.airflow,
      mode: this.options.mode,
      runs: this.runs.map((run) => this.runResult(run)),
      alerts: this.alerts,
      warnings: this.warnings,
    };
  }

  private runResult(run: Run): DagRunResult {
    const { request } = run;
    const iso = (epoch: number | null) => (epoch === null ? null : utcIso(epoch));
    return {
      run_id: request.runId,
      run_type: request.runType,
      logical_date: utcIso(request.logicalDate),
      data_interval_start: utcIso(request.dataIntervalStart),
      data_interval_end: utcIso(request.dataIntervalEnd),
      state: run.state,
      reason: run.reason,
      conf: request.conf,
      start: iso(run.start) ?? utcIso(request.runAfter),
      end: iso(run.end) ?? iso(run.start) ?? utcIso(request.runAfter),
      tasks: this.dag.tasks.map((task) => this.instanceResult(run, run.instances.get(task.taskId)!)),
    };
  }

  private instanceResult(run: Run, instance: Instance): TaskInstanceResult {
    const log = instance.log.text();
    return {
      task_id: instance.task.taskId,
      state: instance.state,
      try_number: instance.tryNumber,
      start: instance.start === null ? null : utcIso(instance.start),
      end: instance.end === null ? null : utcIso(instance.end),
      duration_ms: instance.start !== null && instance.end !== null ? instance.end - instance.start : null,
      xcom: instance.children ? {} : this.store.valuesOf(this.caller(run, instance.task.taskId, instance.mapIndex)),
      rendered: plainValue(instance.rendered) as Record<string, unknown>,
      log_tail: log.length > LOG_TAIL_CHARS ? log.slice(log.length - LOG_TAIL_CHARS) : log,
      tries: instance.tries.map((t) => ({ try_number: t.tryNumber, state: t.state, start: utcIso(t.start), end: utcIso(t.end), ...(t.error ? { error: `${t.error.type}: ${t.error.message}` } : {}) })),
      ...(instance.error ? { error: instance.error } : {}),
      ...(instance.note ? { note: instance.note } : {}),
      ...(instance.task.line !== undefined ? { line: instance.task.line } : {}),
      ...(instance.mapIndex >= 0 ? { map_index: instance.mapIndex } : {}),
      ...(instance.children ? { mapped: instance.children.map((child) => this.instanceResult(run, child)) } : {}),
    };
  }

}

/** Simulates the runs of a DAG to their end. */
export function simulate(dag: SimDag, runs: readonly RunRequest[], options: SimulationOptions): Promise<SimulationResult> {
  return new Simulation(dag, runs, options).run();
}
