// From a DAG of the model to the runs Airflow's scheduler creates: the timetable its `schedule`
// becomes in each version (§1.2), the DAG's time zone and restriction (§1.1, §1.8), and the runs due
// by a given "now" and the next one.
import type { AirflowVersion } from '../airflow/version';
import { argument, type DagModel } from '../dag/model';
import type { SourceRange } from '../diagnostics';
import type { DateTimeValue, PyValue } from '../python/values';
import { isoInZone, toEpochMs, utcIso } from '../time/zones';
import { CronSchedule, isCronError, type CronError } from './cron';
import {
  ContinuousTimetable,
  CronDataIntervalTimetable,
  CronTriggerTimetable,
  DeltaDataIntervalTimetable,
  DeltaTriggerTimetable,
  NullTimetable,
  OnceTimetable,
  type DagRunInfo,
  type TimeRestriction,
  type Timetable,
} from './timetables';

/** Why a DAG's runs cannot be computed: the schedule or a date is not known statically, or is invalid. */
export interface ScheduleProblem {
  readonly message: string;
  readonly range?: SourceRange;
  readonly cron?: CronError;
}

export interface DagSchedule {
  readonly timetable: Timetable;
  /** The DAG's time zone, in which cron runs: the start date's, else UTC. */
  readonly zone: string;
  readonly restriction: TimeRestriction;
  /** The cron expression as Airflow evaluates it, when the schedule is one. */
  readonly cron?: CronSchedule;
  /** The schedule argument as written. */
  readonly scheduleArgument?: { readonly value: PyValue; readonly range: SourceRange };
  /** The schedule in effect: the argument, or the version's default when there is none. */
  readonly scheduleValue: PyValue;
}

function dagDate(dag: DagModel, name: 'start_date' | 'end_date'): PyValue | undefined {
  const own = argument(dag, name);
  if (own && own.value.kind !== 'none') return own.value;
  const entry = dag.defaultArgs.get(name);
  return entry && entry.value.kind !== 'none' ? entry.value : undefined;
}

/** A date argument as an instant; strings in default_args are parsed as Airflow does (ISO, in UTC). */
function instant(value: PyValue | undefined): number | null | 'unknown' {
  if (value === undefined) return null;
  if (value.kind === 'datetime') return toEpochMs(value) ?? 'unknown';
  if (value.kind === 'str') {
    const parsed = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(?:Z|[+-]00:?00)?$/.exec(value.value);
    if (!parsed) return 'unknown';
    const [, y, mo, d, h, mi, s] = parsed;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  }
  return 'unknown';
}

/** The DAG's time zone (`DAG.__init__` / `_extract_tz`): the start date's zone if it has one, else UTC. */
function dagZone(dag: DagModel): string {
  const start = argument(dag, 'start_date')?.value;
  if (start?.kind === 'datetime' && start.tz) return start.tz;
  const fromDefaults = dag.defaultArgs.get('start_date')?.value;
  if (fromDefaults?.kind === 'datetime' && fromDefaults.tz) return (fromDefaults as DateTimeValue).tz!;
  return 'UTC';
}

/** How Airflow turns `schedule=` into a timetable, per version (§1.2, §9). */
export function dagSchedule(dag: DagModel, airflow: AirflowVersion): DagSchedule | ScheduleProblem {
  const removed = airflow === 3 ? argument(dag, 'schedule_interval') : undefined;
  if (removed) return { message: 'schedule_interval was removed in Airflow 3: this DAG does not load. Use schedule=.', range: removed.nameRange };
  const scheduleArg = argument(dag, 'schedule') ?? (airflow === 2 ? argument(dag, 'schedule_interval') : undefined);
  const zone = dagZone(dag);
  const start = instant(dagDate(dag, 'start_date'));
  const end = instant(dagDate(dag, 'end_date'));
  if (start === 'unknown' || end === 'unknown') return { message: 'The start_date or end_date of this DAG is not known before it runs.' };
  const catchupArg = argument(dag, 'catchup');
  if (catchupArg && catchupArg.value.kind !== 'bool') return { message: 'catchup is not a literal True or False.', range: catchupArg.valueRange };
  const restriction: TimeRestriction = {
    earliest: start,
    latest: end,
    catchup: catchupArg?.value.kind === 'bool' ? catchupArg.value.value : airflow === 2,
  };
  const scheduleArgument = scheduleArg ? { value: scheduleArg.value, range: scheduleArg.valueRange } : undefined;
  const value: PyValue = scheduleArg?.value ?? (airflow === 2 ? { kind: 'timedelta', seconds: 86_400 } : { kind: 'none' });
  const base = { zone, restriction, scheduleArgument, scheduleValue: value };
  switch (value.kind) {
    case 'none':
      return { ...base, timetable: new NullTimetable() };
    case 'timedelta': {
      const deltaMs = Math.round(value.seconds * 1000);
      if (deltaMs <= 0) return { message: `schedule interval must be positive, not ${value.seconds} seconds`, range: scheduleArg?.valueRange };
      return { ...base, timetable: airflow === 2 ? new DeltaDataIntervalTimetable(deltaMs, airflow) : new DeltaTriggerTimetable(deltaMs, airflow) };
    }
    case 'str': {
      if (value.value === '@once') return { ...base, timetable: new OnceTimetable(airflow) };
      if (value.value === '@continuous') return { ...base, timetable: new ContinuousTimetable() };
      const cron = CronSchedule.parse(value.value);
      if (isCronError(cron)) return { message: cron.message, range: scheduleArg?.valueRange, cron };
      const timetable = airflow === 2 ? new CronDataIntervalTimetable(cron, zone, airflow) : new CronTriggerTimetable(cron, zone, airflow);
      return { ...base, timetable, cron };
    }
    default:
      return { message: 'This schedule (a timetable, an asset or a computed value) is not a time-based schedule Airflow Preflight can preview.', range: scheduleArg?.valueRange };
  }
}

