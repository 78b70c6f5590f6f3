// The templated fields of a DAG's tasks, rendered for the scheduled run of a logical date, as
// Airflow's "Rendered Template" tab shows them (§2.5): each field the operator lists in
// `template_fields`, with the value the file gives it, rendered with the run's context.
import type { Catalog } from '../airflow/catalog';
import type { AirflowVersion } from '../airflow/version';
import { argument, type DagModel, type TaskModel } from '../dag/model';
import type { PyValue } from '../python/values';
import { dagSchedule, futureRuns, isScheduleProblem, scheduledRuns } from '../schedule/runs';
import { DataIntervalTimetable } from '../schedule/timetables';
import { utcIso } from '../time/zones';
import { templateContext, type TemplateRun } from './context';
import type { Connection } from './connections';
import { PyFloat, pyRepr } from './pyobjects';
import { renderValue } from './render';

/** A value the static model cannot know, so its field cannot be rendered without running Python. */
class NotStatic extends Error {}

/** A model value as the plain value a template field holds; unknown values cannot be rendered. */
function plainValue(value: PyValue): unknown {
  switch (value.kind) {
    case 'str': case 'num': case 'bool': return value.value;
    case 'none': return null;
    case 'list': return value.items.map(plainValue);
    case 'dict': return Object.fromEntries([...value.entries].map(([k, e]) => [k, plainValue(e.value)]));
    default: throw new NotStatic(`the value is computed when the file runs (${value.kind})`);
  }
}

export interface RenderedTask {
  readonly task_id: string;
  readonly fields: Record<string, unknown>;
  readonly errors: Record<string, string>;
  /** Fields whose value only Python can compute (calls, TaskFlow arguments, user macros). */
  readonly unsupported: Record<string, string>;
}

export interface RenderedRun {
  readonly dag_id: string;
  readonly logical_date: string;
  readonly run_id: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly tasks: RenderedTask[];
}

export interface RenderOptions {
  readonly airflow: AirflowVersion;
  readonly catalog: Catalog;
  readonly logicalDate: number;
  readonly conf?: Record<string, unknown>;
  readonly variables?: Record<string, string>;
  readonly connections?: Record<string, Connection>;
  /** The current time, for `macros.datetime.now()`. */
  readonly now: number;
  /** Reads a template file (`script.sh`) relative to the DAG's folder; undefined when missing. */
  readonly readTemplate?: (path: string) => string | undefined;
}

/** The scheduled run whose logical date is `logicalDate`, from the DAG's own timetable. */
function runFor(dag: DagModel, options: RenderOptions): TemplateRun | string {
  const schedule = dagSchedule(dag, options.airflow);
  if (isScheduleProblem(schedule)) return schedule.message;
  const at = options.logicalDate;
  const info = schedule.timetable.nextDagrunInfo(null, { earliest: at, latest: null, catchup: true }, at);
  if (!info || info.logicalDate !== at) return `${utcIso(at)} is not a logical date of this DAG's schedule`;
  if (schedule.restriction.earliest !== null && at < schedule.restriction.earliest) return `${utcIso(at)} is before the DAG's start_date`;
  // 2.10's prev_ds/next_ds come from data-interval timetables only.
  const dataInterval = schedule.timetable instanceof DataIntervalTimetable ? schedule.timetable : undefined;
  return {
    dagId: dag.dagId,
    taskId: '',
    runId: `scheduled__${utcIso(options.airflow === 2 ? info.logicalDate : info.runAfter)}`,
    logicalDate: info.logicalDate,
    dataIntervalStart: info.dataInterval.start,
    dataIntervalEnd: info.dataInterval.end,
    previousLogicalDate: dataInterval ? dataInterval.previousTick(info.logicalDate) : null,
    nextLogicalDate: dataInterval ? info.dataInterval.end : null,
    conf: options.conf ?? {},
    variables: options.variables,
    connections: options.connections,
    now: options.now,
    dagZone: schedule.zone,
  };
}

/** The params an owner declares; a param whose value only Python knows is left out. */
function paramsOf(owner: { readonly args: readonly { name: string; value: PyValue }[] }): Record<string, unknown> {
  const params = owner.args.find((a) => a.name === 'params')?.value;
  if (params?.kind !== 'dict') return {};
  const known: Record<string, unknown> = {};
  for (const [name, entry] of params.entries) {
    try {
      known[name] = plainValue(entry.value);
    } catch (error) {
      if (!(error instanceof NotStatic)) throw error;
    }
  }
  return known;
}

/**
 * `@task` and `@task.python` run a PythonOperator whose `op_args` and `op_kwargs` are the call's
 * arguments (`_PythonDecoratedOperator`: template_fields templates_dict, op_args, op_kwargs).
 */
function taskFlowOperator(task: TaskModel, catalog: Catalog): { templateFields: readonly string[]; templateExt: readonly string[] } | undefined {
  if (task.operator !== '@task' && task.operator !== '@task.python') return undefined;
  return { templateFields: ['templates_dict', 'op_args', 'op_kwargs'], templateExt: catalog.operators.PythonOperator?.templateExt ?? [] };
}

