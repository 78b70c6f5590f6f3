// Cron expressions as Airflow reads them: its presets, then croniter's syntax (5 fields, 6 with
// seconds last, or 7 with a year after the seconds), evaluated on naive wall-clock time. cron-parser
// expands and checks the plain parts of each field; croniter's own syntax (`L<d>` and `#` in the
// weekday, `W` in the day of month, the year) is read here, and ./fastCron.ts steps through the ticks
// with croniter's rules. Time zones and DST are handled by our own code exactly as Airflow's
// `_cron.py` does (see ./timetables.ts).
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { CronSearchFailure, FastCron, type CronFields } from './fastCron';

/** `airflow/utils/dates.py` cron_presets, then croniter's own aliases. */
const PRESETS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@midnight': '0 0 * * *',
};

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week', 'second', 'year'];
const MINUTE = 0, HOUR = 1, DAY_OF_MONTH = 2, MONTH = 3, DAY_OF_WEEK = 4, SECOND = 5, YEAR = 6;
/** croniter's range of the year field. */
const YEARS = { min: 1970, max: 2099 };

export interface CronError {
  readonly message: string;
  /** The offending field's position in the expression as written, when one field is at fault. */
  readonly field?: { readonly index: number; readonly from: number; readonly to: number };
  /**
   * croniter accepts the expression but Airflow Preflight cannot evaluate it; unset when croniter,
   * and so Airflow, rejects it.
   */
  readonly unsupported?: boolean;
}

/** A valid cron expression, ready to step through naive wall-clock times. */
export class CronSchedule {
  private constructor(
    /** The expression as Airflow hands it to croniter (presets expanded). */
    readonly expression: string,
    /** The same in cronstrue's order (seconds first, the year last) and spelling (`5L`, `15W`). */
    readonly secondsFirst: string,
    /** The hour field expands to every hour: Airflow then steps by elapsed time, so both hours of a DST fold run. */
    readonly coversEveryHour: boolean,
    /** Both day fields restricted with plain values: croniter fires when either matches. */
    readonly daysEither: boolean,
    /** croniter finds no tick at all (`0 0 31 2 *`, `0 0 1 * L5`): Airflow's scheduler fails on it every time. */
    readonly neverFires: boolean,
    private readonly stepper: FastCron,
    /** cron-parser's iterator over the same expression, for expressions it reads as croniter does. */
    private readonly reference: string,
  ) {}

  static parse(text: string): CronSchedule | CronError {
    const known = parsed.get(text);
    if (known) return known;
    const read = parseCron(text);
    const result = 'message' in read ? read : CronSchedule.of(read);
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(text, result);
    return result;
  }

  private static of(read: ReadCron): CronSchedule {
    const stepper = new FastCron(read.fields);
    // From the first year the expression allows, croniter's 50-year search covers every calendar.
    const from = Date.UTC(read.fields.years?.[0] ?? 1970, 0, 1) - 1000;
    let neverFires = false;
    try {
      stepper.next(from);
    } catch (error) {
      if (!(error instanceof CronSearchFailure)) throw error;
      neverFires = true;
    }
    return new CronSchedule(read.expression, read.secondsFirst, read.fields.hours.length === 24, read.daysEither, neverFires, stepper, read.reference);
  }

  /** The first tick strictly after a wall-clock time; throws CronSearchFailure when croniter finds none. */
  nextWall(wallMs: number): number {
    return this.stepper.next(wallMs);
  }

  /** The last tick strictly before a wall-clock time; throws CronSearchFailure when croniter finds none. */
  prevWall(wallMs: number): number {
    return this.stepper.prev(wallMs);
  }

  private iterator(wallMs: number): CronExpression {
    return CronExpressionParser.parse(this.reference, { currentDate: new Date(wallMs), tz: 'UTC' });
  }

  /** The same steps through cron-parser alone: the reference the stepper is tested against on plain expressions. */
  referenceNextWall(wallMs: number): number {
    return this.iterator(wallMs).next().getTime();
  }

  referencePrevWall(wallMs: number): number {
    return this.iterator(wallMs).prev().getTime();
  }
}

/** Expressions already parsed: the same few schedules are read again on every keystroke. */
const parsed = new Map<string, CronSchedule | CronError>();
const PARSED_LIMIT = 500;

/** What a valid expression is made of. */
interface ReadCron {
  readonly expression: string;
  readonly secondsFirst: string;
  readonly fields: CronFields;
  readonly daysEither: boolean;
  readonly reference: string;
}

