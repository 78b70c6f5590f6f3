// The value types of the local simulator: a DAG as the simulator runs it, the task instances and
// runs it produces, and the contract with whatever executes a task (a dry executor in the core, the
// Bash runner and the Python worker in src/node). Times are epoch milliseconds in UTC.
import type { AirflowVersion } from '../airflow/version';

/** Airflow's task-instance states (shared/airflow-semantics.md §4.1); `none` is Airflow's `None`, "no status". */
export type TaskState =
  | 'none'
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  | 'up_for_retry'
  | 'skipped'
  | 'upstream_failed'
  | 'removed';

export const FINISHED_STATES: ReadonlySet<TaskState> = new Set(['success', 'failed', 'skipped', 'upstream_failed', 'removed']);

export type DagRunState = 'queued' | 'running' | 'success' | 'failed';

/** Why a run ended as it did, as Airflow records it on the DagRun. */
/**
 * Why a run ended as it did, as Airflow records it on the DagRun; `depends_on_past` is ours: such a
 * run stays running in Airflow (the scheduler does not call it deadlocked) until the past run is fixed.
 */
export type DagRunReason = 'success' | 'task_failure' | 'all_tasks_deadlocked' | 'cancelled' | 'depends_on_past';

export type TriggerRule =
  | 'all_success'
  | 'all_failed'
  | 'all_done'
  | 'all_done_min_one_success'
  | 'all_done_setup_success'
  | 'one_success'
  | 'one_failed'
  | 'one_done'
  | 'none_failed'
  | 'none_failed_min_one_success'
  | 'none_skipped'
  | 'all_skipped'
  | 'always';

export type CallbackName = 'on_execute_callback' | 'on_success_callback' | 'on_failure_callback' | 'on_retry_callback' | 'on_skipped_callback';
export type DagCallbackName = 'on_success_callback' | 'on_failure_callback';

/**
 * How a task executes locally. `bash` runs its rendered command; `python` calls its callable (classic
 * operators and TaskFlow alike); `branch` and `short_circuit` call it and then skip as Airflow does;
 * `empty` is the scheduler's short-cut; `mock` stands for operators with no local meaning (SQL, cloud).
 */
export type TaskKind = 'bash' | 'python' | 'branch' | 'short_circuit' | 'empty' | 'mock';

/** A reference to a value XCom will hold once its task ran: TaskFlow's XComArg. */
export interface XComReference {
  readonly __xcomarg__: { readonly task_id: string; readonly key: string };
}

export interface SimTask {
  readonly taskId: string;
  /** The operator class (`BashOperator`) or TaskFlow decorator (`@task`). */
  readonly operator: string;
  readonly kind: TaskKind;
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly triggerRule: TriggerRule;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryExponentialBackoff: boolean;
  readonly maxRetryDelayMs?: number;
  readonly dependsOnPast: boolean;
  readonly waitForDownstream: boolean;
  readonly ignoreFirstDependsOnPast: boolean;
  readonly executionTimeoutMs?: number;
  readonly doXcomPush: boolean;
  readonly multipleOutputs: boolean;
  /** ShortCircuitOperator's `ignore_downstream_trigger_rules` (default True). */
  readonly ignoreDownstreamTriggerRules: boolean;
  /** The task's own start date, which bounds depends_on_past's look-back; undefined when unknown. */
  readonly startDate?: number;
  readonly owner?: string;
  readonly email?: readonly string[];
  /** The callbacks the task has (from its arguments or default_args), by name. */
  readonly callbacks: readonly CallbackName[];
  /** Templated fields and their values before rendering; XComReference leaves stand for TaskFlow arguments. */
  readonly templateFields: Readonly<Record<string, unknown>>;
  /** Extensions that make a string field a template file to load (`.sh` for BashOperator). */
  readonly templateExt: readonly string[];
  /** BashOperator's `skip_on_exit_code` (default 99; None skips on nothing) and `append_env`. */
  readonly bashOptions?: { readonly skipOnExitCodes: readonly number[]; readonly appendEnv: boolean };
  /**
   * Dynamic task mapping (`.partial(...).expand(...)`): each expanded argument's values, a list or
   * an XComReference to an upstream task's list; `__expand_kwargs__` holds `.expand_kwargs(...)`'s
   * list of argument dicts. One task instance runs per combination (§7.4).
   */
  readonly mapped?: { readonly expand: Readonly<Record<string, unknown>> };
  /** The task's own `params`: over the DAG's, under `dag_run.conf`. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** The TaskGroup the task belongs to, for branching to a group id. */
  readonly group?: string;
  /** 1-based line of the task's definition in the DAG file, for editors and test reports. */
  readonly line?: number;
}

