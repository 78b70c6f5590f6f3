// The template context Airflow gives a task (shared/airflow-semantics.md §2.1 for 2.10, §2.2 for
// 3.x), for one DAG run. Datetimes are UTC, as in Airflow.
import type { AirflowVersion } from '../airflow/version';
import { GET_ATTRIBUTE, UndefinedError, withAttributes, type DynamicAttributes } from './environment';
import { makeDatetime, makeTimedelta, PyDateTime } from './pyobjects';

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
}

const DAY_MS = 86_400_000;

/** `macros.ds_add("2015-01-01", 5)` → `"2015-01-06"`; 0 days returns the input unchanged. */
function dsAdd(ds: string, days: number): string {
  if (!days) return ds;
  const [y, m, d] = ds.split('-').map(Number);
  return new PyDateTime(Date.UTC(y, m - 1, d) + days * DAY_MS).strftime('%Y-%m-%d');
}

/** `macros.ds_format(ds, input_format, output_format)` for the directives templates use. */
function dsFormat(ds: string, inputFormat: string, outputFormat: string): string {
  const fields: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  const pattern = inputFormat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMSy])/g, (_, c: string) => `(?<${c}>\\d{${c === 'Y' ? 4 : 2}})`);
  const match = new RegExp(`^${pattern}$`).exec(ds);
  if (!match?.groups) throw new Error(`time data '${ds}' does not match format '${inputFormat}'`);
  for (const [k, v] of Object.entries(match.groups)) fields[k === 'y' ? 'Y' : k] = k === 'y' ? 2000 + Number(v) : Number(v);
  return new PyDateTime(Date.UTC(fields.Y, fields.m - 1, fields.d, fields.H, fields.M, fields.S)).strftime(outputFormat);
}

/** `var.value.NAME`, `var.json.NAME`, `var.value.get(NAME, default)`: a missing Variable is a KeyError. */
class VariableAccessor implements DynamicAttributes {
  constructor(private readonly variables: Readonly<Record<string, string>>, private readonly json: boolean) {}

  private read(name: string): unknown {
    const raw = this.variables[name];
    return this.json ? JSON.parse(raw) : raw;
  }

  [GET_ATTRIBUTE](name: string): unknown {
    if (name === 'get') return (key: string, fallback: unknown = null) => (key in this.variables ? this.read(key) : fallback);
    if (!(name in this.variables)) throw new UndefinedError(`KeyError: Variable ${name} does not exist`);
    return this.read(name);
  }
}

export function templateContext(run: TemplateRun, airflow: AirflowVersion): Record<string, unknown> {
  const logical = new PyDateTime(run.logicalDate);
  const ds = logical.strftime('%Y-%m-%d');
  const dsNodash = logical.strftime('%Y%m%d');
  const dag = { dag_id: run.dagId };
  const task = { task_id: run.taskId };
  const dagRun = {
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
    xcom_pull: () => null,
  };
  const macros = {
    ds_add: dsAdd,
    ds_format: dsFormat,
    datetime: withAttributes(makeDatetime, { now: () => new PyDateTime(Date.now()), utcnow: () => new PyDateTime(Date.now()) }),
    timedelta: makeTimedelta,
    json: { dumps: (v: unknown) => JSON.stringify(v), loads: (s: string) => JSON.parse(s) },
    random: () => Math.random(),
  };
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
    conn: {},
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
    });
  }
  return context;
}
