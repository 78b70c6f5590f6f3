// The templated fields of a DAG's tasks, rendered for the scheduled run of a logical date, as
// Airflow's "Rendered Template" tab shows them (§2.5): each field the operator lists in
// `template_fields`, with the value the file gives it, rendered with the run's context.
import { taskParameter, type Catalog } from '../airflow/catalog';
import type { AirflowVersion } from '../airflow/version';
import { effectiveArgument } from '../dag/effective';
import { argument, earlierVersion, TaskMemo, type DagModel, type DagTaskMemo, type TaskModel } from '../dag/model';
import type { PyValue } from '../python/values';
import { dagSchedule, futureRuns, isScheduleProblem, scheduledRuns } from '../schedule/runs';
import { DataIntervalTimetable } from '../schedule/timetables';
import { utcIso } from '../time/zones';
import { runContext, taskContext, type RunContext, type TemplateRun } from './context';
import type { Connection } from './connections';
import { withAttributes } from './environment';
import { literalEval } from './literal';
import { volatileReads } from './macros';
import { copyPlain, PyFloat, pyRepr } from './pyobjects';
import { pyTruthy } from './pyruntime';
import { renderValue, type TemplateError } from './render';
import { pinnedXComPull, type XComPins } from './xcom';

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
  /** Why each failing field fails, with the 1-based line and column inside its template when known. */
  readonly errors: Record<string, TemplateError>;
  /** Fields whose value only Python can compute (calls, TaskFlow arguments, user macros), with the reason. */
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
  /**
   * Reads template file `name` (a relative path as Jinja's loader normalises it) from `folder`:
   * null for the DAG file's folder, else a `template_searchpath` entry as the DAG writes it (a
   * relative entry is relative to the working directory of Airflow's worker). Undefined when missing.
   */
  readonly readTemplate?: (name: string, folder: string | null) => string | undefined;
  /** Templated fields of operators the catalogue does not know (`preflight.templateFields`), by class name. */
  readonly templateFields?: Readonly<Record<string, readonly string[]>>;
  /** XCom values pinned for the preview; without them `ti.xcom_pull(...)` renders a placeholder. */
  readonly xcomPins?: XComPins;
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
    runAfter: info.runAfter,
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

/** What an operator templates: its `template_fields` and the extensions that mark template files. */
interface Templating {
  readonly templateFields: readonly string[];
  readonly templateExt: readonly string[];
}

/**
 * The TaskFlow decorators rendered here, with the operator class each makes: they all render
 * `_PythonDecoratedOperator`'s fields. Others (`@task.bash` renders the command its function
 * returns) need Python.
 */
export const DECORATED_OPERATOR_CLASSES: Readonly<Record<string, string>> = {
  '@task': '_PythonDecoratedOperator',
  '@task.python': '_PythonDecoratedOperator',
  '@task.branch': '_BranchPythonDecoratedOperator',
  '@task.short_circuit': '_ShortCircuitDecoratedOperator',
};

/**
 * The decorators of DECORATED_OPERATOR_CLASSES run a PythonOperator whose `op_args` and `op_kwargs`
 * are the call's arguments (`_PythonDecoratedOperator`: template_fields templates_dict, op_args, op_kwargs).
 */
function taskFlowOperator(task: TaskModel, catalog: Catalog): Templating | undefined {
  if (!(task.operator in DECORATED_OPERATOR_CLASSES)) return undefined;
  return { templateFields: ['templates_dict', 'op_args', 'op_kwargs'], templateExt: catalog.operators.PythonOperator?.templateExt ?? [] };
}

/**
 * A classic operator's templating: the fields the user declares for it (a custom operator's own
 * `template_fields` replace its base's, as in Python), else the catalogue's.
 */
