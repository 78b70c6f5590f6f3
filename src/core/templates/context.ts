// The template context Airflow gives a task (shared/airflow-semantics.md §2.1 for 2.10, §2.2 for
// 3.x), for one DAG run. Datetimes are UTC, as in Airflow.
import type { AirflowVersion } from '../airflow/version';
import { GET_ATTRIBUTE, UndefinedError, type DynamicAttributes } from './environment';
import type { Connection } from './connections';
import type { XComPullRequest } from '../sim/types';
import { xcomPullRequest } from './xcom';
import { airflowMacros } from './macros';
import { PyDateTime, strptime } from './pyobjects';

export interface TemplateRun {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly logicalDate: number;
  readonly dataIntervalStart: number;
  readonly dataIntervalEnd: number;
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
}

const DAY_MS = 86_400_000;

/** The configuration values templates read through `conf.get(section, key)`, as a fresh Airflow 2.10 has them. */
const AIRFLOW_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'core.default_timezone': 'utc',
  'core.executor': 'SequentialExecutor',
  'core.max_active_runs_per_dag': '16',
  'core.max_active_tasks_per_dag': '16',
  'webserver.base_url': 'http://localhost:8080',
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

/** `conn.ID.host`, `conn.get('ID')`: a connection Airflow does not know fails the task. */
class ConnectionAccessor implements DynamicAttributes {
  constructor(private readonly connections: Readonly<Record<string, Connection>>) {}

  [GET_ATTRIBUTE](name: string): unknown {
    if (name === 'get') return (id: string) => this.read(id);
    return this.read(name);
  }

  private read(id: string): Connection {
    const connection = this.connections[id];
    if (!connection) throw new UndefinedError(`AirflowNotFoundException: The conn_id \`${id}\` isn't defined`);
    return connection;
  }
}

/** `var.value.NAME`, `var.json.NAME`, `var.value.get(NAME, default)`: a missing Variable is a KeyError. */
class VariableAccessor implements DynamicAttributes {
  constructor(private readonly variables: Readonly<Record<string, string>>, private readonly json: boolean) {}

  private read(name: string): unknown {
    const raw = this.variables[name];
    return this.json ? JSON.parse(raw) : raw;
  }

  /** Environment variables name Variables in any case (AIRFLOW_VAR_FOO is `foo` and `FOO`). */
  private key(name: string): string | undefined {
    return name in this.variables ? name : name.toLowerCase() in this.variables ? name.toLowerCase() : undefined;
  }

  [GET_ATTRIBUTE](name: string): unknown {
    if (name === 'get') return (key: string, fallback: unknown = null) => (this.key(key) !== undefined ? this.read(this.key(key)!) : fallback);
    const key = this.key(name);
    if (key === undefined) throw new UndefinedError(`KeyError: Variable ${name} does not exist`);
    return this.read(key);
  }
}

export function templateContext(run: TemplateRun, airflow: AirflowVersion): Record<string, unknown> {
  const logical = new PyDateTime(run.logicalDate);
  const ds = logical.strftime('%Y-%m-%d');
  const dsNodash = logical.strftime('%Y%m%d');
  const dag = { dag_id: run.dagId, timezone: { name: run.dagZone ?? 'UTC' } };
  const task = { task_id: run.taskId };
  const dagRun = {
    dag_id: run.dagId,
    conf: run.conf ?? {},
    run_id: run.runId,
    run_type: run.runId.split('__')[0],
    logical_date: logical,
    data_interval_start: new PyDateTime(run.dataIntervalStart),
    data_interval_end: new PyDateTime(run.dataIntervalEnd),
    ...(airflow === 2 ? { execution_date: logical, external_trigger: false } : {}),
  };
  const ti = {
    task_id: run.taskId,
    dag_id: run.dagId,
    run_id: run.runId,
    try_number: 1,
    map_index: -1,
    xcom_pull: (...args: unknown[]) => (run.xcomPull ?? placeholderPull)(xcomPullRequest(args)),
  };
  const macros = airflowMacros(airflow, run.now, { ds_format: dsFormat });
  const context: Record<string, unknown> = {
    ds,
    ds_nodash: dsNodash,
    ts: logical.isoformat(),
    ts_nodash: logical.strftime('%Y%m%dT%H%M%S'),
    ts_nodash_with_tz: logical.isoformat().replace(/[-:]/g, ''),
    logical_date: logical,
    data_interval_start: dagRun.data_interval_start,
    data_interval_end: dagRun.data_interval_end,
    prev_data_interval_start_success: null,
    prev_data_interval_end_success: null,
    prev_start_date_success: null,
    prev_end_date_success: null,
    run_id: run.runId,
    dag,
    task,
    dag_run: dagRun,
    ti,
    task_instance: ti,
    task_instance_key_str: `${run.dagId}__${run.taskId}__${dsNodash}`,
    params: { ...(run.params ?? {}) },
    var: { value: new VariableAccessor(run.variables ?? {}, false), json: new VariableAccessor(run.variables ?? {}, true) },
    conn: new ConnectionAccessor(run.connections ?? {}),
    macros,
    inlets: [],
    outlets: [],
    map_index_template: null,
  };
  if (airflow === 2) {
    const tick = (epoch: number | null | undefined) => (epoch === null || epoch === undefined ? null : new PyDateTime(epoch));
    const prev = tick(run.previousLogicalDate);
    const next = tick(run.nextLogicalDate);
    Object.assign(context, {
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
      // Airflow's configuration; Airflow 3 removed it from the context. Defaults of a fresh install.
      conf: { get: (section: string, key: string, fallback?: unknown) => AIRFLOW_CONFIG_DEFAULTS[`${section}.${key}`] ?? fallback ?? null },
    });
  }
  return context;
}
