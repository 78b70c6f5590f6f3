// The diagnostics of a DAG file: what real Airflow would reject when it loads or runs the file, and
// the mistakes that load fine but do something else than the author meant. Each rule names the
// behaviour it follows (shared/airflow-semantics.md) and was checked against real Airflow.
import type { Catalog } from '../airflow/catalog';
import type { AirflowVersion } from '../airflow/version';
import type { DagFileModel, DagModel, TaskModel } from '../dag/model';
import { argument, TaskMemo, type DagTaskMemo } from '../dag/model';
import type { Diagnostic, Fix, Severity, SourceRange, TextEdit } from '../diagnostics';
import { childrenOf, sourceOf, type SyntaxNode, type Tree } from '../python/syntax';
import { compareDateTimes } from '../python/dates';
import { formatDateTime, pythonTypeName, type DateTimeValue, type DictEntry, type PyValue } from '../python/values';
import { daysAgoFixes, isRemovedArgument, removedArguments, removedImports, removedTaskArguments } from './migrationRules';
import { scheduleDiagnostics } from './scheduleRules';
import { templateDiagnostics, untemplatedTaskArguments } from './templateRules';
import { closest } from './similar';
import { capitalize, renamedKey } from './text';

export interface RuleContext {
  readonly text: string;
  /** The tree the model was built from: rules that read the source walk it instead of parsing again. */
  readonly tree: Tree;
  readonly model: DagFileModel;
  readonly airflow: AirflowVersion;
  readonly catalog: Catalog;
  /** The current time, for rules about what unpausing now would do; without it they are skipped. */
  readonly now?: number;
  /** Templated fields of operators the catalogue does not know (`preflight.templateFields`), by class name. */
  readonly templateFields?: Readonly<Record<string, readonly string[]>>;
}

/** Every rule's code, title and what it reports, for docs/rules.md, SARIF and the editor. */
export const RULES = {
  PF000: { title: 'Analyser failure', severity: 'warning' },
  PF001: { title: 'Syntax error', severity: 'error' },
  PF002: { title: 'Analysis stopped at its work limit', severity: 'warning' },
  PF101: { title: 'Unknown default_args key', severity: 'warning' },
  PF102: { title: 'Unknown operator argument', severity: 'error' },
  PF103: { title: 'Wrong argument type', severity: 'error' },
  PF104: { title: 'Unknown DAG argument', severity: 'error' },
  PF105: { title: 'Invalid trigger rule', severity: 'error' },
  PF201: { title: 'Missing start_date', severity: 'error' },
  PF202: { title: 'end_date before start_date', severity: 'warning' },
  PF203: { title: 'Clock read when the DAG file is parsed', severity: 'warning' },
  PF204: { title: 'Naive start_date', severity: 'info' },
  PF301: { title: 'Duplicate task_id', severity: 'error' },
  PF302: { title: 'Duplicate dag_id in the workspace', severity: 'error' },
  PF303: { title: 'Cycle', severity: 'error' },
  PF304: { title: 'Undefined task', severity: 'error' },
  PF305: { title: 'Unresolved callable', severity: 'error' },
  PF306: { title: 'xcom_pull from an unknown task', severity: 'warning' },
  PF307: { title: 'Variable named differently from its task_id', severity: 'info' },
  PF401: { title: 'schedule_interval', severity: 'warning' },
  PF402: { title: 'DummyOperator', severity: 'warning' },
  PF403: { title: 'Context key removed in Airflow 3', severity: 'warning' },
  PF404: { title: 'Import path removed in Airflow 3', severity: 'error' },
  PF405: { title: 'Argument removed in Airflow 3', severity: 'error' },
  PF501: { title: 'Invalid schedule', severity: 'error' },
  PF502: { title: 'Catchup creates many runs', severity: 'warning' },
  PF503: { title: 'Cron hour written as local time', severity: 'info' },
  PF504: { title: 'Schedule meets a DST change', severity: 'info' },
  PF505: { title: 'Scheduler fails on the schedule', severity: 'error' },
  PF601: { title: 'Template fails when rendered', severity: 'error' },
  PF602: { title: 'Template in an argument that is not templated', severity: 'warning' },
} as const satisfies Record<string, { title: string; severity: Severity }>;

export type RuleCode = keyof typeof RULES;

function diagnostic(code: RuleCode, message: string, range: SourceRange, fixes?: Fix[], severity?: Severity): Diagnostic {
  return { code, severity: severity ?? RULES[code].severity, message, range, ...(fixes && fixes.length > 0 ? { fixes } : {}) };
}

function replace(title: string, range: SourceRange, newText: string, preferred = true): Fix {
  return { title, edits: [{ range, newText }], preferred };
}

