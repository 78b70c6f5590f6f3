// The local runs the Runs view shows: the persisted history, and the live state of the simulations
// running now, built from the engine's events, so the view follows a run task by task.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { DagRunState, SimTask, SimulationEvent, SimulationResult, TaskState } from '../core/sim/types';
import type { RunHistory, RunHistoryEntry } from '../node/runHistory';

/** How much of a running task's log the view keeps; the finished result has the engine's own tail. */
const LIVE_LOG_CHARS = 64 * 1024;
/** Events come by the hundred a second from a busy run: the view redraws at most this often. */
const REDRAW_DELAY_MS = 150;

export interface LiveTask {
  state: TaskState;
  tryNumber: number;
  note?: string;
  log: string;
}

export interface LiveRun {
  readonly runId: string;
  state: DagRunState;
  readonly tasks: Map<string, LiveTask>;
}

export interface LiveAlert {
  readonly runId: string;
  readonly taskId?: string;
  readonly text: string;
}

/** What is known of a simulation while it runs. */
export interface LiveSimulation {
  /** The DAG's tasks in order, as known when the run started. */
  readonly taskIds: readonly string[];
  readonly runs: Map<string, LiveRun>;
  readonly alerts: LiveAlert[];
}

/** How a run ended: the simulator's outcome, or that of a run made by real Airflow. */
export interface FinishedRun {
  readonly result: SimulationResult;
  readonly dag: { readonly tasks: readonly Pick<SimTask, 'taskId' | 'upstream' | 'downstream' | 'line'>[] };
}

/** What a caller says about a run it starts; the store adds the id, times and status. */
export type RunStart = Omit<RunHistoryEntry, 'id' | 'startedAt' | 'finishedAt' | 'status' | 'result'>;

export class RunStore implements vscode.Disposable {
  private readonly live = new Map<string, LiveSimulation>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private redrawTimer: ReturnType<typeof setTimeout> | undefined;
  /** The history as the last session left it; runs begin only once it is read, so none is overwritten. */
  readonly ready: Promise<void>;

  constructor(private readonly history: RunHistory) {
    this.ready = history.load().then(() => this.changed.fire());
  }

  get historyFile(): string {
    return this.history.path;
  }

  /** Newest first. */
  get entries(): readonly RunHistoryEntry[] {
    return [...this.history.entries].reverse();
  }

  entry(id: string): RunHistoryEntry | undefined {
    return this.history.entries.find((e) => e.id === id);
  }

  liveState(id: string): LiveSimulation | undefined {
    return this.live.get(id);
  }

  /** Records a run as running, on disk too, so that a crash leaves it in the history as interrupted. */
  async begin(start: RunStart): Promise<RunHistoryEntry> {
    await this.ready;
    const entry: RunHistoryEntry = { ...start, id: randomUUID(), startedAt: Date.now(), finishedAt: null, status: 'running', result: null };
    this.live.set(entry.id, { taskIds: entry.tasks.map((t) => t.taskId), runs: new Map(), alerts: [] });
    void this.history.append(entry);
    this.redrawSoon();
    return entry;
  }

  record(entryId: string, event: SimulationEvent): void {
    const live = this.live.get(entryId);
    if (!live) return;
    const run = this.liveRun(live, event.run_id);
    switch (event.kind) {
      case 'run':
        if (event.state) run.state = event.state as DagRunState;
        break;
      case 'task': {
        if (!event.task_id) break;
        const task = this.liveTask(run, event.task_id);
        if (event.state) task.state = event.state as TaskState;
        if (event.try_number !== undefined) task.tryNumber = event.try_number;
        if (event.text) task.note = event.text;
        break;
      }
      case 'log': {
        if (!event.task_id || !event.text) break;
        const task = this.liveTask(run, event.task_id);
        task.log = (task.log + event.text).slice(-LIVE_LOG_CHARS);
        break;
      }
      case 'alert':
        live.alerts.push({ runId: event.run_id, ...(event.task_id ? { taskId: event.task_id } : {}), text: event.text ?? '' });
        break;
    }
    this.redrawSoon();
  }

  private liveRun(live: LiveSimulation, runId: string): LiveRun {
    let run = live.runs.get(runId);
    if (!run) {
      // Every task is listed from the start, in the DAG's order, and fills in as it runs.
      run = { runId, state: 'queued', tasks: new Map(live.taskIds.map((id) => [id, { state: 'none', tryNumber: 0, log: '' }])) };
      live.runs.set(runId, run);
    }
    return run;
  }

  private liveTask(run: LiveRun, taskId: string): LiveTask {
    let task = run.tasks.get(taskId);
    if (!task) {
      task = { state: 'none', tryNumber: 0, log: '' };
      run.tasks.set(taskId, task);
    }
    return task;
  }

  /** Replaces the running entry with the result, and resolves once that is on disk. */
  async finish(entryId: string, outcome: FinishedRun): Promise<RunHistoryEntry | undefined> {
    const entry = this.entry(entryId);
    this.live.delete(entryId);
    if (!entry) return undefined;
    const finished: RunHistoryEntry = {
      ...entry,
      status: 'finished',
      finishedAt: Date.now(),
      tasks: outcome.dag.tasks.map((t) => ({ taskId: t.taskId, upstream: t.upstream, downstream: t.downstream, ...(t.line !== undefined ? { line: t.line } : {}) })),
      result: outcome.result,
    };
    const written = this.history.append(finished);
    this.redrawNow();
    await written;
    return finished;
  }

  /** Forgets a run that never started (no Python, an import error): it has nothing to show. */
  async discard(entryId: string): Promise<void> {
    this.live.delete(entryId);
    const written = this.history.save(this.history.entries.filter((e) => e.id !== entryId));
    this.redrawNow();
    await written;
  }

  /** Empties the history, except the runs still running. */
  async clear(): Promise<void> {
    const written = this.history.save(this.history.entries.filter((e) => this.live.has(e.id)));
    this.redrawNow();
    await written;
  }

  private redrawSoon(): void {
    this.redrawTimer ??= setTimeout(() => this.redrawNow(), REDRAW_DELAY_MS);
  }

  private redrawNow(): void {
    clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.redrawTimer);
    this.changed.dispose();
  }
}
