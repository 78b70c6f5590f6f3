// The executor of a real local run: Bash tasks in `bash`, Python callables, branches, short-circuits
// and callbacks in Python workers of the user's interpreter. Workers import the DAG file once and
// stay up for the whole simulation; parallel Python tasks get more workers, up to a limit, and a
// worker whose task timed out or was cancelled is killed with its process tree and replaced.
import type { CallbackInvocation, CallbackResult, ExecutionOutcome, Executor, RunRequest, TaskChannel, TaskInvocation } from '../core/sim/types';
import { plainValue } from '../core/sim/render';
import { utcIso } from '../core/time/zones';
import { runBash, type BashOptions } from './bashRunner';
import { PythonWorker, type PythonWorkerOptions } from './pythonWorker';
import type { WireError, WireRun } from './workerProtocol';

function wireRun(dagId: string, run: RunRequest, start: number): WireRun {
  const iso = (epoch: number | null | undefined) => (epoch === null || epoch === undefined ? null : utcIso(epoch));
  return {
    dag_id: dagId,
    run_id: run.runId,
    run_type: run.runType,
    logical_date: utcIso(run.logicalDate),
    data_interval_start: utcIso(run.dataIntervalStart),
    data_interval_end: utcIso(run.dataIntervalEnd),
    prev_logical_date: iso(run.previousLogicalDate),
    next_logical_date: iso(run.nextLogicalDate),
    conf: run.conf,
    start_date: utcIso(start),
  };
}

/** Python workers for one simulation: one to start with, more while tasks run in parallel. */
export class PythonWorkerPool {
  private readonly idle: PythonWorker[] = [];
  private size = 0;

  constructor(private readonly options: PythonWorkerOptions, first: PythonWorker, private readonly limit: number) {
    this.idle.push(first);
    this.size = 1;
  }

  private async acquire(): Promise<PythonWorker | { error: string }> {
    const worker = this.idle.pop();
    if (worker) return worker;
    const started = await PythonWorker.start(this.options);
    if ('error' in started) return { error: `${started.error.type}: ${started.error.message}` };
    this.size++;
    return started.worker;
  }

  private release(worker: PythonWorker, healthy: boolean): void {
    if (healthy && this.idle.length < this.limit) this.idle.push(worker);
    else {
      worker.kill();
      this.size--;
    }
  }

  /** Runs one request on a free worker; a timeout or cancel kills that worker and its children. */
  async run<T>(send: (worker: PythonWorker) => Promise<T>, onKill: (reason: 'timeout' | 'cancelled') => T, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<T | { error: string }> {
    const worker = await this.acquire();
    if ('error' in worker) return worker;
    let killed: 'timeout' | 'cancelled' | undefined;
    const kill = (reason: 'timeout' | 'cancelled') => {
      killed = reason;
      worker.kill();
    };
    const timer = timeoutMs !== undefined ? setTimeout(() => kill('timeout'), timeoutMs) : undefined;
    const abort = () => kill('cancelled');
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const result = await send(worker);
      return killed ? onKill(killed) : result;
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      this.release(worker, killed === undefined && worker.alive);
    }
  }

  dispose(): void {
    for (const worker of this.idle.splice(0)) worker.kill();
  }
}

export interface LocalExecutorOptions {
  readonly bash?: BashOptions;
  /** Python workers; absent when the run has no interpreter (Bash-only DAGs still run). */
  readonly pool?: PythonWorkerPool;
}

function timeoutOutcome(reason: 'timeout' | 'cancelled', timeoutMs: number | undefined): ExecutionOutcome {
  return reason === 'timeout'
    ? { kind: 'error', error: { type: 'AirflowTaskTimeout', message: `Timeout, the task ran longer than its execution_timeout (${(timeoutMs ?? 0) / 1000} s); its processes were killed`, retryable: true } }
    : { kind: 'error', error: { type: 'Cancelled', message: 'The run was cancelled; the task\'s processes were killed', retryable: false } };
}

export function localExecutor(options: LocalExecutorOptions): Executor & { python(invocation: TaskInvocation, channel: TaskChannel, signal: AbortSignal): Promise<ExecutionOutcome> } {
  return {
    async execute(invocation: TaskInvocation, channel: TaskChannel, signal: AbortSignal): Promise<ExecutionOutcome> {
      const { task } = invocation;
      if (task.kind === 'bash' && !task.operator.startsWith('@')) return runBash(invocation, channel, signal, options.bash);
      const outcome = await this.python(invocation, channel, signal);
      if (task.kind !== 'bash' || outcome.kind !== 'returned') return outcome;
      // `@task.bash`: the callable returns the command, which Airflow renders and runs as BashOperator does.
      if (typeof outcome.value !== 'string' || outcome.value.trim() === '') {
        return { kind: 'error', error: { type: 'TypeError', message: 'The returned value from the TaskFlow callable must be a non-empty string.', retryable: true } };
      }
      const command = channel.render(outcome.value);
      if ('error' in command) return { kind: 'error', error: command.error };
      return runBash({ ...invocation, rendered: { ...invocation.rendered, bash_command: command.value } }, channel, signal, options.bash);
    },

    async python(invocation: TaskInvocation, channel: TaskChannel, signal: AbortSignal): Promise<ExecutionOutcome> {
      const { task } = invocation;
      const pool = options.pool;
      if (!pool) return { kind: 'error', error: { type: 'PythonNotFound', message: `${task.operator} needs Python, and no Python interpreter is available for this run`, retryable: false } };
      const result = await pool.run(
        (worker) =>
          worker.execute(
            {
              task_id: task.taskId, map_index: invocation.mapIndex, try_number: invocation.tryNumber, max_tries: invocation.maxTries,
              run: wireRun(invocation.dag.dagId, invocation.run, invocation.start), params: plainValue(invocation.params) as Record<string, unknown>,
              rendered: plainValue(invocation.rendered) as Record<string, unknown>, airflow: invocation.airflow,
            },
            channel,
          ),
        (reason) => timeoutOutcome(reason, task.executionTimeoutMs),
        task.executionTimeoutMs,
        signal,
      );
      return 'kind' in result ? result : { kind: 'error', error: { type: 'WorkerStartError', message: result.error, retryable: true } };
    },

    async callback(invocation: CallbackInvocation, channel: TaskChannel): Promise<CallbackResult> {
      const pool = options.pool;
      if (!pool) {
        channel.log(`${invocation.name} not called: it is Python code and no Python interpreter is available.\n`);
        return {};
      }
      const result = await pool.run(
        (worker) =>
          worker.callback(
            {
              task_id: invocation.task?.taskId ?? null, context_task_id: invocation.contextTaskId ?? null, name: invocation.name,
              try_number: invocation.tryNumber, run: wireRun(invocation.dag.dagId, invocation.run, invocation.run.runAfter),
              params: plainValue(invocation.params) as Record<string, unknown>, exception: invocation.exception ?? null, reason: invocation.reason ?? null, airflow: invocation.airflow,
            },
            channel,
          ),
        (reason): { error: WireError | null } => ({ error: { type: reason === 'timeout' ? 'AirflowTaskTimeout' : 'Cancelled', message: `the callback was ${reason === 'timeout' ? 'timed out' : 'cancelled'}`, retryable: false } }),
        undefined,
        undefined,
      );
      if (typeof result.error === 'string') return { error: { type: 'WorkerStartError', message: result.error, retryable: false } };
      return result.error ? { error: result.error } : {};
    },
  };
}
