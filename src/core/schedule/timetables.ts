// Airflow's timetables (shared/airflow-semantics.md §1), as small immutable values with one
// deterministic function: the next run after the last automated one, for a restriction and a "now"
// given as arguments. All instants are epoch milliseconds in UTC.
// 2.10 `airflow/timetables/{_cron,_delta,interval,trigger,simple}.py`; 3.x the same files in airflow-core.
import { addRelativeDelta } from '../python/dates';
import { instantOfWallTime, wallTime } from '../time/zones';
import type { CronSchedule } from './cron';
import { CronSearchFailure } from './fastCron';

export interface DataInterval {
  readonly start: number;
  readonly end: number;
}

export interface DagRunInfo {
  readonly dataInterval: DataInterval;
  /** The earliest instant the scheduler creates the run. */
  readonly runAfter: number;
  /** Always the data interval's start (`DagRunInfo.logical_date`). */
  readonly logicalDate: number;
}

/** `TimeRestriction`: both ends inclusive. */
export interface TimeRestriction {
  readonly earliest: number | null;
  readonly latest: number | null;
  readonly catchup: boolean;
}

export interface Timetable {
  /** Airflow's class name, as `preflight schedule` reports it. */
  readonly name: string;
  /** A new run only once the previous one has finished (`@continuous`): at most one is due at a time. */
  readonly runsOneAtATime?: boolean;
  nextDagrunInfo(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null;
  /**
   * Why there is no next run when the timetable raised instead of answering (croniter found no
   * tick): the scheduler logs the exception and creates no run. Undefined when it did not raise.
   */
  failure?(last: DataInterval | null, restriction: TimeRestriction, now: number): string | undefined;
}

/**
 * The next run, or null where Airflow's `DAG.next_dagrun_info` swallows the timetable's
 * CroniterBadDateError; `failureOf` tells that error apart from an ordinary end of the schedule.
 */
function orNoRun(compute: () => DagRunInfo | null): DagRunInfo | null {
  try {
    return compute();
  } catch (error) {
    if (error instanceof CronSearchFailure) return null;
    throw error;
  }
}

function failureOf(compute: () => DagRunInfo | null): string | undefined {
  try {
    compute();
    return undefined;
  } catch (error) {
    if (error instanceof CronSearchFailure) return `${error.name}: ${error.message}`;
    throw error;
  }
}

function interval(start: number, end: number): DagRunInfo {
  return { dataInterval: { start, end }, runAfter: end, logicalDate: start };
}

/** Stepping through a schedule's ticks: cron ticks in a zone, or fixed deltas. */
interface Ticks {
  next(t: number): number;
  prev(t: number): number;
  alignToNext(t: number): number;
  alignToPrev(t: number): number;
}

/**
 * Cron ticks in the DAG's zone (`CronMixin`): the cron runs on naive wall-clock time, and the tick
 * is localised with `make_aware`; schedules whose hour field is `*` step by elapsed time instead,
 * so they fire in both hours of a DST fold.
 */
export class CronTicks implements Ticks {
  constructor(readonly cron: CronSchedule, readonly zone: string) {}

  next(t: number): number {
    const naive = wallTime(t, this.zone);
    const scheduled = this.cron.nextWall(naive);
    return this.cron.coversEveryHour ? t + (scheduled - naive) : instantOfWallTime(scheduled, this.zone);
  }

  prev(t: number): number {
    const naive = wallTime(t, this.zone);
    const scheduled = this.cron.prevWall(naive);
    return this.cron.coversEveryHour ? t - (naive - scheduled) : instantOfWallTime(scheduled, this.zone);
  }

  alignToNext(t: number): number {
    const next = this.next(t);
    return this.prev(next) !== t ? next : t;
  }

  alignToPrev(t: number): number {
    const prev = this.prev(t);
    return this.next(prev) !== t ? prev : t;
  }
}

/** A schedule delta: a fixed duration, or dateutil's relativedelta with calendar years and months. */
export type Delta =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'calendar'; readonly years: number; readonly months: number; readonly seconds: number };

/** Deltas (`DeltaMixin`): arithmetic on UTC times, no alignment. */
export class DeltaTicks implements Ticks {
  constructor(readonly delta: Delta) {}

  next(t: number): number {
    return this.delta.kind === 'fixed' ? t + this.delta.ms : addRelativeDelta(t, this.delta, 1);
  }

  prev(t: number): number {
    return this.delta.kind === 'fixed' ? t - this.delta.ms : addRelativeDelta(t, this.delta, -1);
  }