export function operatorTemplating(operator: string, catalog: Catalog, declared?: Readonly<Record<string, readonly string[]>>): Templating | undefined {
  const known = catalog.operators[operator];
  const own = declared && Object.prototype.hasOwnProperty.call(declared, operator) ? declared[operator] : undefined;
  if (own) return { templateFields: own, templateExt: known?.templateExt ?? [] };
  return known;
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

/**
 * Where Jinja's FileSystemLoader looks for template files: the DAG file's folder (null), then each
 * `template_searchpath` entry (a string or a list of them, §2.5).
 */
function templateFolders(dag: DagModel): readonly (string | null)[] | NotStatic {
  const searchpath = argument(dag, 'template_searchpath')?.value;
  if (!searchpath || searchpath.kind === 'none') return [null];
  if (searchpath.kind === 'str') return [null, searchpath.value];
  if (searchpath.kind === 'list' && searchpath.items.every((i) => i.kind === 'str')) return [null, ...searchpath.items.map((i) => (i as { value: string }).value)];
  return new NotStatic('template_searchpath is computed when the file runs, so template files outside the DAG folder cannot be found');
}

/**
 * A template name as Jinja's `split_template_path` reads it: `/`-separated, `.` and empty parts
 * dropped (so an absolute name is looked up inside each folder too), `..` refused.
 */
function jinjaTemplatePath(name: string): string | undefined {
  const pieces = name.split('/');
  if (pieces.includes('..')) return undefined;
  return pieces.filter((p) => p !== '' && p !== '.').join('/');
}

/** How a DAG's template files are found: the folders in Jinja's order, or why they are not known. */
interface TemplateFiles {
  readonly folders: readonly (string | null)[] | NotStatic;
  readonly read: RenderOptions['readTemplate'];
}

/** Every string of a field value (nested ones too) that ends in a template extension is replaced by the file's text. */
function loadTemplateFiles(value: unknown, extensions: readonly string[], files: TemplateFiles): unknown {
  if (typeof value === 'string') {
    if (!extensions.some((ext) => value.endsWith(ext))) return value;
    const path = jinjaTemplatePath(value);
    if (path !== undefined) {
      const local = files.read?.(path, null);
      if (local !== undefined) return local;
      if (files.folders instanceof NotStatic) throw files.folders;
      for (const folder of files.folders.slice(1)) {
        const text = files.read?.(path, folder);
        if (text !== undefined) return text;
      }
    }
    throw new Error(`TemplateNotFound: ${value}`);
  }
  if (Array.isArray(value)) return value.map((v) => loadTemplateFiles(v, extensions, files));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, loadTemplateFiles(v, extensions, files)]));
  }
  return value;
}

/** Why a user-defined macro or filter only runs in Python. */
function pythonOnlyReason(what: string, value: PyValue): string {
  return value.kind === 'function'
    ? `${what} is the Python function ${value.name}, which only Python can run`
    : `${what} is computed when the DAG file runs (${value.kind})`;
}

/**
 * The DAG's `user_defined_macros` and `user_defined_filters` (§2.5). Known values (strings,
 * numbers, lists, dicts) join the context under the names the context does not already have,
 * which is what Jinja's globals amount to. A macro only Python knows is a stand-in that records
 * that a template reached it; filters always are Python callables. A field whose rendering fails
 * because of either is reported as unsupported, not as Airflow's failure.
 */
class UserTemplating {
  readonly macros: Record<string, unknown> = {};
  /** What the macros and filters are, as text: renderings with the same fingerprint see the same ones. */
  readonly fingerprint: string;
  /** Why each macro only Python can evaluate is one, by name. */
  private readonly standIns = new Map<string, string>();
  /** Macros and filters a template reached that only Python can evaluate, with the reason. */
  private readonly reached = new Map<string, string>();
  private readonly filters = new Map<string, string>();
  /** Set when the whole dict is computed by Python, so any name (or filter) may be one of its entries. */
  private readonly unknownMacros?: string;
  private readonly unknownFilters?: string;

