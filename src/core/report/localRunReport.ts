// What a local run means to the person reading it: one sentence that sums a simulation up (the
// editor's end-of-run message) and the verdict of each task instance (the Testing API's passed,
// failed or skipped), with the reason a task did not succeed.
import type { DagRunResult, SimTask, SimulationResult, TaskInstanceResult } from '../sim/types';

export type TaskOutcome = 'passed' | 'failed' | 'skipped' | 'errored';

export interface TaskVerdict {
  readonly outcome: TaskOutcome;
  /** Why the task did not pass: its error as `Type: message`, or what kept it from running. */
  readonly message?: string;
}

/** The upstream edges a verdict follows to name the failure an upstream_failed task comes from. */
export interface UpstreamGraph {
  readonly tasks: readonly Pick<SimTask, 'taskId' | 'upstream'>[];
}

/** A task's error as Airflow's log heads it: `ValueError: bad row`. */
export function errorText(task: TaskInstanceResult): string | undefined {
  return task.error ? `${task.error.type}: ${task.error.message}` : undefined;
}

/**
 * The failed tasks an upstream_failed task comes from: its ancestors in state failed, reached
 * through upstream_failed ones, in the DAG's task order.
 */
export function failedUpstream(run: DagRunResult, dag: UpstreamGraph, taskId: string): string[] {
  const upstream = new Map(dag.tasks.map((t) => [t.taskId, t.upstream]));
  const states = new Map(run.tasks.map((t) => [t.task_id, t.state]));
  const causes = new Set<string>();
  const seen = new Set([taskId]);
  const pending = [taskId];
  while (pending.length > 0) {
    for (const parent of upstream.get(pending.pop()!) ?? []) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      const state = states.get(parent);
      if (state === 'failed') causes.add(parent);
      else if (state === 'upstream_failed') pending.push(parent);
    }
  }
  return dag.tasks.filter((t) => causes.has(t.taskId)).map((t) => t.taskId);
}

export function taskVerdict(run: DagRunResult, dag: UpstreamGraph, taskId: string): TaskVerdict {
  const task = run.tasks.find((t) => t.task_id === taskId);
  if (!task) return { outcome: 'errored', message: `Run ${run.run_id} has no task ${taskId}` };
  switch (task.state) {
    case 'success':
      return { outcome: 'passed' };
    case 'skipped':
      return { outcome: 'skipped', ...(task.note ? { message: task.note } : {}) };
    case 'removed':
      return { outcome: 'skipped', message: 'The task was removed from the DAG' };
    case 'failed':
      return { outcome: 'failed', message: errorText(task) ?? task.note ?? 'The task failed' };
    case 'upstream_failed': {
      const byId = new Map(run.tasks.map((t) => [t.task_id, t]));
      const causes = failedUpstream(run, dag, taskId).map((id) => {
        const error = errorText(byId.get(id)!);
        return `${id} failed${error ? ` (${error})` : ''}`;
      });
      return { outcome: 'failed', message: causes.length > 0 ? `upstream_failed: ${causes.join('; ')}` : `upstream_failed${task.note ? `: ${task.note}` : ''}` };
    }
    default:
      return { outcome: 'errored', message: `The task was still ${task.state} when the run ended (${run.reason})` };
  }
}

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function runEnding(run: DagRunResult): string {
  if (run.reason === 'cancelled') return 'was cancelled';
  if (run.state === 'success') return 'succeeded';
  if (run.reason === 'all_tasks_deadlocked') return 'failed: its tasks deadlocked';
  if (run.reason === 'depends_on_past') return 'is waiting for a past run (depends_on_past)';
  return run.state === 'failed' ? 'failed' : `ended ${run.state}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export interface SimulationSummary {
  /** True when every run succeeded. */
  readonly ok: boolean;
  readonly text: string;
}

/**
 * One sentence for the end of a local run: `fan_out: dry run scheduled__… succeeded (3 tasks).` or
 * `etl: run manual__… failed; failed: load; upstream_failed: report; 1 alert.`
 */
export function simulationSummary(result: SimulationResult): SimulationSummary {
  const ok = result.runs.length > 0 && result.runs.every((r) => r.state === 'success');
  const kind = result.mode === 'dry' ? 'dry run' : 'run';
  const failed = new Set<string>();
  const upstreamFailed = new Set<string>();
  for (const run of result.runs) {
    for (const task of run.tasks) {
      if (task.state === 'failed') failed.add(task.task_id);
      if (task.state === 'upstream_failed') upstreamFailed.add(task.task_id);
    }
  }
  const parts: string[] = [];
  if (result.runs.length === 1) {
    const [run] = result.runs;
    parts.push(`${result.dag_id}: ${kind} ${run.run_id} ${runEnding(run)}${run.state === 'success' ? ` (${plural(run.tasks.length, 'task')})` : ''}`);
  } else {
    const succeeded = result.runs.filter((r) => r.state === 'success').length;
    parts.push(`${result.dag_id}: ${succeeded} of ${plural(result.runs.length, kind)} succeeded`);
  }
  if (failed.size > 0) parts.push(`failed: ${[...failed].join(', ')}`);
  if (upstreamFailed.size > 0) parts.push(`upstream_failed: ${[...upstreamFailed].join(', ')}`);
  if (result.alerts.length > 0) parts.push(plural(result.alerts.length, 'alert'));
  return { ok, text: `${parts.join('; ')}.` };
}
