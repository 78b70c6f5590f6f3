// Whether a deployment runs the DAG the editor shows: the task ids and edges of the deployment's copy
// (`GET dags/{id}/tasks`) against the local model's. Only structure is compared; operators and
// arguments may be written differently and still make the same DAG.
import type { RemoteTask } from './api';

/** A task as the local model has it: its id and direct upstream tasks. */
export interface LocalTask {
  readonly taskId: string;
  readonly upstream: readonly string[];
}

export interface DagStructureDiff {
  /** Tasks in the local file the deployment does not have. */
  readonly onlyLocal: readonly string[];
  /** Tasks the deployment has and the local file does not. */
  readonly onlyRemote: readonly string[];
  /** Edges `upstream >> downstream`, as `[upstream, downstream]`, between tasks both sides have. */
  readonly edgesOnlyLocal: readonly (readonly [string, string])[];
  readonly edgesOnlyRemote: readonly (readonly [string, string])[];
}

function edgeKey(edge: readonly [string, string]): string {
  return JSON.stringify(edge);
}

function byEdge(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1;
}

export function diffDagStructure(local: readonly LocalTask[], remote: readonly RemoteTask[]): DagStructureDiff {
  const localIds = new Set(local.map((t) => t.taskId));
  const remoteIds = new Set(remote.map((t) => t.taskId));
  const localEdges = local.flatMap((t) => t.upstream.map((u): [string, string] => [u, t.taskId]));
  const remoteEdges = remote.flatMap((t) => t.downstream.map((d): [string, string] => [t.taskId, d]));
  const shared = (edge: readonly [string, string]) => localIds.has(edge[0]) && localIds.has(edge[1]) && remoteIds.has(edge[0]) && remoteIds.has(edge[1]);
  const localKeys = new Set(localEdges.map(edgeKey));
  const remoteKeys = new Set(remoteEdges.map(edgeKey));
  // An edge to a task only one side has is already told by that task; listing it again is noise.
  return {
    onlyLocal: [...localIds].filter((id) => !remoteIds.has(id)).sort(),
    onlyRemote: [...remoteIds].filter((id) => !localIds.has(id)).sort(),
    edgesOnlyLocal: localEdges.filter((e) => shared(e) && !remoteKeys.has(edgeKey(e))).sort(byEdge),
    edgesOnlyRemote: remoteEdges.filter((e) => shared(e) && !localKeys.has(edgeKey(e))).sort(byEdge),
  };
}

export function isSameStructure(diff: DagStructureDiff): boolean {
  return diff.onlyLocal.length === 0 && diff.onlyRemote.length === 0 && diff.edgesOnlyLocal.length === 0 && diff.edgesOnlyRemote.length === 0;
}

/** The differences in sentences, empty when there are none. */
export function describeDiff(diff: DagStructureDiff): string[] {
  const edges = (list: readonly (readonly [string, string])[]) => list.map(([u, d]) => `${u} >> ${d}`).join(', ');
  return [
    diff.onlyLocal.length > 0 ? `tasks only in the local file: ${diff.onlyLocal.join(', ')}` : '',
    diff.onlyRemote.length > 0 ? `tasks only on the deployment: ${diff.onlyRemote.join(', ')}` : '',
    diff.edgesOnlyLocal.length > 0 ? `edges only in the local file: ${edges(diff.edgesOnlyLocal)}` : '',
    diff.edgesOnlyRemote.length > 0 ? `edges only on the deployment: ${edges(diff.edgesOnlyRemote)}` : '',
  ].filter((line) => line !== '');
}

/** What a deployment knows of a local DAG: whether it has it, its import errors for the file, and how its copy differs. */
export interface DeploymentCheck {
  readonly dagId: string;
  /** Undefined when the deployment has no such DAG. */
  readonly paused?: boolean;
  readonly known: boolean;
  /** The deployment's import errors whose file is this one. */
  readonly importErrors: readonly { readonly filename: string; readonly stackTrace: string }[];
  /** Undefined when the deployment has no such DAG. */
  readonly diff?: DagStructureDiff;
}

/** One line per finding, for a terminal or a notification; `ok` when the deployment runs the local DAG as it is. */
export function describeCheck(check: DeploymentCheck): { readonly ok: boolean; readonly lines: string[] } {
  const lines: string[] = [];
  if (!check.known) lines.push(`the deployment has no DAG '${check.dagId}'`);
  for (const error of check.importErrors) {
    const last = error.stackTrace.trim().split('\n').at(-1) ?? '';
    lines.push(`import error in ${error.filename}: ${last}`);
  }
  if (check.diff && !isSameStructure(check.diff)) lines.push(`the deployment's copy of ${check.dagId} differs from the local file: ${describeDiff(check.diff).join('; ')}`);
  if (check.paused) lines.push(`${check.dagId} is paused on the deployment: triggered runs stay queued until it is unpaused`);
  const ok = check.known && check.importErrors.length === 0 && (check.diff === undefined || isSameStructure(check.diff));
  if (ok && lines.length === 0) lines.push(`the deployment has ${check.dagId} with the same tasks and edges as the local file`);
  return { ok, lines };
}
