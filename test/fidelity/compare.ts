// Normalising and comparing what real Airflow did with a corpus file (test/oracle/fidelity.py)
// against what Preflight's CLI says (`inspect`, `schedule`, `render`, `run` --json): one check per
// category, each returning its cases with whether they agree and, when not, both sides.
import { isDeepStrictEqual } from 'node:util';

export type Category = 'structure' | 'schedule' | 'templates' | 'states' | 'xcom' | 'callbacks';
export const CATEGORIES: readonly Category[] = ['structure', 'schedule', 'templates', 'states', 'xcom', 'callbacks'];

/** One compared fact. `id` names it uniquely within its category and version: `file dag_id what`. */
export interface CaseResult {
  readonly category: Category;
  readonly id: string;
  readonly agree: boolean;
  readonly airflow?: unknown;
  readonly preflight?: unknown;
}

// --- What the oracle prints (see the docstring of test/oracle/fidelity.py) -----------------------

export interface OracleTask {
  readonly task_id: string;
  readonly operator: string;
  readonly upstream: readonly string[];
  readonly retries: number;
  readonly trigger_rule: string;
  readonly start_date: string | null;
}

export interface OracleRun {
  readonly state: string | null;
  readonly tasks: readonly { task_id: string; map_index: number; state: string | null; try_number: number }[];
  readonly xcom: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly callbacks: readonly Record<string, unknown>[];
  readonly slack: readonly { conn_id: string; text: string }[];
  readonly error: string | null;
}

export interface ScheduledRunJson {
  readonly run_id: string;
  readonly logical_date: string | null;
  readonly data_interval_start: string | null;
  readonly data_interval_end: string | null;
  readonly run_after: string;
}

export interface OracleDag {
  readonly dag_id: string;
  readonly tasks: readonly OracleTask[];
  readonly schedule: { timetable: string | null; due: readonly ScheduledRunJson[]; next: ScheduledRunJson | null; error: string | null };
  readonly render: { error: string | null; run_id: string | null; tasks: readonly { task_id: string; fields: Record<string, unknown>; errors: Record<string, string> }[] } | null;
  readonly run: OracleRun | null;
}

export interface OracleFile {
  readonly file: string;
  readonly import_errors: Readonly<Record<string, string>>;
  readonly dags: readonly OracleDag[];
}

// --- What the CLI prints (README.md, "The preflight command") ------------------------------------

export interface InspectJson {
  readonly dags: readonly {
    dag_id: string;
    start_date: string | null;
    tasks: readonly { task_id: string; operator: string; upstream: readonly string[]; trigger_rule: unknown; retries: unknown }[];
  }[];
}

export interface ScheduleJson {
  readonly timetable?: string;
  readonly due: readonly ScheduledRunJson[];
  readonly next: ScheduledRunJson | null;
  readonly error?: string;
}

export interface RenderJson {
  readonly run_id: string;
  readonly tasks: readonly { task_id: string; fields: Record<string, unknown>; errors: readonly { field: string; message: string }[]; unsupported: Record<string, string> }[];
}

interface RunTask {
  readonly task_id: string;
  readonly state: string;
  readonly try_number: number;
  readonly xcom: Readonly<Record<string, unknown>>;
  readonly map_index?: number;
  readonly mapped?: readonly RunTask[];
}

export interface RunJson {
  readonly runs: readonly { state: string; tasks: readonly RunTask[] }[];
  readonly alerts: readonly { kind: string; conn_id: string | null; text: string }[];
}

/** Preflight's answers for one DAG; a string is the CLI's failure (its stderr). */
export interface PreflightDag {
  readonly schedule: ScheduleJson | string;
  readonly render?: RenderJson | string;
  readonly run?: RunJson | string;
  /** The callback records the run's callbacks appended to $FIDELITY_CALLBACK_LOG. */
  readonly callbacks?: readonly Record<string, unknown>[];
}

function result(category: Category, id: string, airflow: unknown, preflight: unknown): CaseResult {
  const agree = isDeepStrictEqual(airflow, preflight);
  return agree ? { category, id, agree } : { category, id, agree, airflow, preflight };
}

// --- structure ------------------------------------------------------------------------------------

/**
 * The DAG ids of the file, each DAG's task ids in definition order, and per task its operator,
 * upstream ids, effective `retries`, `trigger_rule` and `start_date`. Preflight reports the DAG's
 * start date; a task without its own has exactly that one in Airflow (§1.1).
 */
