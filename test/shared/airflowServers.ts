// Real Airflow servers on 127.0.0.1 for the tests of the deployment client: Airflow 3 (api-server,
// scheduler and dag-processor; the simple auth manager with a user whose password we write;
// LocalExecutor on SQLite) and Airflow 2.10 (webserver with the basic_auth API backend, scheduler
// with the SequentialExecutor, a FAB user). Each gets a throwaway AIRFLOW_HOME with one DAG file in
// its DAG folder, and every process runs in its own process group, killed when the server stops.
// Used by test/oracle/remote.test.ts and by the integration suite in the extension host.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AirflowApiError } from '../../src/node/airflowApi';

/** Every process group started here, killed when the process exits even when a test fails or times out. */
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

/** Stops every server this process started and has not stopped yet. */
export function stopAllServers(): Promise<void> {
  return stopGroups([...groups]);
}

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

export interface Server {
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

/** Runs an `airflow` command to its end without blocking the event loop (the extension host's, in the integration suite). */
async function airflowCommand(python: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<void> {
  try {
    await promisify(execFile)(join(dirname(python), 'airflow'), [...args], { env, timeout: 180_000 });
  } catch (error) {
    throw new Error(`airflow ${args.slice(0, 2).join(' ')} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

/** Airflow 3: api-server, scheduler and dag-processor, the simple auth manager with user `admin`, LocalExecutor on SQLite. */
export async function startAirflow3(python: string, dagFile: string): Promise<Server> {
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
  await airflowCommand(python, env, ['db', 'migrate']);
  const names = ['api-server', 'scheduler', 'dag-processor'];
  const children = startProcesses(python, home, env, names.map((n) => [n]));
  return { url, home, username: 'admin', password, stop: () => stopGroups(children), logs: () => serverLogs(home, names) };
}

/** Airflow 2.10: webserver with the basic_auth API backend, scheduler with the SequentialExecutor, FAB user `admin`. */
export async function startAirflow2(python: string, dagFile: string): Promise<Server> {
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
  await airflowCommand(python, env, ['db', 'migrate']);
  await airflowCommand(python, env, ['users', 'create', '--username', 'admin', '--password', password, '--firstname', 'Pre', '--lastname', 'Flight', '--role', 'Admin', '--email', 'admin@example.com']);
  const names = ['webserver', 'scheduler'];
  const children = startProcesses(python, home, env, names.map((n) => [n]));
  return { url: `http://127.0.0.1:${port}`, home, username: 'admin', password, stop: () => stopGroups(children), logs: () => serverLogs(home, names) };
}

/** Polls `probe` until it returns a value, through the errors of a server still starting. */
export async function eventually<T>(what: string, server: Server, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
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
  throw new Error(`${what} within ${timeoutMs / 1000} s (last error: ${lastError instanceof Error ? lastError.message : 'none'})\n${server.logs()}`);
}