export function isScheduleProblem(value: DagSchedule | ScheduleProblem): value is ScheduleProblem {
  return !('timetable' in value);
}

export interface ScheduledRun {
  readonly run_id: string;
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly run_after: string;
  readonly ds: string;
  readonly local: Readonly<Record<string, { readonly logical_date: string; readonly run_after: string }>>;
}

function describeRun(info: DagRunInfo, zones: readonly string[]): ScheduledRun {
  const logical = utcIso(info.logicalDate);
  return {
    run_id: `scheduled__${logical}`,
    logical_date: logical,
    data_interval_start: utcIso(info.dataInterval.start),
    data_interval_end: utcIso(info.dataInterval.end),
    run_after: utcIso(info.runAfter),
    // The template context's dates are UTC, so `ds` is the UTC date (§1.11).
    ds: logical.slice(0, 10),
    local: Object.fromEntries(zones.map((zone) => [zone, { logical_date: isoInZone(info.logicalDate, zone), run_after: isoInZone(info.runAfter, zone) }])),
  };
}

export interface RunsOptions {
  readonly now: number;
  /** The most runs to list as due (default 100). */
  readonly count?: number;
  /** Zones to show each run in, besides UTC. */
  readonly zones?: readonly string[];
}

/** The scheduled runs Airflow creates by `now` (their run_after <= now), oldest first, and the next one. */
export function scheduledRuns(schedule: DagSchedule, options: RunsOptions): { due: ScheduledRun[]; next: ScheduledRun | null } {
  const count = options.count ?? 100;
  const zones = options.zones ?? [];
  const due: ScheduledRun[] = [];
  let info = schedule.timetable.nextDagrunInfo(null, schedule.restriction, options.now);
  while (info && info.runAfter <= options.now && due.length < count) {
    due.push(describeRun(info, zones));
    const previous: DagRunInfo = info;
    info = schedule.timetable.nextDagrunInfo(previous.dataInterval, schedule.restriction, options.now);
    // A timetable that does not move forward (a continuous DAG at "now") has created all it will.
    if (info && info.logicalDate <= previous.logicalDate && info.dataInterval.end <= previous.dataInterval.end) break;
  }
  return { due, next: info ? describeRun(info, zones) : null };
}

/**
 * The next `n` runs after `now` once the DAG is running: the same with or without catchup (catchup
 * only decides what happens to the past), so the past is skipped as catchup=False does.
 */
export function futureRuns(schedule: DagSchedule, now: number, n: number, zones: readonly string[] = []): ScheduledRun[] {
  const restriction = { ...schedule.restriction, catchup: false };
  const runs: ScheduledRun[] = [];
  let info = schedule.timetable.nextDagrunInfo(null, restriction, now);
  for (let steps = 0; info && runs.length < n && steps < n + 1000; steps++) {
    if (info.runAfter > now) runs.push(describeRun(info, zones));
    const previous: DagRunInfo = info;
    info = schedule.timetable.nextDagrunInfo(previous.dataInterval, restriction, now);
    if (info && info.runAfter <= previous.runAfter && info.runAfter > now) break;
  }
  return runs;
}
