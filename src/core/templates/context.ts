// The template context Airflow gives a task (shared/airflow-semantics.md §2.1 for 2.10, §2.2 for
// 3.x), for one DAG run. Datetimes are UTC, as in Airflow. The objects in it (dag, dag_run, task,
// ti, conf, the Variable and Connection accessors) print as Airflow prints them and have the
// attributes Airflow's objects have (the catalogue's contextObjects): an attribute the preview does
// not model fails with a clear error, and a name the object does not have is undefined.
//
// A context is built in two parts: what every task of the run shares (the dates and their strings,
// the DAG, the macros), once per run, and each task's own part (task, ti, params, dag_run...),
// which is cheap. The shared part only holds values no template can change, so that one task's
// templates never change what another task's see: in Airflow each task runs in a process of its own.
import { catalogFor } from '../airflow/catalog';
import type { AirflowVersion } from '../airflow/version';
import type { XComPullRequest } from '../sim/types';
import type { Connection } from './connections';
import { GET_ATTRIBUTE, UndefinedError, type DynamicAttributes } from './environment';
import { airflowMacros, runClock, type RunClock } from './macros';
import { copyPlain, dictKeys, keywordArguments, PyDateTime, PyInstance, pyJsonDumps, pyJsonLoads, pyRepr, pyStr, PyUUID, strptime } from './pyobjects';
import { xcomPullRequest } from './xcom';

export interface TemplateRun {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly logicalDate: number;
  readonly dataIntervalStart: number;
  readonly dataIntervalEnd: number;
  /** Airflow 3's `dag_run.run_after`: when the run may start; its logical date when not given. */
  readonly runAfter?: number;
  /** 2.10's prev_ds/next_ds: the timetable's previous and next logical dates (null when it has none). */
  readonly previousLogicalDate?: number | null;
  readonly nextLogicalDate?: number | null;
  readonly conf?: Readonly<Record<string, unknown>>;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Airflow Variables from local sources (environment, .preflight/variables.json). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Airflow Connections from local sources (environment, .preflight/connections.json). */
  readonly connections?: Readonly<Record<string, Connection>>;
  /** The current time, for `macros.datetime.now()`: the core never reads the clock itself. */
  readonly now: number;
  /** The DAG's time zone (`dag.timezone`), from its start date. */
  readonly dagZone?: string;
  /** Answers `ti.xcom_pull(...)`: the simulator's XCom store, or values pinned for a preview. */
  readonly xcomPull?: (request: XComPullRequest) => unknown;
  /** The task's class as Airflow names it (`task.task_type`): `BashOperator`, `_PythonDecoratedOperator`. */
  readonly taskType?: string;
  /**
   * The task's arguments that `task` and `ti` show (`owner`, `retries`, `queue`, `pool`), where the
   * file gives them; the others are attributes the preview does not know.
   */
  readonly taskArguments?: Readonly<Record<string, unknown>>;
}

/** What `taskContext` reads of a task: the task's own fields of a TemplateRun. */
export type TemplateTask = Pick<TemplateRun, 'taskId' | 'params' | 'xcomPull' | 'taskType' | 'taskArguments'>;

const DAY_MS = 86_400_000;

/** The configuration values templates read through `conf.get(section, key)`, as a fresh Airflow 2.10 has them. */
const AIRFLOW_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'core.default_timezone': 'utc',
  'core.executor': 'SequentialExecutor',
  'core.max_active_runs_per_dag': '16',
  'core.max_active_tasks_per_dag': '16',
  'webserver.base_url': 'http://localhost:8080',
};

/**
 * Values Airflow 3 prints inside `{{ ti }}` that differ from one run to the next: the task
 * instance's and the DAG version's ids (UUID v7) and the OpenTelemetry trace context. The preview
 * prints fixed ones (the nil UUID, an all-zero trace id, as the render oracle writes them) and does
 * not let templates read them as attributes.
 */
