// The JSON-lines protocol between the simulator (Node) and the Python task worker
// (python/preflight_worker/worker.py). One JSON object per line in each direction: the engine writes
// to the worker's stdin; the worker answers on a private copy of its original stdout, so that what
// task code prints (and what subprocesses it starts write to fd 1) never corrupts the protocol.
//
// Values cross as JSON. Python values that JSON cannot hold travel as markers:
//   {"__xcomarg__": {"task_id": "extract", "key": "return_value"}}  a TaskFlow XComArg
//   {"__opaque__": "<repr>", "ref": 7}                                an object the worker keeps by ref
// and the worker swaps an opaque marker sent back to it for the object it stands for.

import type { TaskError } from '../core/sim/types';

/** How the worker reports a Python exception: the engine's TaskError, as JSON carries it. */
export type WireError = TaskError;

/** A task as the worker found it after importing the DAG file. Durations are in seconds. */
export interface WireTask {
  readonly task_id: string;
  readonly operator: string;
  readonly kind: 'bash' | 'python' | 'branch' | 'short_circuit' | 'empty' | 'mock';
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly trigger_rule: string;
  readonly retries: number;
  readonly retry_delay_s: number;
  readonly retry_exponential_backoff: boolean;
  readonly max_retry_delay_s: number | null;
  readonly depends_on_past: boolean;
  readonly wait_for_downstream: boolean;
  readonly ignore_first_depends_on_past: boolean;
  readonly execution_timeout_s: number | null;
  readonly do_xcom_push: boolean;
  readonly multiple_outputs: boolean;
  readonly ignore_downstream_trigger_rules: boolean;
  /** ISO 8601 with offset, or null. */
  readonly start_date: string | null;
  readonly owner: string | null;
  readonly email: readonly string[] | null;
  /** Names of the callbacks the task has: on_execute_callback, on_success_callback, ... */
  readonly callbacks: readonly string[];
  /** Each name of the operator's template_fields with its value before rendering. */
  readonly template_fields: Readonly<Record<string, unknown>>;
  readonly template_ext: readonly string[];
  /** The task's own `params` (the DAG's are in WireDag), when it has any. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly group: string | null;
  /** `.partial(...).expand(...)`: the expanded arguments (a list or an XComArg each), or `{"__expand_kwargs__": ...}`. */
  readonly mapped?: boolean;
  readonly expand?: Readonly<Record<string, unknown>> | null;
  /** BashOperator's skip_on_exit_code and append_env. */
  readonly bash?: { readonly skip_on_exit_code?: number | readonly number[] | null; readonly append_env?: boolean } | null;
  /** 1-based line of the task's creation in the DAG file, when Python can tell. */
  readonly line: number | null;
}

export interface WireDag {
  readonly dag_id: string;
  readonly timezone: string;
  readonly catchup: boolean;
  readonly max_active_runs: number;
  readonly max_active_tasks: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly owner: string | null;
  readonly render_template_as_native_obj: boolean;
  readonly callbacks: readonly string[];
  /** TaskGroup id -> its root task ids (Airflow's TaskGroup.roots). */
  readonly task_groups: Readonly<Record<string, readonly string[]>>;
  readonly tasks: readonly WireTask[];
  readonly line: number | null;
}

/** The run a task executes in, with times as ISO 8601 UTC strings. */
export interface WireRun {
  readonly dag_id: string;
  readonly run_id: string;
  readonly run_type: 'scheduled' | 'manual';
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly prev_logical_date: string | null;
  readonly next_logical_date: string | null;
  readonly conf: Readonly<Record<string, unknown>>;
  /** The simulated start of the try. */
  readonly start_date: string;
}

export type EngineMessage =
  | {
      readonly type: 'execute';
      readonly id: number;
      readonly task_id: string;
      /** A mapped task instance's index; -1 otherwise. */
      readonly map_index: number;
      readonly try_number: number;
      readonly max_tries: number;
      readonly run: WireRun;
      readonly params: Readonly<Record<string, unknown>>;
      /** Rendered template fields (op_args, op_kwargs, templates_dict, ...). */
      readonly rendered: Readonly<Record<string, unknown>>;
      readonly airflow: 2 | 3;
    }
  | {
      readonly type: 'callback';
      readonly id: number;
      /** Null for a DAG-level callback. */
      readonly task_id: string | null;
      /** For DAG callbacks: the task whose context the callback receives. */
      readonly context_task_id: string | null;
      readonly name: string;
      readonly try_number: number;
      readonly run: WireRun;
      readonly params: Readonly<Record<string, unknown>>;
      readonly exception: WireError | null;
      readonly reason: string | null;
      readonly airflow: 2 | 3;
    }
  | { readonly type: 'xcom_value'; readonly id: number; readonly value: unknown }
  | { readonly type: 'shutdown' };

export type WorkerMessage =
  | {
      readonly type: 'ready';
      /** The version of the real apache-airflow the worker imported, or null when it uses the stand-in. */
      readonly airflow_version: string | null;
      readonly stand_in: boolean;
      readonly python: string;
      readonly dags: readonly WireDag[];
    }
  | { readonly type: 'load_error'; readonly error: WireError }
  | { readonly type: 'log'; readonly id: number; readonly text: string }
  | { readonly type: 'xcom_pull'; readonly id: number; readonly request: Readonly<Record<string, unknown>> }
  | { readonly type: 'xcom_push'; readonly id: number; readonly key: string; readonly value: unknown }
  | {
      readonly type: 'alert';
      readonly id: number;
      readonly alert: { readonly kind: 'slack' | 'email'; readonly text: string; readonly channel?: string | null; readonly username?: string | null; readonly conn_id?: string | null };
    }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly outcome:
        | { readonly kind: 'returned'; readonly value: unknown }
        | { readonly kind: 'skip'; readonly message: string }
        | { readonly kind: 'error'; readonly error: WireError };
    }
  | { readonly type: 'callback_result'; readonly id: number; readonly error: WireError | null };
