// The XCom table of a simulation (shared/airflow-semantics.md §5): rows keyed by DAG, run, task and
// key, and `xcom_pull` as each Airflow version answers it. Values are stored as JSON text, as the
// metadata database holds them, so a pulled value is a copy and what JSON cannot hold fails the push.
import type { AirflowVersion } from '../airflow/version';
import type { XComPullRequest } from './types';

interface XComRow {
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: number;
  readonly taskId: string;
  /** -1 for a task that is not mapped, as in Airflow's table. */
  readonly mapIndex: number;
  readonly key: string;
  readonly json: string;
  /** Insertion order: Airflow orders rows of one logical date by their timestamp. */
  readonly sequence: number;
}

/** Where a pull happens: the task instance that calls `xcom_pull`. */
export interface XComCaller {
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: number;
  readonly taskId: string;
  /** The mapped task instance's index; -1 (or absent) when the task is not mapped. */
  readonly mapIndex?: number;
}

type InstanceKey = Pick<XComCaller, 'dagId' | 'runId' | 'taskId' | 'mapIndex'>;

function sameInstance(row: XComRow, key: InstanceKey): boolean {
  return row.dagId === key.dagId && row.runId === key.runId && row.taskId === key.taskId && row.mapIndex === (key.mapIndex ?? -1);
}

/**
 * 2.10 answers a pull for a list of task ids with a lazy sequence whose `str()` is
 * `LazySelectSequence([N items])`, so a template that prints it does not show the values.
 */
export class LazySelectSequence extends Array<unknown> {
  toString(): string {
    return `LazySelectSequence([${this.length} items])`;
  }
}

function lazySelectSequence(items: readonly unknown[]): LazySelectSequence {
  const sequence = new LazySelectSequence();
  sequence.push(...items);
  return sequence;
}

/** Above this size a value is stored but Airflow's documentation says XCom is for small values. */
export const XCOM_WARN_BYTES = 1 << 20;
/** MySQL's default `max_allowed_packet`: a larger row fails to insert on a default MySQL metadata database. */
export const XCOM_MYSQL_PACKET_BYTES = 64 << 20;

export class XComStore {
  private readonly rows: XComRow[] = [];
  private sequence = 0;

  /** Pushes (or overwrites) a value; throws TypeError as Airflow's serializer does for what JSON cannot hold. */
  push(caller: XComCaller, key: string, value: unknown): { readonly bytes: number } {
    const json = serialize(value);
    this.clear(caller, key);
    this.rows.push({ dagId: caller.dagId, runId: caller.runId, logicalDate: caller.logicalDate, taskId: caller.taskId, mapIndex: caller.mapIndex ?? -1, key, json, sequence: this.sequence++ });
    return { bytes: json.length };
  }

  /** Deletes a task instance's rows (every key, or one): each new try starts with none (§5.1). */
  clear(caller: InstanceKey, key?: string): void {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i];
      if (sameInstance(row, caller) && (key === undefined || row.key === key)) this.rows.splice(i, 1);
    }
  }

  /** The values a task instance holds, by key, in push order. */
  valuesOf(caller: InstanceKey): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const row of this.rows) {
      if (sameInstance(row, caller)) values[row.key] = JSON.parse(row.json);
    }
    return values;
  }

  /**
   * The value TaskFlow resolves for an XComArg, undefined when there is none; for a mapped task,
   * the values of all its mapped instances in map-index order.
   */
  get(caller: Pick<XComCaller, 'dagId' | 'runId'>, taskId: string, key: string): unknown {
    const rows = this.rows.filter((r) => r.dagId === caller.dagId && r.runId === caller.runId && r.taskId === taskId && r.key === key);
    if (rows.some((r) => r.mapIndex >= 0)) return rows.sort((a, b) => a.mapIndex - b.mapIndex).map((r) => JSON.parse(r.json));
    return rows[0] ? JSON.parse(rows[0].json) : undefined;
  }

  /** `ti.xcom_pull(...)` as the caller's Airflow version answers it. */
  pull(caller: XComCaller, request: XComPullRequest, airflow: AirflowVersion): unknown {
    return airflow === 2 ? this.pull2(caller, request) : this.pull3(caller, request);
  }

  /** Matching rows, newest logical date first, then newest push: the order of Airflow's query. */
  private select(caller: XComCaller, dagId: string, taskId: string | null, key: string | null, includePriorDates: boolean): XComRow[] {
    return this.rows
      .filter((r) => r.dagId === dagId && (taskId === null || r.taskId === taskId) && (key === null || r.key === key))
      .filter((r) => (includePriorDates ? r.logicalDate <= caller.logicalDate : r.runId === caller.runId))
      .sort((a, b) => b.logicalDate - a.logicalDate || b.sequence - a.sequence);
  }

  /** 2.10 (`TaskInstance.xcom_pull`): `task_ids=None` means any task; a list omits tasks with no value. */
  private pull2(caller: XComCaller, request: XComPullRequest): unknown {
    const dagId = request.dag_id ?? caller.dagId;
    const key = request.key === undefined ? 'return_value' : request.key;
    const fallback = request.default ?? null;
    const prior = request.include_prior_dates === true;
    const taskIds = request.task_ids;
    if (typeof taskIds === 'string' || taskIds === null || taskIds === undefined) {
      const rows = this.select(caller, dagId, taskIds ?? null, key, prior);
      // A mapped task gives all its mapped values, ordered by map index.
      if (typeof taskIds === 'string' && rows.some((r) => r.mapIndex >= 0)) return lazySelectSequence(this.mappedValues(rows));
      return rows[0] ? JSON.parse(rows[0].json) : fallback;
    }
    const values: unknown[] = [];
    for (const taskId of taskIds) {
      for (const row of this.select(caller, dagId, taskId, key, prior)) values.push(JSON.parse(row.json));
    }
    return lazySelectSequence(values);
  }

  /**
   * 3.x (`RuntimeTaskInstance.xcom_pull`, 3.1): `task_ids=None` means the calling task; each task
   * contributes its value or None, `default` is not applied, and one task id gives a scalar.
   */
  private pull3(caller: XComCaller, request: XComPullRequest): unknown {
    const dagId = request.dag_id ?? caller.dagId;
    const key = request.key === undefined || request.key === null ? 'return_value' : request.key;
    const prior = request.include_prior_dates === true;
    const single = typeof request.task_ids === 'string' || request.task_ids === null || request.task_ids === undefined;
    const taskIds = single ? [(request.task_ids as string | null | undefined) ?? caller.taskId] : (request.task_ids as readonly string[]);
    // Each task gives all its values (every map index), or a single None when it has none.
    const values = taskIds.flatMap((taskId) => {
      const rows = this.select(caller, dagId, taskId, key, prior);
      if (rows.some((r) => r.mapIndex >= 0)) return this.mappedValues(rows);
      return [rows[0] ? JSON.parse(rows[0].json) : null];
    });
    return single && values.length === 1 ? values[0] : values;
  }

  /** The values of a mapped task's instances of the newest run among `rows`, by map index. */
  private mappedValues(rows: readonly XComRow[]): unknown[] {
    const runId = rows[0].runId;
    return rows.filter((r) => r.runId === runId).sort((a, b) => a.mapIndex - b.mapIndex).map((r) => JSON.parse(r.json));
  }
}

/** JSON as Airflow's XCom encoder writes it; functions and other objects JSON cannot hold are refused. */
function serialize(value: unknown): string {
  const json = JSON.stringify(value === undefined ? null : value, (_key, item: unknown) => {
    if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') throw new TypeError(`cannot serialize object of type ${typeof item}`);
    return item;
  });
  return json;
}
