// The client of src/node/airflowApi.ts and `preflight remote` against real Airflow servers started
// here on 127.0.0.1: Airflow 3 (api-server, scheduler and dag-processor; the simple auth manager
// with a user whose password we write; LocalExecutor on SQLite) and Airflow 2.10 (webserver with the
// basic_auth API backend, scheduler with the SequentialExecutor, a FAB user). Each server gets a
// throwaway AIRFLOW_HOME with an example DAG in its DAG folder; the client lists the DAG, compares it
// with the local model, triggers it with conf, follows it to success, reads a log and an XCom, and
// clears a task. The servers (test/shared/airflowServers.ts) are stopped at the end, whether the
// test passed or not.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkFile } from '../../src/core/check';
import { describeCheck } from '../../src/core/remote/diff';
import { AirflowApiError, AirflowClient } from '../../src/node/airflowApi';
import { eventually, startAirflow2, startAirflow3, stopAllServers, type Server } from '../shared/airflowServers';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

after(() => stopAllServers());

function preflightRemote(server: Server, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, PREFLIGHT_AIRFLOW_USER: server.username, PREFLIGHT_AIRFLOW_PASSWORD: server.password };
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'remote', '--url', server.url, ...args], { env, encoding: 'utf8', timeout: 150_000 });
}

interface Case {
  readonly airflow: '2' | '3';
  readonly dagFile: string;
  readonly dagId: string;
  readonly start: (dagFile: string) => Promise<Server>;
  /** A task whose log must contain `logLine`. */
  readonly logTask: string;
  readonly logLine: string;
  readonly xcomTask: string;
  /** Airflow 3 returns XCom values as JSON, Airflow 2 as the string Python prints. */
  readonly xcomValue: unknown;
  readonly clearTask: string;
}

const cases: readonly Case[] = [
  {
    airflow: '3', dagFile: 'examples/dags/af3_taskflow_etl.py', dagId: 'af3_taskflow_etl', start: (file) => startAirflow3(pythons['3'], file),
    logTask: 'load', logLine: 'Total order value is: 1236.70',
    xcomTask: 'transform', xcomValue: { total_order_value: 1236.7, order_count: 3 }, clearTask: 'load',
  },
  {
    airflow: '2', dagFile: 'examples/dags/af2_once_debug.py', dagId: 'af2_once_debug', start: (file) => startAirflow2(pythons['2'], file),
    logTask: 'say_hello', logLine: 'hello from af2_once_debug, run manual__',
    xcomTask: 'print_context', xcomValue: 'context printed', clearTask: 'say_hello',
  },
];

for (const c of cases) {
  describe(`a real Airflow ${c.airflow === '3' ? '3' : '2.10'} deployment`, () => {
    it(`lists ${c.dagId}, triggers it with conf, follows it to success, reads a log and an XCom, and clears a task`, { timeout: 240_000 }, async () => {
      const server = await c.start(c.dagFile);
      try {
        const client = new AirflowClient({
          baseUrl: server.url, api: 'auto', credentials: { kind: 'basic', username: server.username, password: server.password }, timeoutMs: 20_000, retries: 2, retryDelayMs: 200,
        });
        assert.equal(await eventually('the API server answers', server, 90_000, () => client.apiVersion()), c.airflow === '3' ? 'v2' : 'v1');
        await eventually(`${c.dagId} is parsed`, server, 90_000, async () => (await client.listDags()).find((d) => d.dagId === c.dagId));

        const local = checkFile({ file: c.dagFile, text: readFileSync(c.dagFile, 'utf8') }).model.dags[0];
        const check = await client.checkDag(c.dagId, resolve(c.dagFile), local.tasks);
        assert.deepEqual({ known: check.known, paused: check.paused, importErrors: check.importErrors, ok: describeCheck(check).ok }, { known: true, paused: true, importErrors: [], ok: true });
        // The deployment's copy without one edge: the check names it.
        const drifted = await client.checkDag(c.dagId, resolve(c.dagFile), local.tasks.map((t) => (t.taskId === c.clearTask ? { ...t, upstream: [] } : t)));
        assert.equal(describeCheck(drifted).ok, false);
        assert.ok(drifted.diff!.edgesOnlyRemote.some(([, downstream]) => downstream === c.clearTask));

        await assert.rejects(client.tasks('no_such_dag'), (error: AirflowApiError) => error.kind === 'dag_not_found' && error.message.includes("no DAG 'no_such_dag'"));
        const wrong = new AirflowClient({ baseUrl: server.url, api: 'auto', credentials: { kind: 'basic', username: server.username, password: 'not-the-password' }, timeoutMs: 20_000, retries: 0 });
        await assert.rejects(wrong.listDags(), (error: AirflowApiError) => error.kind === 'unauthorized' && !error.message.includes('not-the-password'));

        // Triggering a paused DAG says so; the run waits until the DAG is unpaused.
        const triggered = await client.trigger(c.dagId, { conf: { source: 'preflight' } });
        assert.equal(triggered.paused, true);
        assert.deepEqual(triggered.run.conf, { source: 'preflight' });
        assert.equal((await client.setPaused(c.dagId, false)).isPaused, false);
        const done = await client.follow(c.dagId, triggered.run.runId, { intervalMs: 1000, timeoutMs: 150_000 });
        assert.equal(done.run.state, 'success', server.logs());
        assert.deepEqual(done.tasks.map((t) => t.state), local.tasks.map(() => 'success'));
        assert.deepEqual(new Set(done.tasks.map((t) => t.taskId)), new Set(local.tasks.map((t) => t.taskId)));

        const logged = done.tasks.find((t) => t.taskId === c.logTask)!;
        assert.match(await client.log(c.dagId, done.run.runId, c.logTask, logged.tryNumber), new RegExp(c.logLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.deepEqual((await client.xcom(c.dagId, done.run.runId, c.xcomTask)).value, c.xcomValue);

        // The CLI over the same client: the run's status as JSON.
        const status = preflightRemote(server, ['status', c.dagId, done.run.runId, '--json']);
        assert.equal(status.status, 0, status.stderr);
        assert.equal(JSON.parse(status.stdout).run.state, 'success');

        // Clear: the task runs again, with a second try, and the run succeeds again.
        const cleared = await client.clearTasks(c.dagId, done.run.runId, [c.clearTask], true);
        assert.ok(cleared.includes(c.clearTask), `cleared ${cleared.join(', ')}`);
        const again = await client.follow(c.dagId, done.run.runId, { intervalMs: 1000, timeoutMs: 120_000 });
        assert.equal(again.run.state, 'success', server.logs());
        assert.equal(again.tasks.find((t) => t.taskId === c.clearTask)!.tryNumber, done.tasks.find((t) => t.taskId === c.clearTask)!.tryNumber + 1);
      } finally {
        await server.stop();
        rmSync(server.home, { recursive: true, force: true });
      }
    });
  });
}