const NIL_UUID = new PyUUID('00000000-0000-0000-0000-000000000000');
const ZERO_TRACE_CONTEXT = { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-00` };

/** The member names of Airflow 3's DagRunType, by value. */
const DAG_RUN_TYPE_NAMES: Readonly<Record<string, string>> = { backfill: 'BACKFILL_JOB', asset_triggered: 'ASSET_TRIGGERED' };

/** TaskFlow's operator classes whose attributes are those of the classic operator they extend. */
const DECORATED_OPERATOR_BASES: Readonly<Record<string, string>> = {
  _PythonDecoratedOperator: 'PythonOperator',
  _BranchPythonDecoratedOperator: 'BranchPythonOperator',
  _ShortCircuitDecoratedOperator: 'ShortCircuitOperator',
};

/** `macros.ds_add("2015-01-01", 5)` → `"2015-01-06"`; 0 days returns the input unchanged. */
function dsAdd(ds: string, days: number): string {
  if (!days) return ds;
  const [y, m, d] = ds.split('-').map(Number);
  return new PyDateTime(Date.UTC(y, m - 1, d) + days * DAY_MS).strftime('%Y-%m-%d');
}

/** `macros.ds_format(ds, input_format, output_format)`: strptime, then strftime. */
function dsFormat(ds: string, inputFormat: string, outputFormat: string): string {
  return strptime(ds, inputFormat).strftime(outputFormat);
}

/**
 * What `ti.xcom_pull(...)` gives before any task has run: a placeholder that names the XCom, and
 * stays one through attribute and item access, so the rest of the template still renders.
 */
class XComPlaceholder implements DynamicAttributes {
  constructor(private readonly description: string) {}

  [GET_ATTRIBUTE](name: string): unknown {
    return new XComPlaceholder(`${this.description}[${JSON.stringify(name)}]`);
  }

  toString(): string {
    return `<${this.description}>`;
  }
}

function placeholderPull(request: XComPullRequest): XComPlaceholder {
  const taskIds = request.task_ids;
  return new XComPlaceholder(`XCom ${Array.isArray(taskIds) ? taskIds.join(',') : String(taskIds ?? 'this task')}.${String(request.key ?? 'return_value')}`);
}

// -------------------------------------------------------------------------------------------
// Printing as Airflow's classes print.

/** An enum member's repr: `<TaskInstanceState.RUNNING: 'running'>`. */
function enumRepr(enumName: string, member: string, value: string): string {
  return `<${enumName}.${member}: ${pyRepr(value)}>`;
}

/** The repr of an aware stdlib datetime, as Airflow 3's models hold `start_date`: `datetime.datetime(2024, 1, 1, 1, 30, tzinfo=Timezone('UTC'))`. */
function datetimeRepr(value: PyDateTime): string {
  const fields = [value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond];
  while (fields.length > 5 && fields[fields.length - 1] === 0) fields.pop();
  return `datetime.datetime(${fields.join(', ')}, tzinfo=Timezone('${value.zone}'))`;
}

/** How a pydantic model prints: `str()` is `name=repr name=repr`, `repr()` is `Class(name=repr, name=repr)`. */
function pydanticPrinting(className: string, fields: () => readonly (readonly [string, string])[]): { str: () => string; repr: () => string } {
  const pairs = () => fields().map(([name, value]) => `${name}=${value}`);
  return { str: () => pairs().join(' '), repr: () => `${className}(${pairs().join(', ')})` };
}

// -------------------------------------------------------------------------------------------
// What Airflow's objects have, from the catalogue.

/** The attribute names of Airflow's objects, by version, context key and task class: built once each. */
const attributeSets = new Map<string, ReadonlySet<string>>();

/** The attribute names Airflow's object for context key `key` has (`task`: of an operator of class `taskType`). */
function airflowAttributes(airflow: AirflowVersion, key: string, taskType?: string): ReadonlySet<string> {
  const id = `${airflow} ${key} ${taskType ?? ''}`;
  let names = attributeSets.get(id);
  if (!names) {
    const catalog = catalogFor(airflow);
    const all = [...(catalog.contextObjects[key] ?? [])];
    if (taskType) {
      const operator = catalog.operators[DECORATED_OPERATOR_BASES[taskType] ?? taskType];
      if (operator) all.push(...operator.attributes, ...Object.keys(operator.params), ...operator.templateFields);
      if (taskType in DECORATED_OPERATOR_BASES) all.push(...Object.keys(catalog.taskDecorators.task ?? {}));
    }
    names = new Set(all);
    attributeSets.set(id, names);
  }
  return names;
}

// -------------------------------------------------------------------------------------------
// Variables and Connections.

/** A Variable's or Connection's entry by name: only the table's own, so `constructor` is no Variable. */
function ownEntry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

/** Airflow 3's `NOTSET`: what `var.value.get(name)` gives for a missing Variable when no default is passed. */
const NOTSET = new PyInstance('ArgNotSet', {}, { str: () => 'NOTSET' });

/** A Connection as the template reads it: its fields, printed as the version prints a Connection. */
function connectionObject(connection: Connection, airflow: AirflowVersion): PyInstance {
  // The URI and JSON forms keep `extra` as JSON text; extra_dejson is its parse, a fresh dict each time.
  const extra = dictKeys(connection.extra_dejson).length > 0 ? pyJsonDumps(connection.extra_dejson) : null;
  const fields = {
    conn_id: connection.conn_id,
    conn_type: connection.conn_type,
    description: connection.description ?? null,
    host: connection.host,
    schema: connection.schema,
    login: connection.login,
    password: connection.password,
    port: connection.port,
    extra,
  };
  const attributes = { ...fields, extra_dejson: copyPlain(connection.extra_dejson) };
  // 2.10's Connection prints its id; Airflow 3's is an attrs class with the generated repr.
  const printed = airflow === 2
    ? { str: () => connection.conn_id }
    : { str: () => `Connection(${Object.entries(fields).map(([name, value]) => `${name}=${pyRepr(value)}`).join(', ')})` };
  return new PyInstance('Connection', attributes, printed, airflowAttributes(airflow, 'connection'));
}

/**
 * `conn.ID.host`, `conn.get('ID')`: reading a connection Airflow does not know fails the task,
 * `get` gives its default (None) instead. 2.10's accessor prints the connection it read last.
 */
class ConnectionAccessor implements DynamicAttributes {
  private last: unknown = null;

  constructor(private readonly connections: Readonly<Record<string, Connection>>, private readonly airflow: AirflowVersion) {}

  [GET_ATTRIBUTE](name: string): unknown {
    if (name === 'get') {
      return (...args: unknown[]) => {
        const keywords = keywordArguments(args);
        const [id, fallback = keywords.default_conn ?? null] = args.filter((a) => a !== keywords);
        const connection = ownEntry(this.connections, String(id));
        return connection ? connectionObject(connection, this.airflow) : fallback;
      };
    }
    const connection = ownEntry(this.connections, name);
    if (!connection) throw new UndefinedError(`AirflowNotFoundException: The conn_id \`${name}\` isn't defined`);
    this.last = connectionObject(connection, this.airflow);
    return this.last;
  }

  /** 2.10's `__repr__` is `str(self.var)`: inside a dict too, the connection prints as its id. */
  repr(): string {
    return this.toString();
  }

  toString(): string {
    return this.airflow === 2 ? pyStr(this.last) : '<ConnectionAccessor (dynamic access)>';
  }
}

