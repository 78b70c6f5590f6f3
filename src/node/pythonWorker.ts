// The Node end of the Python task worker (python/preflight_worker/worker.py): starts it for one DAG
// file, waits for its description of the file's DAGs, then sends it one request at a time and serves
// what the request asks for meanwhile (logs, XCom pulls and pushes, alerts). The protocol is
// src/node/workerProtocol.ts. The worker runs in its own process group so that kill() also ends the
// processes task code started; a worker that dies mid-request resolves that request with a
// WorkerCrashed error instead of leaving it pending.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { XComPullRequest } from '../core/sim/types';
import type { EngineMessage, WireError, WorkerMessage } from './workerProtocol';

export type ReadyMessage = Extract<WorkerMessage, { type: 'ready' }>;
export type ExecuteRequest = Omit<Extract<EngineMessage, { type: 'execute' }>, 'type' | 'id'>;
export type CallbackRequest = Omit<Extract<EngineMessage, { type: 'callback' }>, 'type' | 'id'>;
export type ExecuteOutcome = Extract<WorkerMessage, { type: 'result' }>['outcome'];
export type WorkerAlert = Extract<WorkerMessage, { type: 'alert' }>['alert'];
type RequestMessage = Omit<Extract<EngineMessage, { type: 'execute' }>, 'id'> | Omit<Extract<EngineMessage, { type: 'callback' }>, 'id'>;

/** What a request may do while it runs: TaskChannel's shape, except that xcomPull may answer later. */
export interface WorkerChannel {
  log(text: string): void;
  xcomPull(request: XComPullRequest): unknown;
  xcomPush(key: string, value: unknown): void;
  alert(alert: WorkerAlert): void;
}

export interface PythonWorkerOptions {
  /** The interpreter to run, a path or a name on PATH. */
  readonly python: string;
  readonly file: string;
  readonly dagsFolder: string;
  readonly airflow: 2 | 3;
  /** `auto` (default) uses the interpreter's apache-airflow when it imports; `always` the stand-in. */
  readonly standIn?: 'auto' | 'always';
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** worker.py; defaults to pythonWorkerScript(). */
  readonly script?: string;
  /** How long importing Python, Airflow and the DAG file may take; default 120 s. */
  readonly startTimeoutMs?: number;
}

export type StartResult = { readonly worker: PythonWorker; readonly ready: ReadyMessage } | { readonly error: WireError };

/** What the worker writes on stderr after each request: everything before it on stderr belongs to that request. */
const END_MARKER = /\0PREFLIGHT_END (\d+)\0/;
/** How long an answer waits for its stderr marker (task code may have closed or redirected fd 2). */
const MARKER_GRACE_MS = 1000;
const STDERR_TAIL_LINES = 40;

interface Pending {
  readonly id: number;
  readonly taskId: string | null;
  readonly channel: WorkerChannel;
  readonly settle: (message: WorkerMessage | { type: 'crash'; error: WireError }) => void;
  answer?: WorkerMessage;
  stderrDone: boolean;
}

/** worker.py, from the source tree (src/node) or from the bundle (dist/, which ships beside python/). */
export function pythonWorkerScript(): string {
  const candidates = [
    resolve(__dirname, '..', 'python', 'preflight_worker', 'worker.py'),
    resolve(__dirname, '..', '..', 'python', 'preflight_worker', 'worker.py'),
  ];
  return candidates.find((path) => existsSync(path)) ?? candidates[0];
}

