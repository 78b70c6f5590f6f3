// The client of src/node/airflowApi.ts and `preflight remote` against real Airflow servers started
// here on 127.0.0.1: Airflow 3 (api-server, scheduler and dag-processor; the simple auth manager
// with a user whose password we write; LocalExecutor on SQLite) and Airflow 2.10 (webserver with the
// basic_auth API backend, scheduler with the SequentialExecutor, a FAB user). Each server gets a
// throwaway AIRFLOW_HOME with an example DAG in its DAG folder; the client lists the DAG, compares it
// with the local model, triggers it with conf, follows it to success, reads a log and an XCom, and
// clears a task. Every process started runs in its own process group, which is killed at the end,
// whether the test passed or not.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkFile } from '../../src/core/check';
import { describeCheck } from '../../src/core/remote/diff';
import { AirflowApiError, AirflowClient } from '../../src/node/airflowApi';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

/** Every process group started by this file, killed at the end even when a test fails or times out. */
const groups = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

async function stopGroups(children: readonly ChildProcess[]): Promise<void> {
  for (const child of children) killGroup(child, 'SIGTERM');
  const exited = (child: ChildProcess) => new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done())));
  const timer = new Promise<void>((done) => setTimeout(done, 15_000).unref());
  await Promise.race([Promise.all(children.map(exited)), timer]);
  // What ignored SIGTERM (a gunicorn worker, a task process) is killed outright, with its whole group.
  for (const child of children) {
    killGroup(child, 'SIGKILL');
    groups.delete(child);
  }
}

process.on('exit', () => groups.forEach((child) => killGroup(child, 'SIGKILL')));
after(() => stopGroups([...groups]));

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The environment of an Airflow process: nothing of the caller's Airflow settings, SQLite in `home`. */
function airflowEnv(home: string, python: string, settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AIRFLOW') && !key.startsWith('PREFLIGHT_AIRFLOW')) env[key] = value;
  }
  return {
    ...env,
    // The SequentialExecutor and LocalExecutor run `airflow` from PATH.
    PATH: `${dirname(python)}:${process.env.PATH ?? ''}`,
    TZ: 'UTC',
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: join(home, 'dags'),
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'True',
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${join(home, 'airflow.db')}`,
    AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS: 'False',
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: join(home, 'logs'),
    ...settings,
  };
}

interface Server {
  readonly url: string;
  readonly home: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
  /** The servers' own output, for the message of a failing assertion. */
  logs(): string;
}

function startProcesses(python: string, home: string, env: NodeJS.ProcessEnv, commands: readonly (readonly string[])[]): ChildProcess[] {
  const airflow = join(dirname(python), 'airflow');
  return commands.map((args) => {
    const out = openSync(join(home, `${args[0]}.log`), 'w');
    const child = spawn(airflow, args, { env, cwd: home, detached: true, stdio: ['ignore', out, out] });
    groups.add(child);
    return child;
  });
}

function serverLogs(home: string, names: readonly string[]): string {
  return names.map((name) => {
    let text = '';
    try {
      text = readFileSync(join(home, `${name}.log`), 'utf8');
    } catch {
      // Not started.
    }
    return `--- ${name} ---\n${text.slice(-3000)}`;
  }).join('\n');
}

function migrate(python: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(join(dirname(python), 'airflow'), ['db', 'migrate'], { env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `airflow db migrate failed: ${result.stderr}`);
}

async function startAirflow3(dagFile: string): Promise<Server> {
  const python = pythons['3'];
  const home = mkdtempSync(join(tmpdir(), 'preflight-remote-af3-'));
  mkdirSync(join(home, 'dags'));
  copyFileSync(dagFile, join(home, 'dags', dagFile.split('/').at(-1)!));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const password = randomBytes(12).toString('hex');
  // The simple auth manager keeps the passwords of the users it has in this file and generates none for them.
  writeFileSync(join(home, 'passwords.json'), JSON.stringify({ admin: password }));
  const env = airflowEnv(home, python, {
    AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
    AIRFLOW__CORE__PARALLELISM: '4',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: 'admin:admin',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: join(home, 'passwords.json'),
    AIRFLOW__API__BASE_URL: url,
    AIRFLOW__API__HOST: '127.0.0.1',
    AIRFLOW__API__PORT: String(port),
    AIRFLOW__API__WORKERS: '1',
    // The scheduler's task runners report to the API server, and both sign with the same secret.
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${url}/execution/`,
    AIRFLOW__API_AUTH__JWT_SECRET: randomBytes(24).toString('hex'),
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: '5',
  });
  migrate(python, env);
  const names = ['api-server', 'scheduler', 'dag-processor'];
  const children = startProcesses(python, home, env, names.map((n) => [n]));
  return { url, home, username: 'admin', password, stop: () => stopGroups(children), logs: () => serverLogs(home, names) };
}

async function startAirflow2(dagFile: string): Promise<Server> {
  const python = pythons['2'];
  const home = mkdtempSync(join(tmpdir(), 'preflight-remote-af2-'));
  mkdirSync(join(home, 'dags'));
  copyFileSync(dagFile, join(home, 'dags', dagFile.split('/').at(-1)!));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const env = airflowEnv(home, python, {
    // SQLite allows only the SequentialExecutor on Airflow 2.
    AIRFLOW__CORE__EXECUTOR: 'SequentialExecutor',
    AIRFLOW__API__AUTH_BACKENDS: 'airflow.api.auth.backend.basic_auth',
    AIRFLOW__WEBSERVER__WORKERS: '1',
    AIRFLOW__WEBSERVER__WEB_SERVER_HOST: '127.0.0.1',
    AIRFLOW__WEBSERVER__WEB_SERVER_PORT: String(port),
    AIRFLOW__WEBSERVER__SECRET_KEY: randomBytes(16).toString('hex'),
    AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL: '5',
    AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL: '5',
  });
  migrate(python, env);
  const users = spawnSync(join(dirname(python), 'airflow'), ['users', 'create', '--username', 'admin', '--password', password, '--firstname', 'Pre', '--lastname', 'Flight', '--role', 'Admin', '--email', 'admin@example.com'], { env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(users.status, 0, `airflow users create failed: ${users.stderr}`);
  const names = ['webserver', 'scheduler'];
  const children = startProcesses(python, home, env, names.map((n) => [n]));
  return { url: `http://127.0.0.1:${port}`, home, username: 'admin', password, stop: () => stopGroups(children), logs: () => serverLogs(home, names) };
}

/** Polls `probe` until it returns a value, through the errors of a server still starting. */
async function eventually<T>(what: string, server: Server, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!(error instanceof AirflowApiError) || !['unreachable', 'timeout', 'server', 'not_found', 'not_airflow'].includes(error.kind)) throw error;
      lastError = error;
    }
    await new Promise((done) => setTimeout(done, 2000));
  }
  assert.fail(`${what} within ${timeoutMs / 1000} s (last error: ${lastError instanceof Error ? lastError.message : 'none'})\n${server.logs()}`);
}

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
    airflow: '3', dagFile: 'examples/dags/af3_taskflow_etl.py', dagId: 'af3_taskflow_etl', start: startAirflow3,
    logTask: 'load', logLine: 'Total order value is: 1236.70',
    xcomTask: 'transform', xcomValue: { total_order_value: 1236.7, order_count: 3 }, clearTask: 'load',
  },
  {
    airflow: '2', dagFile: 'examples/dags/af2_once_debug.py', dagId: 'af2_once_debug', start: startAirflow2,
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