/**
 * `var.value.NAME`, `var.json.NAME`, `var.value.get(NAME, default)`: a missing Variable is a
 * KeyError, except through `get`, which gives the default (2.10 without one fails, Airflow 3 gives
 * its NOTSET). `var.json` parses as Python's json does (`1.0` stays a float). 2.10's accessor
 * prints the value it read last by attribute, Airflow 3's prints itself.
 */
class VariableAccessor implements DynamicAttributes {
  private last: unknown = null;

  constructor(private readonly variables: Readonly<Record<string, string>>, private readonly json: boolean, private readonly airflow: AirflowVersion) {}

  private read(name: string): unknown {
    const raw = this.variables[name];
    return this.json ? pyJsonLoads(raw) : raw;
  }

  /** Environment variables name Variables in any case (AIRFLOW_VAR_FOO is `foo` and `FOO`). */
  private key(name: string): string | undefined {
    if (ownEntry(this.variables, name) !== undefined) return name;
    return ownEntry(this.variables, name.toLowerCase()) !== undefined ? name.toLowerCase() : undefined;
  }

  private missing(name: string): never {
    throw new UndefinedError(`KeyError: Variable ${name} does not exist`);
  }

  [GET_ATTRIBUTE](name: string): unknown {
    if (name === 'get') {
      return (...args: unknown[]) => {
        const keywords = keywordArguments(args);
        const positional = args.filter((a) => a !== keywords);
        const name = String(positional[0]);
        const key = this.key(name);
        if (key !== undefined) return this.read(key);
        if (positional.length > 1) return positional[1];
        if ('default' in keywords) return keywords.default;
        return this.airflow === 2 ? this.missing(name) : NOTSET;
      };
    }
    const key = this.key(name);
    if (key === undefined) this.missing(name);
    this.last = this.read(key);
    return this.last;
  }

