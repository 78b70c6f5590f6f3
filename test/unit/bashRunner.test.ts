// BashOperator tasks executed for real through the simulator, as Airflow's SubprocessHook runs them
// (shared/airflow-semantics.md §3.2): exit codes, the last line as XCom, the environment, the
// working folder, timeouts that kill the whole process tree, and logs too large to keep.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simulate } from '../../src/core/sim/engine';
import type { SimDag, SimTask, TaskInstanceResult } from '../../src/core/sim/types';
import { localExecutor } from '../../src/node/localExecutor';

const LOGICAL = Date.parse('2024-01-01T00:30:00Z');

function bashTask(taskId: string, fields: Record<string, unknown>, extra: Partial<SimTask> = {}): SimTask {
  return {
    taskId, operator: 'BashOperator', kind: 'bash', upstream: [], downstream: [], triggerRule: 'all_success', retries: 0, retryDelayMs: 1000,
    retryExponentialBackoff: false, dependsOnPast: false, waitForDownstream: false, ignoreFirstDependsOnPast: true, doXcomPush: true,
    multipleOutputs: false, ignoreDownstreamTriggerRules: true, callbacks: [], templateFields: fields, templateExt: ['.sh', '.bash'],
    bashOptions: { skipOnExitCodes: [99], appendEnv: false }, owner: 'data', ...extra,
  };
}

/** Runs one Bash task in a one-task DAG for the run of 2024-01-01 and returns its task instance. */
async function check(task: SimTask, airflow: 2 | 3 = 3, readTemplate?: (name: string) => string | undefined): Promise<TaskInstanceResult> {
  const dag: SimDag = { dagId: 'bash_dag', tasks: [task], callbacks: [], maxActiveRuns: 1, maxActiveTasks: 16, catchup: false, params: {}, timezone: 'UTC', nativeRendering: false, groupRoots: {} };
  const result = await simulate(dag, [{ runId: 'manual__2024-01-01T00:30:00+00:00', runType: 'manual', logicalDate: LOGICAL, dataIntervalStart: LOGICAL, dataIntervalEnd: LOGICAL, runAfter: LOGICAL, conf: {} }], {
    airflow, mode: 'real', executor: localExecutor({}), clock: Date.now, ...(readTemplate ? { readTemplate } : {}),
  });
  return result.runs[0].tasks[0];
}

describe('BashOperator', () => {
  it('runs the rendered command; stderr joins the log; the last line is the XCom', async () => {
    const ti = await check(bashTask('hello', { bash_command: 'echo "day {{ ds }}"; echo oops >&2; echo "last line   "' }));
    assert.equal(ti.state, 'success');
    assert.equal(ti.xcom.return_value, 'last line');
    assert.match(ti.log_tail, /day 2024-01-01\n/);
    assert.match(ti.log_tail, /oops\n/);
  });

  it('exit code 99 skips, as skip_on_exit_code says; other codes fail', async () => {
    assert.equal((await check(bashTask('skip', { bash_command: 'exit 99' }))).state, 'skipped');
    const failed = await check(bashTask('fail', { bash_command: 'echo before; exit 3' }));
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.message, 'Bash command failed. The command returned a non-zero exit code 3.');
    assert.equal((await check(bashTask('custom', { bash_command: 'exit 5' }, { bashOptions: { skipOnExitCodes: [5], appendEnv: false } }))).state, 'skipped');
  });

  it('a failing sub-command does not fail the task unless the shell exits non-zero', async () => {
    assert.equal((await check(bashTask('sub', { bash_command: 'false; echo fine' }))).state, 'success');
  });

  it('gives AIRFLOW_CTX_* on top of env; env without append_env replaces the environment', async () => {
    const ti = await check(bashTask('ctx', { bash_command: 'echo "$AIRFLOW_CTX_DAG_ID $AIRFLOW_CTX_TASK_ID $AIRFLOW_CTX_TRY_NUMBER $AIRFLOW_CTX_DAG_OWNER $AIRFLOW_CTX_LOGICAL_DATE $MINE ${HOME:-nohome}"', env: { MINE: '{{ ds_nodash }}' } }));
    assert.equal(ti.xcom.return_value, 'bash_dag ctx 1 data 2024-01-01T00:30:00+00:00 20240101 nohome');
    const v2 = await check(bashTask('ctx2', { bash_command: 'echo "$AIRFLOW_CTX_EXECUTION_DATE"' }), 2);
    assert.equal(v2.xcom.return_value, '2024-01-01T00:30:00+00:00');
  });

  it('runs in a fresh temporary folder, or in cwd; a missing cwd fails with Airflow\'s message', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'preflight-cwd-'));
    assert.match(String((await check(bashTask('tmp', { bash_command: 'pwd' }))).xcom.return_value), /airflowtmp/);
    assert.equal((await check(bashTask('cwd', { bash_command: 'pwd', cwd: scratch }))).xcom.return_value, scratch);
    assert.equal((await check(bashTask('nocwd', { bash_command: 'pwd', cwd: join(scratch, 'nope') }))).error?.message, `Can not find the cwd: ${join(scratch, 'nope')}`);
  });

  it('a .sh template file is rendered and run as a script', async () => {
    const ti = await check(bashTask('script', { bash_command: 'run.sh' }), 3, (name) => (name === 'run.sh' ? 'echo "from the script {{ ds }}"\necho $0 | grep -c preflight-script' : undefined));
    assert.equal(ti.state, 'success');
    assert.match(ti.log_tail, /from the script 2024-01-01/);
    assert.equal(ti.xcom.return_value, '1');
  });

  it('execution_timeout kills the command and everything it started, then retries apply', async () => {
    const marker = `preflight-orphan-${process.pid}-${Date.now()}`;
    const ti = await check(bashTask('hang', { bash_command: `(exec -a ${marker} sleep 300) & exec -a ${marker} sleep 300` }, { executionTimeoutMs: 500, retries: 1, retryDelayMs: 0 }));
    assert.equal(ti.state, 'failed');
    assert.equal(ti.try_number, 2);
    assert.equal(ti.error?.type, 'AirflowTaskTimeout');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const survivors = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(marker));
    assert.deepEqual(survivors, []);
  });

  it('a task printing 100 MB completes with its log capped', async () => {
    const ti = await check(bashTask('loud', { bash_command: 'head -c 100000000 /dev/zero | tr "\\0" "x" | fold -w 1000; echo; echo done' }));
    assert.equal(ti.state, 'success');
    assert.equal(ti.xcom.return_value, 'done');
    assert.ok(ti.log_tail.length <= 4000);
  });

  it('a Python task without an interpreter fails with a clear reason instead of crashing the run', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'preflight-nopython-'));
    writeFileSync(join(scratch, 'x.py'), '');
    const ti = await check({ ...bashTask('py', {}), kind: 'python', operator: 'PythonOperator' });
    assert.equal(ti.state, 'failed');
    assert.equal(ti.error?.type, 'PythonNotFound');
  });
});
