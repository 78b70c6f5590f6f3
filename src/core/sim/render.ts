// A task's templated fields rendered for one try, just before it executes, as Airflow does
// (shared/airflow-semantics.md §2.5, §3.10): TaskFlow XComArgs resolved from the XCom store,
// template files loaded, then every string rendered with the run's context, in which
// `ti.xcom_pull` reads the same store.
import type { AirflowVersion } from '../airflow/version';
import type { Connection } from '../templates/connections';
import { templateContext } from '../templates/context';
import { DECORATED_OPERATOR_CLASSES } from '../templates/fields';
import { PyFloat, pyStr } from '../templates/pyobjects';
import { renderValue } from '../templates/render';
import type { RunRequest, SimDag, SimTask, TaskError, XComPullRequest, XComReference } from './types';
import type { XComStore } from './xcom';

export interface RenderSources {
  readonly variables?: Readonly<Record<string, string>>;
  readonly connections?: Readonly<Record<string, Connection>>;
  /** Reads a template file relative to the DAG folder; undefined when it does not exist. */
  readonly readTemplate?: (path: string) => string | undefined;
}

export function isXComReference(value: unknown): value is XComReference {
  return typeof value === 'object' && value !== null && '__xcomarg__' in value;
}

class RenderFailure extends Error {
  constructor(readonly error: TaskError) {
    super(error.message);
  }
}

function failure(type: string, message: string): RenderFailure {
  return new RenderFailure({ type, message, retryable: true });
}

/** An XComArg's value: a missing return_value (a skipped upstream) is None, a missing other key is an error. */
function resolveReference(reference: XComReference, dag: SimDag, run: RunRequest, store: XComStore): unknown {
  const { task_id: taskId, key } = reference.__xcomarg__;
  const value = store.get({ dagId: dag.dagId, runId: run.runId }, taskId, key);
  if (value !== undefined) return value;
  const upstream = dag.tasks.find((t) => t.taskId === taskId);
  if (key === 'return_value' || upstream?.multipleOutputs) return null;
  throw failure('XComNotFound', `XComArg result from ${taskId} at ${dag.dagId} with key="${key}" is not found!`);
}

function resolveReferences(value: unknown, dag: SimDag, run: RunRequest, store: XComStore): unknown {
  if (isXComReference(value)) return resolveReference(value, dag, run, store);
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, dag, run, store));
  if (value && typeof value === 'object' && !('__opaque__' in value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, dag, run, store)]));
  }
  return value;
}

/** Strings (nested ones too) ending in one of the task's template extensions are replaced by the file. */
function loadTemplateFiles(value: unknown, task: SimTask, sources: RenderSources): unknown {
  if (typeof value === 'string') {
    if (!task.templateExt.some((ext) => value.endsWith(ext))) return value;
    const text = sources.readTemplate?.(value);
    if (text === undefined) throw failure('TemplateNotFound', value);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => loadTemplateFiles(item, task, sources));
  if (value && typeof value === 'object' && !('__opaque__' in value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, loadTemplateFiles(v, task, sources)]));
  }
  return value;
}

export interface RenderRequest {
  readonly dag: SimDag;
  readonly task: SimTask;
  readonly run: RunRequest;
  readonly tryNumber: number;
  readonly airflow: AirflowVersion;
  readonly params: Readonly<Record<string, unknown>>;
  readonly store: XComStore;
  /** `ti.xcom_pull` inside templates: the engine's pull for this task instance. */
  readonly xcomPull: (request: XComPullRequest) => unknown;
  readonly now: number;
}

/** The template context of a try: what Airflow's Jinja sees for this task instance. */
function tryContext(request: RenderRequest, sources: RenderSources): Record<string, unknown> {
  const { dag, task, run } = request;
  return templateContext(
    {
      dagId: dag.dagId,
      taskId: task.taskId,
      runId: run.runId,
      logicalDate: run.logicalDate,
      dataIntervalStart: run.dataIntervalStart,
      dataIntervalEnd: run.dataIntervalEnd,
      previousLogicalDate: run.previousLogicalDate,
      nextLogicalDate: run.nextLogicalDate,
      conf: run.conf,
      params: request.params,
      variables: sources.variables,
      connections: sources.connections,
      now: request.now,
      dagZone: dag.timezone,
      xcomPull: request.xcomPull,
      // `{{ task }}` prints the operator's class; TaskFlow tasks are Python decorated operators, as in the preview.
      taskType: task.operator.startsWith('@') ? DECORATED_OPERATOR_CLASSES[task.operator] ?? '_PythonDecoratedOperator' : task.operator,
      // What `{{ task.owner }}` and `{{ task.retries }}` read: the task's effective arguments, where known.
      taskArguments: { retries: task.retries, ...(task.owner !== undefined ? { owner: task.owner } : {}) },
    },
    request.airflow,
  );
}

function renderFailure(field: string, message: string): RenderFailure {
  const [type, ...rest] = message.split(': ');
  const known = rest.length > 0 && /^[A-Z]\w*(Error|Exception|NotFound)$/.test(type);
  return new RenderFailure({ type: known ? type : 'TemplateError', message: `${field}: ${known ? rest.join(': ') : message}`, retryable: true });
}

/** One template rendered with the try's context, for `@task.bash`'s returned command. */
export function renderForTry(template: string, request: RenderRequest, sources: RenderSources): { readonly value: string } | { readonly error: TaskError } {
  const result = renderValue(template, tryContext(request, sources), false);
  if ('error' in result) return { error: renderFailure('bash_command', result.error.message).error };
  return { value: String(result.value) };
}

/** The rendered fields, or the error that fails the try (a render error is a normal, retryable failure). */
export function renderTaskFields(request: RenderRequest, sources: RenderSources): { readonly rendered: Record<string, unknown> } | { readonly error: TaskError } {
  const { dag, task, run } = request;
  const context = tryContext(request, sources);
  const rendered: Record<string, unknown> = {};
  try {
    for (const [field, raw] of Object.entries(task.templateFields)) {
      const resolved = resolveReferences(raw, dag, run, request.store);
      // Falsy fields are not rendered (§2.5).
      if (!resolved) {
        rendered[field] = resolved;
        continue;
      }
      const loaded = loadTemplateFiles(resolved, task, sources);
      const result = renderValue(loaded, context, dag.nativeRendering);
      if ('error' in result) throw renderFailure(field, result.error.message);
      rendered[field] = result.value;
    }
  } catch (error) {
    if (error instanceof RenderFailure) return { error: error.error };
    throw error;
  }
  return { rendered };
}

/**
 * A rendered value as JSON can carry it to Python and to reports: JSON's own types as they are,
 * markers as they are, any other Python-like object (a datetime in native rendering) as Python's
 * `str()` of it.
 */
export function plainValue(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return value ?? null;
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.valueOf();
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object' && (value.constructor === Object || value.constructor === undefined)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  }
  return pyStr(value);
}
