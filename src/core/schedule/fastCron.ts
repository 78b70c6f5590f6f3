// Stepping through the ticks of a cron expression as croniter does (croniter 7.0, which both
// Airflow 2.10 and 3.x pin), from value sets that cron-parser expanded (./cron.ts). The rules of
// croniter that other cron libraries do not share live here: `L`, `#` and `L<d>` in the weekday
// field, `W` in the day of month, the year field, how the two day fields combine, and giving up
// (CroniterBadDateError) when no tick lies within 50 years. A property test compares plain
// expressions with cron-parser's own iterator.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** croniter stops looking once a candidate is this many years from where it started. */
const SEARCH_YEARS = 50;

/** croniter's CroniterBadDateError: no tick in the direction searched (within 50 years, or in the year field). */
export class CronSearchFailure extends Error {
  constructor(direction: 'next' | 'prev') {
    super(`failed to find ${direction} date`);
    this.name = 'CroniterBadDateError';
  }
}

/** The value sets of an expression, in croniter's terms. */
export interface CronFields {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  /** `L` in the day of month. */
  readonly lastDayOfMonth: boolean;
  /** `15W` (or `W15`): the weekday nearest to that day, in the same month. */
  readonly nearestWeekdayOf?: number;
  readonly months: ReadonlySet<number>;
  /** Plain weekdays, 0 = Sunday. */
  readonly weekdays: ReadonlySet<number>;
  /** `MON#2` and `L5`: per weekday, which occurrences in the month (1-5, or 'L' for the last). */
  readonly nthWeekdays: ReadonlyMap<number, readonly (number | 'L')[]>;
  /** The years of a seventh field; undefined when every year matches. */
  readonly years?: readonly number[];
  /** Whether croniter's expansion of each day field is something other than `*`. */
  readonly daysOfMonthRestricted: boolean;
  readonly weekdaysRestricted: boolean;
}

type DayTest = (date: Date) => boolean;

/**
 * One way a day can match, searched on its own. croniter searches the two day fields separately
 * when both are restricted and takes the earlier tick (day-of-month OR day-of-week); a side that
 * finds nothing is dropped only when neither uses `#`, `L<d>` or `W`: otherwise croniter's search
 * of that side fails and so does the whole expression.
 */
interface DaySide {
  readonly matches: DayTest;
  readonly mayFail: boolean;
}

export class FastCron {
  private readonly sides: readonly DaySide[];

  constructor(private readonly fields: CronFields) {
    const domSide: DayTest = fields.nearestWeekdayOf !== undefined
      ? (date) => nearestWeekday(date, fields.nearestWeekdayOf!) === date.getUTCDate()
      : fields.daysOfMonthRestricted
        ? (date) => fields.daysOfMonth.has(date.getUTCDate()) || (fields.lastDayOfMonth && date.getUTCDate() === lastDayOf(date))
        : () => true;
    const nthSide: DayTest | undefined = fields.nthWeekdays.size > 0 ? (date) => isNthWeekday(date, fields.nthWeekdays) : undefined;
    const dowSide: DayTest = nthSide ?? (fields.weekdaysRestricted ? (date) => fields.weekdays.has(date.getUTCDay()) : () => true);
    if (!(fields.daysOfMonthRestricted && fields.weekdaysRestricted)) {
      this.sides = [{ matches: (date) => domSide(date) && dowSide(date), mayFail: false }];
    } else if (!nthSide && fields.nearestWeekdayOf === undefined) {
      this.sides = [{ matches: domSide, mayFail: true }, { matches: dowSide, mayFail: true }];
    } else {
      // `#`, `L<d>` and `W` are not blanked with their field when croniter searches the other side.
      const nearestSide: DayTest = fields.nearestWeekdayOf !== undefined ? domSide : () => true;
      this.sides = [
        { matches: (date) => domSide(date) && (!nthSide || nthSide(date)), mayFail: false },
        { matches: (date) => nearestSide(date) && dowSide(date), mayFail: false },
      ];
    }
  }

  /** The first tick strictly after `wallMs` (whole seconds). */
  next(wallMs: number): number {
    return this.nearest(Math.floor(wallMs / SECOND) * SECOND + SECOND, 1);
  }

  /** The last tick strictly before `wallMs`. */
  prev(wallMs: number): number {
    return this.nearest(Math.ceil(wallMs / SECOND) * SECOND - SECOND, -1);
  }