function parseCron(text: string): ReadCron | CronError {
  const expression = PRESETS[text.trim()] ?? text.trim();
  const fields = expression.split(/\s+/).filter(Boolean);
  if (fields.length < 5 || fields.length > 7) {
    return { message: `Exactly 5, 6 or 7 columns has to be specified for iterator expression (got ${fields.length}).` };
  }
  const error = (index: number, message: string, unsupported = false): CronError => (unsupported
    ? { message: `Airflow Preflight cannot evaluate the ${FIELD_NAMES[index]} field '${fields[index]}' (croniter accepts it): ${message}`, field: { index, ...positions(text, fields)[index] }, unsupported }
    : locate(text, fields, index, message));
  for (const [index, field] of fields.entries()) {
    if (field.includes('?') && (field !== '?' || (index !== DAY_OF_MONTH && index !== DAY_OF_WEEK))) {
      return error(index, 'croniter accepts ? only alone, in the day of month or the day of week');
    }
  }
  const days = dayOfMonthField(fields[DAY_OF_MONTH]);
  if ('message' in days) return error(DAY_OF_MONTH, days.message);
  const weekdays = dayOfWeekField(fields[DAY_OF_WEEK]);
  if ('message' in weekdays) return error(DAY_OF_WEEK, weekdays.message, weekdays.unsupported);
  const years = fields.length === 7 ? yearField(fields[YEAR]) : undefined;
  if (years && 'message' in years) return error(YEAR, years.message, years.unsupported);
  const expanded: (number | 'L')[][] = [];
  const rewritten: string[] = [];
  for (const [index, field] of [fields[MINUTE], fields[HOUR], days.plain, fields[MONTH], weekdays.plain, fields[SECOND] ?? '0'].entries()) {
    const plain = plainValues(index, field);
    if ('message' in plain) return error(index, plain.message);
    expanded.push(plain.values);
    rewritten.push(plain.written);
  }
  const numbers = (values: readonly (number | 'L')[]) => values.filter((v): v is number => v !== 'L');
  const plainWeekdays = weekdays.plain === '*' ? [] : numbers(expanded[DAY_OF_WEEK]);
  const nthDays = [...weekdays.nth.keys()];
  if (nthDays.length > 0 && plainWeekdays.some((d) => !weekdays.nth.has(d))) {
    if (new Set([...plainWeekdays, ...nthDays]).size !== 7) {
      return error(DAY_OF_WEEK, 'croniter does not support mixing literal weekdays and nth-weekday syntax (# or L) in one field');
    }
    return error(DAY_OF_WEEK, 'every weekday listed beside # or L', true);
  }
  const domNumbers = days.plain === '*' ? [] : numbers(expanded[DAY_OF_MONTH]);
  const lastDay = expanded[DAY_OF_MONTH].includes('L');
  // croniter expands a day field to `*` when it is `*` or `?`, or lists every day while the other
  // day field contains a `*`; only then does the field not restrict.
  const dowWritten = fields[DAY_OF_WEEK].toLowerCase();
  const domWritten = fields[DAY_OF_MONTH].toLowerCase();
  const daysOfMonthRestricted = days.nearest !== undefined
    || !(days.plain === '*' || (domNumbers.length === 31 && !lastDay && dowWritten.includes('*')));
  const weekdayCount = new Set([...plainWeekdays, ...nthDays]).size;
  const weekdaysRestricted = !(weekdays.plain === '*' && nthDays.length === 0) && !(weekdayCount === 7 && domWritten.includes('*'));
  const cronFields: CronFields = {
    seconds: numbers(expanded[SECOND]),
    minutes: numbers(expanded[MINUTE]),
    hours: numbers(expanded[HOUR]),
    daysOfMonth: new Set(domNumbers),
    lastDayOfMonth: lastDay,
    nearestWeekdayOf: days.nearest,
    months: new Set(numbers(expanded[MONTH])),
    weekdays: new Set(plainWeekdays),
    nthWeekdays: weekdays.nth,
    years: years && years.values.length < YEARS.max - YEARS.min + 1 ? years.values : undefined,
    daysOfMonthRestricted,
    weekdaysRestricted,
  };
  const plainDays = days.nearest === undefined && weekdays.nth.size === 0;
  // What croniter really fires on, in words: beside `#` or `L<d>` the day of month adds no days
  // (croniter keeps the `#` days only, or finds none), and beside `W` the weekday adds none.
  let describedDays = days.nearest !== undefined ? days.described : rewritten[DAY_OF_MONTH];
  let describedWeekdays = weekdays.nth.size > 0 ? weekdays.described : rewritten[DAY_OF_WEEK];
  if (daysOfMonthRestricted && weekdaysRestricted && weekdays.nth.size > 0 && days.nearest === undefined) describedDays = '*';
  if (daysOfMonthRestricted && weekdaysRestricted && weekdays.nth.size === 0 && days.nearest !== undefined) describedWeekdays = '*';
  const secondsFirst = [rewritten[SECOND], rewritten[MINUTE], rewritten[HOUR], describedDays, rewritten[MONTH], describedWeekdays, ...(years ? [fields[YEAR]] : [])].join(' ');
  const reference = [fields[SECOND] ?? '0', ...fields.slice(0, 5)].join(' ');
  return { expression, secondsFirst, fields: cronFields, daysEither: plainDays && daysOfMonthRestricted && weekdaysRestricted, reference };
}

