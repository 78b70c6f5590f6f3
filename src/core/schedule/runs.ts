// From a DAG of the model to the runs Airflow's scheduler creates: the timetable its `schedule`
// becomes in each version (§1.2), the DAG's time zone and restriction (§1.1, §1.8), and the runs due
// by a given "now" and the next one.
import type { AirflowVersion } from '../airflow/version';
import { argument, type DagModel } from '../dag/model';
import type { SourceRange } from '../diagnostics';
import type { PyValue } from '../python/values';
import { addRelativeDelta } from '../python/dates';
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
  type Delta,
  type TimeRestriction,
  type Timetable,
} from './timetables';

/** Why a DAG's runs cannot be computed: the schedule or a date is not known statically, or is invalid. */
export interface ScheduleProblem {
  readonly message: string;
  readonly range?: SourceRange;
  readonly cron?: CronError;
  /** Airflow itself refuses the DAG for this (rather than Preflight not knowing enough). */
  readonly invalid?: boolean;
  /** Airflow loads the DAG, but its scheduler fails on the schedule every time (croniter finds no date). */
  readonly neverScheduled?: boolean;
}

/** `[core] max_active_runs_per_dag`, the default of a DAG's `max_active_runs`. */
export const DEFAULT_MAX_ACTIVE_RUNS = 16;

export interface DagSchedule {
  readonly timetable: Timetable;
  readonly airflow: AirflowVersion;
  /** The time zone cron runs in: the timetable's, else the start date's, else UTC. */
  readonly zone: string;
  readonly restriction: TimeRestriction;
  /** The cron expression as Airflow evaluates it, when the schedule is one. */
  readonly cron?: CronSchedule;
  /** The schedule argument as written. */
  readonly scheduleArgument?: { readonly value: PyValue; readonly range: SourceRange };
  /** The schedule in effect: the argument, or the version's default when there is none. */
  readonly scheduleValue: PyValue;
  /**
   * How many runs may be queued or running at once (§1.10): the DAG's `max_active_runs`, else
   * 16; undefined when the argument is not a literal. Catch-up runs beyond it wait their turn.
   */
  readonly maxActiveRuns: number | undefined;
}

/** `max_active_runs` as written, else the default; undefined when it is computed. */
function maxActiveRunsOf(dag: DagModel): number | undefined {
  const written = argument(dag, 'max_active_runs')?.value;
  if (!written) return DEFAULT_MAX_ACTIVE_RUNS;
  return written.kind === 'num' ? written.value : undefined;
}

