// "Run DAG locally", for the CLI and the editor alike: which runs (one logical date, a range, a
// manual run), which DAG structure (as Python imports it, or the static model for dry runs), which
// executor (real or dry), and the simulation itself. Every failure is a located, explained result.
import { dirname, join } from 'node:path';
import { catalogFor } from '../core/airflow/catalog';
import type { AirflowVersion } from '../core/airflow/version';
import { checkFile, type CheckedFile } from '../core/check';
import type { DagModel } from '../core/dag/model';
import { LineIndex } from '../core/python/lines';
import { dagSchedule, isScheduleProblem, type DagSchedule } from '../core/schedule/runs';
import type { RunResume } from '../core/sim/clear';
import { dryExecutor } from '../core/sim/dryExecutor';
import { simulate } from '../core/sim/engine';
import { simDagFromModel } from '../core/sim/fromModel';
import { manualRun, scheduledRunAt, scheduledRunsBetween } from '../core/sim/runRequests';
import { triggerRuleFor } from '../core/sim/triggerRules';
import type { RunRequest, SimDag, SimTask, SimulationEvent, SimulationResult } from '../core/sim/types';
import { nextLogicalDate } from '../core/templates/fields';
import { readText } from './files';
import { localExecutor, PythonWorkerPool } from './localExecutor';
import { localConnections, localFixtures, localVariables } from './localSources';
import { moduleReaderFor } from './modules';
import { PythonWorker } from './pythonWorker';
import { sendSlackAlert } from './slackSender';
import type { Connection } from '../core/templates/connections';
import type { WireDag, WireTask } from './workerProtocol';

/** Which runs to simulate. */
export type RunSelection =
  | { readonly kind: 'next' }
  | { readonly kind: 'date'; readonly logicalDate: number }
  | { readonly kind: 'range'; readonly from: number; readonly to: number };

export interface LocalRunOptions {
  readonly file: string;
  /** The editor's unsaved text; the file on disk otherwise. Python always imports the file on disk. */
  readonly text?: string;
  readonly dagId?: string;
  readonly airflow?: AirflowVersion;
  readonly selection: RunSelection;
  readonly conf?: Readonly<Record<string, unknown>>;
  readonly dry: boolean;
  readonly failTasks?: readonly string[];
  /** The interpreter for Python tasks and callbacks; needed for real runs of DAGs with Python in them. */
  readonly python?: string;
  readonly now: number;
  readonly onEvent?: (event: SimulationEvent) => void;
  readonly signal?: AbortSignal;
  /** The most Python workers at once (parallel Python tasks). */
  readonly maxWorkers?: number;
  /** Airflow's Clear: run this earlier run again from how it ended, with the cleared tasks reset. */
  readonly resume?: RunResume;
  /** Really post the Slack alerts the run raised (never in a dry run): off unless the user turns it on. */
  readonly sendAlerts?: boolean;
  /** Really wait out retry delays, as a worker would; by default the simulated clock jumps over them. */
  readonly waitForRetries?: boolean;
}

export interface LocalRunProblem {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  /** Whether a dry run would still work: offered to the user when Python is missing or the import fails. */
  readonly dryRunPossible: boolean;
}

export interface LocalRunOutcome {
  readonly result: SimulationResult;
  readonly dag: SimDag;
  /** Where the DAG's structure came from. */
  readonly structure: 'python' | 'static';
  /** The real Airflow the worker imported, when it did. */
  readonly airflowInstalled: string | null;
  readonly file: string;
}

function problem(message: string, dryRunPossible: boolean, where: { file?: string; line?: number } = {}): { problem: LocalRunProblem } {
  return { problem: { message, dryRunPossible, ...where } };
}

