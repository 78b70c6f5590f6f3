// Airflow's Clear on a task instance: the task and everything downstream of it go back to no status
// and run again, while the other task instances of the run keep their states, tries and XComs
// (the "Downstream" option of Airflow's Clear dialog, on by default). This module says which tasks
// a Clear resets; the engine resumes the run from a `RunResume`.
import type { DagRunResult, SimTask } from './types';

/** What Clear needs to know of a DAG: each task's direct downstream tasks. */
export interface ClearableDag {
  readonly tasks: readonly Pick<SimTask, 'taskId' | 'downstream'>[];
}

/** How to resume a run after a Clear: from the run as it ended, with the cleared tasks reset. */
export interface RunResume {
  /** The run before the Clear; the task instances not cleared keep its states, tries and XComs. */
  readonly initialRun: DagRunResult;
  /** The task ids that start again from no status: the cleared task and all its downstream tasks. */
  readonly cleared: readonly string[];
}

/** The task and every task downstream of it, transitively, in the DAG's task order; empty for an unknown task. */
export function clearedTasks(dag: ClearableDag, taskId: string): string[] {
  const downstream = new Map(dag.tasks.map((t) => [t.taskId, t.downstream]));
  if (!downstream.has(taskId)) return [];
  const reached = new Set([taskId]);
  const pending = [taskId];
  while (pending.length > 0) {
    for (const next of downstream.get(pending.pop()!) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      pending.push(next);
    }
  }
  return dag.tasks.filter((t) => reached.has(t.taskId)).map((t) => t.taskId);
}

/** The resume of `run` after clearing `taskId`. */
export function resumeAfterClear(dag: ClearableDag, run: DagRunResult, taskId: string): RunResume {
  return { initialRun: run, cleared: clearedTasks(dag, taskId) };
}