export interface SimDag {
  readonly dagId: string;
  readonly fileLine?: number;
  readonly tasks: readonly SimTask[];
  readonly callbacks: readonly DagCallbackName[];
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  /** True when the DAG catches up, which decides what "the previous run" means for depends_on_past. */
  readonly catchup: boolean;
  readonly params: Readonly<Record<string, unknown>>;
  readonly owner?: string;
  readonly timezone: string;
  /** `render_template_as_native_obj`. */
  readonly nativeRendering: boolean;
  /** TaskGroup id -> the ids of its root tasks (those with no upstream inside the group). */
  readonly groupRoots: Readonly<Record<string, readonly string[]>>;
}

/** One DAG run to simulate. */
export interface RunRequest {
  readonly runId: string;
  readonly runType: 'scheduled' | 'manual';
  readonly logicalDate: number;
  readonly dataIntervalStart: number;
  readonly dataIntervalEnd: number;
  /** When the scheduler would start the run; the simulated clock starts here. */
  readonly runAfter: number;
  readonly conf: Readonly<Record<string, unknown>>;
  readonly previousLogicalDate?: number | null;
  readonly nextLogicalDate?: number | null;
}

/** What the task's code did, as the executor reports it; the engine turns it into states. */
export type ExecutionOutcome =
  | { readonly kind: 'returned'; readonly value: unknown }
  | { readonly kind: 'skip'; readonly message: string }
  | { readonly kind: 'error'; readonly error: TaskError };

export interface TaskError {
  /** The exception's class name, e.g. `AirflowFailException`, `ValueError`, `AirflowTaskTimeout`. */
  readonly type: string;
  readonly message: string;
  readonly traceback?: string;
  /** False for AirflowFailException and AirflowSensorTimeout, which fail without retry (§4.3). */
  readonly retryable: boolean;
  /** Where the error was raised, when the executor can say. */
  readonly file?: string;
  readonly line?: number;
}

export interface Alert {
  readonly kind: 'slack' | 'email';
  readonly dag_id: string;
  readonly task_id: string | null;
  readonly run_id: string;
  /** The callback or task that raised it, e.g. `on_failure_callback`. */
  readonly source: string;
  readonly text: string;
  readonly channel?: string | null;
  readonly username?: string | null;
  readonly conn_id?: string | null;
  /** Whether the message was really sent (only when the user allows it and the connection resolves). */
  readonly sent: boolean;
}

/** What the engine lets an executing task do: read and write XCom, log, and raise alerts. */
export interface TaskChannel {
  xcomPull(request: XComPullRequest): unknown;
  xcomPush(key: string, value: unknown): void;
  log(text: string): void;
  alert(alert: Omit<Alert, 'dag_id' | 'task_id' | 'run_id' | 'source' | 'sent'>): void;
  /** Renders a template with the task's context: `@task.bash` renders the command its callable returns. */
  render(template: string): { readonly value: string } | { readonly error: TaskError };
}

export interface XComPullRequest {
  readonly task_ids?: string | readonly string[] | null;
  readonly dag_id?: string | null;
  readonly key?: string | null;
  readonly include_prior_dates?: boolean;
  readonly default?: unknown;
  readonly map_indexes?: unknown;
}

