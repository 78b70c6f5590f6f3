// Which DAG runs a local run simulates: the scheduled run of one logical date, the scheduled runs of
// a range (what catchup creates), or a manual run, each with the data interval, run id and
// neighbouring logical dates Airflow gives it (shared/airflow-semantics.md §1.12).
import type { DagSchedule } from '../schedule/runs';
import { DataIntervalTimetable, type DagRunInfo } from '../schedule/timetables';
import { utcIso } from '../time/zones';
import type { RunRequest } from './types';

/** The most runs one simulation creates from a range, like the schedule preview's cap. */
export const MAX_RANGE_RUNS = 5000;

function scheduledRequest(schedule: DagSchedule, info: DagRunInfo, conf: Readonly<Record<string, unknown>>): RunRequest {
  const timetable = schedule.timetable;
  // 2.10's prev_ds/next_ds exist for data-interval timetables only.
  const dataInterval = timetable instanceof DataIntervalTimetable ? timetable : undefined;
  return {
    // Airflow 2.10 names a scheduled run after its logical date, 3.x after when it runs.
    runId: `scheduled__${utcIso(schedule.airflow === 2 ? info.logicalDate : info.runAfter)}`,
    runType: 'scheduled',
    logicalDate: info.logicalDate,
    dataIntervalStart: info.dataInterval.start,
    dataIntervalEnd: info.dataInterval.end,
    runAfter: info.runAfter,
    conf,
    previousLogicalDate: dataInterval ? dataInterval.previousTick(info.logicalDate) : null,
    nextLogicalDate: dataInterval ? info.dataInterval.end : null,
  };
}

/** The scheduled runs whose logical dates fall in [from, to], within the DAG's own start and end dates. */
export function scheduledRunsBetween(schedule: DagSchedule, from: number, to: number, conf: Readonly<Record<string, unknown>> = {}): RunRequest[] {
  const { earliest, latest } = schedule.restriction;
  const restriction = { earliest: Math.max(earliest ?? from, from), latest: Math.min(latest ?? to, to), catchup: true };
  const runs: RunRequest[] = [];
  let info = schedule.timetable.nextDagrunInfo(null, restriction, to);
  while (info && runs.length < MAX_RANGE_RUNS) {
    runs.push(scheduledRequest(schedule, info, conf));
    if (schedule.timetable.runsOneAtATime) break;
    const next = schedule.timetable.nextDagrunInfo(info.dataInterval, restriction, to);
    if (next && next.logicalDate <= info.logicalDate) break;
    info = next;
  }
  return runs;
}

/** The scheduled run of exactly this logical date, or undefined when the schedule has none then. */
export function scheduledRunAt(schedule: DagSchedule, logicalDate: number, conf: Readonly<Record<string, unknown>> = {}): RunRequest | undefined {
  const run = scheduledRunsBetween(schedule, logicalDate, logicalDate, conf)[0];
  return run && run.logicalDate === logicalDate ? run : undefined;
}

/**
 * A manual run (`airflow dags trigger`) at `logicalDate`: data-interval timetables give it the last
 * complete period before that instant (`infer_manual_data_interval`); trigger and null timetables
 * the instant itself.
 */
export function manualRun(schedule: DagSchedule | undefined, logicalDate: number, conf: Readonly<Record<string, unknown>> = {}): RunRequest {
  const timetable = schedule?.timetable;
  const interval = (timetable instanceof DataIntervalTimetable ? timetable.manualDataInterval(logicalDate) : null) ?? { start: logicalDate, end: logicalDate };
  return {
    runId: `manual__${utcIso(logicalDate)}`,
    runType: 'manual',
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    runAfter: logicalDate,
    conf,
    previousLogicalDate: null,
    nextLogicalDate: null,
  };
}
