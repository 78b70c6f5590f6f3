// Messages between the extension host and the DAG panel. Both sides validate what they receive:
// a webview is a browser page, and nothing arriving through postMessage is trusted by its type alone.

export interface TaskView {
  readonly taskId: string;
  readonly operator: string;
  readonly upstream: readonly string[];
  readonly mapped: boolean;
}

export interface DagView {
  readonly dagId: string;
  /** Task ids by layer, left to right (see core/dag/layers). */
  readonly layers: readonly (readonly string[])[];
  readonly tasks: readonly TaskView[];
}

export type HostMessage =
  | { readonly type: 'model'; readonly file: string; readonly dags: readonly DagView[] };

export type PageMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'revealTask'; readonly dagId: string; readonly taskId: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function isTaskView(v: unknown): v is TaskView {
  return isRecord(v) && isString(v.taskId) && isString(v.operator) && isStringArray(v.upstream) && typeof v.mapped === 'boolean';
}

function isDagView(v: unknown): v is DagView {
  return isRecord(v) && isString(v.dagId) && Array.isArray(v.layers) && v.layers.every(isStringArray)
    && Array.isArray(v.tasks) && v.tasks.every(isTaskView);
}

export function isHostMessage(v: unknown): v is HostMessage {
  return isRecord(v) && v.type === 'model' && isString(v.file) && Array.isArray(v.dags) && v.dags.every(isDagView);
}

export function isPageMessage(v: unknown): v is PageMessage {
  if (!isRecord(v)) return false;
  if (v.type === 'ready') return true;
  return v.type === 'revealTask' && isString(v.dagId) && isString(v.taskId);
}