function taskFlowField(task: TaskModel, field: string): PyValue | undefined {
  const call = task.callArguments;
  switch (field) {
    case 'op_args': return call && call.positional.length > 0 ? { kind: 'list', items: call.positional } : undefined;
    case 'op_kwargs': return call && call.keywords.length > 0 ? { kind: 'dict', entries: new Map(call.keywords.map(([k, v]) => [k, { value: v }])) } : undefined;
    default: return argument(task, field)?.value;
  }
}

/** The extensions that mark template files: the operator's, or PythonOperator's `templates_exts=`. */
function templateExtensions(task: TaskModel, fallback: readonly string[]): readonly string[] {
  const own = argument(task, 'templates_exts')?.value;
  return own?.kind === 'list' && own.items.every((i) => i.kind === 'str') ? own.items.map((i) => (i as { value: string }).value) : fallback;
}

/** Every string of a field value (nested ones too) that ends in a template extension is replaced by the file's text. */
function loadTemplateFiles(value: unknown, extensions: readonly string[], read: RenderOptions['readTemplate']): unknown {
  if (typeof value === 'string') {
    if (!extensions.some((ext) => value.endsWith(ext))) return value;
    const text = read?.(value);
    if (text === undefined) throw new Error(`TemplateNotFound: ${value}`);
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => loadTemplateFiles(v, extensions, read));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, loadTemplateFiles(v, extensions, read)]));
  }
  return value;
}

function renderTask(dag: DagModel, task: TaskModel, run: TemplateRun, options: RenderOptions): RenderedTask {
  const result: RenderedTask = { task_id: task.taskId, fields: {}, errors: {}, unsupported: {} };
  const operator = task.kind === 'taskflow' ? taskFlowOperator(task, options.catalog) : options.catalog.operators[task.operator];
  if (!operator) {
    if (task.kind === 'taskflow') result.unsupported['*'] = `${task.operator} renders what its function returns, which needs Python`;
    return result;
  }
  const nativeArg = argument(dag, 'render_template_as_native_obj')?.value;
  const native = nativeArg?.kind === 'bool' && nativeArg.value;
  // DAG params, then the task's, then dag_run.conf on top ([core] dag_run_conf_overrides_params).
  const params = { ...paramsOf(dag), ...paramsOf(task), ...(run.conf ?? {}) };
  const context = templateContext({ ...run, taskId: task.taskId, params }, options.airflow);
  for (const field of operator.templateFields) {
    const fieldValue = task.kind === 'taskflow' ? taskFlowField(task, field) : argument(task, field)?.value;
    if (!fieldValue) continue;
    let value: unknown;
    try {
      value = plainValue(fieldValue);
    } catch (error) {
      result.unsupported[field] = error instanceof Error ? error.message : String(error);
      continue;
    }
    if (!value) continue;
    let loaded: unknown;
    try {
      loaded = loadTemplateFiles(value, templateExtensions(task, operator.templateExt), options.readTemplate);
    } catch (error) {
      result.errors[field] = error instanceof Error ? error.message : String(error);
      continue;
    }
    const rendered = renderValue(loaded, context, native);
    if ('error' in rendered) result.errors[field] = rendered.error.message;
    else result.fields[field] = plainResult(rendered.value);
  }
  return result;
}

/**
 * A rendered value as plain data: JSON's types as they are (tuples as lists, Python floats as
 * numbers), any other object as `{ repr }`, the convention of the render oracle.
 */
function plainResult(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof PyFloat) return value.valueOf();
  if (Array.isArray(value)) return value.map(plainResult);
  if (typeof value === 'object' && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plainResult(v)]));
  }
  return { repr: pyRepr(value) };
}

/** Every task's templated fields for the scheduled run of `logicalDate`, or why there is no such run. */
export function renderDag(dag: DagModel, options: RenderOptions): RenderedRun | { error: string } {
  if (argument(dag, 'user_defined_macros') || argument(dag, 'user_defined_filters')) {
    return { error: 'user_defined_macros and user_defined_filters need the DAG file to run; not supported yet' };
  }
  const run = runFor(dag, options);
  if (typeof run === 'string') return { error: run };
  return {
    dag_id: dag.dagId,
    logical_date: utcIso(run.logicalDate),
    run_id: run.runId,
    data_interval_start: utcIso(run.dataIntervalStart),
    data_interval_end: utcIso(run.dataIntervalEnd),
    tasks: dag.tasks.map((task) => renderTask(dag, task, run, options)),
  };
}

/** The logical date of the DAG's next run after `now`, or of its latest if it has no next; undefined without any. */
export function nextLogicalDate(dag: DagModel, airflow: AirflowVersion, now: number): number | undefined {
  const schedule = dagSchedule(dag, airflow);
  if (isScheduleProblem(schedule)) return undefined;
  const run = futureRuns(schedule, now, 1)[0] ?? scheduledRuns(schedule, { now, count: 1 }).due[0];
  return run ? Date.parse(run.logical_date) : undefined;
}
