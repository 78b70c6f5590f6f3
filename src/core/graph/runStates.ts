// Task states for the graph from the JSON that `preflight run --json` prints (README.md, "The JSON
// of preflight run"). The file comes from the user, so every field is checked before it is used.
import type { GraphState } from './mermaid';

const GRAPH_STATES: ReadonlySet<string> = new Set<GraphState>(['success', 'failed', 'running', 'queued', 'scheduled', 'up_for_retry', 'upstream_failed', 'skipped', 'none', 'removed']);

/** Thrown when the run file is not the JSON of `preflight run --json` or has no run of the DAG. */
export class RunStatesError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Task id → state in the last run of `dagId` in a `preflight run --json` result, or in a list of
 * such results (the last one of `dagId`). A mapped task's state is its own, which the simulator
 * already sums up from its instances.
 */
export function statesFromRunReport(report: unknown, dagId: string): Record<string, GraphState> {
  const reports = Array.isArray(report) ? report : [report];
  if (!reports.every((r) => isRecord(r) && typeof r.dag_id === 'string' && Array.isArray(r.runs))) {
    throw new RunStatesError('is not the JSON of `preflight run --json` (it needs dag_id and runs)');
  }
  const runs = (reports as { dag_id: string; runs: unknown[] }[]).filter((r) => r.dag_id === dagId).flatMap((r) => r.runs);
  const run = runs[runs.length - 1];
  if (run === undefined) throw new RunStatesError(`has no run of DAG '${dagId}'`);
  if (!isRecord(run) || !Array.isArray(run.tasks)) throw new RunStatesError('has a run without tasks');
  const states: Record<string, GraphState> = {};
  for (const task of run.tasks) {
    if (!isRecord(task) || typeof task.task_id !== 'string' || typeof task.state !== 'string' || !GRAPH_STATES.has(task.state)) {
      throw new RunStatesError(`has a task without a task_id and a known state: ${JSON.stringify(task)?.slice(0, 200)}`);
    }
    states[task.task_id] = task.state as GraphState;
  }
  return states;
}