export class PythonWorker {
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private current: Pending | undefined;
  private stdoutParts: string[] = [];
  private stderrPartial = '';
  private readonly stderrTail: string[] = [];
  private exited = false;
  private killed = false;
  private exitDescription = '';
  private readonly exitWaiters: (() => void)[] = [];
  private onReady: ((message: ReadyMessage | Extract<WorkerMessage, { type: 'load_error' }> | { type: 'crash'; error: WireError }) => void) | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly options: PythonWorkerOptions) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr.on('data', (chunk: string) => this.onStderr(chunk));
    child.stdin.on('error', () => undefined);
  }

  /** Starts a worker for `options.file`; resolves once it described the file, or with why it could not. */
  static start(options: PythonWorkerOptions): Promise<StartResult> {
    const script = options.script ?? pythonWorkerScript();
    const args = ['-u', script, '--file', options.file, '--dags-folder', options.dagsFolder, '--airflow', String(options.airflow), '--stand-in', options.standIn ?? 'auto'];
    return new Promise((settle) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(options.python, args, {
          cwd: options.cwd,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...(options.env ?? process.env), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
        });
      } catch (error) {
        settle({ error: pythonNotFound(options.python, error) });
        return;
      }
      const worker = new PythonWorker(child, options);
      let done = false;
      const finish = (result: StartResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        worker.onReady = undefined;
        // A worker that could not describe the file exits by itself; what its import started must not outlive it.
        if ('error' in result) void Promise.race([worker.waitForExit(), new Promise((r) => setTimeout(r, 2000))]).then(() => worker.kill());
        settle(result);
      };
      const timer = setTimeout(() => {
        worker.kill();
        finish({ error: { type: 'WorkerStartTimeout', message: `The Python worker did not describe ${options.file} within ${(options.startTimeoutMs ?? 120_000) / 1000} s.${worker.tail()}`, retryable: false } });
      }, options.startTimeoutMs ?? 120_000);
      child.on('error', (error: NodeJS.ErrnoException) => {
        worker.exited = true;
        finish({ error: error.code === 'ENOENT' || error.code === 'EACCES' ? pythonNotFound(options.python, error) : { type: 'WorkerCrashed', message: `Could not start ${options.python}: ${error.message}`, retryable: false } });
      });
      child.on('exit', (code, signal) => worker.onExit(code, signal));
      worker.onReady = (message) => {
        if (message.type === 'ready') finish({ worker, ready: message });
        else if (message.type === 'load_error') finish({ error: message.error });
        else finish({ error: message.error });
      };
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once the worker process exited. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Runs a task's callable. Always resolves; a worker that dies meanwhile gives a WorkerCrashed error. */
  execute(request: ExecuteRequest, channel: WorkerChannel, signal?: AbortSignal): Promise<ExecuteOutcome> {
    return this.enqueue(request.task_id, channel, { type: 'execute', ...request }, signal).then((answer) => {
      if (answer.type === 'crash') return { kind: 'error', error: answer.error };
      if (answer.type === 'result') return answer.outcome;
      return { kind: 'error', error: { type: 'WorkerProtocolError', message: `unexpected answer ${answer.type}`, retryable: true } };
    });
  }

  /** Runs a task's or the DAG's callback(s). Always resolves. */
  callback(request: CallbackRequest, channel: WorkerChannel): Promise<{ error: WireError | null }> {
    return this.enqueue(request.task_id, channel, { type: 'callback', ...request }).then((answer) => {
      if (answer.type === 'crash') return { error: answer.error };
      if (answer.type === 'callback_result') return { error: answer.error };
      return { error: { type: 'WorkerProtocolError', message: `unexpected answer ${answer.type}`, retryable: true } };
    });
  }

  /** Asks the worker to exit, then ends whatever its tasks left running. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    if (!this.exited) {
      this.send({ type: 'shutdown' });
      this.child.stdin.end();
      await Promise.race([this.waitForExit(), new Promise((r) => setTimeout(r, timeoutMs))]);
    }
    this.kill();
  }

  /** Kills the worker and every process in its group (what task code started included). */
  kill(): void {
    this.killed = true;
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // No such group (already gone), or a platform without process groups.
      if (!this.exited) this.child.kill('SIGKILL');
    }
  }

  private waitForExit(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((r) => this.exitWaiters.push(r));
  }

  private enqueue(taskId: string | null, channel: WorkerChannel, message: RequestMessage, signal?: AbortSignal): Promise<WorkerMessage | { type: 'crash'; error: WireError }> {
    const run = () => new Promise<WorkerMessage | { type: 'crash'; error: WireError }>((settle) => {
      const id = this.nextId++;
      if (this.exited) {
        settle({ type: 'crash', error: this.crashError(taskId) });
        return;
      }
      if (signal?.aborted) {
        settle({ type: 'crash', error: { type: 'WorkerKilled', message: 'The request was aborted before it started.', retryable: true } });
        return;
      }
      const onAbort = () => this.kill();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.current = {
        id,
        taskId,
        channel,
        stderrDone: false,
        settle: (answer) => {
          signal?.removeEventListener('abort', onAbort);
          this.current = undefined;
          settle(answer);
        },
      };
      this.send({ ...message, id } as EngineMessage);
    });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private send(message: EngineMessage): void {
    if (this.exited || this.child.stdin.destroyed) return;
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  private onStdout(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      this.stdoutParts.push(chunk.slice(start, newline));
      const line = this.stdoutParts.join('');
      this.stdoutParts = [];
      start = newline + 1;
      if (line.trim()) this.onLine(line);
    }
    if (start < chunk.length) this.stdoutParts.push(chunk.slice(start));
  }

  private onLine(line: string): void {
    let message: WorkerMessage;
    try {
      message = JSON.parse(line) as WorkerMessage;
    } catch {
      this.remember(`[unparsable worker output] ${line.slice(0, 500)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
      case 'load_error':
        this.onReady?.(message);
        return;
      case 'log':
        if (this.current?.id === message.id) this.current.channel.log(message.text);
        return;
      case 'xcom_push':
        if (this.current?.id === message.id) this.current.channel.xcomPush(message.key, message.value);
        return;
      case 'alert':
        if (this.current?.id === message.id) this.current.channel.alert(message.alert);
        return;
      case 'xcom_pull':
        void this.answerPull(message.id, message.request);
        return;
      case 'result':
      case 'callback_result':
        if (this.current?.id === message.id) {
          const pending = this.current;
          pending.answer = message;
          this.settleIfComplete();
          if (this.current === pending) setTimeout(() => this.current === pending && pending.settle(message), MARKER_GRACE_MS);
        }
        return;
    }
  }

  private async answerPull(id: number, request: Readonly<Record<string, unknown>>): Promise<void> {
    const pending = this.current;
    if (pending?.id !== id) return;
    try {
      const value = await pending.channel.xcomPull(request as XComPullRequest);
      this.send({ type: 'xcom_value', id, value: value === undefined ? null : value });
    } catch (error) {
      // Not in the contract's xcom_value: the worker raises it in the task's code.
      this.send({ type: 'xcom_value', id, value: null, error: error instanceof Error ? error.message : String(error) } as EngineMessage);
    }
  }

  private onStderr(chunk: string): void {
    const lines = (this.stderrPartial + chunk).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) this.onStderrLine(line);
    // A marker needs no newline after it to count.
    const marker = END_MARKER.exec(this.stderrPartial);
    if (marker) {
      this.onStderrLine(this.stderrPartial.slice(0, marker.index + marker[0].length));
      this.stderrPartial = this.stderrPartial.slice(marker.index + marker[0].length);
    }
  }

  private onStderrLine(line: string): void {
    const marker = END_MARKER.exec(line);
    const text = marker ? line.slice(0, marker.index) + line.slice(marker.index + marker[0].length) : line;
    if (text) {
      this.remember(text);
      this.current?.channel.log(text);
    }
    if (marker && this.current?.id === Number(marker[1])) {
      this.current.stderrDone = true;
      this.settleIfComplete();
    }
  }

  private settleIfComplete(): void {
    const pending = this.current;
    if (pending?.answer && pending.stderrDone) pending.settle(pending.answer);
  }

  private remember(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }

  private tail(): string {
    const lines = [...this.stderrTail, ...(this.stderrPartial ? [this.stderrPartial] : [])];
    return lines.length > 0 ? `\n${lines.join('\n')}` : '';
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitDescription = this.killed ? 'was killed' : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    // Let what is already in the pipes arrive first (the stdout pipe closes with the worker; stderr
    // may be held open by a process the task left behind, so it is not waited for).
    const finalize = () => {
      if (this.exited) return;
      this.exited = true;
      const pending = this.current;
      if (pending) {
        if (pending.answer) pending.settle(pending.answer);
        else pending.settle({ type: 'crash', error: this.crashError(pending.taskId) });
      }
      this.onReady?.({ type: 'crash', error: { type: 'WorkerCrashed', message: `The Python worker ${this.exitDescription} before it described ${this.options.file}.${this.tail()}`, retryable: false } });
      for (const waiter of this.exitWaiters.splice(0)) waiter();
    };
    if (this.child.stdout.readableEnded) finalize();
    else {
      this.child.stdout.once('end', finalize);
      setTimeout(finalize, 200);
    }
  }

  private crashError(taskId: string | null): WireError {
    const what = taskId ? ` while running ${taskId}` : '';
    return { type: 'WorkerCrashed', message: `The Python worker ${this.exitDescription || 'is not running'}${what}.${this.tail()}`, retryable: true };
  }
}

function pythonNotFound(python: string, error: unknown): WireError {
  const reason = error instanceof Error ? ` (${error.message})` : '';
  return { type: 'PythonNotFound', message: `Python interpreter not found: ${python}${reason}. Set preflight.pythonPath to a Python 3.9+ interpreter.`, retryable: false };
}