  /** The delta in seconds as Airflow rounds with it: months as 30 days, years as 365. */
  get roundingSeconds(): number {
    const d = this.delta;
    return d.kind === 'fixed' ? d.ms / 1000 : d.years * 365 * 86400 + d.months * 30 * 86400 + d.seconds;
  }

  alignToNext(t: number): number {
    return t;
  }

  alignToPrev(t: number): number {
    return t;
  }
}

/** `_DataIntervalTimetable.next_dagrun_info`: a run executes at the end of its interval. */
export abstract class DataIntervalTimetable implements Timetable {
  abstract readonly name: string;
  protected abstract readonly ticks: Ticks;
  protected abstract skipToLatest(earliest: number | null, now: number): number;

  constructor(protected readonly airflow: 2 | 3) {}

  /** The schedule's tick before `t` (`_get_prev`): 2.10's `prev_ds` of a run with logical date `t`; null when croniter finds none. */
  previousTick(t: number): number | null {
    try {
      return this.ticks.prev(t);
    } catch (error) {
      if (error instanceof CronSearchFailure) return null;
      throw error;
    }
  }

  /**
   * `infer_manual_data_interval`: a run triggered at `runAfter` covers the last complete period
   * before it; null when croniter finds no earlier tick (Airflow then fails to trigger the run).
   */
  manualDataInterval(runAfter: number): DataInterval | null {
    try {
      const end = this.ticks.alignToPrev(runAfter);
      return { start: this.ticks.prev(end), end };
    } catch (error) {
      if (error instanceof CronSearchFailure) return null;
      throw error;
    }
  }