/** The DAG as the worker describes it, with the kinds and rules the simulator knows. */
function simDagFromWire(wire: WireDag, airflow: AirflowVersion, lines: Map<string, number>): SimDag {
  const tasks = wire.tasks.map((t: WireTask): SimTask => ({
    taskId: t.task_id,
    operator: t.operator,
    kind: t.kind,
    upstream: [...t.upstream].sort(),
    downstream: [...t.downstream].sort(),
    triggerRule: triggerRuleFor(t.trigger_rule, airflow) ?? 'all_success',
    retries: t.retries,
    retryDelayMs: t.retry_delay_s * 1000,
    retryExponentialBackoff: t.retry_exponential_backoff,
    ...(t.max_retry_delay_s !== null ? { maxRetryDelayMs: t.max_retry_delay_s * 1000 } : {}),
    dependsOnPast: t.depends_on_past || t.wait_for_downstream,
    waitForDownstream: t.wait_for_downstream,
    ignoreFirstDependsOnPast: t.ignore_first_depends_on_past,
    ...(t.execution_timeout_s !== null ? { executionTimeoutMs: t.execution_timeout_s * 1000 } : {}),
    doXcomPush: t.do_xcom_push,
    multipleOutputs: t.multiple_outputs,
    ignoreDownstreamTriggerRules: t.ignore_downstream_trigger_rules,
    ...(t.start_date ? { startDate: Date.parse(t.start_date) } : {}),
    ...(t.owner ? { owner: t.owner } : {}),
    ...(t.email ? { email: t.email } : {}),
    callbacks: t.callbacks.filter((c): c is SimTask['callbacks'][number] => /^on_(execute|success|failure|retry|skipped)_callback$/.test(c)),
    templateFields: t.template_fields,
    templateExt: t.template_ext,
    ...(t.params ? { params: t.params } : {}),
    ...(t.kind === 'bash' ? { bashOptions: bashOptionsFromWire(t) } : {}),
    ...(t.mapped && t.expand ? { mapped: { expand: t.expand } } : {}),
    ...(t.group ? { group: t.group } : {}),
    ...((t.line ?? lines.get(t.task_id)) !== undefined ? { line: t.line ?? lines.get(t.task_id) } : {}),
  }));
  return {
    dagId: wire.dag_id,
    ...(wire.line !== null ? { fileLine: wire.line } : {}),
    tasks,
    callbacks: wire.callbacks.filter((c): c is SimDag['callbacks'][number] => c === 'on_success_callback' || c === 'on_failure_callback'),
    maxActiveRuns: wire.max_active_runs,
    maxActiveTasks: wire.max_active_tasks,
    catchup: wire.catchup,
    params: wire.params,
    ...(wire.owner ? { owner: wire.owner } : {}),
    timezone: wire.timezone,
    nativeRendering: wire.render_template_as_native_obj,
    groupRoots: wire.task_groups,
  };
}

/** BashOperator's exit-code and environment options, when the worker reports them. */
function bashOptionsFromWire(task: WireTask): NonNullable<SimTask['bashOptions']> {
  const skip = task.bash?.skip_on_exit_code;
  return { skipOnExitCodes: skip === undefined ? [99] : skip === null ? [] : typeof skip === 'number' ? [skip] : [...skip], appendEnv: task.bash?.append_env ?? false };
}

function runsFor(dag: DagModel, schedule: DagSchedule | undefined, options: LocalRunOptions): RunRequest[] | { problem: LocalRunProblem } {
  if (options.resume) {
    // A cleared run is the same run again: its id, dates and conf.
    const run = options.resume.initialRun;
    const logicalDate = Date.parse(run.logical_date);
    const request = (run.run_type === 'scheduled' && schedule && scheduledRunAt(schedule, logicalDate, run.conf)) || manualRun(schedule, logicalDate, run.conf);
    return [{ ...request, runId: run.run_id, dataIntervalStart: Date.parse(run.data_interval_start), dataIntervalEnd: Date.parse(run.data_interval_end) }];
  }
  const conf = options.conf ?? {};
  const { selection } = options;
  if (selection.kind === 'range') {
    if (!schedule) return problem(`DAG ${dag.dagId} has no schedule Preflight can compute, so it has no runs between two dates`, false);
    const runs = scheduledRunsBetween(schedule, selection.from, selection.to, conf);
    return runs.length > 0 ? runs : problem(`DAG ${dag.dagId} has no scheduled run between ${new Date(selection.from).toISOString()} and ${new Date(selection.to).toISOString()}`, false);
  }
  const logicalDate = selection.kind === 'date' ? selection.logicalDate : schedule ? nextLogicalDate(dag, schedule.airflow, options.now) : undefined;
  if (logicalDate === undefined) return [manualRun(schedule, options.now, conf)];
  return [(schedule && scheduledRunAt(schedule, logicalDate, conf)) || manualRun(schedule, logicalDate, conf)];
}

function needsPython(dag: SimDag): boolean {
  return dag.callbacks.length > 0 || dag.tasks.some((t) => t.kind === 'python' || t.kind === 'branch' || t.kind === 'short_circuit' || t.operator.startsWith('@') || t.callbacks.length > 0);
}

