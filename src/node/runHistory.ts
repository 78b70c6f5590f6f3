// The history of local runs in a workspace, kept in one JSON file in the extension's storage so that
// a reload or a crash loses nothing. Each write goes to a temporary file that is flushed to disk and
// then renamed over the old one: a reader finds the previous history or the new one, never half of
// one. A file that cannot be read as a history is kept beside it as `.bak` and the history starts
// empty, so one bad file never breaks the Runs view.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimulationResult } from '../core/sim/types';
import type { RunSelection } from './localRun';

/** The version of the file's layout; a file of another version is set aside like a corrupted one. */
export const HISTORY_FORMAT = 1;
export const MAX_RUNS_PER_DAG = 50;

/** A task as the history keeps it: what Clear, test reports and "reveal in the DAG file" need. */
export interface HistoryTask {
  readonly taskId: string;
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  /** 1-based line of the task's definition in the DAG file. */
  readonly line?: number;
}

/** `running` while the simulation runs; one still running when the window closed is `interrupted`. */
export type HistoryStatus = 'running' | 'finished' | 'interrupted';

/** One local run of a DAG: one simulation, which holds one DAG run or, for a range, several. */
export interface RunHistoryEntry {
  readonly id: string;
  readonly dagId: string;
  /** The DAG file's absolute path. */
  readonly file: string;
  readonly mode: 'dry' | 'real';
  readonly selection: RunSelection;
  readonly conf: Readonly<Record<string, unknown>>;
  /** Wall-clock times, epoch milliseconds. */
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: HistoryStatus;
  readonly tasks: readonly HistoryTask[];
  /** The simulation's result once it finished. */
  readonly result: SimulationResult | null;
  /** `airflow` when real Airflow made the run (`dag.test()`, Run DAG with Local Airflow); absent for the simulator's runs. */
  readonly engine?: 'airflow';
  /** Set for a run on an Airflow deployment (`preflight.deployments`), followed from the editor. */
  readonly remote?: { readonly deployment: string; readonly baseUrl: string; readonly runId: string };
  /** Set when this simulation resumed run `runId` after a Clear of `taskId`, which reset `tasks`. */
  readonly cleared?: { readonly runId: string; readonly taskId: string; readonly tasks: readonly string[] };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntry(value: unknown): value is RunHistoryEntry {
  if (!isObject(value)) return false;
  const { id, dagId, file, mode, startedAt, status, tasks, result } = value;
  return typeof id === 'string' && typeof dagId === 'string' && typeof file === 'string'
    && (mode === 'dry' || mode === 'real') && typeof startedAt === 'number'
    && (status === 'running' || status === 'finished' || status === 'interrupted')
    && Array.isArray(tasks) && isObject(value.selection)
    && (result === null || (isObject(result) && Array.isArray(result.runs) && Array.isArray(result.alerts)));
}

/** The entries of a history file, or why the text is not one. */
function parseHistory(text: string): RunHistoryEntry[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${errorMessage(error)}`;
  }
  if (!isObject(value) || value.format !== HISTORY_FORMAT || !Array.isArray(value.entries)) return `not a run history of format ${HISTORY_FORMAT}`;
  const malformed = value.entries.findIndex((entry) => !isEntry(entry));
  return malformed >= 0 ? `entry ${malformed} is malformed` : (value.entries as RunHistoryEntry[]);
}

/**
 * Keeps the newest `maxRunsPerDag` DAG runs of each DAG. Entries are oldest first; an entry that
 * holds more runs than its DAG has room for keeps its latest runs (and their alerts) only. An entry
 * without a result (running, interrupted) counts as one run.
 */
export function capHistory(entries: readonly RunHistoryEntry[], maxRunsPerDag: number = MAX_RUNS_PER_DAG): RunHistoryEntry[] {
  const room = new Map<string, number>();
  const kept: RunHistoryEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    const left = room.get(entry.dagId) ?? maxRunsPerDag;
    if (left <= 0) continue;
    const runs = entry.result?.runs ?? [];
    if (!entry.result || runs.length <= left) {
      kept.push(entry);
      room.set(entry.dagId, left - Math.max(1, runs.length));
      continue;
    }
    // The engine lists runs in logical-date order, so the latest are at the end.
    const keptRuns = runs.slice(runs.length - left);
    const ids = new Set(keptRuns.map((r) => r.run_id));
    kept.push({ ...entry, result: { ...entry.result, runs: keptRuns, alerts: entry.result.alerts.filter((a) => ids.has(a.run_id)) } });
    room.set(entry.dagId, 0);
  }
  return kept.reverse();
}

/** The run history of one workspace: the entries in memory, oldest first, and their file. */
export class RunHistory {
  private list: RunHistoryEntry[] = [];
  /** Writes happen one after another, in the order they were asked for. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void,
    private readonly maxRunsPerDag: number = MAX_RUNS_PER_DAG,
  ) {}

  get entries(): readonly RunHistoryEntry[] {
    return this.list;
  }

  /** Reads the file; a missing file is an empty history, an unreadable one is set aside as `.bak`. */
  async load(): Promise<readonly RunHistoryEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`Cannot read the run history ${this.path}: ${errorMessage(error)}; starting with an empty history`);
      this.list = [];
      return this.list;
    }
    const parsed = parseHistory(text);
    if (typeof parsed === 'string') {
      const backup = `${this.path}.bak`;
      try {
        await rename(this.path, backup);
        this.warn(`The run history ${this.path} is ${parsed}; it was kept as ${backup} and the history starts empty`);
      } catch (error) {
        this.warn(`The run history ${this.path} is ${parsed} and could not be kept as ${backup} (${errorMessage(error)}); the history starts empty`);
      }
      this.list = [];
      return this.list;
    }
    this.list = parsed.map((entry) => (entry.status === 'running' ? { ...entry, status: 'interrupted' } : entry));
    return this.list;
  }

  /** Adds an entry, or replaces the one with the same id (a running entry that finished), and saves. */
  append(entry: RunHistoryEntry): Promise<void> {
    const index = this.list.findIndex((e) => e.id === entry.id);
    return this.save(index >= 0 ? this.list.map((e, i) => (i === index ? entry : e)) : [...this.list, entry]);
  }

  /** Replaces the whole history (capped) and writes it; resolves once this write is on disk. */
  save(entries: readonly RunHistoryEntry[]): Promise<void> {
    this.list = capHistory(entries, this.maxRunsPerDag);
    const text = JSON.stringify({ format: HISTORY_FORMAT, entries: this.list });
    this.writes = this.writes.then(() => this.write(text));
    return this.writes;
  }

  private async write(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      this.warn(`Cannot save the run history ${this.path}: ${errorMessage(error)}`);
    }
  }
}
