// A run on a deployment in the shapes the editor already draws: the engine's live events while it
// runs, and a SimulationResult once it ended, so the Runs view, the graph and the grid show remote
// runs as they show local ones.
import type { AirflowVersion } from '../airflow/version';
import type { DagRunResult, SimulationEvent, SimulationResult, TaskInstanceResult, TaskState } from '../sim/types';
import type { RemoteDagRun, RemoteTaskInstance } from './api';
import type { ApiVersion } from './profile';

export function airflowOfApi(version: ApiVersion): AirflowVersion {
  return version === 'v1' ? 2 : 3;
}

/** What was fetched of a finished task instance: the tail of its last try's log and its XComs. */
export interface RemoteTaskDetails {
  readonly logTail: string;
  readonly xcom: Readonly<Record<string, unknown>>;
}

/** The state a mapped task shows for its instances, as Airflow's grid sums them up. */
function summaryState(states: readonly TaskState[]): TaskState {
  const order: TaskState[] = ['failed', 'upstream_failed', 'up_for_retry', 'running', 'queued', 'scheduled', 'none', 'removed', 'skipped', 'success'];
  return order.find((state) => states.includes(state)) ?? 'none';
}

/** One task per task id; a mapped task's instances are summed up into one. */
function byTask(tasks: readonly RemoteTaskInstance[]): Map<string, RemoteTaskInstance[]> {
  const grouped = new Map<string, RemoteTaskInstance[]>();
  for (const task of tasks) grouped.set(task.taskId, [...(grouped.get(task.taskId) ?? []), task]);
  return grouped;
}

/**
 * The events that take the live view from `previous` (undefined at the start) to `progress`: the
 * run's state when it changed, and each task whose state or try changed.
 */
export function progressEvents(previous: { readonly run: RemoteDagRun; readonly tasks: readonly RemoteTaskInstance[] } | undefined, progress: { readonly run: RemoteDagRun; readonly tasks: readonly RemoteTaskInstance[] }): SimulationEvent[] {
  const events: SimulationEvent[] = [];
  const runId = progress.run.runId;
  if (previous?.run.state !== progress.run.state) events.push({ kind: 'run', run_id: runId, state: progress.run.state });
  const before = previous ? byTask(previous.tasks) : new Map<string, RemoteTaskInstance[]>();
  for (const [taskId, instances] of byTask(progress.tasks)) {
    const state = summaryState(instances.map((t) => t.state));
    const tryNumber = Math.max(...instances.map((t) => t.tryNumber));
    const old = before.get(taskId);
    if (old && summaryState(old.map((t) => t.state)) === state && Math.max(...old.map((t) => t.tryNumber)) === tryNumber) continue;
    events.push({ kind: 'task', run_id: runId, task_id: taskId, state, try_number: tryNumber });
  }
  return events;
}

function instanceResult(task: RemoteTaskInstance, details: RemoteTaskDetails | undefined): TaskInstanceResult {
  return {
    task_id: task.taskId,
    state: task.state,
    try_number: task.tryNumber,
    start: task.start,
    end: task.end,
    duration_ms: task.durationMs,
    xcom: details?.xcom ?? {},
    // The deployment renders templates itself; its rendered fields are not fetched.
    rendered: {},
    log_tail: details?.logTail ?? '',
    tries: [],
    ...(task.serverState !== null && task.serverState !== task.state ? { note: `${task.serverState} on the deployment` } : {}),
    ...(task.mapIndex >= 0 ? { map_index: task.mapIndex } : {}),
  };
}

/** A finished remote run as a simulation result of one run, in the order of `taskOrder` (the local DAG's), then the others. */
export function remoteRunResult(version: ApiVersion, run: RemoteDagRun, tasks: readonly RemoteTaskInstance[], details: ReadonlyMap<string, RemoteTaskDetails>, taskOrder: readonly string[]): SimulationResult {
  const grouped = byTask(tasks);
  const ids = [...taskOrder.filter((id) => grouped.has(id)), ...[...grouped.keys()].filter((id) => !taskOrder.includes(id))];
  const results = ids.map((taskId): TaskInstanceResult => {
    const instances = grouped.get(taskId)!;
    if (instances.length === 1 && instances[0].mapIndex < 0) return instanceResult(instances[0], details.get(taskId));
    const mapped = instances.map((t) => instanceResult(t, undefined));
    return { ...instanceResult(instances[0], details.get(taskId)), state: summaryState(mapped.map((m) => m.state)), mapped };
  });
  // An Airflow 3 run may have no logical date; its start (or now) stands for it in the grid.
  const logicalDate = run.logicalDate ?? run.start ?? new Date().toISOString();
  const dagRun: DagRunResult = {
    run_id: run.runId,
    run_type: run.runType === 'scheduled' ? 'scheduled' : 'manual',
    logical_date: logicalDate,
    data_interval_start: logicalDate,
    data_interval_end: logicalDate,
    state: run.state,
    reason: run.state === 'success' ? 'success' : 'task_failure',
    conf: run.conf,
    start: run.start ?? logicalDate,
    end: run.end ?? logicalDate,
    tasks: results,
  };
  return { dag_id: run.dagId, airflow: airflowOfApi(version), mode: 'real', runs: [dagRun], alerts: [], warnings: [] };
}