  constructor(dag: DagModel) {
    const macros = argument(dag, 'user_defined_macros')?.value;
    if (macros?.kind === 'dict') {
      for (const [name, entry] of macros.entries) {
        try {
          this.macros[name] = plainValue(entry.value);
        } catch (error) {
          if (!(error instanceof NotStatic)) throw error;
          this.macros[name] = this.standIn(name, pythonOnlyReason(`user-defined macro '${name}'`, entry.value));
        }
      }
    } else if (macros && macros.kind !== 'none') {
      this.unknownMacros = 'user_defined_macros is computed when the DAG file runs';
    }
    const filters = argument(dag, 'user_defined_filters')?.value;
    if (filters?.kind === 'dict') {
      for (const [name, entry] of filters.entries) this.filters.set(name, pythonOnlyReason(`user-defined filter '${name}'`, entry.value));
    } else if (filters && filters.kind !== 'none') {
      this.unknownFilters = 'user_defined_filters is computed when the DAG file runs';
    }
    const macroValues = Object.entries(this.macros).map(([name, value]) => [name, this.standIns.has(name) ? { pythonOnly: this.standIns.get(name) } : value]);
    this.fingerprint = JSON.stringify([macroValues, [...this.filters], this.unknownMacros ?? null, this.unknownFilters ?? null]);
  }

  /** A value that fails any use (call, attribute, printing) after recording why. */
  private standIn(name: string, reason: string): unknown {
    this.standIns.set(name, reason);
    const reach = (): never => {
      this.reached.set(name, reason);
      throw new Error(reason);
    };
    // Attribute lookups on functions go through their registered attributes: a trap answers them.
    const attributes = new Proxy({}, { getOwnPropertyDescriptor: reach });
    const standIn = withAttributes(() => reach(), attributes);
    Object.defineProperty(standIn, 'toString', { value: reach });
    return standIn;
  }

  /**
   * The macros as the context sees them: a context key of the same name wins. Each task gets its
   * own copy of their values, as each of Airflow's task processes does.
   */
  addTo(context: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(this.macros)) if (!(name in context)) context[name] = copyPlain(value);
  }

  /** Forgets what earlier fields reached. */
  startField(): void {
    this.reached.clear();
  }

  /** Why a failed rendering needs Python rather than failing in Airflow; undefined for a real failure. */
  pythonNeeded(error: TemplateError, context: Record<string, unknown>): string | undefined {
    const [reason] = this.reached.values();
    if (reason) return reason;
    const filter = /^filter not found: (\w+)$/.exec(error.message)?.[1];
    if (filter) return this.filters.get(filter) ?? this.unknownFilters;
    const name = /^UndefinedError: '(\w+)[\w.]*' is undefined$/.exec(error.message)?.[1];
    if (name && this.unknownMacros && !(name in context)) return `${this.unknownMacros}; '${name}' may be one of them`;
    return undefined;
  }
}

