// What differs between Airflow 2's REST API (`/api/v1`, airflow/api_connexion/openapi/v1.yaml) and
// Airflow 3's (`/api/v2`, airflow/api_fastapi/core_api/openapi/v2-rest-api-generated.yaml): paths,
// request bodies and field names. The client sends what these functions build and reads the server's
// answers through them into one shape, so nothing else knows which version it talks to.
import type { DagRunState, TaskState } from '../sim/types';
import type { ApiVersion } from './profile';

/** A DAG as the deployment knows it. */
export interface RemoteDag {
  readonly dagId: string;
  readonly isPaused: boolean;
  /** The file the deployment parsed it from: absolute on Airflow 2, relative to its bundle on Airflow 3. */
  readonly fileloc: string | null;
  readonly hasImportErrors: boolean;
}

export interface RemoteTask {
  readonly taskId: string;
  readonly downstream: readonly string[];
  readonly operator: string | null;
}

export interface RemoteDagRun {
  readonly runId: string;
  readonly dagId: string;
  readonly state: DagRunState;
  /** Null for an Airflow 3 run triggered without one. */
  readonly logicalDate: string | null;
  readonly runType: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly conf: Readonly<Record<string, unknown>>;
}

export interface RemoteTaskInstance {
  readonly taskId: string;
  readonly mapIndex: number;
  /** The server's state mapped to ours; `serverState` keeps the server's word. */
  readonly state: TaskState;
  readonly serverState: string | null;
  readonly tryNumber: number;
  readonly start: string | null;
  readonly end: string | null;
  readonly durationMs: number | null;
}

export interface RemoteImportError {
  readonly filename: string;
  readonly stackTrace: string;
  readonly timestamp: string | null;
}

export interface RemoteXCom {
  readonly key: string;
  readonly taskId: string;
  readonly mapIndex: number;
  /** Airflow 3 returns the value as JSON; Airflow 2 as the string Python printed for it. */
  readonly value: unknown;
}