/** croniter finds no date for the expression: the DAG loads, and the scheduler fails on it every time. */
function neverScheduled(cron: CronSchedule, range: SourceRange | undefined): ScheduleProblem | undefined {
  if (!cron.neverFires) return undefined;
  return {
    message: `croniter finds no date for '${cron.expression}' (CroniterBadDateError): Airflow loads the DAG, but its scheduler never creates a run.`,
    range,
    neverScheduled: true,
  };
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

/** A zone given as a string or a timezone object. */
function zoneOf(value: PyValue | undefined): string | undefined {
  if (value?.kind === 'timezone') return value.name;
  if (value?.kind === 'str') return value.value === 'utc' ? 'UTC' : value.value;
  return undefined;
}

/** The DAG's time zone (`DAG.__init__` / `_extract_tz`): the start date's zone if it has one, else UTC. */
function dagZone(dag: DagModel): string {
  for (const start of [argument(dag, 'start_date')?.value, dag.defaultArgs.get('start_date')?.value]) {
    if (start?.kind === 'datetime' && start.tz) return start.tz;
  }
  return 'UTC';
}

/**
 * The latest logical date (`_time_restriction`): the DAG's end_date, unless every task has its own
 * end_date, in which case the latest of those and the DAG's.
 */
function latestDate(dag: DagModel): number | null | 'unknown' {
  const own = instant(dagDate(dag, 'end_date'));
  if (own === 'unknown' || dag.tasks.length === 0) return own;
  let latest = own ?? -Infinity;
  let unknown = false;
  for (const task of dag.tasks) {
    const end = instant(argument(task, 'end_date')?.value);
    // One task without an end_date is enough to leave the DAG's own: most DAGs are decided by their first task.
    if (end === null) return own;
    if (end === 'unknown') unknown = true;
    else latest = Math.max(latest, end);
  }
  return unknown ? 'unknown' : latest;
}

function deltaOf(value: PyValue): Delta | undefined {
  if (value.kind === 'timedelta') return { kind: 'fixed', ms: Math.round(value.seconds * 1000) };
  if (value.kind === 'relativedelta') return { kind: 'calendar', years: value.years, months: value.months, seconds: value.seconds };
  return undefined;
}

/** Airflow rejects a delta that does not move time forward (`schedule interval must be positive`). */
function isPositive(delta: Delta): boolean {
  return delta.kind === 'fixed' ? delta.ms > 0 : addRelativeDelta(0, delta, 1) > 0;
}

/**
 * The schedule of each DAG model, per version: the rules, the template preview and the CodeLens
 * all ask for it after each edit, and the answer reads every task (their end dates).
 */
const schedules = new WeakMap<DagModel, { 2?: DagSchedule | ScheduleProblem; 3?: DagSchedule | ScheduleProblem }>();

/** How Airflow turns `schedule=` into a timetable, per version (§1.2, §9). */
export function dagSchedule(dag: DagModel, airflow: AirflowVersion): DagSchedule | ScheduleProblem {
  let known = schedules.get(dag);
  if (!known) schedules.set(dag, (known = {}));
  return (known[airflow] ??= scheduleOf(dag, airflow));
}

function scheduleOf(dag: DagModel, airflow: AirflowVersion): DagSchedule | ScheduleProblem {
  const removed = airflow === 3 ? argument(dag, 'schedule_interval') : undefined;
  if (removed) return { message: 'schedule_interval was removed in Airflow 3: this DAG does not load. Use schedule=.', range: removed.nameRange };
  const scheduleArg = argument(dag, 'schedule') ?? (airflow === 2 ? argument(dag, 'schedule_interval') : undefined);
  const start = instant(dagDate(dag, 'start_date'));
  const end = latestDate(dag);
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
  const base = { airflow, zone: dagZone(dag), restriction, scheduleArgument, scheduleValue: value, maxActiveRuns: maxActiveRunsOf(dag) };
  const range = scheduleArg?.valueRange;
  const delta = deltaOf(value);
  if (delta) {
    if (!isPositive(delta)) return { message: 'schedule interval must be positive.', range, invalid: true };
    return { ...base, timetable: airflow === 2 ? new DeltaDataIntervalTimetable(delta, airflow) : new DeltaTriggerTimetable(delta, airflow) };
  }
  switch (value.kind) {
    case 'none':
      return { ...base, timetable: new NullTimetable() };
    case 'str': {
      if (value.value === '@once') return { ...base, timetable: new OnceTimetable(airflow) };
      if (value.value === '@continuous') {
        // The default max_active_runs is 16, so a continuous DAG must say 1 (§1.7).
        const maxActive = argument(dag, 'max_active_runs')?.value;
        if (maxActive?.kind !== 'num' || maxActive.value > 1) {
          return { message: 'Invalid max_active_runs: @continuous requires max_active_runs <= 1 (the default is 16).', range, invalid: true };
        }
        return { ...base, timetable: new ContinuousTimetable() };
      }
      const cron = CronSchedule.parse(value.value);
      if (isCronError(cron)) return { message: cron.message, range, cron, invalid: !cron.unsupported };
      const never = neverScheduled(cron, range);
      if (never) return never;
      const timetable = airflow === 2 ? new CronDataIntervalTimetable(cron, base.zone, airflow) : new CronTriggerTimetable(cron, base.zone, airflow);
      return { ...base, timetable, cron };
    }
    case 'timetable':
      return explicitTimetable(value, airflow, base, range);
    default:
      return { message: 'This schedule (an asset or a computed value) is not a time-based schedule Airflow Preflight can preview.', range };
  }
}

/** A timetable object given as the schedule: its own arguments decide everything, its zone included. */
function explicitTimetable(value: Extract<PyValue, { kind: 'timetable' }>, airflow: AirflowVersion,
  base: Omit<DagSchedule, 'timetable'>, range: SourceRange | undefined): DagSchedule | ScheduleProblem {
  const argumentOf = (name: string, index: number) => value.keywords.get(name) ?? value.positional[index];
  const zone = zoneOf(argumentOf('timezone', 1)) ?? 'UTC';
  const intervalArg = value.keywords.get('interval');
  const interval = intervalArg ? deltaOf(intervalArg) : { kind: 'fixed', ms: 0 } as Delta;
  if (!interval || interval.kind !== 'fixed') return { message: `The interval of ${value.className} is not known statically.`, range };
  switch (value.className) {
    case 'CronDataIntervalTimetable':
    case 'CronTriggerTimetable': {
      const expression = argumentOf('cron', 0);
      if (expression?.kind !== 'str') return { message: `The cron expression of ${value.className} is not known statically.`, range };
      const cron = CronSchedule.parse(expression.value);
      if (isCronError(cron)) return { message: cron.message, range, invalid: !cron.unsupported };
      const never = neverScheduled(cron, range);
      if (never) return never;
      const timetable = value.className === 'CronDataIntervalTimetable'
        ? new CronDataIntervalTimetable(cron, zone, airflow)
        : new CronTriggerTimetable(cron, zone, airflow, interval.ms);
      return { ...base, zone, timetable, cron };
    }
    case 'DeltaDataIntervalTimetable':
    case 'DeltaTriggerTimetable': {
      const delta = deltaOf(argumentOf('delta', 0) ?? { kind: 'unknown' });
      if (!delta) return { message: `The delta of ${value.className} is not known statically.`, range };
      const timetable = value.className === 'DeltaDataIntervalTimetable' ? new DeltaDataIntervalTimetable(delta, airflow) : new DeltaTriggerTimetable(delta, airflow, interval.ms);
      return { ...base, timetable };
    }
    default:
      return { message: `${value.className} is not a timetable Airflow Preflight can preview yet.`, range };
  }
}

export function isScheduleProblem(value: DagSchedule | ScheduleProblem): value is ScheduleProblem {
  return !('timetable' in value);
}

/** A run's times in one zone, as `isoformat()` writes them there. */
export interface LocalRunTimes {
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly run_after: string;
}

export interface ScheduledRun {
  readonly run_id: string;
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly run_after: string;
  readonly ds: string;
  readonly local: Readonly<Record<string, LocalRunTimes>>;
}

function describeRun(info: DagRunInfo, zones: readonly string[], airflow: AirflowVersion): ScheduledRun {
  const logical = utcIso(info.logicalDate);
  return {
    // Airflow 2.10 names a scheduled run after its logical date, 3.x after when it runs (generate_run_id).
    run_id: `scheduled__${airflow === 2 ? logical : utcIso(info.runAfter)}`,
    logical_date: logical,
    data_interval_start: utcIso(info.dataInterval.start),
    data_interval_end: utcIso(info.dataInterval.end),
    run_after: utcIso(info.runAfter),
    // The template context's dates are UTC, so `ds` is the UTC date (§1.11).
    ds: logical.slice(0, 10),
    local: Object.fromEntries(zones.map((zone) => [zone, {
      logical_date: isoInZone(info.logicalDate, zone),
      data_interval_start: isoInZone(info.dataInterval.start, zone),
      data_interval_end: isoInZone(info.dataInterval.end, zone),
      run_after: isoInZone(info.runAfter, zone),
    }])),
  };
}

export interface RunsOptions {
  readonly now: number;
  /** The most runs to list as due (default 100). */
  readonly count?: number;
  /** Zones to show each run in, besides UTC. */
  readonly zones?: readonly string[];
}

export interface ScheduledRuns {
  readonly due: ScheduledRun[];
  readonly next: ScheduledRun | null;
  /**
   * The exception Airflow's scheduler hits computing the run after the last one listed
   * (`CroniterBadDateError: ...`), when that, not the end of the schedule, is why `next` is null.
   */
  readonly failure?: string;
}

/** The scheduled runs Airflow creates by `now` (their run_after <= now), oldest first, and the next one. */
export function scheduledRuns(schedule: DagSchedule, options: RunsOptions): ScheduledRuns {
  const count = options.count ?? 100;
  const zones = options.zones ?? [];
  const due: ScheduledRun[] = [];
  const { timetable, restriction } = schedule;
  let last: DagRunInfo | null = null;
  let info = timetable.nextDagrunInfo(null, restriction, options.now);
  while (info && info.runAfter <= options.now && due.length < count) {
    due.push(describeRun(info, zones, schedule.airflow));
    // A continuous DAG's next run starts when this one ends: nothing more exists at this instant.
    if (timetable.runsOneAtATime) return { due, next: null };
    last = info;
    info = timetable.nextDagrunInfo(info.dataInterval, restriction, options.now);
  }
  if (info) return { due, next: describeRun(info, zones, schedule.airflow) };
  const failure = timetable.failure?.(last?.dataInterval ?? null, restriction, options.now);
  return failure ? { due, next: null, failure } : { due, next: null };
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
    if (info.runAfter > now) runs.push(describeRun(info, zones, schedule.airflow));
    const previous: DagRunInfo = info;
    info = schedule.timetable.nextDagrunInfo(previous.dataInterval, restriction, now);
    if (info && info.runAfter <= previous.runAfter && info.runAfter > now) break;
  }
  return runs;
}