interface FieldProblem {
  readonly message: string;
  readonly unsupported?: boolean;
}

/** The day of month: croniter's `15W`/`W15` (alone in the field), `10-L`, else cron-parser's syntax. */
function dayOfMonthField(field: string): { plain: string; described: string; nearest?: number } | FieldProblem {
  if (field === '?') return { plain: '*', described: '?' };
  const items = field.split(',');
  const nearest = items.map((item) => /^(?:(\d+)W|W(\d+))$/i.exec(item)).find(Boolean);
  if (nearest) {
    const day = Number(nearest[1] ?? nearest[2]);
    if (day < 1 || day > 31) return { message: `nearest weekday day value '${day}' out of range` };
    if (items.length > 1) return { message: "'W' can only be used with a single day value, not in a list or range" };
    return { plain: String(day), described: `${day}W`, nearest: day };
  }
  if (items.some((item) => /W/i.test(item))) return { message: `[${field}] is not acceptable` };
  // croniter reads `L` as the end of a range (`15-L` is the 15th to the 31st), and alone as the last day.
  const plain = items.map((item) => item.replace(/^(\d+)-L(?=$|\/)/i, '$1-31')).join(',');
  if (plain.split(',').some((item) => /L/i.test(item) && !/^L$/i.test(item))) return { message: `[${field}] is not acceptable` };
  return { plain, described: field };
}

/**
 * The day of week: croniter's `L<d>` (the last such weekday of the month) and `<d>#<n>`, kept out of
 * what cron-parser reads; croniter refuses cron-parser's `5L` and a bare `L`.
 */
function dayOfWeekField(field: string): { plain: string; described: string; nth: ReadonlyMap<number, readonly (number | 'L')[]> } | FieldProblem {
  if (field === '?') return { plain: '*', described: '?', nth: new Map() };
  const nth = new Map<number, (number | 'L')[]>();
  const add = (weekday: number, occurrence: number | 'L') => nth.set(weekday, [...new Set([...(nth.get(weekday) ?? []), occurrence])]);
  const plain: string[] = [];
  const described: string[] = [];
  for (const item of field.split(',')) {
    const last = /^L(\d+)$/i.exec(item);
    const hash = /^([a-z]{3}-[a-z]{3}|\w+)#(\d+)$/i.exec(item);
    if (last) {
      const weekday = Number(last[1]) === 7 ? 0 : Number(last[1]);
      if (weekday > 6) return { message: `[${item}] is out of range` };
      add(weekday, 'L');
      described.push(`${weekday}L`);
    } else if (hash) {
      const occurrence = Number(hash[2]);
      if (occurrence < 1 || occurrence > 5) return { message: `Invalid day_of_week value: '${hash[2]}'` };
      let weekdays: number[];
      try {
        weekdays = CronExpressionParser.parse(`0 0 0 * * ${hash[1]}`, { tz: 'UTC' }).fields.dayOfWeek.values.map((d) => Number(d) % 7);
      } catch (thrown) {
        return { message: thrown instanceof Error ? thrown.message : String(thrown) };
      }
      if (/^\d+$/.test(hash[1]) && Number(hash[1]) > 7) return { message: `[${item}] is out of range` };
      weekdays.forEach((weekday) => add(weekday, occurrence));
      described.push(item);
    } else if (/[L#]/i.test(item)) {
      return { message: `[${item}] is not acceptable` };
    } else {
      plain.push(item);
      described.push(item);
    }
  }
  return { plain: plain.length > 0 ? plain.join(',') : '*', described: described.join(','), nth };
}

/** croniter's seventh field: years from 1970 to 2099, as numbers, ranges, steps and lists. */
function yearField(field: string): { values: number[] } | FieldProblem {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!match) return { message: `[${item}] is not acceptable` };
    const [, from, to, step] = match;
    const low = from === '*' ? YEARS.min : Number(from);
    const high = to !== undefined ? Number(to) : from === '*' || step !== undefined ? YEARS.max : low;
    if (low < YEARS.min || high > YEARS.max || low > YEARS.max) return { message: `[${item}] is not acceptable, out of range` };
    if (step !== undefined && Number(step) === 0) return { message: `step '${step}' is not acceptable` };
    if (low > high) return { message: `a range of years that wraps around (${item})`, unsupported: true };
    for (let year = low; year <= high; year += Number(step ?? 1)) values.add(year);
  }
  return { values: [...values].sort((a, b) => a - b) };
}

