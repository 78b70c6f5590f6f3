// A client of Airflow's REST API, version 1 (Airflow 2) or 2 (Airflow 3), over Node's global fetch.
// Each request has a timeout; requests that fail on the connection, with a 5xx or with a 429 are
// tried again with exponential backoff; every failure becomes an AirflowApiError whose message says
// what to check. Credentials never appear in a message or a log line: both go through `redact`.
import {
  clearBody, importErrorMatchesFile, isFinishedRun, logAccept, logTextOf, paths, remoteDagOf, remoteDagRunOf, remoteDagRunsOf, remoteDagsOf, remoteImportErrorsOf,
  remoteTaskInstancesOf, remoteTasksOf, remoteXComKeysOf, remoteXComOf, triggerBody,
  type RemoteDag, type RemoteDagRun, type RemoteImportError, type RemoteTask, type RemoteTaskInstance, type RemoteXCom,
} from '../core/remote/api';
import { diffDagStructure, type DeploymentCheck, type LocalTask } from '../core/remote/diff';
import { encodeBasic, redact, secretsOf, type ApiVersion, type ApiVersionChoice, type Credentials } from '../core/remote/profile';

export type AirflowApiErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'dag_not_found'
  | 'not_found'
  | 'bad_request'
  | 'conflict'
  | 'server'
  | 'not_airflow'
  | 'cancelled';

export class AirflowApiError extends Error {
  constructor(readonly kind: AirflowApiErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = 'AirflowApiError';
  }
}

export interface AirflowClientOptions {
  readonly baseUrl: string;
  readonly api: ApiVersionChoice;
  readonly credentials: Credentials;
  readonly timeoutMs: number;
  /** Further tries of a request that failed on the connection, a 5xx or a 429. */
  readonly retries: number;
  /** The first backoff; each retry waits twice as long as the one before (default 500 ms). */
  readonly retryDelayMs?: number;
  /** One line per request and retry, already redacted: for an output channel or `--verbose`. */
  readonly log?: (line: string) => void;
}

export interface TriggerResult {
  readonly run: RemoteDagRun;
  /** True when the DAG is paused on the server: the run stays queued until someone unpauses it. */
  readonly paused: boolean;
}

export interface RunProgress {
  readonly run: RemoteDagRun;
  readonly tasks: readonly RemoteTaskInstance[];
}

/** Node's fetch reports a refused or unresolvable host as a TypeError whose cause has the code. */
function connectionCode(error: unknown): string | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const cause = (error as { cause?: unknown }).cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause) return String((cause as { code: unknown }).code);
  // A few refusals have no code: fetch's own "bad port" for ports browsers block, for one.
  return cause instanceof Error && cause.message !== '' ? cause.message : 'network error';
}

/** Codes that mean the request never reached the server, so even a POST may be sent again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AirflowApiError('cancelled', 'cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AirflowApiError('cancelled', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function detailOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const { detail, title } = parsed as { detail?: unknown; title?: unknown };
      if (typeof detail === 'string' && detail !== '') return detail;
      // FastAPI's validation errors are a list of {loc, msg}.
      if (Array.isArray(detail)) return detail.map((d) => (typeof d === 'object' && d !== null && 'msg' in d ? String((d as { msg: unknown }).msg) : JSON.stringify(d))).join('; ');
      if (typeof title === 'string') return title;
    }
  } catch {
    // Not JSON: a proxy's HTML page, say; its first line is enough.
  }
  return body.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH';
  readonly body?: unknown;
  readonly accept?: string;
  /** What a 404 means here: a DAG that does not exist gets its own message. */
  readonly dagId?: string;
  readonly signal?: AbortSignal;
  /** Skip authentication: the version endpoints and the token endpoint need none. */
  readonly anonymous?: boolean;
}

export class AirflowClient {
  private resolvedVersion: ApiVersion | undefined;
  /** The JWT `/auth/token` issued, for `/api/v2` with a user name and password. */
  private jwt: string | undefined;
  private readonly secrets: string[];