/** Whether a value holds Jinja (`{{ }}`, `{% %}`), at any depth. */
function holdsTemplate(value: PyValue): boolean {
  switch (value.kind) {
    case 'str': return /\{\{|\{%/.test(value.value);
    case 'list': return value.items.some(holdsTemplate);
    case 'dict': return [...value.entries.values()].some((e) => holdsTemplate(e.value));
    default: return false;
  }
}

/** A field's value before rendering: the argument, or what default_args and the operator's defaults give it (§6.1). */
function fieldSource(dag: DagModel, task: TaskModel, field: string, catalog: Catalog): PyValue | undefined {
  if (task.kind === 'taskflow') return taskFlowField(task, field);
  return effectiveArgument(dag, task, field, catalog)?.value;
}

/**
 * The repr of a field's default when it is a Python object rather than a literal (3.x
 * TriggerDagRunOperator's `logical_date=NOTSET`): such an object is truthy and goes through
 * rendering unchanged, so Airflow holds it as it is.
 */
function objectDefault(task: TaskModel, field: string, catalog: Catalog): string | undefined {
  if (task.kind === 'taskflow') return undefined;
  const repr = taskParameter(catalog, task.operator, field)?.default;
  if (!repr) return undefined;
  if (!literalDefaults.has(repr)) literalDefaults.set(repr, literalEval(repr).ok);
  return literalDefaults.get(repr) ? undefined : repr;
}

/** Whether each default repr seen is a Python literal, by repr: every task of an operator has the same defaults. */
const literalDefaults = new Map<string, boolean>();

/** A field as it goes into rendering: the value to render, or what is held or known without rendering. */
type FieldInput =
  | { readonly render: unknown }
  | { readonly held: { readonly repr: string } }
  | { readonly unsupported: string }
  | { readonly error: string };

/**
 * Everything of a task that its rendering reads, besides the run: its id and class, its arguments
 * that `task` and `ti` show, its params, and each templated field's value (template files loaded).
 * Two tasks with equal inputs in the same run render alike, which is what lets renderDag reuse a
 * rendering after an edit elsewhere in the file.
 */
interface TaskInputs {
  readonly taskId: string;
  readonly taskType: string;
  readonly taskArguments: Record<string, unknown>;
  readonly params: Record<string, unknown>;
  readonly fields: readonly (readonly [string, FieldInput])[];
}

/** The task's arguments that its `task` and `ti` objects show, where the file gives them statically. */
function taskArguments(dag: DagModel, task: TaskModel, catalog: Catalog): Record<string, unknown> {
  const known: Record<string, unknown> = {};
  for (const name of ['owner', 'retries', 'queue', 'pool']) {
    const value = effectiveArgument(dag, task, name, catalog)?.value;
    if (!value) continue;
    try {
      known[name] = plainValue(value);
    } catch (error) {
      if (!(error instanceof NotStatic)) throw error;
    }
  }
  // BaseOperator puts the task in Airflow's default pool when it names none.
  if (known.pool === null) known.pool = 'default_pool';
  return known;
}

/** What a task's fields render from, or the result without rendering when none of its fields is rendered. */
function taskInputs(dag: DagModel, task: TaskModel, run: TemplateRun, files: TemplateFiles, options: RenderOptions): TaskInputs | { readonly rendered: RenderedTask } {
  const result: RenderedTask = { task_id: task.taskId, fields: {}, errors: {}, unsupported: {} };
  const operator = task.kind === 'taskflow' ? taskFlowOperator(task, options.catalog) : operatorTemplating(task.operator, options.catalog, options.templateFields);
  if (!operator) {
    if (task.kind === 'taskflow') result.unsupported['*'] = `${task.operator} renders what its function returns, which needs Python`;
    else if (task.args.some((a) => holdsTemplate(a.value))) {
      result.unsupported['*'] = `${task.operator} is not an operator Preflight knows: declare its templated fields in the preflight.templateFields setting (CLI: --template-fields)`;
    }
    return { rendered: result };
  }
  if (operator.templateFields.length === 0) return { rendered: result };
  const fields: [string, FieldInput][] = [];
  for (const field of operator.templateFields) {
    const fieldValue = fieldSource(dag, task, field, options.catalog);
    if (!fieldValue) {
      const repr = objectDefault(task, field, options.catalog);
      if (repr) fields.push([field, { held: { repr } }]);
      continue;
    }
    let value: unknown;
    try {
      value = plainValue(fieldValue);
    } catch (error) {
      fields.push([field, { unsupported: error instanceof Error ? error.message : String(error) }]);
      continue;
    }
    // Airflow leaves a falsy field (Python's truth: '', 0, [], {} and None alike) as it is, unrendered.
    if (!pyTruthy(value, field)) continue;
    try {
      fields.push([field, { render: loadTemplateFiles(value, templateExtensions(task, operator.templateExt), files) }]);
    } catch (error) {
      fields.push([field, error instanceof NotStatic ? { unsupported: error.message } : { error: error instanceof Error ? error.message : String(error) }]);
    }
  }
  return {
    taskId: task.taskId,
    taskType: task.kind === 'taskflow' ? DECORATED_OPERATOR_CLASSES[task.operator] : task.operator,
    taskArguments: taskArguments(dag, task, options.catalog),
    // DAG params, then the task's, then dag_run.conf on top ([core] dag_run_conf_overrides_params).
    params: { ...paramsOf(dag), ...paramsOf(task), ...(copyPlain(run.conf ?? {}) as Record<string, unknown>) },
    fields,
  };
}

/** A message the preview gives for what it does not model: the field needs Python (or Airflow) to render, it does not fail. */
const NOT_MODELLED = /is not supported by the template preview/;

function renderTask(inputs: TaskInputs, run: RunContext, user: UserTemplating, native: boolean, options: RenderOptions): RenderedTask {
  const result: RenderedTask = { task_id: inputs.taskId, fields: {}, errors: {}, unsupported: {} };
  const xcomPull = options.xcomPins && pinnedXComPull(options.xcomPins, options.airflow, inputs.taskId);
  const context = taskContext(run, { ...inputs, xcomPull });
  user.addTo(context);
  for (const [field, input] of inputs.fields) {
    if ('held' in input) result.fields[field] = input.held;
    else if ('unsupported' in input) result.unsupported[field] = input.unsupported;
    else if ('error' in input) result.errors[field] = { message: input.error };
    else {
      user.startField();
      const rendered = renderValue(input.render, context, native);
      if (!('error' in rendered)) {
        result.fields[field] = plainResult(rendered.value);
        continue;
      }
      const pythonNeeded = user.pythonNeeded(rendered.error, context) ?? (NOT_MODELLED.test(rendered.error.message) ? rendered.error.message : undefined);
      if (pythonNeeded) result.unsupported[field] = pythonNeeded;
      else result.errors[field] = rendered.error;
    }
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

/**
 * Inputs as text, for keys: JSON, with the numbers JSON writes as null (`inf` is not None) told
 * apart. Only a text with a null can hold one, and most have none.
 */
function inputsKey(inputs: unknown): string {
  const key = JSON.stringify(inputs);
  if (!key.includes('null')) return key;
  return JSON.stringify(inputs, (_, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { '\u0000': String(value) } : value));
}

/** What a task's inputs were computed for: the DAG's own settings, the run, and the options. */
interface InputsContext {
  readonly dag: object;
  readonly runKey: string;
  readonly catalog: Catalog;
  readonly templateFields: RenderOptions['templateFields'];
}

/**
 * A token per DAG that stays the same while its arguments, default_args and groups do: the model
 * of an edited file's DAG gets its earlier version's token when only its tasks changed.
 */
const dagTokens = new WeakMap<DagModel, object>();

function dagToken(dag: DagModel): object {
  let token = dagTokens.get(dag);
  if (!token) {
    const earlier = earlierVersion(dag);
    token = (earlier && dagTokens.get(earlier)) ?? {};
    dagTokens.set(dag, token);
  }
  return token;
}

/** A task's inputs, or its rendering when it needs none, with their key and what they were computed for. */
interface KeyedInputs {
  readonly context: InputsContext;
  readonly inputs: TaskInputs | { readonly rendered: RenderedTask };
  readonly key: string;
}

/**
 * The inputs of each task's model and their key, computed once: after an edit, a task whose model
 * is kept, or differs only in positions (earlierVersion), reuses them, which saves building and
 * serialising the inputs of every task of a large DAG on each keystroke. Only without template
 * files, whose text can change while the model does not.
 */
const inputsByTask = new TaskMemo<KeyedInputs>();

function keyedInputs(dag: DagModel, task: TaskModel, run: TemplateRun, files: TemplateFiles, options: RenderOptions, context: InputsContext,
  known: DagTaskMemo<KeyedInputs> | undefined): KeyedInputs {
  const kept = known && (known.find(task) ?? known.findEarlier(task));
  if (kept && kept.context.dag === context.dag && kept.context.runKey === context.runKey
    && kept.context.catalog === context.catalog && kept.context.templateFields === context.templateFields) {
    known!.keep(task, kept);
    return kept;
  }
  const inputs = taskInputs(dag, task, run, files, options);
  const entry = { context, inputs, key: 'rendered' in inputs ? '' : inputsKey(inputs) };
  known?.keep(task, entry);
  return entry;
}

/** A rendering kept for reuse: valid for any `now` unless it read the clock. */
interface KeptRendering {
  readonly task: RenderedTask;
  readonly now?: number;
}

/**
 * The renderings of the last renderDag call for each run, by task inputs, so that after an edit
 * only the tasks whose inputs changed render again. A call keeps what its own tasks gave, so a
 * run holds one DAG's worth; the runs rendered least recently are forgotten first.
 */
const kept = new Map<string, ReadonlyMap<string, KeptRendering>>();
const KEPT_RUNS = 16;

function keep(runKey: string, renderings: ReadonlyMap<string, KeptRendering>): void {
  kept.delete(runKey);
  kept.set(runKey, renderings);
  if (kept.size > KEPT_RUNS) kept.delete(kept.keys().next().value!);
}

/**
 * Every task's templated fields for the scheduled run of `logicalDate`, or why there is no such
 * run. A rendering depends on the run, the DAG's macros and filters, and the task's inputs; one
 * that read the clock also on `now`, and one that drew random values is never reused.
 */
export function renderDag(dag: DagModel, options: RenderOptions): RenderedRun | { error: string } {
  const run = runFor(dag, options);
  if (typeof run === 'string') return { error: run };
  const user = new UserTemplating(dag);
  const files: TemplateFiles = { folders: templateFolders(dag), read: options.readTemplate };
  const nativeArg = argument(dag, 'render_template_as_native_obj')?.value;
  const native = nativeArg?.kind === 'bool' && nativeArg.value;
  const { now, ...runInputs } = run;
  const runKey = inputsKey([options.airflow, runInputs, options.xcomPins ?? null, native, user.fingerprint]);
  const earlier = kept.get(runKey);
  const renderings = new Map<string, KeptRendering>();
  let shared: RunContext | undefined;
  const context: InputsContext = { dag: dagToken(dag), runKey, catalog: options.catalog, templateFields: options.templateFields };
  const known = options.readTemplate ? undefined : inputsByTask.of(dag);
  const tasks = dag.tasks.map((task) => {
    const { inputs, key } = keyedInputs(dag, task, run, files, options, context, known);
    if ('rendered' in inputs) return inputs.rendered;
    const reuse = earlier?.get(key);
    if (reuse && (reuse.now === undefined || reuse.now === now)) {
      renderings.set(key, reuse);
      return reuse.task;
    }
    shared ??= runContext(run, options.airflow);
    const { clock, random } = volatileReads;
    const rendered = renderTask(inputs, shared, user, native, options);
    if (volatileReads.random === random) renderings.set(key, { task: rendered, ...(volatileReads.clock === clock ? {} : { now }) });
    return rendered;
  });
  keep(runKey, renderings);
  return {
    dag_id: dag.dagId,
    logical_date: utcIso(run.logicalDate),
    run_id: run.runId,
    data_interval_start: utcIso(run.dataIntervalStart),
    data_interval_end: utcIso(run.dataIntervalEnd),
    tasks,
  };
}

/** The logical date of the DAG's next run after `now`, or of its latest if it has no next; undefined without any. */
export function nextLogicalDate(dag: DagModel, airflow: AirflowVersion, now: number): number | undefined {
  const schedule = dagSchedule(dag, airflow);
  if (isScheduleProblem(schedule)) return undefined;
  const run = futureRuns(schedule, now, 1)[0] ?? scheduledRuns(schedule, { now, count: 1 }).due[0];
  return run ? Date.parse(run.logical_date) : undefined;
}
