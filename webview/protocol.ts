// Messages between the extension host and the DAG panel. Both sides validate what they receive:
// a webview is a browser page, and nothing arriving through postMessage is trusted by its type alone.
import type { GraphInput, GraphState, GraphTask } from '../src/core/graph/mermaid';

export const GRAPH_STATES: readonly GraphState[] = ['success', 'failed', 'running', 'queued', 'scheduled', 'up_for_retry', 'upstream_failed', 'skipped', 'none', 'removed'];

/** Identifies a panel: one DAG of one file. The page keeps it in its state, so a reload restores the panel. */
export interface PanelTarget {
  /** The DAG file's URI, as `Uri.toString()` writes it. */
  readonly uri: string;
  readonly dagId: string;
}

/** One task instance in the grid. */
export interface CellView {
  readonly state: GraphState;
  readonly tries: number;
  readonly durationMs: number | null;
}

/** One column of the grid: a DAG run of the history, or one running now. */
export interface RunColumn {
  /** The history entry (one simulation) that holds the run; Clear and the details pane ask by it. */
  readonly entryId: string;
  readonly runId: string;
  /** ISO 8601; null when the run id does not say (a live run of an unusual id). */
  readonly logicalDate: string | null;
  readonly mode: 'dry' | 'real';
  /** Who made the run: null for Preflight's simulator, `Airflow` for dag.test(), else the deployment's name. */
  readonly madeBy: string | null;
  readonly state: string;
  /** Still running: its cells change, and it cannot be cleared yet. */
  readonly live: boolean;
  readonly cells: Readonly<Record<string, CellView>>;
}

/** A task instance the page asks about. */
export interface InstanceKey {
  readonly entryId: string;
  readonly runId: string;
  readonly taskId: string;
}

export interface TaskDetails extends InstanceKey {
  readonly operator: string | null;
  readonly state: GraphState;
  readonly tries: number;
  readonly durationMs: number | null;
  /** Why the scheduler decided the state, or the error the last try raised. */
  readonly note: string | null;
  /** Name and value as text, in the order the task has them. */
  readonly rendered: readonly (readonly [string, string])[];
  readonly xcom: readonly (readonly [string, string])[];
  readonly logTail: string;
  readonly alerts: readonly { readonly source: string; readonly text: string }[];
}

export type HostMessage =
  | {
    readonly type: 'graph';
    readonly target: PanelTarget;
    /** The file, relative to the workspace, for the title. */
    readonly file: string;
    /** Null when the file no longer defines the DAG. */
    readonly graph: GraphInput | null;
    /** An untrusted workspace runs dry only; the Run button says so. */
    readonly trusted: boolean;
  }
  | { readonly type: 'runs'; readonly runs: readonly RunColumn[] }
  | { readonly type: 'details'; readonly details: TaskDetails | null }
  | { readonly type: 'logicalDate'; readonly logicalDate: string };

export type PageMessage =
  | { readonly type: 'ready' }
  /**
   * A task is selected: clicked in the graph or the grid (`reveal`: show its definition), or shown
   * for another run. `run` is absent when the history has no run of the DAG.
   */
  | { readonly type: 'selectTask'; readonly taskId: string; readonly reveal: boolean; readonly run?: { readonly entryId: string; readonly runId: string } }
  /** Run the DAG for a logical date (ISO 8601), or for its next run when null. */
  | { readonly type: 'run'; readonly logicalDate: string | null }
  | { readonly type: 'clearTask'; readonly instance: InstanceKey }
  /** Ask the user for a logical date the history has no run of. */
  | { readonly type: 'pickDate' };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isDuration = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
const isPairs = (v: unknown): v is [string, string][] => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && isString(p[0]) && isString(p[1]));

export function isGraphState(v: unknown): v is GraphState {
  return (GRAPH_STATES as readonly unknown[]).includes(v);
}

function isGraphTask(v: unknown): v is GraphTask {
  return isRecord(v) && isString(v.taskId) && isString(v.operator) && isStringArray(v.upstream) && typeof v.mapped === 'boolean'
    && (v.group === undefined || isString(v.group));
}

function isGraphInput(v: unknown): v is GraphInput {
  return isRecord(v) && isString(v.dagId) && Array.isArray(v.tasks) && v.tasks.every(isGraphTask)
    && (v.groups === undefined || (Array.isArray(v.groups) && v.groups.every((g) => isRecord(g) && isString(g.groupId) && (g.parentId === undefined || isString(g.parentId)))));
}

export function isPanelTarget(v: unknown): v is PanelTarget {
  return isRecord(v) && isString(v.uri) && isString(v.dagId);
}

function isCell(v: unknown): v is CellView {
  return isRecord(v) && isGraphState(v.state) && isCount(v.tries) && isDuration(v.durationMs);
}

function isRunColumn(v: unknown): v is RunColumn {
  return isRecord(v) && isString(v.entryId) && isString(v.runId) && (v.logicalDate === null || isString(v.logicalDate))
    && (v.mode === 'dry' || v.mode === 'real') && (v.madeBy === null || isString(v.madeBy)) && isString(v.state) && typeof v.live === 'boolean'
    && isRecord(v.cells) && Object.values(v.cells).every(isCell);
}

function isInstanceKey(v: unknown): v is InstanceKey {
  return isRecord(v) && isString(v.entryId) && isString(v.runId) && isString(v.taskId);
}

function isTaskDetails(v: unknown): v is TaskDetails {
  return isInstanceKey(v) && isRecord(v) && (v.operator === null || isString(v.operator)) && isGraphState(v.state) && isCount(v.tries)
    && isDuration(v.durationMs) && (v.note === null || isString(v.note)) && isPairs(v.rendered) && isPairs(v.xcom) && isString(v.logTail)
    && Array.isArray(v.alerts) && v.alerts.every((a) => isRecord(a) && isString(a.source) && isString(a.text));
}

export function isHostMessage(v: unknown): v is HostMessage {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'graph':
      return isPanelTarget(v.target) && isString(v.file) && (v.graph === null || isGraphInput(v.graph)) && typeof v.trusted === 'boolean';
    case 'runs':
      return Array.isArray(v.runs) && v.runs.every(isRunColumn);
    case 'details':
      return v.details === null || isTaskDetails(v.details);
    case 'logicalDate':
      return isString(v.logicalDate) && !Number.isNaN(Date.parse(v.logicalDate));
    default:
      return false;
  }
}

export function isPageMessage(v: unknown): v is PageMessage {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'ready':
    case 'pickDate':
      return true;
    case 'selectTask':
      return isString(v.taskId) && typeof v.reveal === 'boolean' && (v.run === undefined || (isRecord(v.run) && isString(v.run.entryId) && isString(v.run.runId)));
    case 'run':
      return v.logicalDate === null || (isString(v.logicalDate) && !Number.isNaN(Date.parse(v.logicalDate)));
    case 'clearTask':
      return isInstanceKey(v.instance);
    default:
      return false;
  }
}
