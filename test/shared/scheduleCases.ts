// The schedule cases that real Airflow answered (test/oracle/schedule.py), and our answers to them.
import { readFileSync } from 'node:fs';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { checkFile } from '../../src/core/check';
import { dagSchedule, isScheduleProblem, scheduledRuns, type ScheduledRun } from '../../src/core/schedule/runs';

export interface ScheduleCase {
  readonly name: string;
  readonly file: string;
  readonly dag_id: string;
  readonly now: string;
  readonly count: number;
}

export type Run = Omit<ScheduledRun, 'local'>;

export interface ScheduleAnswer {
  readonly name: string;
  readonly dag_id: string;
  readonly timetable: string | null;
  readonly due: readonly Run[];
  readonly next: Run | null;
  readonly error: string | null;
}

export const CASES_FILE = 'test/oracle/schedule-cases.json';
export const expectedFile = (version: AirflowVersion) => `test/oracle/schedule-expected-${version}.json`;

export function readCases(): ScheduleCase[] {
  return JSON.parse(readFileSync(CASES_FILE, 'utf8'));
}

export function readExpected(version: AirflowVersion): { airflow: string; results: ScheduleAnswer[] } {
  return JSON.parse(readFileSync(expectedFile(version), 'utf8'));
}

/**
 * Our answer in the oracle's shape. Where Airflow fails to load or schedule the DAG, ours must fail
 * too: a schedule problem, or an error diagnostic on the file.
 */
export function ourAnswer(scheduleCase: ScheduleCase, version: AirflowVersion): ScheduleAnswer & { failed: boolean } {
  const checked = checkFile({ file: scheduleCase.file, text: readFileSync(scheduleCase.file, 'utf8') }, version);
  const dag = checked.model.dags.find((d) => d.dagId === scheduleCase.dag_id);
  const base = { name: scheduleCase.name, dag_id: scheduleCase.dag_id };
  if (!dag) return { ...base, timetable: null, due: [], next: null, error: 'no such DAG', failed: true };
  const schedule = dagSchedule(dag, version);
  const erroneous = checked.diagnostics.some((d) => d.severity === 'error' && d.range.from >= dag.range.from && d.range.to <= dag.range.to);
  if (isScheduleProblem(schedule)) return { ...base, timetable: null, due: [], next: null, error: schedule.message, failed: true };
  const { due, next, failure } = scheduledRuns(schedule, { now: Date.parse(scheduleCase.now), count: scheduleCase.count });
  const strip = ({ local: _local, ...run }: ScheduledRun): Run => run;
  // The scheduler failing on the schedule (croniter finds no date) is Airflow failing too.
  return { ...base, timetable: schedule.timetable.name, due: due.map(strip), next: next ? strip(next) : null, error: failure ?? null, failed: erroneous || failure !== undefined };
}