  /** 2.10's `__repr__` is `str(self.var)`, so a dict prints the value unquoted too. */
  repr(): string {
    return this.toString();
  }

  toString(): string {
    return this.airflow === 2 ? pyStr(this.last) : '<VariableAccessor (dynamic access)>';
  }
}

// -------------------------------------------------------------------------------------------
// The context.

/** The part of a context that every task of a run shares, built once per run by `runContext`. */
export interface RunContext {
  readonly airflow: AirflowVersion;
  readonly run: TemplateRun;
  readonly logicalDate: PyDateTime;
  /** The run's `now`, read through this so that renderings that read it are known. */
  readonly clock: RunClock;
  readonly dag: PyInstance;
  /** The context keys whose values no template can change. */
  readonly shared: Readonly<Record<string, unknown>>;
}

/** What every task of the run shares; reads the run's fields of `run`, not the task's. */
export function runContext(run: TemplateRun, airflow: AirflowVersion): RunContext {
  const logical = new PyDateTime(run.logicalDate);
  const ds = logical.strftime('%Y-%m-%d');
  const dsNodash = logical.strftime('%Y%m%d');
  const ts = logical.isoformat();
  const zone = run.dagZone ?? 'UTC';
  const clock = runClock(run.now);
  const timezone = new PyInstance('Timezone', { name: zone }, { str: () => zone, repr: () => `Timezone('${zone}')` });
  const dag = new PyInstance('DAG', { dag_id: run.dagId, timezone }, { str: () => `<DAG: ${run.dagId}>` }, airflowAttributes(airflow, 'dag'));
  const shared: Record<string, unknown> = {
    ds,
    ds_nodash: dsNodash,
    ts,
    ts_nodash: logical.strftime('%Y%m%dT%H%M%S'),
    ts_nodash_with_tz: ts.replace(/[-:]/g, ''),
    logical_date: logical,
    data_interval_start: new PyDateTime(run.dataIntervalStart),
    data_interval_end: new PyDateTime(run.dataIntervalEnd),
    prev_data_interval_start_success: null,
    prev_data_interval_end_success: null,
    prev_start_date_success: null,
    prev_end_date_success: null,
    run_id: run.runId,
    dag,
    macros: airflowMacros(airflow, clock, { ds_format: dsFormat }),
    map_index_template: null,
  };
  if (airflow === 2) {
    const tick = (epoch: number | null | undefined) => (epoch === null || epoch === undefined ? null : new PyDateTime(epoch));
    const prev = tick(run.previousLogicalDate);
    const next = tick(run.nextLogicalDate);
    // Airflow's configuration; Airflow 3 removed it from the context. Defaults of a fresh install.
    // Python prints the object with its address, which no one can reproduce: the preview leaves it out.
    const config = new PyInstance('AirflowConfigParser', {
      get: (section: string, key: string, fallback?: unknown) => AIRFLOW_CONFIG_DEFAULTS[`${section}.${key}`] ?? fallback ?? null,
    }, { str: () => '<airflow.configuration.AirflowConfigParser object>' }, airflowAttributes(airflow, 'conf'));
    Object.assign(shared, {
      execution_date: logical,
      prev_ds: prev?.strftime('%Y-%m-%d') ?? null,
      prev_ds_nodash: prev?.strftime('%Y%m%d') ?? null,
      prev_execution_date: prev,
      prev_execution_date_success: null,
      next_ds: next?.strftime('%Y-%m-%d') ?? null,
      next_ds_nodash: next?.strftime('%Y%m%d') ?? null,
      next_execution_date: next,
      yesterday_ds: dsAdd(ds, -1),
      yesterday_ds_nodash: dsAdd(ds, -1).replace(/-/g, ''),
      tomorrow_ds: dsAdd(ds, 1),
      tomorrow_ds_nodash: dsAdd(ds, 1).replace(/-/g, ''),
      test_mode: false,
      expanded_ti_count: null,
      conf: config,
    });
  }
  return { airflow, run, logicalDate: logical, clock, dag, shared };
}