/** The path of an endpoint under the server's root. */
export function apiPath(version: ApiVersion, path: string): string {
  return `/api/${version}${path}`;
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

export const paths = {
  version: (v: ApiVersion) => apiPath(v, '/version'),
  dags: (v: ApiVersion, limit: number, offset: number) => apiPath(v, `/dags?limit=${limit}&offset=${offset}`),
  dag: (v: ApiVersion, dagId: string) => apiPath(v, `/dags/${segment(dagId)}`),
  /** Airflow 2 patches only the fields an update mask names. */
  pauseDag: (v: ApiVersion, dagId: string) => apiPath(v, `/dags/${segment(dagId)}${v === 'v1' ? '?update_mask=is_paused' : ''}`),
  tasks: (v: ApiVersion, dagId: string) => apiPath(v, `/dags/${segment(dagId)}/tasks`),
  /** Newest first: Airflow 2 orders by `execution_date`, Airflow 3 by `run_after`. */
  dagRuns: (v: ApiVersion, dagId: string, limit: number) =>
    apiPath(v, `/dags/${segment(dagId)}/dagRuns?limit=${limit}&order_by=${v === 'v1' ? '-execution_date' : '-run_after'}`),
  triggerRun: (v: ApiVersion, dagId: string) => apiPath(v, `/dags/${segment(dagId)}/dagRuns`),
  dagRun: (v: ApiVersion, dagId: string, runId: string) => apiPath(v, `/dags/${segment(dagId)}/dagRuns/${segment(runId)}`),
  taskInstances: (v: ApiVersion, dagId: string, runId: string) => apiPath(v, `/dags/${segment(dagId)}/dagRuns/${segment(runId)}/taskInstances?limit=1000`),
  /** Airflow 2 sends the whole log as text with `full_content`; Airflow 3 sends structured JSON lines. */
  log: (v: ApiVersion, dagId: string, runId: string, taskId: string, tryNumber: number, mapIndex: number) =>
    apiPath(v, `/dags/${segment(dagId)}/dagRuns/${segment(runId)}/taskInstances/${segment(taskId)}/logs/${tryNumber}?${v === 'v1' ? 'full_content=true&' : ''}map_index=${mapIndex}`),
  xcoms: (v: ApiVersion, dagId: string, runId: string, taskId: string) =>
    apiPath(v, `/dags/${segment(dagId)}/dagRuns/${segment(runId)}/taskInstances/${segment(taskId)}/xcomEntries?limit=100`),
  xcom: (v: ApiVersion, dagId: string, runId: string, taskId: string, key: string, mapIndex: number) =>
    apiPath(v, `/dags/${segment(dagId)}/dagRuns/${segment(runId)}/taskInstances/${segment(taskId)}/xcomEntries/${segment(key)}?map_index=${mapIndex}`),
  clearTaskInstances: (v: ApiVersion, dagId: string) => apiPath(v, `/dags/${segment(dagId)}/clearTaskInstances`),
  importErrors: (v: ApiVersion, limit: number) => apiPath(v, `/importErrors?limit=${limit}`),
} as const;

/** The Accept header of a log request: Airflow 2's JSON wraps the log in a Python repr, its text is the log. */
export function logAccept(version: ApiVersion): string {
  return version === 'v1' ? 'text/plain' : 'application/json';
}

/**
 * The body of a trigger request. Airflow 3 requires `logical_date` in the body and accepts null
 * (a run with no logical date); Airflow 2 fills it in with the current time when it is absent.
 */
export function triggerBody(version: ApiVersion, options: { readonly conf: Readonly<Record<string, unknown>>; readonly logicalDate?: string; readonly runId?: string; readonly note?: string }): Record<string, unknown> {
  return {
    ...(options.runId !== undefined ? { dag_run_id: options.runId } : {}),
    ...(version === 'v2' ? { logical_date: options.logicalDate ?? null } : options.logicalDate !== undefined ? { logical_date: options.logicalDate } : {}),
    conf: options.conf,
    ...(options.note !== undefined ? { note: options.note } : {}),
  };
}

/** The body of a Clear of tasks in one run: they and, by default, their downstream tasks run again. */
export function clearBody(runId: string, taskIds: readonly string[], includeDownstream: boolean): Record<string, unknown> {
  // Both versions take the same fields; `only_failed` defaults to true on Airflow 2, which would keep a successful task as it is.
  return { dry_run: false, dag_run_id: runId, task_ids: taskIds, include_downstream: includeDownstream, include_upstream: false, only_failed: false, reset_dag_runs: true };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Our TaskState for a server's task-instance state. Airflow's states beyond the simulator's are
 * named for what the graph should show: a task waiting on a sensor or a person is running, one that
 * restarts is queued again, and a state we do not know (a newer Airflow's) shows as not yet started.
 */
export function taskStateOf(serverState: string | null | undefined): TaskState {
  switch (serverState) {
    case 'scheduled':
    case 'queued':
    case 'running':
    case 'success':
    case 'failed':
    case 'up_for_retry':
    case 'skipped':
    case 'upstream_failed':
    case 'removed':
      return serverState;
    case 'restarting':
      return 'queued';
    case 'up_for_reschedule':
    case 'deferred':
    case 'awaiting_input':
      return 'running';
    case 'shutdown':
      return 'failed';
    default:
      return 'none';
  }
}

export function dagRunStateOf(serverState: unknown): DagRunState {
  return serverState === 'running' || serverState === 'success' || serverState === 'failed' ? serverState : 'queued';
}

/** True once a run's state can change no more without a Clear. */
export function isFinishedRun(state: DagRunState): boolean {
  return state === 'success' || state === 'failed';
}

export function remoteDagOf(value: unknown): RemoteDag {
  const dag = isObject(value) ? value : {};
  return { dagId: String(dag.dag_id), isPaused: dag.is_paused === true, fileloc: text(dag.fileloc) ?? text(dag.relative_fileloc), hasImportErrors: dag.has_import_errors === true };
}

export function remoteDagsOf(value: unknown): { readonly dags: RemoteDag[]; readonly total: number } {
  const body = isObject(value) ? value : {};
  const dags = Array.isArray(body.dags) ? body.dags.map(remoteDagOf) : [];
  return { dags, total: typeof body.total_entries === 'number' ? body.total_entries : dags.length };
}

export function remoteTasksOf(value: unknown): RemoteTask[] {
  const body = isObject(value) ? value : {};
  return (Array.isArray(body.tasks) ? body.tasks : []).filter(isObject).map((t) => ({
    taskId: String(t.task_id),
    downstream: Array.isArray(t.downstream_task_ids) ? t.downstream_task_ids.map(String).sort() : [],
    // Airflow 2 nests the class under class_ref; Airflow 3 adds operator_name.
    operator: text(t.operator_name) ?? (isObject(t.class_ref) ? text(t.class_ref.class_name) : null),
  }));
}

export function remoteDagRunOf(value: unknown): RemoteDagRun {
  const run = isObject(value) ? value : {};
  return {
    runId: String(run.dag_run_id),
    dagId: String(run.dag_id),
    state: dagRunStateOf(run.state),
    // Airflow 2 writes both execution_date and logical_date; older 2.x only the first.
    logicalDate: text(run.logical_date) ?? text(run.execution_date),
    runType: text(run.run_type) ?? 'manual',
    start: text(run.start_date),
    end: text(run.end_date),
    conf: isObject(run.conf) ? run.conf : {},
  };
}

export function remoteDagRunsOf(value: unknown): RemoteDagRun[] {
  const body = isObject(value) ? value : {};
  return (Array.isArray(body.dag_runs) ? body.dag_runs : []).map(remoteDagRunOf);
}

export function remoteTaskInstancesOf(value: unknown): RemoteTaskInstance[] {
  const body = isObject(value) ? value : {};
  return (Array.isArray(body.task_instances) ? body.task_instances : []).filter(isObject).map((ti) => ({
    taskId: String(ti.task_id),
    mapIndex: typeof ti.map_index === 'number' ? ti.map_index : -1,
    state: taskStateOf(text(ti.state)),
    serverState: text(ti.state),
    tryNumber: typeof ti.try_number === 'number' ? ti.try_number : 0,
    start: text(ti.start_date),
    end: text(ti.end_date),
    // Both versions give the duration in seconds.
    durationMs: typeof ti.duration === 'number' ? Math.round(ti.duration * 1000) : null,
  }));
}

export function remoteImportErrorsOf(value: unknown): RemoteImportError[] {
  const body = isObject(value) ? value : {};
  return (Array.isArray(body.import_errors) ? body.import_errors : []).filter(isObject).map((e) => ({
    filename: text(e.filename) ?? '',
    stackTrace: text(e.stack_trace) ?? '',
    timestamp: text(e.timestamp),
  }));
}

export function remoteXComOf(value: unknown): RemoteXCom {
  const entry = isObject(value) ? value : {};
  return { key: String(entry.key), taskId: String(entry.task_id), mapIndex: typeof entry.map_index === 'number' ? entry.map_index : -1, value: entry.value };
}

export function remoteXComKeysOf(value: unknown): string[] {
  const body = isObject(value) ? value : {};
  return (Array.isArray(body.xcom_entries) ? body.xcom_entries : []).filter(isObject).map((e) => String(e.key));
}

/**
 * A task's log as text. Airflow 2 sends the text itself; Airflow 3 sends `{"content": [...]}` with
 * one structured message per line (timestamp, level, event), or plain strings from older handlers.
 */
export function logTextOf(version: ApiVersion, body: string): string {
  if (version === 'v1') return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const content = isObject(parsed) ? parsed.content : undefined;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return body;
  return content.map((line) => {
    if (!isObject(line)) return String(line);
    const when = text(line.timestamp);
    const level = text(line.level);
    return [when && `[${when}]`, level && level.toUpperCase(), String(line.event ?? '')].filter(Boolean).join(' ');
  }).join('\n');
}

/**
 * Whether an import error is this file's. Airflow 2 names the absolute path it parsed, Airflow 3 the
 * path relative to its DAG bundle. The deployment's folder is not ours: a relative path matches when
 * it is the end of the local path, folder by folder; an absolute one when the file names agree.
 */
export function importErrorMatchesFile(errorFile: string, localFile: string): boolean {
  const parts = (path: string) => path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  const remote = parts(errorFile);
  const local = parts(localFile);
  if (remote.length === 0 || local.length === 0) return false;
  const absolute = /^([/\\]|[A-Za-z]:)/.test(errorFile);
  const compared = absolute ? remote.slice(-1) : remote;
  if (compared.length > local.length) return false;
  return compared.every((part, i) => part === local[local.length - compared.length + i]);
}
