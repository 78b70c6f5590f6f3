// A DAG as the simulator runs it, built from the static model of the file: what a dry run uses when
// no Python may run (an untrusted workspace, no interpreter). Each task gets the values Airflow
// would give it — its own argument, else default_args, else Airflow's default (§6.1).
import type { Catalog } from '../airflow/catalog';
import type { AirflowVersion } from '../airflow/version';
import { effectiveArgument } from '../dag/effective';
import { argument, type DagModel, type TaskModel } from '../dag/model';
import type { LineIndex } from '../python/lines';
import type { PyValue } from '../python/values';
import { toEpochMs } from '../time/zones';
import { triggerRuleFor } from './triggerRules';
import type { CallbackName, DagCallbackName, SimDag, SimTask, TaskKind } from './types';

const TASK_CALLBACKS: readonly CallbackName[] = ['on_execute_callback', 'on_success_callback', 'on_failure_callback', 'on_retry_callback', 'on_skipped_callback'];
const DAG_CALLBACKS: readonly DagCallbackName[] = ['on_success_callback', 'on_failure_callback'];

/** The kind of execution an operator class or TaskFlow decorator needs, from its name and bases. */
export function taskKind(operator: string, bases: readonly string[]): TaskKind {
  const names = [operator, ...bases];
  if (operator === '@task.bash' || names.includes('BashOperator')) return 'bash';
  if (operator === '@task.branch' || names.some((n) => n === 'BaseBranchOperator' || n === 'BranchPythonOperator' || n === 'BranchMixIn')) return 'branch';
  if (operator === '@task.short_circuit' || names.includes('ShortCircuitOperator')) return 'short_circuit';
  if (names.includes('EmptyOperator') || operator === 'DummyOperator') return 'empty';
  if (operator === '@task' || operator === '@task.python' || names.includes('PythonOperator')) return 'python';
  return 'mock';
}

function plain(value: PyValue | undefined): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case 'str': case 'num': case 'bool': return value.value;
    case 'none': return null;
    case 'list': return value.items.map(plain);
    case 'dict': return Object.fromEntries([...value.entries].map(([k, e]) => [k, plain(e.value)]));
    case 'task': return { __xcomarg__: { task_id: value.taskId, key: 'return_value' } };
    default: return undefined;
  }
}

function seconds(value: PyValue | undefined): number | undefined {
  if (value?.kind === 'timedelta') return value.seconds;
  if (value?.kind === 'num') return value.value;
  return undefined;
}

function bool(value: PyValue | undefined, fallback: boolean): boolean {
  return value?.kind === 'bool' ? value.value : fallback;
}

function int(value: PyValue | undefined, fallback: number): number {
  return value?.kind === 'num' ? value.value : fallback;
}

/** `skip_on_exit_code`: an int, a list of ints, or None (never skip); 99 when not given. */
function bashOptions(skip: PyValue | undefined, appendEnv: PyValue | undefined): NonNullable<SimTask['bashOptions']> {
  const codes = skip === undefined ? [99] : skip.kind === 'num' ? [skip.value] : skip.kind === 'list' ? skip.items.flatMap((i) => (i.kind === 'num' ? [i.value] : [])) : [];
  return { skipOnExitCodes: codes, appendEnv: bool(appendEnv, false) };
}