/** The facts about a task instance that an executor needs to build Airflow's context for the task's code. */
export interface TaskInvocation {
  readonly dag: SimDag;
  readonly task: SimTask;
  readonly run: RunRequest;
  readonly tryNumber: number;
  readonly maxTries: number;
  /** A mapped task instance's index; -1 for a task that is not mapped. */
  readonly mapIndex: number;
  readonly airflow: AirflowVersion;
  /** The templated fields rendered for this try. */
  readonly rendered: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, unknown>>;
  /** The simulated time the try started. */
  readonly start: number;
}

export interface CallbackInvocation {
  readonly dag: SimDag;
  /** Undefined for a DAG-level callback. */
  readonly task?: SimTask;
  readonly name: CallbackName | DagCallbackName;
  readonly run: RunRequest;
  readonly tryNumber: number;
  readonly airflow: AirflowVersion;
  readonly params: Readonly<Record<string, unknown>>;
  readonly exception?: TaskError;
  /** DAG callbacks: the run's reason (`success`, `task_failure`...). */
  readonly reason?: string;
  /** The task whose context a DAG callback receives (§4.7). */
  readonly contextTaskId?: string;
}

export interface CallbackResult {
  /** A callback's own exception is logged and swallowed, as Airflow does. */
  readonly error?: TaskError;
}

/** Runs task code. Every method resolves: failures are outcomes, never rejections. */
export interface Executor {
  execute(invocation: TaskInvocation, channel: TaskChannel, signal: AbortSignal): Promise<ExecutionOutcome>;
  callback(invocation: CallbackInvocation, channel: TaskChannel): Promise<CallbackResult>;
}

export interface TryRecord {
  readonly tryNumber: number;
  readonly state: TaskState;
  readonly start: number;
  readonly end: number;
  readonly error?: TaskError;
}

export interface TaskInstanceResult {
  readonly task_id: string;
  readonly state: TaskState;
  readonly try_number: number;
  readonly start: string | null;
  readonly end: string | null;
  readonly duration_ms: number | null;
  readonly xcom: Readonly<Record<string, unknown>>;
  readonly rendered: Readonly<Record<string, unknown>>;
  readonly log_tail: string;
  readonly error?: TaskError;
  readonly tries: readonly { readonly try_number: number; readonly state: TaskState; readonly start: string; readonly end: string; readonly error?: string }[];
  /** Why the task did not run, when the scheduler decided its state (trigger rule, branch, short-circuit). */
  readonly note?: string;
  readonly line?: number;
  /** A mapped task instance's index. */
  readonly map_index?: number;
  /** A mapped task's instances, one per expanded value; the task's own state sums them up. */
  readonly mapped?: readonly TaskInstanceResult[];
}

export interface DagRunResult {
  readonly run_id: string;
  readonly run_type: 'scheduled' | 'manual';
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly state: DagRunState;
  readonly reason: DagRunReason;
  readonly conf: Readonly<Record<string, unknown>>;
  readonly start: string;
  readonly end: string;
  readonly tasks: readonly TaskInstanceResult[];
}

export interface SimulationResult {
  readonly dag_id: string;
  readonly airflow: AirflowVersion;
  readonly mode: 'dry' | 'real';
  readonly runs: readonly DagRunResult[];
  readonly alerts: readonly Alert[];
  /** Warnings about what Airflow would do differently with the real metadata database (XCom size...). */
  readonly warnings: readonly string[];
}

/** Live progress, for editors: a task instance changed state. */
export interface SimulationEvent {
  readonly kind: 'run' | 'task' | 'log' | 'alert';
  readonly run_id: string;
  readonly task_id?: string;
  readonly state?: TaskState | DagRunState;
  readonly try_number?: number;
  readonly text?: string;
}

/**
 * What a task does in place of running, from the user's `.preflight/outcomes.json`: for operators
 * with no local meaning (SQL, cloud) and in dry runs. `return_value` is pushed as Airflow pushes a
 * return value; `xcom` holds other keys.
 */
export interface FixtureOutcome {
  readonly state?: 'success' | 'failed' | 'skipped';
  readonly return_value?: unknown;
  readonly xcom?: Readonly<Record<string, unknown>>;
  readonly message?: string;
}