/** Attributes that read the run's clock (`start_date`): their values are made, and counted, when read. */
function withClockAttributes(attributes: Record<string, unknown>, names: readonly string[], clock: RunClock): Record<string, unknown> {
  for (const name of names) Object.defineProperty(attributes, name, { get: () => new PyDateTime(clock()), enumerable: true });
  return attributes;
}

/**
 * The DAG run as the worker has it while it renders: running, queued and started at `now` (a real
 * run's times are the scheduler's; the preview has no other clock). 2.10's DagRun row, Airflow 3's
 * execution API model.
 */
function dagRunObject({ airflow, run, logicalDate, clock, shared }: RunContext): PyInstance {
  const runType = run.runId.split('__')[0];
  const conf = copyPlain(run.conf ?? {});
  const common = {
    dag_id: run.dagId,
    run_id: run.runId,
    run_type: runType,
    state: 'running',
    conf,
    logical_date: logicalDate,
    data_interval_start: shared.data_interval_start,
    data_interval_end: shared.data_interval_end,
  };
  if (airflow === 2) {
    const external = runType === 'manual';
    const attributes = withClockAttributes({ ...common, execution_date: logicalDate, external_trigger: external }, ['queued_at', 'start_date'], clock);
    return new PyInstance('DagRun', attributes, {
      str: () => `<DagRun ${run.dagId} @ ${logicalDate}: ${run.runId}, state:running, queued_at: ${new PyDateTime(clock())}. externally triggered: ${pyStr(external)}>`,
    }, airflowAttributes(airflow, 'dag_run'));
  }
  const runAfter = new PyDateTime(run.runAfter ?? run.logicalDate);
  const attributes = withClockAttributes({
    ...common, run_after: runAfter, end_date: null, clear_number: 0, triggering_user_name: null, consumed_asset_events: [],
    partition_key: null, partition_date: null, note: null, team_name: null,
  }, ['start_date'], clock);
  const printing = pydanticPrinting('DagRun', () => [
    ['dag_id', pyRepr(run.dagId)], ['run_id', pyRepr(run.runId)], ['logical_date', logicalDate.repr()],
    ['data_interval_start', (shared.data_interval_start as PyDateTime).repr()], ['data_interval_end', (shared.data_interval_end as PyDateTime).repr()],
    ['run_after', runAfter.repr()], ['start_date', datetimeRepr(new PyDateTime(clock()))], ['end_date', 'None'], ['clear_number', '0'],
    ['run_type', enumRepr('DagRunType', DAG_RUN_TYPE_NAMES[runType] ?? runType.toUpperCase(), runType)],
    ['state', enumRepr('DagRunState', 'RUNNING', 'running')], ['conf', pyRepr(conf)], ['triggering_user_name', 'None'],
    ['consumed_asset_events', '[]'], ['partition_key', 'None'], ['partition_date', 'None'], ['note', 'None'], ['team_name', 'None'],
  ]);
  return new PyInstance('DagRun', attributes, printing, airflowAttributes(airflow, 'dag_run'));
}

/** The task: its id, class and the arguments the file gives it; printed `<Task(BashOperator): extract>`. */
function taskObject({ airflow, run, dag }: RunContext, task: TemplateTask, taskType: string): PyInstance {
  const own: Record<string, unknown> = { task_id: task.taskId, task_type: taskType, dag_id: run.dagId, dag };
  for (const name of ['owner', 'retries', 'queue', 'pool'] as const) {
    if (task.taskArguments && name in task.taskArguments) own[name] = task.taskArguments[name];
  }
  return new PyInstance(taskType, own, { str: () => `<Task(${taskType}): ${task.taskId}>` }, airflowAttributes(airflow, 'task', taskType));
}

