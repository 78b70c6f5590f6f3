// Stepping through the ticks of a plain cron expression (numbers, ranges, steps, lists, names) from
// the value sets cron-parser expands, without creating an iterator per step. cron-parser remains
// the parser and the reference: a property test compares both on random expressions, and
// expressions with `L` or `#` are left to cron-parser.
import type { CronExpression } from 'cron-parser';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** croniter gives up after this many years without a match (e.g. `0 0 30 2 *`); so do we. */
const SEARCH_DAYS = 366 * 8;

export class FastCron {
  private constructor(
    /** Days of month written `15W`: the weekday nearest to each, in the same month. */
    private readonly nearestWeekdayOf: readonly number[],
    private readonly seconds: readonly number[],
    private readonly minutes: readonly number[],
    private readonly hours: readonly number[],
    private readonly daysOfMonth: ReadonlySet<number>,
    private readonly months: ReadonlySet<number>,
    private readonly daysOfWeek: ReadonlySet<number>,
    /** Which day fields restrict: both restricted means either may match (croniter's day_or). */
    private readonly dayRule: 'any' | 'dom' | 'dow' | 'either',
  ) {}

  /**
   * A fast stepper for a parsed expression, or undefined when it uses `L` or `#`. `nearest` are the
   * `W` days taken out of the expression; `plainDays` says whether other days remain in its field.
   */
  static from(expression: CronExpression, nearest: readonly number[] = [], plainDays = true): FastCron | undefined {
    const fields = expression.fields;
    const dom = plainDays ? fields.dayOfMonth.values : [];
    if (dom.some((v) => typeof v !== 'number') || fields.dayOfWeek.nthDay || fields.dayOfWeek.values.some((v) => typeof v !== 'number')) return undefined;
    const numbers = (values: readonly unknown[]) => [...new Set(values as number[])].sort((a, b) => a - b);
    const dow = new Set((fields.dayOfWeek.values as number[]).map((d) => d % 7));
    const domWild = fields.dayOfMonth.isWildcard && nearest.length === 0;
    const dowWild = fields.dayOfWeek.isWildcard;
    return new FastCron(
      nearest,
      numbers(fields.second.values),
      numbers(fields.minute.values),
      numbers(fields.hour.values),
      new Set(dom as number[]),
      new Set(fields.month.values as number[]),
      dow,
      domWild && dowWild ? 'any' : domWild ? 'dow' : dowWild ? 'dom' : 'either',
    );
  }

  private dayMatches(date: Date): boolean {
    const month = date.getUTCMonth() + 1;
    if (!this.months.has(month)) return false;
    switch (this.dayRule) {
      case 'any': return true;
      case 'dom': return this.domMatches(date);
      case 'dow': return this.daysOfWeek.has(date.getUTCDay());
      case 'either': return this.domMatches(date) || this.daysOfWeek.has(date.getUTCDay());
    }
  }

  private domMatches(date: Date): boolean {
    const day = date.getUTCDate();
    return this.daysOfMonth.has(day) || this.nearestWeekdayOf.some((target) => nearestWeekday(date, target) === day);
  }

  /** The first tick strictly after `wallMs` (whole seconds). */
  next(wallMs: number): number {
    let t = Math.floor(wallMs / SECOND) * SECOND + SECOND;
    for (let day = 0; day < SEARCH_DAYS; day++) {
      const dayStart = Math.floor(t / DAY) * DAY;
      if (this.dayMatches(new Date(dayStart))) {
        const inDay = this.firstTimeAtOrAfter(t - dayStart);
        if (inDay !== undefined) return dayStart + inDay;
      }
      t = dayStart + DAY;
    }
    throw new Error('no matching time within eight years');
  }

  /** The last tick strictly before `wallMs`. */
  prev(wallMs: number): number {
    let t = Math.ceil(wallMs / SECOND) * SECOND - SECOND;
    for (let day = 0; day < SEARCH_DAYS; day++) {
      const dayStart = Math.floor(t / DAY) * DAY;
      if (this.dayMatches(new Date(dayStart))) {
        const inDay = this.lastTimeAtOrBefore(t - dayStart);
        if (inDay !== undefined) return dayStart + inDay;
      }
      t = dayStart - SECOND;
    }
    throw new Error('no matching time within eight years');
  }

  /** The first time of day (ms) at or after `offset` that matches hour, minute and second. */
  private firstTimeAtOrAfter(offset: number): number | undefined {
    const hour = Math.floor(offset / HOUR);
    const minute = Math.floor((offset % HOUR) / MINUTE);
    const second = Math.floor((offset % MINUTE) / SECOND);
    for (const h of this.hours) {
      if (h < hour) continue;
      for (const m of this.minutes) {
        if (h === hour && m < minute) continue;
        for (const s of this.seconds) {
          if (h === hour && m === minute && s < second) continue;
          return h * HOUR + m * MINUTE + s * SECOND;
        }
      }
    }
    return undefined;
  }

  private lastTimeAtOrBefore(offset: number): number | undefined {
    const hour = Math.floor(offset / HOUR);
    const minute = Math.floor((offset % HOUR) / MINUTE);
    const second = Math.floor((offset % MINUTE) / SECOND);
    for (let i = this.hours.length - 1; i >= 0; i--) {
      const h = this.hours[i];
      if (h > hour) continue;
      for (let j = this.minutes.length - 1; j >= 0; j--) {
        const m = this.minutes[j];
        if (h === hour && m > minute) continue;
        for (let k = this.seconds.length - 1; k >= 0; k--) {
          const s = this.seconds[k];
          if (h === hour && m === minute && s > second) continue;
          return h * HOUR + m * MINUTE + s * SECOND;
        }
      }
    }
    return undefined;
  }
}

/**
 * The weekday nearest to day `target` of the date's month, never leaving the month: a Saturday
 * moves to Friday (or to Monday when it is the 1st), a Sunday to Monday (or to Friday when it is the
 * month's last day). A target past the month's end has none.
 */
function nearestWeekday(date: Date, target: number): number | undefined {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  if (target > lastDay) return undefined;
  const weekday = new Date(Date.UTC(year, month, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === lastDay ? target - 2 : target + 1;
  return target;
}