/** Each field's position in the expression as written. */
function positions(text: string, fields: readonly string[]): { from: number; to: number }[] {
  const found: { from: number; to: number }[] = [];
  let cursor = 0;
  for (const field of fields) {
    const from = text.indexOf(field, cursor);
    found.push({ from, to: from + field.length });
    cursor = from + field.length;
  }
  return found;
}

function locate(text: string, fields: readonly string[], index: number, message: string): CronError {
  return { message: `Invalid ${FIELD_NAMES[index]} field '${fields[index]}': ${message}`, field: { index, ...positions(text, fields)[index] } };
}

/** Where each of croniter's fields (minute, hour, day of month, month, day of week, second) goes in cron-parser's order. */
const PARSER_SLOT = [1, 2, 3, 4, 5, 0];

/** croniter's range of each field: minute, hour, day of month, month, day of week, second. */
const RANGES: readonly (readonly [number, number])[] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6], [0, 59]];

/**
 * The values of one field, sorted, and the field as cronstrue should read it. Ranges and steps are
 * expanded as croniter does, since it differs from cron-parser: an equal range (`4-4`, `MON-MON`)
 * is the whole cycle in croniter 7, a range may wrap around (`NOV-FEB`, `FRI-MON`), `5/2` ends at
 * the field's maximum (Saturday, not cron-parser's 7), and repeated or overlapping items (`0,7`,
 * `1-5,3`) are allowed. Single values, names and `L` are left to cron-parser.
 */
function plainValues(index: number, field: string): { values: (number | 'L')[]; written: string } | FieldProblem {
  const values = new Set<number | 'L'>();
  const items: string[] = [];
  for (const item of field.split(',')) {
    const range = rangeValues(index, item);
    const found = range ?? itemValues(index, item);
    if (!Array.isArray(found)) return found;
    found.forEach((value) => values.add(value));
    items.push(Array.isArray(range) && range.length === RANGES[index][1] - RANGES[index][0] + 1 ? '*' : item);
  }
  return { values: [...values].sort((a, b) => (a === 'L' ? 1 : b === 'L' ? -1 : a - b)), written: items.join(',') };
}

/** `*\/s`, `a-b`, `a-b/s` and `a/s` as croniter's `_expand` reads them; undefined for other items. */
function rangeValues(index: number, item: string): number[] | FieldProblem | undefined {
  const [min, max] = RANGES[index];
  const every = /^\*\/(\d+)$/.exec(item);
  const between = /^(\w+)-(\w+)(?:\/(\d+))?$/.exec(item);
  const from = /^(\w+)\/(\d+)$/.exec(item);
  if (!every && !between && !from) return undefined;
  const bound = (written: string): number | FieldProblem => {
    const found = itemValues(index, written);
    if (!Array.isArray(found)) return found;
    return found.length === 1 && typeof found[0] === 'number' ? found[0] : { message: `[${item}] is not acceptable` };
  };
  let low: number | FieldProblem = min;
  let high: number | FieldProblem = max;
  if (between) [low, high] = [bound(between[1]), bound(between[2])];
  if (from) low = bound(from[1]);
  if (typeof low !== 'number') return low;
  if (typeof high !== 'number') return high;
  const step = Number((every ?? between ?? from)![every ? 1 : between ? 3 : 2] ?? 1);
  if (step === 0) return { message: `step '0' in [${item}] is not acceptable` };
  // `a/s` is a start with a step; written as a range with equal ends it is the whole cycle.
  if (from && low === high) return [low];
  if (between && low === high) [low, high] = [min, max];
  const stepped = (start: number, end: number) => Array.from({ length: Math.max(0, Math.floor((end - start) / step) + 1) }, (_, i) => start + i * step);
  if (low <= high) return stepped(low, high);
  // croniter's wrap-around: from `low` to the field's end, then on from its start, skipping as it counts.
  const first = stepped(low, max);
  const fromEnd = first.length > 0 ? max - first[first.length - 1] : 0;
  const skip = first.length > 0 && first[first.length - 1] - min + step > max - min + 1 && fromEnd < step ? step - fromEnd : 0;
  return [...first, ...stepped(min + skip, high)];
}

function itemValues(index: number, item: string): (number | 'L')[] | FieldProblem {
  const alone = ['0', '0', '0', '*', '*', '*'];
  alone[PARSER_SLOT[index]] = item;
  let fields: CronExpression['fields'];
  try {
    fields = CronExpressionParser.parse(alone.join(' '), { tz: 'UTC' }).fields;
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error) };
  }
  const field = [fields.minute, fields.hour, fields.dayOfMonth, fields.month, fields.dayOfWeek, fields.second][index];
  return (field.values as (number | string)[]).map((value) => (value === 'L' ? 'L' : index === DAY_OF_WEEK ? Number(value) % 7 : Number(value)));
}

export function isCronError(value: CronSchedule | CronError): value is CronError {
  return !(value instanceof CronSchedule);
}
