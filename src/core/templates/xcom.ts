// XCom in templates (shared/airflow-semantics.md §5.3): the arguments of `ti.xcom_pull(...)` as a
// request, and values the user pins for a preview (`preflight render --xcom JSON`,
// `.preflight/xcom.json`), pulled as Airflow pulls them in the current run. Pinned values stand for
// unmapped task instances (map_index -1) of the run being rendered.
import type { AirflowVersion } from '../airflow/version';
import type { XComPullRequest } from '../sim/types';
import { keywordArguments } from './pyobjects';

/** The parameters of `xcom_pull` that may be given by position, in Airflow's order. */
const POSITIONAL = ['task_ids', 'dag_id', 'key', 'include_prior_dates'] as const;
const KEYWORDS = [...POSITIONAL, 'default', 'map_indexes'] as const;

/**
 * A template's `ti.xcom_pull(...)` call as a request: `xcom_pull("extract", key="rows")`. Only the
 * arguments written are set, so an absent `key` (`return_value`) differs from `key=None`.
 */
export function xcomPullRequest(args: readonly unknown[]): XComPullRequest {
  const keywords = keywordArguments([...args]);
  const positional = args.filter((a) => a !== keywords);
  const request: Record<string, unknown> = {};
  POSITIONAL.forEach((name, i) => {
    if (i < positional.length) request[name] = positional[i];
  });
  for (const name of KEYWORDS) if (Object.prototype.hasOwnProperty.call(keywords, name)) request[name] = keywords[name];
  return request;
}

/** Pinned XComs: task id → XCom key → value. */
export type XComPins = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Pins from their JSON form: `{"extract": {"rows": 3}}` pins key `rows` of `extract`, and a value
 * that is not an object, `{"extract": 3}`, is the task's `return_value` (a dict return value is
 * written under its key: `{"extract": {"return_value": {...}}}`).
 */
export function parseXComPins(json: Readonly<Record<string, unknown>>): XComPins {
  return Object.fromEntries(Object.entries(json).map(([taskId, value]) => [taskId, isObject(value) ? value : { return_value: value }]));
}

/**
 * 2.10 answers a pull of several task ids with a lazy sequence that omits the tasks without a
 * value; it indexes and iterates as a list (`| list`, `[0]`, `for`).
 */
export class LazySelectSequence extends Array<unknown> {
  toString(): string {
    return `LazySelectSequence([${this.length} items])`;
  }
}

/** The pinned value of one task instance, or `missing`. */
const MISSING = Symbol('missing');

/**
 * `ti.xcom_pull` over pinned values, for the task `callerTaskId` on Airflow `airflow`:
 * 2.10 (`TaskInstance.xcom_pull`): `task_ids=None` means any task and `key=None` any key; a missing
 * value is `default`; a list of task ids (or of map indexes) gives the values that exist.
 * 3.x (`RuntimeTaskInstance.xcom_pull`, 3.1): `task_ids=None` means the calling task; without
 * `map_indexes` a missing value is None (`default` is not applied) and a list of task ids gives one
 * entry per task; with `map_indexes` a missing value is `default`.
 */
export function pinnedXComPull(pins: XComPins, airflow: AirflowVersion, callerTaskId: string): (request: XComPullRequest) => unknown {
  return (request) => {
    const fallback = request.default ?? null;
    const listOfTasks = Array.isArray(request.task_ids);
    const listOfIndexes = Array.isArray(request.map_indexes);
    const taskIds: readonly (string | null)[] = listOfTasks ? request.task_ids as readonly string[] : [(request.task_ids as string | null | undefined) ?? null];
    const mapIndexes: readonly unknown[] = listOfIndexes ? request.map_indexes as readonly unknown[] : [request.map_indexes ?? null];
    // Pinned values belong to unmapped task instances: any other map index finds nothing.
    const unmapped = (mapIndex: unknown) => mapIndex === null || mapIndex === -1;
    if (airflow === 2) {
      // `key=None` removes the key filter, as `task_ids=None` removes the task filter.
      const key = request.key === undefined ? 'return_value' : request.key;
      const lookup = (taskId: string | null, mapIndex: unknown): unknown => {
        if (!unmapped(mapIndex)) return MISSING;
        for (const [pinnedTask, values] of Object.entries(pins)) {
          if (taskId !== null && pinnedTask !== taskId) continue;
          const found = key === null ? Object.values(values) : key in values ? [values[key]] : [];
          if (found.length > 0) return found[0];
        }
        return MISSING;
      };
      if (!listOfTasks && !listOfIndexes) {
        const value = lookup(taskIds[0], mapIndexes[0]);
        return value === MISSING ? fallback : value;
      }
      const sequence = new LazySelectSequence();
      for (const taskId of taskIds) {
        for (const mapIndex of mapIndexes) {
          const value = lookup(taskId, mapIndex);
          if (value !== MISSING) sequence.push(value);
        }
      }
      return sequence;
    }
    const key = request.key ?? 'return_value';
    const lookup = (taskId: string | null, mapIndex: unknown): unknown => {
      const values = pins[taskId ?? callerTaskId];
      return unmapped(mapIndex) && values && key in values ? values[key] : MISSING;
    };
    if (request.map_indexes === undefined) {
      const values = taskIds.map((taskId) => {
        const value = lookup(taskId, null);
        return value === MISSING ? null : value;
      });
      return listOfTasks ? values : values[0];
    }
    const values = taskIds.flatMap((taskId) => mapIndexes.map((mapIndex) => {
      const value = lookup(taskId, mapIndex);
      return value === MISSING ? fallback : value;
    }));
    return listOfTasks || listOfIndexes ? values : values[0];
  };
}
