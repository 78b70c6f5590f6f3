// The Airflow REST client's failures, against a local HTTP server that answers as a deployment
// would (or would not): each becomes an AirflowApiError of its kind with a message that says what to
// check and holds no credential. And the pure parts of src/core/remote: profiles, states, file
// matching, logs, and the structural diff of a deployment's DAG against the local model.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { analyzeDagFile } from '../../src/core/dag/analyze';
import { importErrorMatchesFile, logTextOf, paths, remoteDagRunOf, remoteTaskInstancesOf, remoteTasksOf, taskStateOf, triggerBody } from '../../src/core/remote/api';
import { describeCheck, diffDagStructure, type DagStructureDiff } from '../../src/core/remote/diff';
import { encodeBasic, normalizeBaseUrl, parseProfiles, redact } from '../../src/core/remote/profile';
import { progressEvents, remoteRunResult } from '../../src/core/remote/runResult';
import { AirflowApiError, AirflowClient, type AirflowClientOptions } from '../../src/node/airflowApi';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A server whose answers each test sets; it records the requests it got. */
let handler: Handler = (_request, _body, response) => response.writeHead(500).end();
const requests: { method: string; url: string; authorization?: string; body: string }[] = [];
let server: Server;
let baseUrl: string;

before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method!, url: request.url!, body, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
      handler(request, body, response);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
}

const PASSWORD = 'hunter2-secret';
const TOKEN = 'eyJhbGciOiJIUzUxMiJ9.payload.signature';