  nextDagrunInfo(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null {
    return orNoRun(() => this.computeNext(last, restriction, now));
  }

  failure(last: DataInterval | null, restriction: TimeRestriction, now: number): string | undefined {
    return failureOf(() => this.computeNext(last, restriction, now));
  }

  private computeNext(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null {
    let earliest = restriction.earliest;
    if (!restriction.catchup) earliest = this.skipToLatest(earliest, now);
    else if (earliest !== null) earliest = this.ticks.alignToNext(earliest);
    let start: number;
    if (last === null) {
      if (earliest === null) return null;
      start = earliest;
    } else {
      const alignedEnd = this.ticks.alignToPrev(last.end);
      start = earliest !== null ? Math.max(alignedEnd, earliest) : alignedEnd;
      // Airflow 3.3 steps once more when a schedule change lands on or before the last run.
      if (this.airflow === 3 && start <= last.start) start = this.ticks.next(start);
    }
    if (restriction.latest !== null && start > restriction.latest) return null;
    return interval(start, this.ticks.next(start));
  }
}

export class CronDataIntervalTimetable extends DataIntervalTimetable {
  readonly name = 'CronDataIntervalTimetable';
  protected readonly ticks: CronTicks;

  constructor(cron: CronSchedule, zone: string, airflow: 2 | 3) {
    super(airflow);
    this.ticks = new CronTicks(cron, zone);
  }

  /** The start of the latest interval that has already completed at `now`. */
  protected skipToLatest(earliest: number | null, now: number): number {
    const lastStart = this.ticks.prev(now);
    const nextStart = this.ticks.next(lastStart);
    const newStart = nextStart === now ? lastStart : this.ticks.prev(lastStart);
    return earliest === null ? newStart : Math.max(newStart, this.ticks.alignToNext(earliest));
  }
}

export class DeltaDataIntervalTimetable extends DataIntervalTimetable {
  readonly name = 'DeltaDataIntervalTimetable';
  protected readonly ticks: DeltaTicks;

  constructor(delta: Delta, airflow: 2 | 3) {
    super(airflow);
    this.ticks = new DeltaTicks(delta);
  }

  /**
   * The latest boundary at or before `now`, minus one delta. Boundaries are multiples of the delta
   * counted from the Unix epoch; Airflow 3 instead steps calendar months and years from the start
   * date, as catchup would have (`_round`).
   */
  protected skipToLatest(earliest: number | null, now: number): number {
    let rounded: number;
    const { delta } = this.ticks;
    if (this.airflow === 3 && delta.kind === 'calendar' && (delta.months || delta.years)) {
      rounded = earliest ?? now;
      for (let next = this.ticks.next(rounded); next <= now; next = this.ticks.next(rounded)) rounded = next;
    } else {
      const seconds = Math.floor(now / 1000);
      const deltaSeconds = this.ticks.roundingSeconds;
      rounded = (seconds - (((seconds % deltaSeconds) + deltaSeconds) % deltaSeconds)) * 1000;
    }
    const newStart = this.ticks.prev(rounded);
    return earliest === null ? newStart : Math.max(newStart, earliest);
  }
}

/** `_TriggerTimetable.next_dagrun_info`: a run executes at its tick; its interval ends there. */
abstract class TriggerTimetable implements Timetable {
  abstract readonly name: string;
  protected abstract readonly ticks: Ticks;

  constructor(protected readonly airflow: 2 | 3, protected readonly intervalMs: number) {}

  /** 3.x, for a DAG without start_date: the tick to start from. */
  protected abstract firstRun(now: number): number;

  nextDagrunInfo(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null {
    return orNoRun(() => this.computeNext(last, restriction, now));
  }

  failure(last: DataInterval | null, restriction: TimeRestriction, now: number): string | undefined {
    return failureOf(() => this.computeNext(last, restriction, now));
  }

  private computeNext(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null {
    let tick: number;
    if (restriction.catchup) {
      if (last !== null) tick = this.ticks.next(last.end);
      else if (restriction.earliest === null) {
        if (this.airflow === 2) return null;
        tick = this.firstRun(now);
      } else tick = this.ticks.alignToNext(restriction.earliest);
    } else {
      const candidates = [this.ticks.alignToPrev(now)];
      if (last !== null) candidates.push(this.ticks.next(last.end));
      else if (restriction.earliest === null && this.airflow === 3) candidates.push(this.firstRun(now));
      if (restriction.earliest !== null) candidates.push(this.ticks.alignToNext(restriction.earliest));
      tick = Math.max(...candidates);
    }
    if (restriction.latest !== null && restriction.latest < tick) return null;
    return { dataInterval: { start: tick - this.intervalMs, end: tick }, runAfter: tick, logicalDate: tick - this.intervalMs };
  }
}

export class CronTriggerTimetable extends TriggerTimetable {
  readonly name = 'CronTriggerTimetable';
  protected readonly ticks: CronTicks;

  /** `interval` makes each run's data interval end at its tick and start that long before. */
  constructor(cron: CronSchedule, zone: string, airflow: 2 | 3, intervalMs = 0) {
    super(airflow, intervalMs);
    this.ticks = new CronTicks(cron, zone);
  }

  /**
   * `_calc_first_run` with the default `run_immediately=False`, which Airflow's code treats like
   * None (§8.4): the past tick if now is within max(10% of the period, 5 minutes) after it.
   */
  protected firstRun(now: number): number {
    const past = this.ticks.alignToPrev(now);
    const future = this.ticks.alignToNext(now);
    const buffer = Math.max((future - past) / 10, 5 * 60_000);
    return now - past <= buffer ? past : future;
  }
}

export class DeltaTriggerTimetable extends TriggerTimetable {
  readonly name = 'DeltaTriggerTimetable';
  protected readonly ticks: DeltaTicks;

  constructor(delta: Delta, airflow: 2 | 3, intervalMs = 0) {
    super(airflow, intervalMs);
    this.ticks = new DeltaTicks(delta);
  }

  protected firstRun(now: number): number {
    return now;
  }
}

/** `schedule=None`: never scheduled. */
export class NullTimetable implements Timetable {
  readonly name = 'NullTimetable';

  nextDagrunInfo(): DagRunInfo | null {
    return null;
  }
}

/** `"@once"`: one run at the start date, whatever catchup says; 3.x runs a DAG without start date now. */
export class OnceTimetable implements Timetable {
  readonly name = 'OnceTimetable';

  constructor(private readonly airflow: 2 | 3) {}

  nextDagrunInfo(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null {
    if (last !== null) return null;
    const runAfter = restriction.earliest ?? (this.airflow === 3 ? now : null);
    if (runAfter === null) return null;
    if (restriction.latest !== null && runAfter > restriction.latest) return null;
    return { dataInterval: { start: runAfter, end: runAfter }, runAfter, logicalDate: runAfter };
  }
}

/** `"@continuous"`: a new run as soon as the previous one ends, one at a time. */
export class ContinuousTimetable implements Timetable {
  readonly name = 'ContinuousTimetable';
  readonly runsOneAtATime = true;

  nextDagrunInfo(last: DataInterval | null, restriction: TimeRestriction, now: number): DagRunInfo | null {
    if (restriction.earliest === null) return null;
    let start: number;
    let end: number;
    if (last !== null) {
      if (last.end > now) {
        start = restriction.earliest;
        end = start + (last.end - last.start);
      } else {
        start = last.end;
        end = now;
      }
    } else {
      start = restriction.earliest;
      end = Math.max(restriction.earliest, now);
    }
    if (restriction.latest !== null && end > restriction.latest) return null;
    return interval(start, end);
  }
}
