// `preflight remote ...`: a real Airflow deployment from the terminal, over the same client as the
// editor. Credentials come only from the environment (PREFLIGHT_AIRFLOW_USER with
// PREFLIGHT_AIRFLOW_PASSWORD, or PREFLIGHT_AIRFLOW_TOKEN), never from the command line, where other
// users and shell histories would see them. Exit codes: 0 success, 1 a run that failed or a
// deployment that differs from the file, 2 a wrong command line or a deployment that cannot answer.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RemoteDagRun, RemoteTaskInstance } from './core/remote/api';
import { describeCheck } from './core/remote/diff';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, normalizeBaseUrl, type ApiVersionChoice, type Credentials } from './core/remote/profile';
import { checkFile } from './core/check';
import { readText } from './node/files';
import { moduleReaderFor } from './node/modules';
import { AirflowApiError, AirflowClient, type RunProgress } from './node/airflowApi';

export const REMOTE_USAGE = `Usage: preflight remote <command> [options]

Commands:
  dags                          The DAGs the deployment knows, paused or not.
  runs DAG                      The DAG's latest runs on the deployment (--limit N, default 10).
  trigger DAG                   Trigger a run (--conf JSON, --date ISO, --unpause, --wait).
  status DAG [RUN_ID]           A run's state and its task instances (default: the latest run; --wait).
  tasks DAG                     The deployment's tasks of the DAG and their downstream tasks.
  log DAG RUN_ID TASK           A task instance's log (--try N, default the latest; --map-index N).
  xcom DAG RUN_ID TASK          A task's XCom (--key KEY, default return_value; --map-index N).
  clear DAG RUN_ID TASK...      Clear tasks so they run again, with their downstream tasks (--no-downstream).
  diff FILE                     Whether the deployment has the file's DAG (--dag ID), its import errors, and how its tasks and edges differ.

Options:
  --url URL                     The deployment (default: $PREFLIGHT_AIRFLOW_URL).
  --api v1|v2|auto              Airflow 2's /api/v1 or Airflow 3's /api/v2 (default: ask the server).
  --user NAME                   The user name (default: $PREFLIGHT_AIRFLOW_USER); the password only from the environment.
  --timeout SECONDS             Per request (default ${DEFAULT_TIMEOUT_MS / 1000}).
  --retries N                   Tries again after connection errors, 5xx and 429 (default ${DEFAULT_RETRIES}).
  --wait                        trigger, status: follow the run until it ends; exit 1 if it failed.
  --poll SECONDS                With --wait: how often to ask (default 3).
  --wait-timeout SECONDS        With --wait: give up after this long (default 1800).
  --json                        Print JSON.
  --verbose                     Print each request and retry on stderr (credentials are never printed).

Credentials, from the environment only:
  PREFLIGHT_AIRFLOW_USER and PREFLIGHT_AIRFLOW_PASSWORD   Basic auth on /api/v1; a token from /auth/token on /api/v2.
  PREFLIGHT_AIRFLOW_TOKEN                                 A bearer token.`;

class RemoteUsageError extends Error {}

function credentialsFrom(env: NodeJS.ProcessEnv): Credentials {
  const token = env.PREFLIGHT_AIRFLOW_TOKEN;
  if (token) return { kind: 'token', token };
  const username = env.PREFLIGHT_AIRFLOW_USER;
  if (username) return { kind: 'basic', username, password: env.PREFLIGHT_AIRFLOW_PASSWORD ?? '' };
  return { kind: 'none' };
}

function positiveNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0)) throw new RemoteUsageError(`${flag} takes a positive number`);
  return value;
}