/**
 * The task instance of this try as the worker has it while it renders: running, try 1, started at
 * `now`. What differs from one real run to the next is not an attribute here (see NIL_UUID); Airflow
 * 3 prints its worker's host name, which the preview prints empty, as `airflow tasks render` does.
 */
function taskInstanceObject({ airflow, run, clock }: RunContext, task: TemplateTask, taskType: string, taskObject: PyInstance): PyInstance {
  const argument = (name: string): unknown => {
    if (task.taskArguments && name in task.taskArguments) return task.taskArguments[name];
    throw new Error(`the task's ${name} is computed when the DAG file runs, so printing the task instance is not supported by the template preview`);
  };
  const attributes = withClockAttributes({
    task_id: task.taskId,
    dag_id: run.dagId,
    run_id: run.runId,
    try_number: 1,
    map_index: -1,
    state: 'running',
    task: taskObject,
    xcom_pull: (...args: unknown[]) => (task.xcomPull ?? placeholderPull)(xcomPullRequest(args)),
  }, ['start_date'], clock);
  for (const [attribute, name] of [['max_tries', 'retries'], ['queue', 'queue'], ...(airflow === 2 ? [['pool', 'pool']] : [])] as const) {
    if (task.taskArguments && name in task.taskArguments) attributes[attribute] = task.taskArguments[name];
  }
  if (airflow === 2) {
    attributes.operator = taskType;
    return new PyInstance('TaskInstance', attributes, { str: () => `<TaskInstance: ${run.dagId}.${task.taskId} ${run.runId} [running]>` }, airflowAttributes(airflow, 'task_instance'));
  }
  Object.assign(attributes, { end_date: null, is_mapped: null, rendered_map_index: null, sentry_integration: '' });
  const printing = pydanticPrinting('RuntimeTaskInstance', () => [
    ['id', NIL_UUID.repr()], ['task_id', pyRepr(task.taskId)], ['dag_id', pyRepr(run.dagId)], ['run_id', pyRepr(run.runId)], ['try_number', '1'],
    ['dag_version_id', NIL_UUID.repr()], ['map_index', '-1'], ['hostname', "''"], ['context_carrier', pyRepr(ZERO_TRACE_CONTEXT)],
    ['queue', pyRepr(argument('queue'))], ['task', pyStr(taskObject)], ['max_tries', pyRepr(argument('retries'))],
    ['start_date', datetimeRepr(new PyDateTime(clock()))], ['end_date', 'None'], ['state', enumRepr('TaskInstanceState', 'RUNNING', 'running')],
    ['is_mapped', 'None'], ['rendered_map_index', 'None'], ['sentry_integration', "''"],
  ]);
  return new PyInstance('RuntimeTaskInstance', attributes, printing, airflowAttributes(airflow, 'task_instance'));
}

/** A task's whole context: the run's shared part and the task's own. */
export function taskContext(context: RunContext, task: TemplateTask): Record<string, unknown> {
  const { airflow, run, shared } = context;
  const taskType = task.taskType ?? 'BaseOperator';
  const taskObj = taskObject(context, task, taskType);
  const ti = taskInstanceObject(context, task, taskType, taskObj);
  const variables = run.variables ?? {};
  return {
    ...shared,
    task: taskObj,
    dag_run: dagRunObject(context),
    ti,
    task_instance: ti,
    task_instance_key_str: `${run.dagId}__${task.taskId}__${shared.ds_nodash}`,
    params: { ...(task.params ?? {}) },
    var: { json: new VariableAccessor(variables, true, airflow), value: new VariableAccessor(variables, false, airflow) },
    conn: new ConnectionAccessor(run.connections ?? {}, airflow),
    inlets: [],
    outlets: [],
  };
}

/** The context of one task of a run. */
export function templateContext(run: TemplateRun, airflow: AirflowVersion): Record<string, unknown> {
  return taskContext(runContext(run, airflow), run);
}