/** The templated fields of a task with the values the file gives them; values only Python knows are left out. */
function templateFields(task: TaskModel, fields: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    let value: unknown;
    if (task.kind === 'taskflow' && field === 'op_args') value = task.callArguments?.positional.map(plain);
    else if (task.kind === 'taskflow' && field === 'op_kwargs') value = task.callArguments ? Object.fromEntries(task.callArguments.keywords.map(([k, v]) => [k, plain(v)])) : undefined;
    else value = plain(argument(task, field)?.value);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

/** `lines` gives the tasks' 1-based lines for editors and test reports. */
export function simDagFromModel(dag: DagModel, airflow: AirflowVersion, catalog: Catalog, lines?: LineIndex): SimDag {
  const lineOf = (offset: number) => (lines ? lines.position(offset).line + 1 : undefined);
  const tasks: SimTask[] = dag.tasks.map((task) => {
    const effective = (name: string) => effectiveArgument(dag, task, name, catalog)?.value;
    const info = catalog.operators[task.operator];
    const isTaskFlow = task.kind === 'taskflow';
    const fields = isTaskFlow ? (task.operator === '@task.bash' ? [] : ['templates_dict', 'op_args', 'op_kwargs']) : (info?.templateFields ?? []);
    const written = effective('trigger_rule');
    const start = effective('start_date');
    const retryDelay = seconds(effective('retry_delay'));
    const maxRetryDelay = seconds(effective('max_retry_delay'));
    const timeout = seconds(effective('execution_timeout'));
    const email = effective('email');
    const params = plain(argument(task, 'params')?.value);
    return {
      taskId: task.taskId,
      operator: task.operator,
      kind: taskKind(task.operator, info?.bases ?? []),
      upstream: task.upstream,
      downstream: task.downstream,
      triggerRule: (written?.kind === 'str' && triggerRuleFor(written.value, airflow)) || 'all_success',
      retries: int(effective('retries'), 0),
      retryDelayMs: (retryDelay ?? 300) * 1000,
      retryExponentialBackoff: bool(effective('retry_exponential_backoff'), false),
      ...(maxRetryDelay !== undefined ? { maxRetryDelayMs: maxRetryDelay * 1000 } : {}),
      dependsOnPast: bool(effective('depends_on_past'), false) || bool(effective('wait_for_downstream'), false),
      waitForDownstream: bool(effective('wait_for_downstream'), false),
      ignoreFirstDependsOnPast: bool(effective('ignore_first_depends_on_past'), true),
      ...(timeout !== undefined ? { executionTimeoutMs: timeout * 1000 } : {}),
      doXcomPush: bool(effective('do_xcom_push'), true),
      multipleOutputs: bool(effective('multiple_outputs'), false),
      ignoreDownstreamTriggerRules: bool(effective('ignore_downstream_trigger_rules'), true),
      ...(start?.kind === 'datetime' && toEpochMs(start) !== undefined ? { startDate: toEpochMs(start) } : {}),
      ...(effective('owner')?.kind === 'str' ? { owner: (effective('owner') as { value: string }).value } : {}),
      ...(email?.kind === 'str' ? { email: [email.value] } : email?.kind === 'list' ? { email: email.items.flatMap((i) => (i.kind === 'str' ? [i.value] : [])) } : {}),
      callbacks: TASK_CALLBACKS.filter((name) => {
        const value = effective(name);
        return value !== undefined && value.kind !== 'none' && !(value.kind === 'list' && value.items.length === 0);
      }),
      ...(params && typeof params === 'object' && !Array.isArray(params) ? { params: params as Record<string, unknown> } : {}),
      templateFields: templateFields(task, fields),
      templateExt: isTaskFlow ? [] : (info?.templateExt ?? []),
      ...(taskKind(task.operator, info?.bases ?? []) === 'bash' ? { bashOptions: bashOptions(effective('skip_on_exit_code') ?? effective('skip_exit_code'), effective('append_env')) } : {}),
      ...(task.group !== undefined ? { group: task.group } : {}),
      ...(lineOf(task.range.from) !== undefined ? { line: lineOf(task.range.from) } : {}),
    };
  });
  const ids = new Set(tasks.map((t) => t.taskId));
  const groupRoots: Record<string, string[]> = {};
  for (const group of dag.groups) {
    const members = dag.tasks.filter((t) => t.group === group.groupId || t.group?.startsWith(`${group.groupId}.`));
    const memberIds = new Set(members.map((t) => t.taskId));
    groupRoots[group.groupId] = members.filter((t) => !t.upstream.some((u) => memberIds.has(u))).map((t) => t.taskId).filter((id) => ids.has(id));
  }
  const dagArg = (name: string) => argument(dag, name)?.value;
  const catchupDefault = airflow === 2;
  const paramsValue = plain(dagArg('params'));
  const startDate = dagArg('start_date') ?? dag.defaultArgs.get('start_date')?.value;
  return {
    dagId: dag.dagId,
    ...(lineOf(dag.selectionRange.from) !== undefined ? { fileLine: lineOf(dag.selectionRange.from) } : {}),
    tasks,
    callbacks: DAG_CALLBACKS.filter((name) => dagArg(name) !== undefined && dagArg(name)!.kind !== 'none'),
    maxActiveRuns: int(dagArg('max_active_runs'), 16),
    maxActiveTasks: int(dagArg('max_active_tasks') ?? dagArg('concurrency'), 16),
    catchup: bool(dagArg('catchup'), catchupDefault),
    params: paramsValue && typeof paramsValue === 'object' && !Array.isArray(paramsValue) ? (paramsValue as Record<string, unknown>) : {},
    ...(typeof plain(dag.defaultArgs.get('owner')?.value) === 'string' ? { owner: plain(dag.defaultArgs.get('owner')?.value) as string } : {}),
    timezone: startDate?.kind === 'datetime' && startDate.tz ? startDate.tz : 'UTC',
    nativeRendering: bool(dagArg('render_template_as_native_obj'), false),
    groupRoots,
  };
}