  /** The earliest (latest) tick any side finds; croniter's failure when a side that may not fail does. */
  private nearest(from: number, step: 1 | -1): number {
    let best: number | undefined;
    for (const side of this.sides) {
      const tick = this.search(side, from, step);
      if (tick === undefined) {
        if (side.mayFail) continue;
        throw new CronSearchFailure(step === 1 ? 'next' : 'prev');
      }
      if (best === undefined || (step === 1 ? tick < best : tick > best)) best = tick;
    }
    if (best === undefined) throw new CronSearchFailure(step === 1 ? 'next' : 'prev');
    return best;
  }

  /** The nearest tick at or after (`step` 1) or at or before (-1) `from` whose day matches `side`. */
  private search(side: DaySide, from: number, step: 1 | -1): number | undefined {
    const { years, months } = this.fields;
    let startYear: number | undefined;
    let t = from;
    for (;;) {
      const date = new Date(Math.floor(t / DAY) * DAY);
      const year = date.getUTCFullYear();
      startYear ??= year;
      if (Math.abs(year - startYear) > SEARCH_YEARS) return undefined;
      if (years && !years.includes(year)) {
        // Straight to the next (previous) year of the field, as croniter's year step does.
        const other = step === 1 ? years.find((y) => y > year) : [...years].reverse().find((y) => y < year);
        if (other === undefined) return undefined;
        t = step === 1 ? Date.UTC(other, 0, 1) : Date.UTC(other, 11, 31, 23, 59, 59);
        continue;
      }
      const dayStart = date.getTime();
      if (months.has(date.getUTCMonth() + 1) && side.matches(date)) {
        const inDay = step === 1 ? this.firstTimeAtOrAfter(t - dayStart) : this.lastTimeAtOrBefore(t - dayStart);
        if (inDay !== undefined) return dayStart + inDay;
      }
      t = step === 1 ? dayStart + DAY : dayStart - SECOND;
    }
  }

  /** The first time of day (ms) at or after `offset` that matches hour, minute and second. */
  private firstTimeAtOrAfter(offset: number): number | undefined {
    const { hours, minutes, seconds } = this.fields;
    const hour = Math.floor(offset / HOUR);
    const minute = Math.floor((offset % HOUR) / MINUTE);
    const second = Math.floor((offset % MINUTE) / SECOND);
    for (const h of hours) {
      if (h < hour) continue;
      for (const m of minutes) {
        if (h === hour && m < minute) continue;
        for (const s of seconds) {
          if (h === hour && m === minute && s < second) continue;
          return h * HOUR + m * MINUTE + s * SECOND;
        }
      }
    }
    return undefined;
  }

  private lastTimeAtOrBefore(offset: number): number | undefined {
    const { hours, minutes, seconds } = this.fields;
    const hour = Math.floor(offset / HOUR);
    const minute = Math.floor((offset % HOUR) / MINUTE);
    const second = Math.floor((offset % MINUTE) / SECOND);
    for (let i = hours.length - 1; i >= 0; i--) {
      const h = hours[i];
      if (h > hour) continue;
      for (let j = minutes.length - 1; j >= 0; j--) {
        const m = minutes[j];
        if (h === hour && m > minute) continue;
        for (let k = seconds.length - 1; k >= 0; k--) {
          const s = seconds[k];
          if (h === hour && m === minute && s > second) continue;
          return h * HOUR + m * MINUTE + s * SECOND;
        }
      }
    }
    return undefined;
  }
}

function lastDayOf(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

/** `MON#2`: the date is the second Monday of its month; `L5`: the last Friday. */
function isNthWeekday(date: Date, nth: ReadonlyMap<number, readonly (number | 'L')[]>): boolean {
  const occurrences = nth.get(date.getUTCDay());
  if (!occurrences) return false;
  const day = date.getUTCDate();
  const occurrence = Math.floor((day - 1) / 7) + 1;
  const isLast = day + 7 > lastDayOf(date);
  return occurrences.some((n) => (n === 'L' ? isLast : n === occurrence));
}

/**
 * The weekday nearest to day `target` of the date's month, never leaving the month: a Saturday
 * moves to Friday (or to Monday when it is the 1st), a Sunday to Monday (or to Friday when it is the
 * month's last day). croniter moves a target past the month's end to the month's last day first.
 */
function nearestWeekday(date: Date, target: number): number {
  const lastDay = lastDayOf(date);
  const day = Math.min(target, lastDay);
  const weekday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), day)).getUTCDay();
  if (weekday === 6) return day === 1 ? 3 : day - 1;
  if (weekday === 0) return day === lastDay ? day - 2 : day + 1;
  return day;
}