export interface BoundedRuns {
  /** The first runs, oldest first. */
  readonly runs: ScheduledRun[];
  /** How many runs there are in all, counting at most `countLimit`. */
  readonly total: number;
  /** More than `countLimit` runs. */
  readonly moreThanCounted: boolean;
}

/**
 * Every run of a DAG with an end_date, from its start_date to its end_date, as if it had run all
 * along: the schedule itself, whatever catchup decides at unpausing. The first `limit` are listed.
 */
export function runsFromStartToEnd(schedule: DagSchedule, limit: number, zones: readonly string[] = [], countLimit = 100_000): BoundedRuns {
  const restriction = { ...schedule.restriction, catchup: true };
  const runs: ScheduledRun[] = [];
  let total = 0;
  // A "now" after every run, so that the current time restricts nothing.
  const afterAll = (schedule.restriction.latest ?? Date.UTC(2100, 0, 1)) + 366 * 86_400_000;
  let info = schedule.timetable.runsOneAtATime ? null : schedule.timetable.nextDagrunInfo(null, restriction, afterAll);
  while (info && total < countLimit) {
    if (runs.length < limit) runs.push(describeRun(info, zones, schedule.airflow));
    total++;
    const previous: DagRunInfo = info;
    info = schedule.timetable.nextDagrunInfo(previous.dataInterval, restriction, afterAll);
    if (info && info.runAfter <= previous.runAfter) break;
  }
  return { runs, total, moreThanCounted: info !== null && total >= countLimit };
}