  constructor(private readonly options: AirflowClientOptions) {
    this.resolvedVersion = options.api === 'auto' ? undefined : options.api;
    this.secrets = secretsOf(options.credentials);
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The API version in use: the profile's, or the one the server answers to. */
  async apiVersion(signal?: AbortSignal): Promise<ApiVersion> {
    if (this.resolvedVersion) return this.resolvedVersion;
    // Both version endpoints answer without credentials; Airflow 3 has no /api/v1 and Airflow 2 no /api/v2.
    for (const candidate of ['v2', 'v1'] as const) {
      try {
        await this.request(paths.version(candidate), { anonymous: true, signal });
        this.resolvedVersion = candidate;
        return candidate;
      } catch (error) {
        if (!(error instanceof AirflowApiError) || (error.kind !== 'not_found' && error.kind !== 'not_airflow')) throw error;
      }
    }
    throw new AirflowApiError('not_airflow', this.safe(`${this.options.baseUrl} answers neither /api/v2/version nor /api/v1/version: is it the root of an Airflow API server (the address of its web UI)?`));
  }

  /** The server's Airflow version, e.g. `3.3.2`. */
  async serverVersion(signal?: AbortSignal): Promise<string> {
    const body = await this.json(paths.version(await this.apiVersion(signal)), { anonymous: true, signal });
    return typeof body === 'object' && body !== null && 'version' in body ? String((body as { version: unknown }).version) : 'unknown';
  }

  async listDags(signal?: AbortSignal): Promise<RemoteDag[]> {
    const v = await this.apiVersion(signal);
    const dags: RemoteDag[] = [];
    // Pages of 100, the limit both versions accept by default.
    for (let offset = 0; ; offset += 100) {
      const page = remoteDagsOf(await this.json(paths.dags(v, 100, offset), { signal }));
      dags.push(...page.dags);
      if (page.dags.length === 0 || dags.length >= page.total) return dags;
    }
  }

  async dag(dagId: string, signal?: AbortSignal): Promise<RemoteDag> {
    return remoteDagOf(await this.json(paths.dag(await this.apiVersion(signal), dagId), { dagId, signal }));
  }

  async tasks(dagId: string, signal?: AbortSignal): Promise<RemoteTask[]> {
    return remoteTasksOf(await this.json(paths.tasks(await this.apiVersion(signal), dagId), { dagId, signal }));
  }

  async setPaused(dagId: string, paused: boolean, signal?: AbortSignal): Promise<RemoteDag> {
    return remoteDagOf(await this.json(paths.pauseDag(await this.apiVersion(signal), dagId), { method: 'PATCH', body: { is_paused: paused }, dagId, signal }));
  }

  async importErrors(signal?: AbortSignal): Promise<RemoteImportError[]> {
    return remoteImportErrorsOf(await this.json(paths.importErrors(await this.apiVersion(signal), 1000), { signal }));
  }

  /** The newest runs first. */
  async dagRuns(dagId: string, limit: number, signal?: AbortSignal): Promise<RemoteDagRun[]> {
    return remoteDagRunsOf(await this.json(paths.dagRuns(await this.apiVersion(signal), dagId, limit), { dagId, signal }));
  }

  async dagRun(dagId: string, runId: string, signal?: AbortSignal): Promise<RemoteDagRun> {
    return remoteDagRunOf(await this.json(paths.dagRun(await this.apiVersion(signal), dagId, runId), { signal }));
  }

  /**
   * Triggers a run with `conf`. The DAG is looked up first, so an unknown DAG is a clear 404 and a
   * paused one is reported (`paused`): its run would wait, queued, until the DAG is unpaused.
   */
  async trigger(dagId: string, options: { readonly conf: Readonly<Record<string, unknown>>; readonly logicalDate?: string; readonly runId?: string; readonly unpause?: boolean }, signal?: AbortSignal): Promise<TriggerResult> {
    const v = await this.apiVersion(signal);
    let dag = await this.dag(dagId, signal);
    if (dag.isPaused && options.unpause) dag = await this.setPaused(dagId, false, signal);
    const run = remoteDagRunOf(await this.json(paths.triggerRun(v, dagId), { method: 'POST', body: triggerBody(v, options), dagId, signal }));
    return { run, paused: dag.isPaused };
  }

  async taskInstances(dagId: string, runId: string, signal?: AbortSignal): Promise<RemoteTaskInstance[]> {
    return remoteTaskInstancesOf(await this.json(paths.taskInstances(await this.apiVersion(signal), dagId, runId), { signal }));
  }

  /** The log of one try of a task instance, as text. */
  async log(dagId: string, runId: string, taskId: string, tryNumber: number, mapIndex = -1, signal?: AbortSignal): Promise<string> {
    const v = await this.apiVersion(signal);
    const body = await this.text(paths.log(v, dagId, runId, taskId, tryNumber, mapIndex), { accept: logAccept(v), signal });
    return logTextOf(v, body);
  }

  async xcomKeys(dagId: string, runId: string, taskId: string, signal?: AbortSignal): Promise<string[]> {
    return remoteXComKeysOf(await this.json(paths.xcoms(await this.apiVersion(signal), dagId, runId, taskId), { signal }));
  }

  async xcom(dagId: string, runId: string, taskId: string, key = 'return_value', mapIndex = -1, signal?: AbortSignal): Promise<RemoteXCom> {
    return remoteXComOf(await this.json(paths.xcom(await this.apiVersion(signal), dagId, runId, taskId, key, mapIndex), { signal }));
  }

  /** Clears tasks of a run (and their downstream tasks) so they run again; resolves to the ids cleared. */
  async clearTasks(dagId: string, runId: string, taskIds: readonly string[], includeDownstream: boolean, signal?: AbortSignal): Promise<string[]> {
    const v = await this.apiVersion(signal);
    const body = await this.json(paths.clearTaskInstances(v, dagId), { method: 'POST', body: clearBody(runId, taskIds, includeDownstream), dagId, signal });
    return remoteTaskInstancesOf(body).map((t) => t.taskId);
  }

  /**
   * Whether the deployment knows a local DAG: the DAG, its structure against `localTasks`, and the
   * import errors that name `localFile`. A DAG the deployment lacks is a finding, not an error.
   */
  async checkDag(dagId: string, localFile: string, localTasks: readonly LocalTask[], signal?: AbortSignal): Promise<DeploymentCheck> {
    const importErrors = (await this.importErrors(signal)).filter((e) => importErrorMatchesFile(e.filename, localFile)).map((e) => ({ filename: e.filename, stackTrace: e.stackTrace }));
    let dag: RemoteDag;
    try {
      dag = await this.dag(dagId, signal);
    } catch (error) {
      if (error instanceof AirflowApiError && error.kind === 'dag_not_found') return { dagId, known: false, importErrors };
      throw error;
    }
    const diff = diffDagStructure(localTasks, await this.tasks(dagId, signal));
    return { dagId, known: true, paused: dag.isPaused, importErrors, diff };
  }

  /**
   * Polls a run until it succeeds or fails, calling `onUpdate` whenever a state changed. Rejects
   * with a timeout error after `timeoutMs` and with `cancelled` when `signal` aborts.
   */
  async follow(dagId: string, runId: string, options: { readonly intervalMs: number; readonly timeoutMs: number; readonly onUpdate?: (progress: RunProgress) => void; readonly signal?: AbortSignal }): Promise<RunProgress> {
    const deadline = Date.now() + options.timeoutMs;
    let last = '';
    for (;;) {
      const [run, tasks] = await Promise.all([this.dagRun(dagId, runId, options.signal), this.taskInstances(dagId, runId, options.signal)]);
      const progress = { run, tasks };
      const fingerprint = JSON.stringify([run.state, tasks.map((t) => [t.taskId, t.mapIndex, t.serverState, t.tryNumber])]);
      if (fingerprint !== last) options.onUpdate?.(progress);
      last = fingerprint;
      if (isFinishedRun(run.state)) return progress;
      if (Date.now() + options.intervalMs > deadline) {
        throw new AirflowApiError('timeout', `run ${runId} of ${dagId} is still ${run.state} after ${Math.round(options.timeoutMs / 1000)} s`);
      }
      await sleep(options.intervalMs, options.signal);
    }
  }

  private safe(text: string): string {
    return redact(text, [...this.secrets, ...(this.jwt ? [this.jwt] : [])]);
  }

  private trace(line: string): void {
    this.options.log?.(this.safe(line));
  }

  private async json(path: string, options: RequestOptions = {}): Promise<unknown> {
    const text = await this.text(path, options);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AirflowApiError('not_airflow', this.safe(`${this.options.baseUrl}${path.split('?')[0]} did not answer with JSON: is ${this.options.baseUrl} an Airflow API server?`));
    }
  }