export function checkStructure(file: string, oracle: OracleFile, inspect: InspectJson | string): CaseResult[] {
  if (typeof inspect === 'string') return [result('structure', `${file} dags`, oracle.dags.map((d) => d.dag_id), inspect)];
  const cases = [result('structure', `${file} dags`, oracle.dags.map((d) => d.dag_id), [...inspect.dags].map((d) => d.dag_id).sort())];
  for (const dag of oracle.dags) {
    const ours = inspect.dags.find((d) => d.dag_id === dag.dag_id);
    cases.push(result('structure', `${file} ${dag.dag_id} task ids`, dag.tasks.map((t) => t.task_id), ours?.tasks.map((t) => t.task_id)));
    for (const task of dag.tasks) {
      const mine = ours?.tasks.find((t) => t.task_id === task.task_id);
      const theirs = { operator: task.operator, upstream: task.upstream, retries: task.retries, trigger_rule: task.trigger_rule, start_date: task.start_date };
      const preflight = mine && { operator: mine.operator, upstream: [...mine.upstream].sort(), retries: mine.retries, trigger_rule: mine.trigger_rule, start_date: ours!.start_date };
      cases.push(result('structure', `${file} ${dag.dag_id} ${task.task_id}`, theirs, preflight));
    }
  }
  return cases;
}

// --- schedule -------------------------------------------------------------------------------------

const runFields = (run: ScheduledRunJson | null) =>
  run && { run_id: run.run_id, logical_date: run.logical_date, data_interval_start: run.data_interval_start, data_interval_end: run.data_interval_end, run_after: run.run_after };

/** The runs due by the file's "now", the next one, and the error the scheduler hits if any: one case per DAG. */
export function checkSchedule(file: string, dag: OracleDag, ours: ScheduleJson | string): CaseResult[] {
  const theirs = { due: dag.schedule.due.map(runFields), next: runFields(dag.schedule.next), error: dag.schedule.error };
  const preflight = typeof ours === 'string' ? ours : { due: ours.due.map(runFields), next: runFields(ours.next), error: ours.error ?? null };
  return [result('schedule', `${file} ${dag.dag_id} runs`, theirs, preflight)];
}

// --- templates ------------------------------------------------------------------------------------

/**
 * Every templated field of every task for the file's logical date: the rendered value, or that
 * rendering fails. TaskFlow's `op_args`/`op_kwargs` hold XComArgs that only a run resolves (the
 * render oracle has no XCom to read), and `@task.bash`'s command is what its function returns when
 * it runs, so those are compared through the run's XComs instead.
 */
export function checkTemplates(file: string, dag: OracleDag, ours: RenderJson | string): CaseResult[] {
  const render = dag.render;
  if (!render) return [];
  if (render.error !== null || typeof ours === 'string') {
    return [result('templates', `${file} ${dag.dag_id} render`, render.error === null ? 'renders' : 'fails', typeof ours === 'string' ? 'fails' : 'renders')];
  }
  const cases: CaseResult[] = [result('templates', `${file} ${dag.dag_id} run_id`, render.run_id, ours.run_id)];
  const operators = new Map(dag.tasks.map((t) => [t.task_id, t.operator]));
  for (const task of render.tasks) {
    if (operators.get(task.task_id) === '@task.bash') continue;
    const mine = ours.tasks.find((t) => t.task_id === task.task_id);
    const taskflow = operators.get(task.task_id)?.startsWith('@') ?? false;
    const fields = [...new Set([...Object.keys(task.fields), ...Object.keys(task.errors), ...Object.keys(mine?.fields ?? {}), ...(mine?.errors ?? []).map((e) => e.field), ...Object.keys(mine?.unsupported ?? {})])];
    for (const field of fields) {
      if (taskflow && (field === 'op_args' || field === 'op_kwargs')) continue;
      const theirs = field in task.errors ? { fails: true } : { value: task.fields[field] };
      const error = mine?.errors.find((e) => e.field === field);
      const preflight = !mine ? undefined
        : error ? { fails: true }
          : field in mine.unsupported ? { unsupported: mine.unsupported[field] }
            : { value: mine.fields[field] };
      cases.push(result('templates', `${file} ${dag.dag_id} ${task.task_id}.${field}`, theirs, preflight));
    }
  }
  return cases;
}

// --- states, XCom, callbacks ------------------------------------------------------------------------

