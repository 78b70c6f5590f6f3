// The next run of a DAG in a few words, for the CodeLens above each DAG and the status bar item of
// the DAG under the cursor. Pure: the editor passes the file, the cursor, the zones and "now".
import type { CheckedFile } from '../check';
import type { DagModel } from '../dag/model';
import { dagSchedule, futureRuns, isScheduleProblem } from '../schedule/runs';

const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The label of the next run: in the first zone that is not UTC, then UTC. */
export function nextRunLabel(file: CheckedFile, dagId: string, zones: readonly string[], now: number): string | undefined {
  const dag = file.model.dags.find((d) => d.dagId === dagId);
  if (!dag) return undefined;
  const schedule = dagSchedule(dag, file.airflow);
  if (isScheduleProblem(schedule)) return undefined;
  const local = zones.find((z) => z !== 'UTC');
  const [next] = futureRuns(schedule, now, 1, local ? [local] : []);
  if (!next) return schedule.timetable.name === 'NullTimetable' ? 'Not scheduled' : 'No next run';
  return local ? `Next run: ${time(next.local[local].run_after)} ${local} (${time(next.run_after)} UTC)` : `Next run: ${time(next.run_after)} UTC`;
}

/**
 * The DAG the cursor is in: its `DAG(...)` call or decorated function, or one of its tasks; else
 * the file's first DAG, so that the status bar still says something in a file with one DAG.
 */
export function dagAt(file: CheckedFile, offset: number): DagModel | undefined {
  const inside = (range: { from: number; to: number }) => range.from <= offset && offset <= range.to;
  return file.model.dags.find((d) => inside(d.range) || d.tasks.some((t) => inside(t.range))) ?? file.model.dags[0];
}

export interface NextRunStatus {
  readonly dagId: string;
  /** The status bar text, with its calendar icon. */
  readonly text: string;
  readonly tooltip: string;
}

/** The status bar item for the DAG under the cursor: its next run in the user's zone, or nothing to show. */
export function nextRunStatus(file: CheckedFile, offset: number, zones: readonly string[], now: number): NextRunStatus | undefined {
  const dag = dagAt(file, offset);
  const label = dag && nextRunLabel(file, dag.dagId, zones, now);
  if (!dag || !label) return undefined;
  return {
    dagId: dag.dagId,
    text: `$(calendar) ${dag.dagId}: ${label.replace(/^Next run: /, 'next ')}`,
    tooltip: `${label}\nClick to preview the schedule of ${dag.dagId}.`,
  };
}
