// What the DAG panel shows of the run history: the grid's columns (one per DAG run of the DAG) and
// the details of one task instance, from a finished result or from the live state of a running one.
import type { Alert, TaskInstanceResult } from '../core/sim/types';
import { utcIso } from '../core/time/zones';
import type { RunHistoryEntry } from '../node/runHistory';
import type { InstanceKey, RunColumn, TaskDetails } from '../../webview/protocol';
import type { LiveSimulation } from './runStore';

/** A value shown in the details pane is cut here: a message to a webview should stay small. */
const VALUE_CHARS = 4_000;
const LOG_TAIL_CHARS = 8_000;

/** What the panel reads of the RunStore. */
export interface RunSource {
  readonly entries: readonly RunHistoryEntry[];
  liveState(id: string): LiveSimulation | undefined;
}

function logicalDateOf(runId: string): string | null {
  // Run ids are `scheduled__<ISO date>` or `manual__<ISO date>`, as Airflow writes them.
  const date = runId.split('__')[1];
  return date !== undefined && !Number.isNaN(Date.parse(date)) ? date : null;
}

/** Who made an entry's runs, as the grid labels them: null for the simulator. */
function madeBy(entry: RunHistoryEntry): string | null {
  return entry.remote ? entry.remote.deployment : entry.engine === 'airflow' ? 'Airflow' : null;
}

/**
 * The logical date of a live run: what its id says, except for runs made by Airflow, whose manual
 * run ids hold when the run was made on Airflow 3; their entry knows the date that was asked for.
 */
function liveLogicalDate(entry: RunHistoryEntry, runId: string): string | null {
  if (madeBy(entry) !== null && entry.selection.kind === 'date') return utcIso(entry.selection.logicalDate);
  return logicalDateOf(runId);
}

function entriesOf(source: RunSource, file: string, dagId: string): RunHistoryEntry[] {
  return source.entries.filter((e) => e.dagId === dagId && e.file === file);
}

/**
 * The grid's columns, oldest first as in Airflow's grid. A run id appears once: a Clear, or a second
 * run of the same logical date, makes a newer simulation of the run, and that is the one shown.
 */
export function runColumns(source: RunSource, file: string, dagId: string): RunColumn[] {
  const columns = new Map<string, RunColumn>();
  // `entries` is newest first; the first column found for a run id is the newest.
  for (const entry of entriesOf(source, file, dagId)) {
    const live = entry.status === 'running' ? source.liveState(entry.id) : undefined;
    if (live) {
      for (const run of live.runs.values()) {
        if (columns.has(run.runId)) continue;
        const cells = Object.fromEntries([...run.tasks].map(([taskId, t]) => [taskId, { state: t.state, tries: t.tryNumber, durationMs: null }]));
        columns.set(run.runId, { entryId: entry.id, runId: run.runId, logicalDate: liveLogicalDate(entry, run.runId), mode: entry.mode, madeBy: madeBy(entry), state: run.state, live: true, cells });
      }
      continue;
    }
    for (const run of entry.result?.runs ?? []) {
      if (columns.has(run.run_id)) continue;
      const cells = Object.fromEntries(run.tasks.map((t) => [t.task_id, { state: t.state, tries: t.try_number, durationMs: t.duration_ms }]));
      columns.set(run.run_id, { entryId: entry.id, runId: run.run_id, logicalDate: run.logical_date, mode: entry.mode, madeBy: madeBy(entry), state: run.state, live: false, cells });
    }
  }
  return [...columns.values()].reverse();
}

function asText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text;
}

function pairs(values: Readonly<Record<string, unknown>>): [string, string][] {
  return Object.entries(values).map(([name, value]) => [name, asText(value)]);
}

function alertsOf(alerts: readonly Pick<Alert, 'source' | 'text' | 'task_id' | 'run_id'>[], key: InstanceKey) {
  return alerts.filter((a) => a.run_id === key.runId && a.task_id === key.taskId).map((a) => ({ source: a.source, text: asText(a.text) }));
}

function finishedNote(task: TaskInstanceResult): string | null {
  if (task.error) return `${task.error.type}: ${task.error.message}`;
  return task.note ?? null;
}

/** The details pane of one task instance; undefined when the history no longer has it. */
export function taskDetails(source: RunSource, key: InstanceKey, operator: string | null): TaskDetails | undefined {
  const entry = source.entries.find((e) => e.id === key.entryId);
  if (!entry) return undefined;
  const live = entry.status === 'running' ? source.liveState(entry.id) : undefined;
  if (live) {
    const task = live.runs.get(key.runId)?.tasks.get(key.taskId);
    if (!task) return undefined;
    const alerts = live.alerts.filter((a) => a.runId === key.runId && a.taskId === key.taskId).map((a) => ({ source: 'alert', text: asText(a.text) }));
    return {
      ...key, operator, state: task.state, tries: task.tryNumber, durationMs: null, note: task.note ?? null,
      rendered: [], xcom: [], logTail: task.log.slice(-LOG_TAIL_CHARS), alerts,
    };
  }
  const run = entry.result?.runs.find((r) => r.run_id === key.runId);
  const task = run?.tasks.find((t) => t.task_id === key.taskId);
  if (!run || !task) return undefined;
  return {
    ...key, operator, state: task.state, tries: task.try_number, durationMs: task.duration_ms, note: finishedNote(task),
    rendered: pairs(task.rendered), xcom: pairs(task.xcom), logTail: task.log_tail.slice(-LOG_TAIL_CHARS),
    alerts: alertsOf(entry.result?.alerts ?? [], key),
  };
}