/** Every task instance of a run, mapped ones by index, keyed as `task_id` or `task_id[i]`. */
function instances(tasks: readonly RunTask[]): Map<string, RunTask> {
  const all = new Map<string, RunTask>();
  for (const task of tasks) {
    if (task.mapped && task.mapped.length > 0) for (const child of task.mapped) all.set(`${task.task_id}[${child.map_index}]`, child);
    else all.set(task.task_id, task);
  }
  return all;
}

const instanceKey = (t: { task_id: string; map_index: number }) => (t.map_index >= 0 ? `${t.task_id}[${t.map_index}]` : t.task_id);

/**
 * The run's state and each task instance's final state and try number (`dag.test()` against
 * `preflight run --date`). A mapped task that expanded to nothing has one instance at index -1 in
 * Airflow and none in Preflight's list; it is compared as the task itself.
 */
export function checkStates(file: string, dag: OracleDag, ours: RunJson | string): CaseResult[] {
  const run = dag.run;
  if (!run) return [];
  const mine = typeof ours === 'string' ? undefined : ours.runs[0];
  const cases = [result('states', `${file} ${dag.dag_id} run state`, run.error ?? run.state, mine?.state ?? ours)];
  const byKey = mine ? instances(mine.tasks) : new Map<string, RunTask>();
  for (const ti of run.tasks) {
    const key = instanceKey(ti);
    const preflight = byKey.get(key) ?? (ti.map_index < 0 ? mine?.tasks.find((t) => t.task_id === ti.task_id) : undefined);
    cases.push(result('states', `${file} ${dag.dag_id} ${key}`, { state: ti.state, try_number: ti.try_number }, preflight && { state: preflight.state, try_number: preflight.try_number }));
  }
  return cases;
}

/**
 * A task's XComs with the lists under `skipmixin_key` sorted: Airflow builds them from sets of task
 * ids, so their order changes from one process to the next.
 */
function withSortedSkipLists(xcom: Record<string, unknown>): Record<string, unknown> {
  const skip = xcom.skipmixin_key;
  if (!skip || typeof skip !== 'object' || Array.isArray(skip)) return xcom;
  const sorted = Object.fromEntries(Object.entries(skip).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));
  return { ...xcom, skipmixin_key: sorted };
}

/**
 * What each task left in XCom at the end of the run, by key; a mapped task's values under a key
 * are listed by map index, as Airflow's lazy sequence of them reads.
 */
export function checkXCom(file: string, dag: OracleDag, ours: RunJson | string): CaseResult[] {
  const run = dag.run;
  if (!run) return [];
  const mine = typeof ours === 'string' ? undefined : ours.runs[0];
  const preflightXCom = (taskId: string): Record<string, unknown> | undefined => {
    const task = mine?.tasks.find((t) => t.task_id === taskId);
    if (!task) return undefined;
    if (!task.mapped || task.mapped.length === 0) return { ...task.xcom };
    const values: Record<string, unknown[]> = {};
    for (const child of [...task.mapped].sort((a, b) => (a.map_index ?? 0) - (b.map_index ?? 0))) {
      for (const [key, value] of Object.entries(child.xcom)) (values[key] ??= []).push(value);
    }
    return values;
  };
  return dag.tasks.map((task) => {
    const xcom = mine && preflightXCom(task.task_id);
    return result('xcom', `${file} ${dag.dag_id} ${task.task_id}`, withSortedSkipLists({ ...run.xcom[task.task_id] }), mine ? xcom && withSortedSkipLists(xcom) : ours);
  });
}

const canonical = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v, Object.keys(v as object).sort())).sort();

/** Which task and DAG callbacks fired (with the try or reason they got) and the Slack messages posted: one case per run. */
export function checkCallbacks(file: string, dag: OracleDag, ours: PreflightDag): CaseResult[] {
  const run = dag.run;
  if (!run) return [];
  const alerts = typeof ours.run === 'string' || !ours.run ? ours.run : ours.run.alerts.filter((a) => a.kind === 'slack').map((a) => ({ conn_id: a.conn_id, text: a.text }));
  return [
    result('callbacks', `${file} ${dag.dag_id} callbacks`, canonical(run.callbacks), canonical(ours.callbacks ?? [])),
    result('callbacks', `${file} ${dag.dag_id} slack`, canonical(run.slack), Array.isArray(alerts) ? canonical(alerts) : alerts),
  ];
}