/** Waits `ms`, or less when the run is cancelled meanwhile. */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The run's Slack alerts posted for real; each one that could not be sent says why in the warnings. */
async function sendAlerts(result: SimulationResult, connections: Readonly<Record<string, Connection>>): Promise<SimulationResult> {
  const warnings = [...result.warnings];
  const alerts = [];
  for (const alert of result.alerts) {
    if (alert.kind !== 'slack') {
      alerts.push(alert);
      continue;
    }
    const outcome = await sendSlackAlert(alert, connections);
    if (!outcome.sent) warnings.push(`The Slack alert of ${alert.task_id ?? 'the DAG'} was not sent: ${outcome.reason}`);
    alerts.push({ ...alert, sent: outcome.sent });
  }
  return { ...result, alerts, warnings };
}

export async function runDagLocally(options: LocalRunOptions): Promise<LocalRunOutcome | { problem: LocalRunProblem }> {
  let text: string;
  try {
    text = options.text ?? readText(options.file);
  } catch (error) {
    return problem(`Cannot read ${options.file}: ${error instanceof Error ? error.message : String(error)}`, false);
  }
  const checked: CheckedFile = checkFile({ file: options.file, text, readModule: moduleReaderFor(options.file) }, options.airflow, options.now);
  const airflow = checked.airflow;
  const model = options.dagId ? checked.model.dags.find((d) => d.dagId === options.dagId) : checked.model.dags[0];
  if (!model) return problem(options.dagId ? `No DAG '${options.dagId}' in ${options.file}` : `No DAG in ${options.file}`, false, { file: options.file });
  const scheduleOrProblem = dagSchedule(model, airflow);
  const schedule = isScheduleProblem(scheduleOrProblem) ? undefined : scheduleOrProblem;
  const runs = runsFor(model, schedule, options);
  if ('problem' in runs) return runs;
  const lines = new LineIndex(text);
  const staticDag = simDagFromModel(model, airflow, catalogFor(airflow), lines);

  let dag = staticDag;
  let pool: PythonWorkerPool | undefined;
  let airflowInstalled: string | null = null;
  let structure: LocalRunOutcome['structure'] = 'static';
  if (!options.dry) {
    const python = options.python ?? 'python3';
    const workerOptions = { python, file: options.file, dagsFolder: dirname(options.file), airflow };
    const started = await PythonWorker.start(workerOptions);
    if ('error' in started) {
      if (started.error.type === 'PythonNotFound' && !needsPython(staticDag)) {
        // A DAG of Bash and empty tasks runs without Python, from the static model.
      } else {
        const where = started.error.file ? { file: started.error.file, ...(started.error.line ? { line: started.error.line } : {}) } : {};
        return problem(`${started.error.type}: ${started.error.message}`, true, where);
      }
    } else {
      const wire = started.ready.dags.find((d) => d.dag_id === model.dagId);
      if (!wire) {
        started.worker.kill();
        return problem(`Python imported ${options.file} but found no DAG '${model.dagId}' in it (found: ${started.ready.dags.map((d) => d.dag_id).join(', ') || 'none'})`, true, { file: options.file });
      }
      const taskLines = new Map(staticDag.tasks.flatMap((t) => (t.line !== undefined ? [[t.taskId, t.line] as const] : [])));
      dag = simDagFromWire(wire, airflow, taskLines);
      pool = new PythonWorkerPool(workerOptions, started.worker, options.maxWorkers ?? 4);
      airflowInstalled = started.ready.airflow_version;
      structure = 'python';
    }
  }
  const failTasks = new Set(options.failTasks ?? []);
  const unknown = [...failTasks].filter((id) => !dag.tasks.some((t) => t.taskId === id));
  if (unknown.length > 0) {
    pool?.dispose();
    return problem(`--fail names tasks that DAG ${dag.dagId} does not have: ${unknown.join(', ')}`, false);
  }
  const connections = localConnections(options.file);
  try {
    const result = await simulate(dag, runs, {
      airflow,
      mode: options.dry ? 'dry' : 'real',
      executor: options.dry ? dryExecutor : localExecutor({ ...(pool ? { pool } : {}) }),
      clock: Date.now,
      failTasks,
      variables: localVariables(options.file),
      connections,
      fixtures: localFixtures(options.file, dag.dagId),
      readTemplate: (name) => {
        try {
          return readText(join(dirname(options.file), name));
        } catch {
          return undefined;
        }
      },
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.resume ? { resume: options.resume } : {}),
      ...(options.waitForRetries ? { sleep: (ms: number) => sleepUnlessAborted(ms, options.signal) } : {}),
    });
    const sent = options.sendAlerts && !options.dry ? await sendAlerts(result, connections) : result;
    return { result: sent, dag, structure, airflowInstalled, file: options.file };
  } finally {
    pool?.dispose();
  }
}
