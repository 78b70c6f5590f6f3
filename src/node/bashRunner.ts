// BashOperator, executed as Airflow's SubprocessHook does (shared/airflow-semantics.md §3.2):
// `bash -c <rendered command>` (or `bash <file>` when the command was a `.sh` template), stderr
// merged into stdout and logged line by line, the last line returned for XCom, exit code 99
// skipping, any other non-zero code failing. AIRFLOW_CTX_* variables go on top of the environment.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionOutcome, TaskChannel, TaskInvocation } from '../core/sim/types';
import { utcIso } from '../core/time/zones';
import { killTree, spawnGroup } from './processTree';

export interface BashOptions {
  /** The shell; `bash` from PATH by default. */
  readonly bash?: string;
  /** The environment the worker (here: Preflight) has, inherited when the task gives no `env`. */
  readonly baseEnv?: NodeJS.ProcessEnv;
}

/** The variables Airflow exports to task processes (§2.6): only those with a value. */
export function airflowContextVariables(invocation: TaskInvocation): Record<string, string> {
  const { dag, task, run, airflow } = invocation;
  const logical = utcIso(run.logicalDate);
  const variables: Record<string, string | undefined> = {
    AIRFLOW_CTX_DAG_ID: dag.dagId,
    AIRFLOW_CTX_TASK_ID: task.taskId,
    AIRFLOW_CTX_TRY_NUMBER: String(invocation.tryNumber),
    AIRFLOW_CTX_DAG_RUN_ID: run.runId,
    AIRFLOW_CTX_DAG_OWNER: task.owner ?? dag.owner,
    AIRFLOW_CTX_DAG_EMAIL: task.email?.join(','),
    ...(airflow === 2 ? { AIRFLOW_CTX_EXECUTION_DATE: logical } : { AIRFLOW_CTX_LOGICAL_DATE: logical }),
  };
  return Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => Boolean(entry[1])));
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

const airflowError = (message: string): ExecutionOutcome => ({ kind: 'error', error: { type: 'AirflowException', message, retryable: true } });

export function runBash(invocation: TaskInvocation, channel: TaskChannel, signal: AbortSignal, options: BashOptions = {}): Promise<ExecutionOutcome> {
  const { task, rendered } = invocation;
  const command = rendered.bash_command;
  if (typeof command !== 'string' || command.trim() === '') return Promise.resolve(airflowError('bash_command is empty'));
  const base = options.baseEnv ?? process.env;
  const env = stringRecord(rendered.env);
  const childEnv = { ...(env ? (task.bashOptions?.appendEnv ? { ...base, ...env } : env) : base), ...airflowContextVariables(invocation) };

  let cwd = typeof rendered.cwd === 'string' && rendered.cwd ? rendered.cwd : undefined;
  let scratch: string | undefined;
  if (cwd) {
    try {
      if (!statSync(cwd).isDirectory()) return Promise.resolve(airflowError(`The cwd ${cwd} must be a directory`));
    } catch {
      return Promise.resolve(airflowError(`Can not find the cwd: ${cwd}`));
    }
  } else {
    scratch = mkdtempSync(join(tmpdir(), 'airflowtmp'));
    cwd = scratch;
  }
  // Since 2.10.3 a `.sh`/`.bash` template runs as a script file rather than through `bash -c`.
  const written = task.templateFields.bash_command;
  const asFile = typeof written === 'string' && /\.(sh|bash)$/.test(written);
  let args = ['-c', command];
  if (asFile) {
    const script = join(cwd, `preflight-${task.taskId.replace(/[^\w.-]/g, '_')}-${process.pid}.sh`);
    writeFileSync(script, command);
    args = [script];
  }

  return new Promise((resolve) => {
    // Airflow reads one stream, stderr merged into stdout, so lines interleave as they were written:
    // a POSIX shell sets that up and execs bash with the arguments unchanged.
    const merged = process.platform === 'win32' ? [options.bash ?? 'bash', args] as const : ['/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', options.bash ?? 'bash', ...args]] as const;
    const child = spawnGroup(merged[0], merged[1], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLine = '';
    let pending = '';
    let timedOut = false;
    let settled = false;
    const onData = (chunk: Buffer) => {
      const text = pending + chunk.toString('utf8');
      const lines = text.split('\n');
      pending = lines.pop()!;
      if (lines.length > 0) {
        lastLine = lines[lines.length - 1].trimEnd();
        channel.log(lines.join('\n') + '\n');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = task.executionTimeoutMs !== undefined ? setTimeout(() => ((timedOut = true), killTree(child)), task.executionTimeoutMs) : undefined;
    const abort = () => killTree(child);
    signal.addEventListener('abort', abort, { once: true });
    const finish = (outcome: ExecutionOutcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      // Airflow's task runner reaps the task's process group when the task ends.
      killTree(child);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolve(outcome);
    };
    child.on('error', (error) => finish({ kind: 'error', error: { type: 'FileNotFoundError', message: `Cannot run ${options.bash ?? 'bash'}: ${error.message}`, retryable: false } }));
    child.on('close', (code, killed) => {
      if (pending) {
        lastLine = pending.trimEnd();
        channel.log(pending + '\n');
      }
      if (timedOut) return finish({ kind: 'error', error: { type: 'AirflowTaskTimeout', message: `Timeout, PID: ${child.pid}`, retryable: true } });
      if (signal.aborted) return finish({ kind: 'error', error: { type: 'Cancelled', message: 'The run was cancelled', retryable: false } });
      const exitCode = code ?? 128;
      const skipCodes = task.bashOptions?.skipOnExitCodes ?? [99];
      if (exitCode !== 0 && skipCodes.includes(exitCode)) return finish({ kind: 'skip', message: `Bash command returned exit code ${exitCode}. Skipping.` });
      if (exitCode !== 0 || killed) return finish(airflowError(`Bash command failed. The command returned a non-zero exit code ${exitCode}.`));
      finish({ kind: 'returned', value: lastLine });
    });
  });
}