function client(options: Partial<AirflowClientOptions> = {}, lines: string[] = []): AirflowClient {
  requests.length = 0;
  return new AirflowClient({
    baseUrl, api: 'v1', credentials: { kind: 'basic', username: 'admin', password: PASSWORD }, timeoutMs: 2000, retries: 2, retryDelayMs: 10,
    log: (line) => lines.push(line), ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<AirflowApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AirflowApiError, `expected an AirflowApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('AirflowClient', () => {
  it('says a 401 is the credentials, with what to check on Airflow 2, and never shows the password', async () => {
    handler = (_request, _body, response) => json(response, 401, { title: 'Unauthorized', status: 401 });
    const lines: string[] = [];
    const error = await failure(client({}, lines).listDags());
    assert.equal(error.kind, 'unauthorized');
    assert.equal(error.status, 401);
    assert.match(error.message, /refused the credentials of user 'admin' \(401\)/);
    assert.match(error.message, /airflow\.api\.auth\.backend\.basic_auth/);
    assert.equal(requests.length, 1, 'a 401 is not retried');
    assert.equal(requests[0].authorization, `Basic ${encodeBasic('admin', PASSWORD)}`);
    for (const text of [error.message, ...lines]) {
      assert.ok(!text.includes(PASSWORD) && !text.includes(encodeBasic('admin', PASSWORD)), text);
    }
  });

  it('says a 403 is the role, naming the request', async () => {
    handler = (_request, _body, response) => json(response, 403, { detail: 'Forbidden' });
    const error = await failure(client().dagRuns('etl', 5));
    assert.equal(error.kind, 'forbidden');
    assert.match(error.message, /does not let user 'admin' GET \/api\/v1\/dags\/etl\/dagRuns \(403\).*role lacks the permission/);
  });

  it('tells an unknown DAG from another 404', async () => {
    handler = (_request, _body, response) => json(response, 404, { detail: 'The DAG with dag_id: etl was not found', status: 404 });
    const error = await failure(client().tasks('etl'));
    assert.equal(error.kind, 'dag_not_found');
    assert.match(error.message, /has no DAG 'etl' \(404\): it may not be parsed yet/);
    handler = (_request, _body, response) => json(response, 404, { detail: 'The DagRun with dag_id: `etl` and run_id: `r1` was not found' });
    assert.equal((await failure(client().dagRun('etl', 'r1'))).kind, 'not_found');
  });

  it('tries a GET again after a 500 with exponential backoff, and succeeds', async () => {
    let calls = 0;
    handler = (_request, _body, response) => (++calls < 3 ? json(response, 500, { detail: 'database is locked' }) : json(response, 200, { dags: [{ dag_id: 'etl', is_paused: false }], total_entries: 1 }));
    const lines: string[] = [];
    const dags = await client({}, lines).listDags();
    assert.deepEqual(dags.map((d) => d.dagId), ['etl']);
    assert.equal(requests.length, 3);
    assert.deepEqual(lines.filter((l) => l.includes('trying again')).map((l) => l.replace(/.*(in \d+ ms).*/, '$1')), ['in 10 ms', 'in 20 ms']);
  });

  it('gives up on a 5xx after its retries, and does not repeat a POST the server may have acted on', async () => {
    handler = (_request, _body, response) => json(response, 502, { detail: 'bad gateway' });
    const error = await failure(client().dagRuns('etl', 1));
    assert.equal(error.kind, 'server');
    assert.match(error.message, /failed on GET \/api\/v1\/dags\/etl\/dagRuns \(502\): "bad gateway" after 3 tries/);
    assert.equal(requests.length, 3);
    const posted = await failure(client().clearTasks('etl', 'r1', ['load'], true));
    assert.equal(posted.kind, 'server');
    assert.equal(requests.length, 1);
  });

  it('waits for a 429 as Retry-After says, even for a POST', async () => {
    let calls = 0;
    handler = (_request, _body, response) => {
      if (++calls === 1) response.writeHead(429, { 'Retry-After': '0' }).end();
      else json(response, 200, { task_instances: [{ task_id: 'load', state: 'success' }] });
    };
    assert.deepEqual(await client().clearTasks('etl', 'r1', ['load'], true), ['load']);
    assert.equal(requests.length, 2);
    assert.deepEqual(JSON.parse(requests[1].body), { dry_run: false, dag_run_id: 'r1', task_ids: ['load'], include_downstream: true, include_upstream: false, only_failed: false, reset_dag_runs: true });
  });

  it('times out a request that gets no answer, after its retries', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 150, retries: 1 }).listDags());
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /did not answer GET \/api\/v1\/dags within 150 ms \(2 tries\)/);
    assert.equal(requests.length, 2);
    assert.ok(Date.now() - started < 2000);
    server.closeAllConnections();
  });

  it('says a host that refuses connections is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const error = await failure(new AirflowClient({ baseUrl: `http://127.0.0.1:${port}`, api: 'v2', credentials: { kind: 'token', token: TOKEN }, timeoutMs: 1000, retries: 1, retryDelayMs: 10 }).listDags());
    assert.equal(error.kind, 'unreachable');
    assert.match(error.message, new RegExp(`cannot reach Airflow at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED, 2 tries\\): check the URL`));
  });

  it('signs in to /api/v2 at /auth/token, sends the JWT, renews it once on a 401, and hides both', async () => {
    let issued = 0;
    handler = (request, body, response) => {
      if (request.url === '/auth/token') {
        assert.deepEqual(JSON.parse(body), { username: 'admin', password: PASSWORD });
        return json(response, 201, { access_token: `${TOKEN}${++issued}` });
      }
      if (request.headers.authorization !== `Bearer ${TOKEN}2`) return json(response, 401, { detail: `Invalid token ${request.headers.authorization}` });
      return json(response, 200, { dag_id: 'etl', is_paused: true });
    };
    const lines: string[] = [];
    const c = client({ api: 'v2' }, lines);
    assert.equal((await c.dag('etl')).isPaused, true);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.url}`), ['POST /auth/token', 'GET /api/v2/dags/etl', 'POST /auth/token', 'GET /api/v2/dags/etl']);
    // A JWT the server refuses, and a password it refuses, are errors with neither in their text.
    handler = (_request, _body, response) => json(response, 401, { detail: `Invalid credentials for ${PASSWORD}` });
    const error = await failure(client({ api: 'v2' }).listDags());
    assert.equal(error.kind, 'unauthorized');
    assert.ok(!error.message.includes(PASSWORD), error.message);
    assert.ok(lines.every((l) => !l.includes(TOKEN) && !l.includes(PASSWORD)));
  });

  it('finds the API version from the server, and says when it is not Airflow', async () => {
    handler = (request, _body, response) => (request.url === '/api/v1/version' ? json(response, 200, { version: '2.10.5' }) : json(response, 404, { detail: 'Not Found' }));
    const c = client({ api: 'auto' });
    assert.equal(await c.apiVersion(), 'v1');
    assert.equal(await c.serverVersion(), '2.10.5');
    handler = (_request, _body, response) => response.writeHead(404).end('<html>nothing here</html>');
    const error = await failure(client({ api: 'auto' }).apiVersion());
    assert.equal(error.kind, 'not_airflow');
    assert.match(error.message, /answers neither \/api\/v2\/version nor \/api\/v1\/version/);
  });

  it('reports a paused DAG when triggering, and unpauses it when asked', async () => {
    let paused = true;
    handler = (request, body, response) => {
      if (request.method === 'PATCH') {
        assert.equal(request.url, '/api/v1/dags/etl?update_mask=is_paused');
        paused = JSON.parse(body).is_paused;
      }
      if (request.method === 'POST') return json(response, 200, { dag_run_id: 'manual__1', dag_id: 'etl', state: 'queued', conf: JSON.parse(body).conf, execution_date: '2024-01-01T00:00:00+00:00' });
      return json(response, 200, { dag_id: 'etl', is_paused: paused });
    };
    const first = await client().trigger('etl', { conf: { a: 1 } });
    assert.deepEqual({ paused: first.paused, conf: first.run.conf, logicalDate: first.run.logicalDate }, { paused: true, conf: { a: 1 }, logicalDate: '2024-01-01T00:00:00+00:00' });
    const second = await client().trigger('etl', { conf: {}, unpause: true });
    assert.equal(second.paused, false);
  });
});

describe('remote API shapes', () => {
  it('asks Airflow 3 for a run with a null logical date, and lets Airflow 2 choose its own', () => {
    assert.deepEqual(triggerBody('v2', { conf: { a: 1 } }), { logical_date: null, conf: { a: 1 } });
    assert.deepEqual(triggerBody('v1', { conf: { a: 1 } }), { conf: { a: 1 } });
    assert.deepEqual(triggerBody('v1', { conf: {}, logicalDate: '2024-01-01T00:00:00Z' }), { logical_date: '2024-01-01T00:00:00Z', conf: {} });
    assert.equal(paths.dagRuns('v1', 'a b', 5), '/api/v1/dags/a%20b/dagRuns?limit=5&order_by=-execution_date');
    assert.equal(paths.dagRuns('v2', 'etl', 5), '/api/v2/dags/etl/dagRuns?limit=5&order_by=-run_after');
  });

  it('maps every server task state to one the graph draws', () => {
    const states = ['removed', 'scheduled', 'queued', 'running', 'success', 'restarting', 'failed', 'up_for_retry', 'up_for_reschedule', 'upstream_failed', 'skipped', 'deferred', 'awaiting_input', null, 'something_new'];
    assert.deepEqual(states.map(taskStateOf), ['removed', 'scheduled', 'queued', 'running', 'success', 'queued', 'failed', 'up_for_retry', 'running', 'upstream_failed', 'skipped', 'running', 'running', 'none', 'none']);
  });

  it("matches an import error's file: Airflow 3's path in its bundle, Airflow 2's absolute path by name", () => {
    assert.equal(importErrorMatchesFile('team/etl.py', '/home/me/repo/dags/team/etl.py'), true);
    assert.equal(importErrorMatchesFile('other/etl.py', '/home/me/repo/dags/team/etl.py'), false);
    assert.equal(importErrorMatchesFile('/opt/airflow/dags/etl.py', '/home/me/repo/dags/team/etl.py'), true);
    assert.equal(importErrorMatchesFile('/opt/airflow/dags/etl2.py', '/home/me/repo/dags/etl.py'), false);
  });

  it("writes Airflow 3's structured log lines as text and keeps Airflow 2's as they are", () => {
    const body = JSON.stringify({ content: [{ event: '::group::Log message source details' }, { timestamp: '2024-01-01T00:00:01Z', level: 'info', event: 'Total is 3' }], continuation_token: null });
    assert.equal(logTextOf('v2', body), '::group::Log message source details\n[2024-01-01T00:00:01Z] INFO Total is 3');
    assert.equal(logTextOf('v1', '[2024] INFO - hello\n'), '[2024] INFO - hello\n');
  });

  it('reads profiles from the setting and says what is wrong with the others', () => {
    const { profiles, problems } = parseProfiles([
      { name: 'prod', url: 'https://airflow.example.com/api/v2/', api: 'v2', auth: 'token', timeoutSeconds: 10 },
      { name: 'dev', url: 'http://localhost:8080', username: 'admin' },
      { name: 'prod', url: 'https://other.example.com' },
      { name: 'bad', url: 'https://admin:pw@example.com' },
      { name: 'old', url: 'http://x', api: 'v3' },
      'not an object',
    ]);
    assert.deepEqual(profiles, [
      { name: 'prod', baseUrl: 'https://airflow.example.com', api: 'v2', auth: 'token', timeoutMs: 10_000, retries: 3 },
      { name: 'dev', baseUrl: 'http://localhost:8080', api: 'auto', auth: 'basic', username: 'admin', timeoutMs: 30_000, retries: 3 },
    ]);
    assert.deepEqual(problems, [
      "deployment 3: the name 'prod' is used twice",
      "deployment 4: 'bad': url must be an http:// or https:// address without a user name or password in it",
      "deployment 5: 'old': api must be v1 (Airflow 2), v2 (Airflow 3) or auto",
      'deployment 6: must be an object with name and url',
    ]);
    assert.equal(normalizeBaseUrl('ftp://x'), undefined);
  });

  it('redacts secrets, bearer and basic headers, and token fields', () => {
    assert.equal(redact(`pw ${PASSWORD}; Authorization: Bearer abc.def.ghi; {"access_token": "xyz"}`, [PASSWORD]), 'pw ***; Authorization: Bearer ***; {"access_token": "***"}');
  });
});

/** The deployment's tasks as `GET dags/{id}/tasks` lists them: `{task: [downstream...]}`. */
function remoteTasks(downstream: Record<string, string[]>) {
  return remoteTasksOf({ tasks: Object.entries(downstream).map(([task_id, ids]) => ({ task_id, downstream_task_ids: ids })) });
}

/** The diff of a DAG file's first DAG against a deployment's tasks. */
function check(fixture: string, deployment: Record<string, string[]>, expected: DagStructureDiff): void {
  const dag = analyzeDagFile(fixture).dags[0];
  assert.deepEqual(diffDagStructure(dag.tasks, remoteTasks(deployment)), expected);
}

const ETL = `
from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG("etl") as dag:
    extract = BashOperator(task_id="extract", bash_command="x")
    transform = BashOperator(task_id="transform", bash_command="x")
    load = BashOperator(task_id="load", bash_command="x")
    report = BashOperator(task_id="report", bash_command="x")
    extract >> transform >> [load, report]
`;

describe('the structural diff of a deployment against the local file', () => {
  const none = { onlyLocal: [], onlyRemote: [], edgesOnlyLocal: [], edgesOnlyRemote: [] };

  it('finds nothing when the deployment has the same tasks and edges', () =>
    check(ETL, { extract: ['transform'], transform: ['load', 'report'], load: [], report: [] }, none));

  it('names tasks that only one side has, without repeating their edges', () =>
    check(ETL, { extract: ['transform'], transform: ['load', 'publish'], load: [], publish: [] }, { ...none, onlyLocal: ['report'], onlyRemote: ['publish'] }));

  it('names edges that only one side has', () =>
    check(ETL, { extract: ['transform', 'load'], transform: ['report'], load: [], report: [] }, { ...none, edgesOnlyLocal: [['transform', 'load']], edgesOnlyRemote: [['extract', 'load']] }));

  it('describes a drifted deployment in sentences, and an unknown DAG', () => {
    const dag = analyzeDagFile(ETL).dags[0];
    const diff = diffDagStructure(dag.tasks, remoteTasks({ extract: ['transform'], transform: ['load'], load: [] }));
    assert.deepEqual(describeCheck({ dagId: 'etl', known: true, paused: false, importErrors: [], diff }), {
      ok: false, lines: ["the deployment's copy of etl differs from the local file: tasks only in the local file: report"],
    });
    assert.deepEqual(describeCheck({ dagId: 'etl', known: false, importErrors: [{ filename: 'etl.py', stackTrace: 'Traceback...\nValueError: boom' }] }), {
      ok: false, lines: ["the deployment has no DAG 'etl'", 'import error in etl.py: ValueError: boom'],
    });
  });
});

describe('a remote run in the Runs view, the graph and the grid', () => {
  const run = (state: string) => remoteDagRunOf({ dag_run_id: 'manual__2024-01-01T00:00:00+00:00', dag_id: 'etl', state, logical_date: null, start_date: '2024-01-01T00:00:01Z', end_date: null, conf: { a: 1 }, run_type: 'manual' });
  const instances = (states: Record<string, string | null>, mapped: (string | null)[] = []) => remoteTaskInstancesOf({
    task_instances: [
      ...Object.entries(states).map(([task_id, state]) => ({ task_id, state, try_number: state === null ? 0 : 1, map_index: -1, duration: 1.5 })),
      ...mapped.map((state, map_index) => ({ task_id: 'fan', state, try_number: 1, map_index })),
    ],
  });

  it('turns each poll into the events that changed since the last one', () => {
    const first = { run: run('queued'), tasks: instances({ extract: null, load: null }) };
    assert.deepEqual(progressEvents(undefined, first), [
      { kind: 'run', run_id: 'manual__2024-01-01T00:00:00+00:00', state: 'queued' },
      { kind: 'task', run_id: 'manual__2024-01-01T00:00:00+00:00', task_id: 'extract', state: 'none', try_number: 0 },
      { kind: 'task', run_id: 'manual__2024-01-01T00:00:00+00:00', task_id: 'load', state: 'none', try_number: 0 },
    ]);
    const second = { run: run('running'), tasks: instances({ extract: 'deferred', load: null }) };
    assert.deepEqual(progressEvents(first, second), [
      { kind: 'run', run_id: 'manual__2024-01-01T00:00:00+00:00', state: 'running' },
      { kind: 'task', run_id: 'manual__2024-01-01T00:00:00+00:00', task_id: 'extract', state: 'running', try_number: 1 },
    ]);
    assert.deepEqual(progressEvents(second, second), []);
  });

  it('keeps a finished run as a result of one run, in the local order, with logs, XComs and mapped instances', () => {
    const result = remoteRunResult('v2', run('failed'), instances({ load: 'success', extract: 'success' }, ['success', 'failed']), new Map([['extract', { logTail: 'extracted', xcom: { return_value: 3 } }]]), ['extract', 'fan', 'load']);
    assert.equal(result.airflow, 3);
    assert.equal(result.mode, 'real');
    const [dagRun] = result.runs;
    assert.deepEqual({ state: dagRun.state, reason: dagRun.reason, logical: dagRun.logical_date, conf: dagRun.conf }, { state: 'failed', reason: 'task_failure', logical: '2024-01-01T00:00:01Z', conf: { a: 1 } });
    assert.deepEqual(dagRun.tasks.map((t) => [t.task_id, t.state, t.duration_ms, t.log_tail, t.xcom, t.mapped?.length ?? 0]), [
      ['extract', 'success', 1500, 'extracted', { return_value: 3 }, 0],
      ['fan', 'failed', null, '', {}, 2],
      ['load', 'success', 1500, '', {}, 0],
    ]);
  });
});

/** `preflight remote ...` in a child process; asynchronous, so this process's test server keeps answering. */
function preflightRemote(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'remote', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('preflight remote', () => {
  it('triggers with conf from the environment\'s credentials and warns that the DAG is paused', async () => {
    handler = (request, body, response) => {
      if (request.method === 'POST') return json(response, 200, { dag_run_id: 'manual__1', dag_id: 'etl', state: 'queued', conf: JSON.parse(body).conf });
      return json(response, 200, { dag_id: 'etl', is_paused: true });
    };
    requests.length = 0;
    const result = await preflightRemote(['trigger', 'etl', '--url', baseUrl, '--api', 'v1', '--conf', '{"day": 3}', '--json'], { PREFLIGHT_AIRFLOW_USER: 'admin', PREFLIGHT_AIRFLOW_PASSWORD: PASSWORD });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { run: { runId: 'manual__1', dagId: 'etl', state: 'queued', logicalDate: null, runType: 'manual', start: null, end: null, conf: { day: 3 } }, paused: true });
    assert.match(result.stderr, /warning: etl is paused on the deployment, so run manual__1 stays queued until it is unpaused/);
    assert.deepEqual(requests.map((r) => [r.method, r.url, r.authorization]), [
      ['GET', '/api/v1/dags/etl', `Basic ${encodeBasic('admin', PASSWORD)}`],
      ['POST', '/api/v1/dags/etl/dagRuns', `Basic ${encodeBasic('admin', PASSWORD)}`],
    ]);
  });

  it('refuses a password on the command line and says where it goes instead', async () => {
    const result = await preflightRemote(['dags', '--url', baseUrl, '--password', PASSWORD], {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /not taken on the command line.*PREFLIGHT_AIRFLOW_PASSWORD/);
    assert.ok(!result.stderr.includes(PASSWORD));
  });
});