  private async text(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.request(path, options);
    return response.body;
  }

  private async authorization(signal?: AbortSignal): Promise<string | undefined> {
    const { credentials } = this.options;
    if (credentials.kind === 'token') return `Bearer ${credentials.token}`;
    if (credentials.kind === 'none') return undefined;
    if ((await this.apiVersion(signal)) === 'v1') return `Basic ${encodeBasic(credentials.username, credentials.password)}`;
    // Airflow 3 takes a JWT, from the simple auth manager's or FAB's /auth/token.
    this.jwt ??= await this.fetchToken(credentials.username, credentials.password, signal);
    return `Bearer ${this.jwt}`;
  }

  private async fetchToken(username: string, password: string, signal?: AbortSignal): Promise<string> {
    let response: { status: number; body: string };
    try {
      response = await this.request('/auth/token', { method: 'POST', body: { username, password }, anonymous: true, signal });
    } catch (error) {
      if (error instanceof AirflowApiError && (error.kind === 'unauthorized' || error.kind === 'bad_request' || error.kind === 'not_found')) {
        throw new AirflowApiError('unauthorized', this.safe(`Airflow at ${this.options.baseUrl} refused the user name and password for '${username}' at /auth/token (${error.status}): check them, or use a token if the deployment signs in through another auth manager`), error.status);
      }
      throw error;
    }
    const token = (JSON.parse(response.body) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string') throw new AirflowApiError('not_airflow', `${this.options.baseUrl}/auth/token answered without an access_token`);
    return token;
  }

  /** One request, with its timeout and retries; resolves only for a 2xx answer. */
  private async request(path: string, options: RequestOptions): Promise<{ status: number; body: string }> {
    const method = options.method ?? 'GET';
    // A GET may be repeated freely; a POST or PATCH only when the server cannot have acted on it.
    const idempotent = method === 'GET';
    const url = `${this.options.baseUrl}${path}`;
    const where = `${method} ${path.split('?')[0]}`;
    const baseDelay = this.options.retryDelayMs ?? 500;
    let refreshedToken = false;
    for (let attempt = 0; ; attempt++) {
      const retry = async (reason: string, retryAfterMs?: number): Promise<boolean> => {
        if (attempt >= this.options.retries) return false;
        const delay = Math.min(retryAfterMs ?? baseDelay * 2 ** attempt, 30_000);
        this.trace(`${where}: ${reason}; trying again in ${delay} ms (${attempt + 1} of ${this.options.retries})`);
        await sleep(delay, options.signal);
        return true;
      };
      const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
      if (options.body !== undefined) headers['Content-Type'] = 'application/json';
      if (!options.anonymous) {
        const authorization = await this.authorization(options.signal);
        if (authorization) headers.Authorization = authorization;
      }
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), this.options.timeoutMs);
      const onAbort = () => timeout.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const started = Date.now();
      let status: number;
      let body: string;
      let retryAfter: string | null;
      try {
        const response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: timeout.signal });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        body = await response.text();
      } catch (error) {
        if (options.signal?.aborted) throw new AirflowApiError('cancelled', 'cancelled');
        if (timeout.signal.aborted) {
          if (idempotent && (await retry(`no answer within ${this.options.timeoutMs} ms`))) continue;
          throw new AirflowApiError('timeout', this.safe(`Airflow at ${this.options.baseUrl} did not answer ${where} within ${this.seconds(this.options.timeoutMs)}${attempt > 0 ? ` (${attempt + 1} tries)` : ''}: the server may be overloaded, or a proxy may hold the request`));
        }
        const code = connectionCode(error);
        if (code === undefined) throw error;
        if ((idempotent || NOT_SENT.has(code)) && (await retry(`cannot connect (${code})`))) continue;
        throw new AirflowApiError('unreachable', this.safe(`cannot reach Airflow at ${this.options.baseUrl} (${code}${attempt > 0 ? `, ${attempt + 1} tries` : ''}): check the URL, the network, and that the API server is running`));
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      }
      this.trace(`${where} -> ${status} (${Date.now() - started} ms)`);
      if (status >= 200 && status < 300) return { status, body };
      // The server did not act on a 429 or 503, so even a POST may be repeated; other 5xx only for a GET.
      if (status === 429 || status === 503 || (status >= 500 && idempotent)) {
        const seconds = retryAfter !== null ? Number(retryAfter) : NaN;
        if (await retry(`the server answered ${status}`, Number.isFinite(seconds) ? seconds * 1000 : undefined)) continue;
      }
      // An Airflow 3 JWT expires; one from a user name and password can be renewed once.
      if (status === 401 && this.jwt !== undefined && !refreshedToken) {
        this.jwt = undefined;
        refreshedToken = true;
        continue;
      }
      throw this.httpError(status, detailOf(body), where, options);
    }
  }

  private seconds(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
  }

  private httpError(status: number, detail: string, where: string, options: RequestOptions): AirflowApiError {
    const server = `Airflow at ${this.options.baseUrl}`;
    const said = detail ? `: "${detail}"` : '';
    const { credentials } = this.options;
    const who = credentials.kind === 'basic' ? `user '${credentials.username}'` : credentials.kind === 'token' ? 'the token' : 'anonymous requests';
    let kind: AirflowApiErrorKind;
    let message: string;
    if (status === 401) {
      kind = 'unauthorized';
      message = credentials.kind === 'none'
        ? `${server} needs credentials (401): set a user name and password or a token for this deployment`
        : `${server} refused the credentials of ${who} (401)${said}. Check them${this.resolvedVersion === 'v1' ? ", and that the server's [api] auth_backends includes airflow.api.auth.backend.basic_auth" : ', and that a token has not expired'}`;
    } else if (status === 403) {
      kind = 'forbidden';
      message = `${server} does not let ${who} ${where} (403)${said}: the user's role lacks the permission`;
    } else if (status === 404 && options.dagId !== undefined && /dag/i.test(detail) && !/run/i.test(detail)) {
      kind = 'dag_not_found';
      message = `the deployment at ${this.options.baseUrl} has no DAG '${options.dagId}' (404): it may not be parsed yet, may fail to import (see its import errors), or may live in another deployment`;
    } else if (status === 404) {
      kind = 'not_found';
      message = `${server} has no ${where.split(' ')[1]} (404)${said}`;
    } else if (status === 409) {
      kind = 'conflict';
      message = `${server} refused ${where} (409)${said}`;
    } else if (status >= 400 && status < 500) {
      kind = 'bad_request';
      message = `${server} refused ${where} (${status})${said}`;
    } else {
      kind = 'server';
      message = `${server} failed on ${where} (${status})${said}${options.method === undefined || options.method === 'GET' ? ` after ${this.options.retries + 1} tries` : ''}`;
    }
    return new AirflowApiError(kind, this.safe(message), status);
  }
}