function conf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RemoteUsageError(`--conf is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RemoteUsageError('--conf takes a JSON object');
  return value as Record<string, unknown>;
}

function printRun(run: RemoteDagRun, tasks: readonly RemoteTaskInstance[]): void {
  console.log(`${run.runId}: ${run.state}${run.logicalDate ? `, logical date ${run.logicalDate}` : ''}`);
  const width = Math.max(4, ...tasks.map((t) => t.taskId.length + (t.mapIndex >= 0 ? String(t.mapIndex).length + 2 : 0)));
  for (const task of tasks) {
    const name = task.mapIndex >= 0 ? `${task.taskId}[${task.mapIndex}]` : task.taskId;
    const duration = task.durationMs !== null ? `, ${(task.durationMs / 1000).toFixed(2)} s` : '';
    const tries = task.tryNumber > 1 ? `, try ${task.tryNumber}` : '';
    console.log(`  ${name.padEnd(width)}  ${task.serverState ?? 'none'}${tries}${duration}`);
  }
}

function progressJson(progress: RunProgress): unknown {
  return { run: progress.run, tasks: progress.tasks };
}

export async function remoteCommand(argv: readonly string[]): Promise<number> {
  try {
    return await remote(argv);
  } catch (error) {
    if (error instanceof RemoteUsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`preflight remote: ${error.message}\n\n${REMOTE_USAGE}`);
      return 2;
    }
    if (error instanceof AirflowApiError) {
      console.error(`preflight remote: ${error.message}`);
      return 2;
    }
    if (error instanceof Error && 'code' in error && 'path' in error) {
      console.error(`preflight remote: cannot read ${String(error.path)}: ${String(error.code)}`);
      return 2;
    }
    throw error;
  }
}

async function remote(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      api: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      json: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      poll: { type: 'string' },
      'wait-timeout': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      limit: { type: 'string' },
      conf: { type: 'string' },
      date: { type: 'string' },
      unpause: { type: 'boolean', default: false },
      try: { type: 'string' },
      'map-index': { type: 'string' },
      key: { type: 'string' },
      'no-downstream': { type: 'boolean', default: false },
      dag: { type: 'string' },
      user: { type: 'string' },
      // Accepted only to be refused with the right advice: a secret on a command line is visible to every user of the machine.
      password: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.password !== undefined || values.token !== undefined) {
    throw new RemoteUsageError('passwords and tokens are not taken on the command line, where other users and the shell history see them: set PREFLIGHT_AIRFLOW_PASSWORD or PREFLIGHT_AIRFLOW_TOKEN');
  }
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(REMOTE_USAGE);
    return values.help ? 0 : 2;
  }
  const urlText = values.url ?? process.env.PREFLIGHT_AIRFLOW_URL;
  if (!urlText) throw new RemoteUsageError('give the deployment with --url or $PREFLIGHT_AIRFLOW_URL');
  const baseUrl = normalizeBaseUrl(urlText);
  if (!baseUrl) throw new RemoteUsageError('--url takes an http:// or https:// address, without a user name or password in it (use the environment variables)');
  const api = values.api ?? 'auto';
  if (api !== 'v1' && api !== 'v2' && api !== 'auto') throw new RemoteUsageError('--api takes v1, v2 or auto');
  const retries = values.retries === undefined ? DEFAULT_RETRIES : Number(values.retries);
  if (!Number.isInteger(retries) || retries < 0) throw new RemoteUsageError('--retries takes a whole number');
  const client = new AirflowClient({
    baseUrl,
    api: api as ApiVersionChoice,
    credentials: credentialsFrom(values.user === undefined ? process.env : { ...process.env, PREFLIGHT_AIRFLOW_USER: values.user }),
    timeoutMs: positiveNumber(values.timeout, '--timeout', DEFAULT_TIMEOUT_MS / 1000) * 1000,
    retries,
    ...(values.verbose ? { log: (line: string) => console.error(`preflight remote: ${line}`) } : {}),
  });
  const json = values.json!;
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  const mapIndex = values['map-index'] === undefined ? -1 : Number(values['map-index']);
  if (!Number.isInteger(mapIndex)) throw new RemoteUsageError('--map-index takes a whole number');
  const need = (count: number, what: string) => {
    if (args.length < count) throw new RemoteUsageError(`${command} takes ${what}`);
  };
  const follow = async (dagId: string, runId: string): Promise<number> => {
    const progress = await client.follow(dagId, runId, {
      intervalMs: positiveNumber(values.poll, '--poll', 3) * 1000,
      timeoutMs: positiveNumber(values['wait-timeout'], '--wait-timeout', 1800) * 1000,
      // Without --json each change is printed as it comes, like a log; with it only the end.
      ...(json ? {} : { onUpdate: (p: RunProgress) => console.error(`${p.run.runId}: ${p.run.state}; ${p.tasks.map((t) => `${t.taskId}=${t.serverState ?? 'none'}`).join(' ')}`) }),
    });
    if (json) print(progressJson(progress));
    else printRun(progress.run, progress.tasks);
    return progress.run.state === 'success' ? 0 : 1;
  };

  switch (command) {
    case 'dags': {
      const dags = await client.listDags();
      if (json) print({ dags });
      else for (const dag of dags) console.log(`${dag.dagId}${dag.isPaused ? ' (paused)' : ''}${dag.hasImportErrors ? ' (import errors)' : ''}  ${dag.fileloc ?? ''}`);
      return 0;
    }
    case 'runs': {
      need(1, 'a DAG id');
      const runs = await client.dagRuns(args[0], positiveNumber(values.limit, '--limit', 10));
      if (json) print({ runs });
      else for (const run of runs) console.log(`${run.runId}  ${run.state}  ${run.runType}${run.logicalDate ? `  ${run.logicalDate}` : ''}`);
      return 0;
    }
    case 'trigger': {
      need(1, 'a DAG id');
      const result = await client.trigger(args[0], { conf: conf(values.conf), ...(values.date ? { logicalDate: values.date } : {}), unpause: values.unpause! });
      if (result.paused) console.error(`preflight remote: warning: ${args[0]} is paused on the deployment, so run ${result.run.runId} stays queued until it is unpaused (--unpause does it)`);
      if (values.wait && !result.paused) return follow(args[0], result.run.runId);
      if (json) print({ run: result.run, paused: result.paused });
      else console.log(`triggered ${result.run.runId}: ${result.run.state}`);
      return 0;
    }
    case 'status': {
      need(1, 'a DAG id and optionally a run id');
      const dagId = args[0];
      let runId = args[1];
      if (runId === undefined) {
        const [latest] = await client.dagRuns(dagId, 1);
        if (!latest) {
          console.error(`preflight remote: ${dagId} has no runs on the deployment`);
          return 2;
        }
        runId = latest.runId;
      }
      if (values.wait) return follow(dagId, runId);
      const [run, tasks] = await Promise.all([client.dagRun(dagId, runId), client.taskInstances(dagId, runId)]);
      if (json) print({ run, tasks });
      else printRun(run, tasks);
      return run.state === 'failed' ? 1 : 0;
    }
    case 'tasks': {
      need(1, 'a DAG id');
      const tasks = await client.tasks(args[0]);
      if (json) print({ tasks });
      else for (const task of tasks) console.log(`${task.taskId}${task.operator ? ` [${task.operator}]` : ''}${task.downstream.length > 0 ? `  -> ${task.downstream.join(', ')}` : ''}`);
      return 0;
    }
    case 'log': {
      need(3, 'a DAG id, a run id and a task id');
      const [dagId, runId, taskId] = args;
      let tryNumber = values.try === undefined ? undefined : Number(values.try);
      if (tryNumber !== undefined && !(Number.isInteger(tryNumber) && tryNumber > 0)) throw new RemoteUsageError('--try takes a positive whole number');
      if (tryNumber === undefined) {
        const instance = (await client.taskInstances(dagId, runId)).find((t) => t.taskId === taskId && t.mapIndex === mapIndex);
        if (!instance) {
          console.error(`preflight remote: run ${runId} of ${dagId} has no task instance ${taskId}${mapIndex >= 0 ? `[${mapIndex}]` : ''}`);
          return 2;
        }
        tryNumber = Math.max(1, instance.tryNumber);
      }
      const text = await client.log(dagId, runId, taskId, tryNumber, mapIndex);
      if (json) print({ dag_id: dagId, run_id: runId, task_id: taskId, try_number: tryNumber, map_index: mapIndex, log: text });
      else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      return 0;
    }
    case 'xcom': {
      need(3, 'a DAG id, a run id and a task id');
      const [dagId, runId, taskId] = args;
      const xcom = await client.xcom(dagId, runId, taskId, values.key ?? 'return_value', mapIndex);
      if (json) print(xcom);
      else console.log(typeof xcom.value === 'string' ? xcom.value : JSON.stringify(xcom.value, null, 2));
      return 0;
    }
    case 'clear': {
      need(3, 'a DAG id, a run id and at least one task id');
      const [dagId, runId, ...taskIds] = args;
      const cleared = await client.clearTasks(dagId, runId, taskIds, !values['no-downstream']);
      if (json) print({ cleared });
      else console.log(cleared.length > 0 ? `cleared ${cleared.join(', ')} in ${runId}` : `nothing to clear in ${runId}`);
      return 0;
    }
    case 'diff': {
      need(1, 'a DAG FILE');
      const [file] = args;
      const checked = checkFile({ file, text: readText(file), readModule: moduleReaderFor(file) });
      const dag = values.dag === undefined ? checked.model.dags[0] : checked.model.dags.find((d) => d.dagId === values.dag);
      if (!dag) throw new RemoteUsageError(values.dag === undefined ? `${file} defines no DAG` : `${file} defines no DAG '${values.dag}'`);
      const check = await client.checkDag(dag.dagId, resolve(file), dag.tasks);
      const described = describeCheck(check);
      if (json) print({ ...check, ok: described.ok });
      else for (const line of described.lines) console.log(line);
      return described.ok ? 0 : 1;
    }
    default:
      throw new RemoteUsageError(`unknown remote command '${command}'`);
  }
}