/** All diagnostics of one file, beside the syntax errors the analyser already reports. */
export function checkDagFile(context: RuleContext): Diagnostic[] {
  const tasks = taskRules(context);
  const found = [
    ...context.model.diagnostics,
    ...tasks.diagnostics,
    ...unknownArguments(context),
    ...argumentTypes(context),
    ...startAndEndDates(context),
    ...clockReads(context, tasks.clockReads),
    ...duplicateTaskIds(context),
    ...cycles(context),
    ...undefinedTasks(context),
    ...unresolvedCallables(context),
    ...xcomPullTargets(context),
    ...variableNames(context),
    ...scheduleInterval(context),
    ...dummyOperator(context),
    ...removedContextKeys(context),
    ...removedImports(context),
    ...removedArguments(context),
    ...scheduleDiagnostics(context),
    ...templateDiagnostics(context),
  ];
  // A default_args dict shared by several DAGs is reported once.
  const seen = new Set<string>();
  return found.filter((d) => {
    const key = `${d.code}:${d.range.from}:${d.range.to}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).sort((a, b) => a.range.from - b.range.from);
}

// --- one task at a time ---------------------------------------------------------------------------

/** What the rules that read nothing but one task found on it, and what they read besides. */
interface TaskFindings {
  readonly catalog: Catalog;
  readonly templateFields: RuleContext['templateFields'];
  readonly diagnostics: readonly Diagnostic[];
  /** The clock reads in its arguments, which PF203 reports with fixes that depend on the whole file. */
  readonly clockReads: readonly ClockRead[];
}

type ClockRead = Extract<PyValue, { kind: 'now' }>;

/**
 * Kept per task model: after a keystroke, the tasks the edit did not touch keep their findings,
 * and those it only moved get theirs moved (a thousand-task DAG is checked again on every one).
 * The rules read the catalogue (which is per Airflow version), the configured templated fields,
 * and the text of the task's own call, which is the same for a kept or moved model.
 */
const taskFindings = new TaskMemo<TaskFindings>();

/** PF102, PF103 and PF105 of a task's own arguments, PF405, PF602 and the clock reads of PF203: the rules of one task. */
function taskRules(context: RuleContext): { readonly diagnostics: Diagnostic[]; readonly clockReads: ClockRead[] } {
  const diagnostics: Diagnostic[] = [];
  const clockReads: ClockRead[] = [];
  for (const dag of context.model.dags) {
    const known = taskFindings.of(dag);
    for (const task of dag.tasks) {
      const findings = keptFindings(known, task, context) ?? findingsOf(task, context);
      known.keep(task, findings);
      for (const d of findings.diagnostics) diagnostics.push(d);
      for (const read of findings.clockReads) clockReads.push(read);
    }
  }
  return { diagnostics, clockReads };
}

function findingsOf(task: TaskModel, context: RuleContext): TaskFindings {
  const diagnostics: Diagnostic[] = [];
  unknownTaskArguments(task, context, diagnostics);
  taskArgumentTypes(task, context, diagnostics);
  removedTaskArguments(task, context, diagnostics);
  untemplatedTaskArguments(task, context, diagnostics);
  const clockReads: ClockRead[] = [];
  for (const arg of task.args) clockReadsIn(arg.value, clockReads);
  return { catalog: context.catalog, templateFields: context.templateFields, diagnostics, clockReads };
}

function readSame(findings: TaskFindings | undefined, context: RuleContext): findings is TaskFindings {
  return findings?.catalog === context.catalog && findings.templateFields === context.templateFields;
}

function keptFindings(known: DagTaskMemo<TaskFindings>, task: TaskModel, context: RuleContext): TaskFindings | undefined {
  const kept = known.find(task);
  if (readSame(kept, context)) return kept;
  const earlier = known.findEarlier(task);
  if (!readSame(earlier, context)) return undefined;
  if (earlier.diagnostics.length === 0 && earlier.clockReads.length === 0) return earlier;
  const diagnostics = earlier.diagnostics.map((d) => movedDiagnostic(d, (r) => known.laterRange(r)));
  const clockReads = earlier.clockReads.map((read) => {
    const range = known.laterRange(read.range);
    return range && { ...read, range };
  });
  return diagnostics.every((d) => d !== undefined) && clockReads.every((read) => read !== undefined) ? { ...earlier, diagnostics, clockReads } : undefined;
}

/** A diagnostic at the ranges `range` maps it to, fixes included; undefined if one cannot be mapped. */
function movedDiagnostic(d: Diagnostic, range: (r: SourceRange) => SourceRange | undefined): Diagnostic | undefined {
  const at = range(d.range);
  if (!at) return undefined;
  if (!d.fixes) return { ...d, range: at };
  const fixes: Fix[] = [];
  for (const fix of d.fixes) {
    const edits = fix.edits.map((e) => ({ ...e, range: range(e.range) }));
    if (edits.some((e) => e.range === undefined)) return undefined;
    fixes.push({ ...fix, edits: edits as TextEdit[] });
  }
  return { ...d, range: at, fixes };
}

// --- arguments ---------------------------------------------------------------------------------

const parameterSets = new WeakMap<Catalog, Map<string, Set<string> | undefined>>();

/** Parameters an operator class (or `@task` decorator) accepts: its own, its bases' and BaseOperator's; computed once per class. */
function operatorParameters(catalog: Catalog, operator: string): Set<string> | undefined {
  let cache = parameterSets.get(catalog);
  if (!cache) parameterSets.set(catalog, (cache = new Map()));
  if (!cache.has(operator)) {
    const decorator = operator.startsWith('@') ? catalog.taskDecorators[operator.slice(1)] : undefined;
    const entry = catalog.operators[operator];
    let names: Set<string> | undefined;
    if (decorator) {
      names = new Set([...Object.keys(catalog.baseOperator), ...Object.keys(decorator)]);
    } else if (entry) {
      names = new Set([...Object.keys(catalog.baseOperator), ...Object.keys(entry.params)]);
      for (const base of entry.bases) for (const name of Object.keys(catalog.operators[base]?.params ?? {})) names.add(name);
    }
    cache.set(operator, names);
  }
  return cache.get(operator);
}

function unknownArguments({ model, catalog, airflow, text }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  const dagParams = Object.keys(catalog.dag);
  for (const dag of model.dags) {
    for (const arg of dag.args) {
      if (!arg.nameRange || catalog.dag[arg.name] || arg.name === 'schedule_interval' || isRemovedArgument(catalog, 'dag', arg.name)) continue;
      const suggestion = closest(arg.name, dagParams);
      found.push(diagnostic('PF104', `DAG() has no argument '${arg.name}' in Airflow ${airflow}${suggestion ? `: did you mean '${suggestion}'?` : '.'}`,
        arg.nameRange, suggestion ? [replace(`Rename to '${suggestion}'`, arg.nameRange, renamedKey(text, arg.nameRange, suggestion))] : undefined));
    }
    // default_args apply to every operator that accepts the key; a key no task accepts is silently
    // ignored by Airflow (§6.1), which is how a typo such as "retires" goes unnoticed.
    // What the DAG's operators accept is gathered only for a key BaseOperator does not take.
    let accepted: Set<string> | undefined;
    const defaultArgSources = [dag.defaultArgs, ...dag.groups.map((g) => g.defaultArgs)];
    for (const entries of defaultArgSources) {
      for (const [key, entry] of entries) {
        if (Object.hasOwn(catalog.baseOperator, key) || !entry.keyRange) continue;
        if (!accepted) {
          accepted = new Set(Object.keys(catalog.baseOperator));
          for (const operator of new Set(dag.tasks.map((t) => t.operator))) operatorParameters(catalog, operator)?.forEach((p) => accepted!.add(p));
        }
        if (accepted.has(key)) continue;
        const suggestion = closest(key, accepted);
        found.push(diagnostic('PF101',
          `No task of this DAG accepts '${key}', so Airflow ignores it${suggestion ? `: did you mean '${suggestion}'?` : '.'}`,
          entry.keyRange, suggestion ? [replace(`Rename to '${suggestion}'`, entry.keyRange, renamedKey(text, entry.keyRange, suggestion))] : undefined));
      }
    }
  }
  return found;
}

/** PF102, for one task: an argument its operator does not take. */
function unknownTaskArguments(task: TaskModel, { catalog, text }: RuleContext, found: Diagnostic[]): void {
  if (task.kind !== 'operator') return;
  const params = operatorParameters(catalog, task.operator);
  if (!params) return;
  for (const arg of task.args) {
    if (params.has(arg.name) || !arg.nameRange || isRemovedArgument(catalog, task.operator, arg.name)) continue;
    const suggestion = closest(arg.name, params);
    found.push(diagnostic('PF102',
      `${task.operator} has no argument '${arg.name}': Airflow refuses to load the DAG ("Invalid arguments were passed to ${task.operator}")${suggestion ? `. Did you mean '${suggestion}'?` : '.'}`,
      arg.nameRange, suggestion ? [replace(`Rename to '${suggestion}'`, arg.nameRange, renamedKey(text, arg.nameRange, suggestion))] : undefined));
  }
}

/** Where an argument of a task may come from: its own call, or a default_args entry. */
interface Setting {
  readonly name: string;
  readonly value: PyValue;
  readonly range: SourceRange;
  readonly fromDefaultArgs: boolean;
}

/** The DAG's default_args and its groups', each entry a setting of every task that takes it. */
function defaultSettingsOf(dag: DagModel): Setting[] {
  const settings: Setting[] = [];
  const fromEntries = (entries: ReadonlyMap<string, DictEntry>) => {
    for (const [name, entry] of entries) {
      if (entry.valueRange) settings.push({ name, value: entry.value, range: entry.valueRange, fromDefaultArgs: true });
    }
  };
  fromEntries(dag.defaultArgs);
  dag.groups.forEach((g) => fromEntries(g.defaultArgs));
  return settings;
}

const BOOLEAN_PARAMETERS = new Set(['depends_on_past', 'wait_for_downstream', 'email_on_failure', 'email_on_retry', 'do_xcom_push',
  'retry_exponential_backoff', 'ignore_first_depends_on_past', 'multiple_outputs']);
const TIMEDELTA_PARAMETERS = new Set(['execution_timeout', 'max_retry_delay']);

/** Values of the wrong type that Airflow rejects when it creates the task or the DAG (§6.2, checked against both versions). */
function argumentTypes({ model, catalog }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    for (const setting of defaultSettingsOf(dag)) settingType(setting, catalog, found);
    for (const arg of dag.args) {
      if ((arg.name === 'start_date' || arg.name === 'end_date') && arg.value.kind === 'str') {
        found.push(diagnostic('PF103', `${arg.name} must be a datetime, not a string: Airflow fails with "'str' object has no attribute 'tzinfo'". Use pendulum.datetime(...).`, arg.valueRange));
      }
    }
  }
  return found;
}

/** PF103 and PF105, for the arguments of one task. */
function taskArgumentTypes(task: TaskModel, { catalog }: RuleContext, found: Diagnostic[]): void {
  for (const arg of task.args) settingType({ name: arg.name, value: arg.value, range: arg.valueRange, fromDefaultArgs: false }, catalog, found);
}

function settingType({ name, value, range, fromDefaultArgs }: Setting, catalog: Catalog, found: Diagnostic[]): void {
  const type = pythonTypeName(value);
  if (!type) return;
  if (name === 'retries') {
    if (value.kind === 'str' && /^\s*-?\d+\s*$/.test(value.value)) {
      found.push(diagnostic('PF103', `retries is a string: Airflow converts "${value.value}" to an int with a warning. Write the number.`,
        range, [replace(`Write ${value.value.trim()}`, range, value.value.trim())], 'warning'));
    } else if (value.kind !== 'num' || value.float) {
      found.push(diagnostic('PF103', `'retries' type must be int, not ${type}: Airflow refuses to load the DAG.`, range));
    }
  } else if (BOOLEAN_PARAMETERS.has(name) && value.kind !== 'bool' && value.kind !== 'none') {
    const fix = value.kind === 'str' && /^(true|false)$/i.test(value.value)
      ? [replace(`Write ${value.value.toLowerCase() === 'true' ? 'True' : 'False'}`, range, value.value.toLowerCase() === 'true' ? 'True' : 'False')] : undefined;
    found.push(diagnostic('PF103', `'${name}' expects a bool, got ${type}: Airflow refuses to load the DAG.`, range, fix));
  } else if (TIMEDELTA_PARAMETERS.has(name) && value.kind !== 'timedelta' && value.kind !== 'none') {
    found.push(diagnostic('PF103', `${name} must be a timedelta, not ${type}: Airflow refuses to load the DAG.`, range));
  } else if (name === 'trigger_rule' && value.kind === 'str' && catalog.triggerRules.length > 0 && !catalog.triggerRules.includes(value.value)) {
    const suggestion = closest(value.value, catalog.triggerRules);
    found.push(diagnostic('PF105', `'${value.value}' is not a trigger rule${suggestion ? `: did you mean '${suggestion}'?` : ''}. Airflow refuses to load the DAG.`,
      range, suggestion ? [replace(`Use '${suggestion}'`, range, JSON.stringify(suggestion))] : undefined));
  } else if ((name === 'start_date' || name === 'end_date') && !fromDefaultArgs && value.kind === 'str') {
    // default_args dates may be strings (Airflow parses them); DAG and operator arguments may not.
    found.push(diagnostic('PF103', `${name} must be a datetime, not a string: Airflow fails with "'str' object has no attribute 'tzinfo'". Use pendulum.datetime(...).`, range));
  }
}

// --- dates ---------------------------------------------------------------------------------------

/** A DAG's start or end date and where it was written: DAG(...) first, then default_args. */
function dagDate(dag: DagModel, name: 'start_date' | 'end_date'): { value: PyValue; range: SourceRange } | undefined {
  const own = argument(dag, name);
  if (own && own.value.kind !== 'none') return { value: own.value, range: own.valueRange };
  const entry = dag.defaultArgs.get(name);
  return entry?.valueRange && entry.value.kind !== 'none' ? { value: entry.value, range: entry.valueRange } : undefined;
}

/** Whether the DAG is scheduled: Airflow 2.10 defaults to a daily timedelta, Airflow 3 to None (§1.2). */
function isScheduled(dag: DagModel, airflow: AirflowVersion): boolean | undefined {
  const schedule = argument(dag, 'schedule') ?? argument(dag, 'schedule_interval') ?? argument(dag, 'timetable');
  if (!schedule) return airflow === 2;
  if (schedule.value.kind === 'none') return false;
  if (schedule.value.kind === 'str') return schedule.value.value !== '';
  return schedule.value.kind === 'unknown' ? undefined : true;
}

function startAndEndDates({ model, airflow }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    const start = dagDate(dag, 'start_date');
    const end = dagDate(dag, 'end_date');
    const scheduled = isScheduled(dag, airflow);
    // A task whose `**kwargs` are unknown may set its own start_date; so may the DAG's.
    const taskStarts = dag.tasks.every((t) => argument(t, 'start_date') || !t.argsKnown);
    if (!start && scheduled && !(dag.tasks.length > 0 && taskStarts) && dag.defaultArgsKnown && dag.argsKnown) {
      const catchupArg = argument(dag, 'catchup');
      const catchup = catchupArg ? (catchupArg.value.kind === 'bool' ? catchupArg.value.value : undefined) : airflow === 2;
      if (airflow === 2) {
        found.push(diagnostic('PF201', 'This DAG has a schedule but no start_date: Airflow 2 refuses to load it ("DAG is missing the start_date parameter").',
          dag.selectionRange));
      } else if (catchup === true) {
        const fix = catchupArg ? [replace('Set catchup=False', catchupArg.valueRange, 'False')] : undefined;
        found.push(diagnostic('PF201', 'catchup=True needs a start_date: Airflow 3 refuses to load the DAG ("start_date is required when catchup=True").',
          dag.selectionRange, fix));
      }
    }
    if (start?.value.kind === 'datetime' && end?.value.kind === 'datetime') {
      const order = compareDateTimes(start.value, end.value);
      if (order !== undefined && order > 0) {
        found.push(diagnostic('PF202', `end_date (${formatDateTime(end.value)}) is before start_date (${formatDateTime(start.value)}): Airflow will never schedule a run.`, end.range));
      }
    }
    if (start?.value.kind === 'datetime' && start.value.tz === null) {
      found.push(diagnostic('PF204', naiveMessage(start.value), start.range));
    }
  }
  return found;
}

function naiveMessage(value: DateTimeValue): string {
  return `start_date ${formatDateTime(value)} has no time zone, so Airflow reads it in UTC ([core] default_timezone) and runs the cron in UTC. `
    + 'Write pendulum.datetime(..., tz="Asia/Seoul") (or your zone) to schedule in local time.';
}

/** The clock reads in a value, in lists and dicts too. */
function clockReadsIn(value: PyValue, found: ClockRead[]): void {
  if (value.kind === 'now') found.push(value);
  else if (value.kind === 'list') for (const item of value.items) clockReadsIn(item, found);
  else if (value.kind === 'dict') for (const entry of value.entries.values()) clockReadsIn(entry.value, found);
}

/**
 * Clock reads anywhere in DAG or task arguments: the value changes every time the scheduler parses
 * the file. Those in task arguments come from the rules of one task (`inTasks`).
 */
function clockReads(context: RuleContext, inTasks: readonly ClockRead[]): Diagnostic[] {
  const reads: ClockRead[] = [];
  for (const dag of context.model.dags) {
    for (const arg of dag.args) clockReadsIn(arg.value, reads);
    for (const entry of dag.defaultArgs.values()) clockReadsIn(entry.value, reads);
    for (const group of dag.groups) for (const entry of group.defaultArgs.values()) clockReadsIn(entry.value, reads);
  }
  return [...reads, ...inTasks].map((read) => {
    const daysAgo = read.call.endsWith('days_ago');
    const removed = daysAgo && context.airflow === 3 ? ' days_ago was removed in Airflow 3.' : '';
    return diagnostic('PF203',
      `${read.call}() is evaluated every time Airflow parses this file (every 30 seconds), so the value moves: a start_date never stays put and runs are skipped or duplicated. Use a fixed date such as pendulum.datetime(2024, 1, 1, tz="UTC"), and the logical date ({{ ds }}, logical_date) inside tasks.${removed}`,
      read.range, daysAgo ? daysAgoFixes(context, read.range) : undefined);
  });
}

// --- structure ----------------------------------------------------------------------------------

function duplicateTaskIds({ model }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    const seen = new Map<string, TaskModel>();
    for (const task of dag.tasks) {
      if (seen.has(task.taskId)) {
        found.push(diagnostic('PF301', `Task id '${task.taskId}' has already been added to the DAG '${dag.dagId}': Airflow refuses to load it.`, task.range));
      } else {
        seen.set(task.taskId, task);
      }
    }
  }
  return found;
}

/** Airflow rejects a DAG with a cycle when it loads it (§6.2). The cycle is named so it can be broken. */
function cycles({ model }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    const cycle = firstCycle(dag.tasks);
    if (cycle) {
      found.push(diagnostic('PF303', `Cycle in DAG '${dag.dagId}': ${cycle.ids.join(' >> ')}. Airflow refuses to load a DAG with a cycle.`, cycle.first.range));
    }
  }
  return found;
}

const VISITING = 1;
const DONE = 2;

/**
 * The first cycle a depth-first walk from each task in turn meets, as task ids from its first task
 * back to it. The walk keeps its own stack: a chain of a thousand tasks is a thousand levels deep.
 * Of tasks with the same id (PF301), the last one is the task the id stands for, as in Airflow.
 */
function firstCycle(tasks: readonly TaskModel[]): { ids: string[]; first: TaskModel } | undefined {
  const index = new Map<string, number>();
  tasks.forEach((t, i) => index.set(t.taskId, i));
  const state = new Uint8Array(tasks.length);
  // The path: a task and how many of its downstream ids have been followed.
  const path: number[] = [];
  const followed: number[] = [];
  for (const root of tasks) {
    const start = index.get(root.taskId)!;
    if (state[start] !== 0) continue;
    state[start] = VISITING;
    path.push(start);
    followed.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const downstream = tasks[path[top]].downstream;
      if (followed[top] === downstream.length) {
        state[path[top]] = DONE;
        path.pop();
        followed.pop();
        continue;
      }
      const next = index.get(downstream[followed[top]++]);
      if (next === undefined || state[next] === DONE) continue;
      if (state[next] === VISITING) {
        const ids = path.slice(path.indexOf(next)).map((i) => tasks[i].taskId);
        return { ids: [...ids, tasks[next].taskId], first: tasks[next] };
      }
      state[next] = VISITING;
      path.push(next);
      followed.push(0);
    }
  }
  return undefined;
}

function undefinedTasks({ model }: RuleContext): Diagnostic[] {
  if (model.undefinedTaskReferences.length === 0) return [];
  const variables: string[] = [];
  for (const dag of model.dags) for (const task of dag.tasks) if (task.variable) variables.push(task.variable.name);
  // A renamed task leaves the same name undefined wherever it was used.
  const suggestions = new Map<string, string | undefined>();
  return model.undefinedTaskReferences.map((ref) => {
    if (!suggestions.has(ref.name)) suggestions.set(ref.name, closest(ref.name, variables));
    const suggestion = suggestions.get(ref.name);
    return diagnostic('PF304',
      `'${ref.name}' is not defined: Python raises NameError and Airflow does not load the file${suggestion ? `. Did you mean '${suggestion}'?` : '.'}`,
      ref.range, suggestion ? [replace(`Change to '${suggestion}'`, ref.range, suggestion)] : undefined);
  });
}

const CALLABLE_ARGUMENTS = new Set(['python_callable', 'on_failure_callback', 'on_success_callback', 'on_retry_callback',
  'on_execute_callback', 'on_skipped_callback', 'sla_miss_callback']);
const PYTHON_BUILTINS = new Set(['print', 'len', 'str', 'int', 'float', 'bool', 'dict', 'list', 'tuple', 'set', 'sorted', 'sum', 'min', 'max', 'repr', 'exit']);

/** A callable or callback named by a name the file neither defines nor imports: a NameError on import. */
function unresolvedCallables({ model, text, tree }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  // The file's function names are only needed for suggestions, so they are collected on first need.
  let functions: string[] | undefined;
  const check = (name: string, value: PyValue, range: SourceRange) => {
    if (!CALLABLE_ARGUMENTS.has(name) || value.kind !== 'external' || !value.unbound) return;
    const callable = value.qualifiedName;
    if (PYTHON_BUILTINS.has(callable)) return;
    functions ??= definedFunctionNames(text, tree);
    const suggestion = closest(callable, functions);
    found.push(diagnostic('PF305', `'${callable}' is not defined or imported: Python raises NameError and Airflow does not load the file${suggestion ? `. Did you mean '${suggestion}'?` : '.'}`,
      range, suggestion ? [replace(`Change to '${suggestion}'`, range, suggestion)] : undefined));
  };
  for (const dag of model.dags) {
    dag.args.forEach((a) => check(a.name, a.value, a.valueRange));
    dag.defaultArgs.forEach((e, k) => e.valueRange && check(k, e.value, e.valueRange));
    for (const task of dag.tasks) for (const arg of task.args) if (arg.value.kind === 'external') check(arg.name, arg.value, arg.valueRange);
  }
  return found;
}

function definedFunctionNames(text: string, tree: Tree): string[] {
  const names: string[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'FunctionDefinition') return undefined;
      const name = ref.node.getChild('VariableName');
      if (name) names.push(text.slice(name.from, name.to));
      return undefined;
    },
  });
  return names;
}

/** `xcom_pull(task_ids="x")`, in Python code or in a template: a task the file never defines returns None. */
function xcomPullTargets({ model, text }: RuleContext): Diagnostic[] {
  if (!text.includes('xcom_pull(')) return [];
  const taskIds = new Set(model.dags.flatMap((d) => d.tasks.map((t) => t.taskId)));
  if (taskIds.size === 0) return [];
  const found: Diagnostic[] = [];
  const call = /xcom_pull\(([^()]*)\)/g;
  for (let match = call.exec(text); match; match = call.exec(text)) {
    const argsStart = match.index + 'xcom_pull('.length;
    const taskIdsArg = /task_ids\s*=\s*(\[[^\]]*\]|\([^)]*\)|["'][^"']*["'])/.exec(match[1])
      ?? /^\s*(["'][^"']*["']|\[[^\]]*\])/.exec(match[1]);
    if (!taskIdsArg) continue;
    const listStart = argsStart + taskIdsArg.index + taskIdsArg[0].indexOf(taskIdsArg[1]);
    const literal = /["']([^"']*)["']/g;
    for (let id = literal.exec(taskIdsArg[1]); id; id = literal.exec(taskIdsArg[1])) {
      if (taskIds.has(id[1])) continue;
      const from = listStart + id.index + 1;
      const suggestion = closest(id[1], taskIds);
      found.push(diagnostic('PF306', `No task '${id[1]}' in this file: xcom_pull returns None for it${suggestion ? `. Did you mean '${suggestion}'?` : '.'}`,
        { from, to: from + id[1].length }, suggestion ? [replace(`Change to '${suggestion}'`, { from, to: from + id[1].length }, suggestion)] : undefined));
    }
  }
  return found;
}

/** `extract = BashOperator(task_id="load")` reads as one task and runs as another. */
function variableNames({ model }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    // Counted only when a variable differs from its task's id, which is seldom.
    let variableUses: Map<number, number> | undefined;
    for (const task of dag.tasks) {
      if (task.kind !== 'operator' || !task.variable) continue;
      const label = task.group ? task.taskId.slice(task.group.length + 1) : task.taskId;
      if (task.variable.name === label || !/^[A-Za-z_]\w*$/.test(label)) continue;
      if (!variableUses) {
        variableUses = new Map();
        for (const t of dag.tasks) if (t.variable) variableUses.set(t.variable.range.from, (variableUses.get(t.variable.range.from) ?? 0) + 1);
      }
      // A variable assigned in a loop names many tasks: no single task_id can match it.
      if ((variableUses.get(task.variable.range.from) ?? 0) > 1) continue;
      found.push(diagnostic('PF307', `The variable '${task.variable.name}' holds the task '${task.taskId}': the graph and logs show '${task.taskId}'.`,
        task.variable.range, [replace(`Rename the variable to '${label}' here`, task.variable.range, label, false)]));
    }
  }
  return found;
}

// --- Airflow 3 migration -------------------------------------------------------------------------

function scheduleInterval({ model, airflow, text }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    const old = argument(dag, 'schedule_interval');
    if (!old?.nameRange) continue;
    const both = argument(dag, 'schedule');
    const fix = both ? undefined : [replace("Rename to 'schedule'", old.nameRange, renamedKey(text, old.nameRange, 'schedule'))];
    if (airflow === 3) {
      found.push(diagnostic('PF401', "schedule_interval was removed in Airflow 3: DAG() fails with \"unexpected keyword argument 'schedule_interval'\". Use schedule=.", old.nameRange, fix, 'error'));
    } else if (both) {
      found.push(diagnostic('PF401', "Both schedule and schedule_interval are given: Airflow refuses the DAG (\"At most one allowed for args 'schedule_interval', 'timetable', and 'schedule'\").", old.nameRange, undefined, 'error'));
    } else {
      found.push(diagnostic('PF401', 'schedule_interval is deprecated since Airflow 2.4 and removed in Airflow 3: use schedule=.', old.nameRange, fix));
    }
  }
  return found;
}

function dummyOperator({ text, tree, airflow }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (!text.includes('DummyOperator') && !text.includes('airflow.operators.dummy')) return found;
  const module = airflow === 3 ? 'airflow.providers.standard.operators.empty' : 'airflow.operators.empty';
  const message = airflow === 3
    ? 'DummyOperator was removed in Airflow 3: use EmptyOperator.'
    : 'DummyOperator is deprecated (Airflow creates an EmptyOperator) and removed in Airflow 3: use EmptyOperator.';
  tree.iterate({
    enter(ref) {
      // Only the few nodes that can matter are materialised: walking a tree is cheap, nodes are not.
      const isImport = ref.name === 'ImportStatement';
      if (!isImport && !(ref.name === 'VariableName' && ref.to - ref.from === 13 && text.startsWith('DummyOperator', ref.from))) return undefined;
      const node = ref.node;
      if (isImport) {
        const source = sourceOf(text, node);
        const moduleMatch = /^from\s+(airflow\.operators\.(?:dummy|dummy_operator))\s+import/.exec(source);
        if (moduleMatch) {
          const from = node.from + source.indexOf(moduleMatch[1]);
          found.push(diagnostic('PF402', message, { from, to: from + moduleMatch[1].length },
            [replace(`Import from ${module}`, { from, to: from + moduleMatch[1].length }, module)]));
        }
      }
      if (node.name === 'VariableName' && sourceOf(text, node) === 'DummyOperator' && !isImportAlias(node)) {
        found.push(diagnostic('PF402', message, { from: node.from, to: node.to }, [replace('Use EmptyOperator', { from: node.from, to: node.to }, 'EmptyOperator')]));
      }
      return undefined;
    },
  });
  return found;
}

function isImportAlias(node: SyntaxNode): boolean {
  return node.prevSibling?.name === 'as';
}

/** Context keys Airflow 3 no longer provides (§2.2), with their replacement where it is exact. */
const REMOVED_CONTEXT_KEYS: Readonly<Record<string, string | undefined>> = {
  execution_date: 'logical_date', next_execution_date: undefined, prev_execution_date: undefined, prev_execution_date_success: undefined,
  next_ds: undefined, next_ds_nodash: undefined, prev_ds: undefined, prev_ds_nodash: undefined,
  tomorrow_ds: undefined, tomorrow_ds_nodash: undefined, yesterday_ds: undefined, yesterday_ds_nodash: undefined,
  conf: undefined, triggering_dataset_events: 'triggering_asset_events',
};

const REMOVED_KEY_ADVICE: Readonly<Record<string, string>> = {
  next_ds: 'use {{ data_interval_end | ds }}',
  next_ds_nodash: 'use {{ data_interval_end | ds_nodash }}',
  prev_ds: 'use {{ data_interval_start | ds }} or macros.ds_add(ds, -1)',
  prev_ds_nodash: 'use {{ data_interval_start | ds_nodash }}',
  tomorrow_ds: 'use {{ macros.ds_add(ds, 1) }}',
  yesterday_ds: 'use {{ macros.ds_add(ds, -1) }}',
};

/** Removed context keys in templates (`{{ execution_date }}`) and in Python (`kwargs["execution_date"]`). */
function removedContextKeys({ text, tree, airflow }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  const report = (key: string, from: number) => {
    const replacement = REMOVED_CONTEXT_KEYS[key];
    const advice = replacement ? `use ${replacement}` : REMOVED_KEY_ADVICE[key] ?? 'see the Airflow 3 upgrade notes';
    const range = { from, to: from + key.length };
    const fixes = replacement ? [replace(`Use ${replacement}`, range, replacement)] : undefined;
    if (airflow === 3) {
      found.push(diagnostic('PF403', `'${key}' is not in the Airflow 3 context: the task fails when it reads it. ${capitalize(advice)}.`, range, fixes));
    } else {
      found.push(diagnostic('PF403', `'${key}' is deprecated and removed in Airflow 3: ${advice}.`, range, fixes, 'info'));
    }
  };
  const keys = Object.keys(REMOVED_CONTEXT_KEYS).join('|');
  const anyKey = new RegExp(`(?<![\\w.])(${keys})(?!\\w)`);
  if (!anyKey.test(text)) return found;
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'String' && ref.name !== 'FormatString') return undefined;
      const source = text.slice(ref.from, ref.to);
      if (!anyKey.test(source)) return undefined;
      const node = ref.node;
      // Templates: every removed key used as a name inside {{ ... }} or {% ... %}.
      const block = /\{\{(.*?)\}\}|\{%(.*?)%\}/gs;
      for (let m = block.exec(source); m; m = block.exec(source)) {
        const inner = m[1] ?? m[2];
        const innerStart = m.index + 2;
        const name = new RegExp(`(?<![\\w.])(${keys})(?!\\w)`, 'g');
        for (let k = name.exec(inner); k; k = name.exec(inner)) report(k[1], node.from + innerStart + k.index);
      }
      // Python: context["execution_date"], kwargs.get("execution_date").
      const whole = new RegExp(`^[rRuU]?(["'])(${keys})\\1$`).exec(source);
      if (whole && isContextLookup(node)) report(whole[2], node.from + source.indexOf(whole[2]));
      return undefined;
    },
  });
  return found;
}

function isContextLookup(node: SyntaxNode): boolean {
  const parent = node.parent;
  if (parent?.name === 'MemberExpression' && node.prevSibling?.name === '[') return true;
  return parent?.name === 'ArgList' && parent.parent?.name === 'CallExpression'
    // Lezer hands out new node objects on each walk: nodes are compared by position.
    && childrenOf(parent.parent)[0]?.lastChild?.name === 'PropertyName' && parent.firstChild?.nextSibling?.from === node.from;
}
