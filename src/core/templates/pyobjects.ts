// The Python objects Airflow's template context holds, as far as templates use them: pendulum
// datetimes (always UTC in the context, §1.11), timedeltas, and how Python prints values.

import { instantOfWallTime, isoInZone, zoneOffsetMs } from '../time/zones';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** A Python float with an integral value (`86400.0`): JavaScript numbers cannot say they are floats. */
export class PyFloat extends Number {
  toString(): string {
    const value = this.valueOf();
    return Number.isInteger(value) ? `${value}.0` : String(value);
  }
}

/** Keyword arguments as nunjucks passes them: a trailing object marked `__keywords`. */
export function keywordArguments(args: unknown[]): Record<string, unknown> {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && (last as Record<string, unknown>).__keywords ? last as Record<string, unknown> : {};
}

/** `datetime.timedelta`. */
export class PyTimedelta {
  static readonly methods = new Set(['total_seconds']);

  constructor(readonly ms: number) {}

  get days(): number {
    return Math.floor(this.ms / DAY_MS);
  }

  get seconds(): number {
    return Math.floor((this.ms - this.days * DAY_MS) / 1000);
  }

  total_seconds(): PyFloat {
    return new PyFloat(this.ms / 1000);
  }

  /** `1 day, 2:00:00`, as Python prints a timedelta. */
  toString(): string {
    const days = this.days;
    const rest = this.seconds;
    const clock = `${Math.floor(rest / 3600)}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${clock}` : clock;
  }
}

/** `timedelta(days=..., seconds=..., ...)` from template arguments (positional order as Python's). */
export function makeTimedelta(...args: unknown[]): PyTimedelta {
  const keywords = keywordArguments(args);
  const positional = args.filter((a) => a !== keywords) as number[];
  const units: [string, number][] = [['days', DAY_MS], ['seconds', 1000], ['microseconds', 0.001], ['milliseconds', 1], ['minutes', 60_000], ['hours', 3_600_000], ['weeks', 7 * DAY_MS]];
  let ms = 0;
  units.forEach(([unit, factor], i) => {
    const amount = Number(keywords[unit] ?? positional[i] ?? 0);
    ms += amount * factor;
  });
  return new PyTimedelta(ms);
}

/** A pendulum `DateTime` in UTC, as every datetime of Airflow's template context is. */
export class PyDateTime {
  static readonly methods = new Set(['strftime', 'isoformat', 'add', 'subtract', 'date', 'timestamp', 'replace', 'format', 'to_date_string',
      'to_datetime_string', 'weekday', 'isoweekday', 'start_of', 'end_of', 'in_timezone', 'in_tz']);

  /**
   * `naive`: a datetime without a zone (`macros.datetime(2024, 1, 1)`), printed without an offset.
   * `zone`: the zone its fields are read in; the context's datetimes are UTC.
   */
  constructor(readonly epochMs: number, readonly naive = false, readonly zone = 'UTC') {}

  /** The wall-clock fields in the datetime's zone, as a Date read with getUTC*. */
  private get d(): Date {
    return new Date(this.epochMs + this.offsetMs);
  }

  private get offsetMs(): number {
    return this.zone === 'UTC' ? 0 : zoneOffsetMs(this.zone, this.epochMs) ?? 0;
  }

  /** A datetime in this one's zone from wall-clock fields (given as a UTC-coded epoch). */
  private fromWall(wallMs: number): PyDateTime {
    return new PyDateTime(this.naive || this.zone === 'UTC' ? wallMs : instantOfWallTime(wallMs, this.zone), this.naive, this.zone);
  }

  /** pendulum's `in_timezone(tz)`: the same instant, read in another zone. */
  in_timezone(zone: unknown): PyDateTime {
    const name = typeof zone === 'string' ? zone : (zone as { name?: string })?.name;
    if (!name || (name !== 'UTC' && zoneOffsetMs(name, 0) === undefined)) throw new Error(`InvalidTimezone: ${String(name)}`);
    return new PyDateTime(this.epochMs, false, name === 'utc' ? 'UTC' : name);
  }

  in_tz(zone: unknown): PyDateTime {
    return this.in_timezone(zone);
  }

  get year(): number { return this.d.getUTCFullYear(); }
  get month(): number { return this.d.getUTCMonth() + 1; }
  get day(): number { return this.d.getUTCDate(); }
  get hour(): number { return this.d.getUTCHours(); }
  get minute(): number { return this.d.getUTCMinutes(); }
  get second(): number { return this.d.getUTCSeconds(); }
  get microsecond(): number { return this.d.getUTCMilliseconds() * 1000; }
  get day_of_week(): number { return (this.d.getUTCDay() + 6) % 7; }

  weekday(): number {
    return (this.d.getUTCDay() + 6) % 7;
  }

  isoweekday(): number {
    return this.weekday() + 1;
  }

  /** Python's `strftime` for the directives templates use. */
  strftime(format: string): string {
    const d = this.d;
    const hour12 = d.getUTCHours() % 12 || 12;
    const dayOfYear = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
    const offset = Math.round(this.offsetMs / 60_000);
    const zoneOffset = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
    const table: Record<string, string> = {
      Y: String(d.getUTCFullYear()), y: pad(d.getUTCFullYear() % 100), m: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()),
      H: pad(d.getUTCHours()), I: pad(hour12), M: pad(d.getUTCMinutes()), S: pad(d.getUTCSeconds()), f: pad(this.microsecond, 6),
      p: d.getUTCHours() < 12 ? 'AM' : 'PM', j: pad(dayOfYear, 3), a: WEEKDAYS[d.getUTCDay()].slice(0, 3), A: WEEKDAYS[d.getUTCDay()],
      b: MONTHS[d.getUTCMonth()].slice(0, 3), B: MONTHS[d.getUTCMonth()], w: String(d.getUTCDay()), z: this.naive ? '' : zoneOffset,
      Z: this.naive ? '' : this.zone, '%': '%',
      e: String(d.getUTCDate()).padStart(2, ' '),
    };
    return format.replace(/%([A-Za-z%])/g, (match, code: string) => table[code] ?? match);
  }

  /** `2024-01-01T00:30:00+00:00` (microseconds only when there are some), like Python's isoformat. */
  isoformat(separator = 'T'): string {
    const micro = this.microsecond ? `.${pad(this.microsecond, 6)}` : '';
    const offset = this.naive ? '' : isoInZone(this.epochMs, this.zone).slice(-6);
    return `${this.strftime(`%Y-%m-%d${separator}%H:%M:%S`)}${micro}${offset}`;
  }

  timestamp(): number {
    return this.epochMs / 1000;
  }

  /** pendulum's `add(years=, months=, weeks=, days=, hours=, minutes=, seconds=)`. */
  add(...args: unknown[]): PyDateTime {
    return this.shift(keywordArguments(args), 1);
  }

  subtract(...args: unknown[]): PyDateTime {
    return this.shift(keywordArguments(args), -1);
  }

  private shift(units: Record<string, unknown>, sign: 1 | -1): PyDateTime {
    const d = this.d;
    const months = sign * (Number(units.years ?? 0) * 12 + Number(units.months ?? 0));
    const year = d.getUTCFullYear() + Math.floor((d.getUTCMonth() + months) / 12);
    const month = ((d.getUTCMonth() + months) % 12 + 12) % 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const moved = Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    // Calendar units move the wall clock; hours, minutes and seconds are elapsed time, as in pendulum.
    const days = (Number(units.weeks ?? 0) * 7 + Number(units.days ?? 0)) * DAY_MS;
    const elapsed = Number(units.hours ?? 0) * 3_600_000 + Number(units.minutes ?? 0) * 60_000 + Number(units.seconds ?? 0) * 1000;
    const wall = this.fromWall(moved + sign * days);
    return new PyDateTime(wall.epochMs + sign * elapsed, this.naive, this.zone);
  }

  /** `logical_date.replace(hour=0, minute=0)`. */
  replace(...args: unknown[]): PyDateTime {
    const k = keywordArguments(args);
    const d = this.d;
    const field = (name: string, current: number) => (k[name] === undefined ? current : Number(k[name]));
    return this.fromWall(Date.UTC(field('year', d.getUTCFullYear()), field('month', d.getUTCMonth() + 1) - 1, field('day', d.getUTCDate()),
      field('hour', d.getUTCHours()), field('minute', d.getUTCMinutes()), field('second', d.getUTCSeconds()), d.getUTCMilliseconds()));
  }

  /** pendulum's `start_of('day' | 'month' | 'year' | 'hour' | 'week')`. */
  start_of(unit: string): PyDateTime {
    const d = this.d;
    const at = (y: number, m: number, day: number, h = 0) => this.fromWall(Date.UTC(y, m, day, h));
    switch (unit) {
      case 'year': return at(d.getUTCFullYear(), 0, 1);
      case 'month': return at(d.getUTCFullYear(), d.getUTCMonth(), 1);
      case 'week': return at(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - this.weekday());
      case 'hour': return at(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
      default: return at(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    }
  }

  /** pendulum's `end_of(unit)`: the last microsecond of the unit. */
  end_of(unit: string): PyDateTime {
    const next = this.start_of(unit).add({ __keywords: true, [unit === 'week' ? 'weeks' : `${unit}s`]: 1 });
    return new PyDateTime(next.epochMs - 1, this.naive, this.zone);
  }

  date(): PyDate {
    return new PyDate(Date.UTC(this.year, this.month - 1, this.day));
  }

  get timezone_name(): string {
    return this.zone;
  }

  to_date_string(): string {
    return this.strftime('%Y-%m-%d');
  }

  to_datetime_string(): string {
    return this.strftime('%Y-%m-%d %H:%M:%S');
  }

  /** pendulum tokens for the common cases (`YYYY-MM-DD HH:mm:ss`). */
  format(pattern: string): string {
    const tokens: Record<string, string> = { YYYY: '%Y', MM: '%m', DD: '%d', HH: '%H', mm: '%M', ss: '%S', YY: '%y' };
    return this.strftime(pattern.replace(/YYYY|YY|MM|DD|HH|mm|ss/g, (t) => tokens[t]));
  }

  /** pendulum 3's `str()`: ISO with a space between date and time. */
  toString(): string {
    return this.isoformat(' ');
  }
}

/** `datetime.date`, from `logical_date.date()`. */
export class PyDate {
  static readonly methods = new Set(['strftime', 'isoformat']);

  constructor(readonly epochMs: number) {}

  strftime(format: string): string {
    return new PyDateTime(this.epochMs).strftime(format);
  }

  isoformat(): string {
    return this.strftime('%Y-%m-%d');
  }

  toString(): string {
    return this.isoformat();
  }
}

/** `macros.datetime(2024, 1, 1, ...)`: a naive datetime, as Python's constructor makes it. */
export function makeDatetime(...args: unknown[]): PyDateTime {
  const k = keywordArguments(args);
  const p = args.filter((a) => a !== k) as number[];
  const part = (i: number, name: string, fallback: number) => Number(k[name] ?? p[i] ?? fallback);
  return new PyDateTime(Date.UTC(part(0, 'year', 1970), part(1, 'month', 1) - 1, part(2, 'day', 1), part(3, 'hour', 0), part(4, 'minute', 0), part(5, 'second', 0)), true);
}

/** `datetime.strptime(text, format)` for the numeric directives: a naive datetime. */
export function strptime(text: string, format: string): PyDateTime {
  const fields: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  const pattern = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMSy])/g, (_, c: string) => `(?<${c}>\\d{${c === 'Y' ? 4 : 2}})`);
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match?.groups) throw new Error(`ValueError: time data '${text}' does not match format '${format}'`);
  for (const [key, value] of Object.entries(match.groups)) fields[key === 'y' ? 'Y' : key] = key === 'y' ? 2000 + Number(value) : Number(value);
  return new PyDateTime(Date.UTC(fields.Y, fields.m - 1, fields.d, fields.H, fields.M, fields.S), true);
}

/** Python's `repr()` of a value: strings quoted, None/True/False capitalised, containers recursively. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  return pyStr(value, true);
}

/** Python's `str()` of a value, which is what `{{ value }}` prints. */
export function pyStr(value: unknown, nested = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return nested ? pyRepr(value) : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  if (value instanceof PyTuple) return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${value.map((v) => pyRepr(v)).join(', ')})`;
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v)).join(', ')}]`;
  if (value instanceof PyDateTime && nested) return `DateTime(${value.year}, ${value.month}, ${value.day}, ${value.hour}, ${value.minute}, ${value.second}, tzinfo=Timezone('UTC'))`;
  if (value instanceof PyDateTime || value instanceof PyTimedelta || value instanceof PyDate || value instanceof PyFloat) return value.toString();
  if (typeof value === 'object' && value.constructor === Object) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== '__keywords');
    return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** A tuple: a list that Python prints with parentheses. */
export class PyTuple extends Array<unknown> {}

export function makeTuple(items: unknown[]): PyTuple {
  const tuple = new PyTuple();
  tuple.push(...items);
  return tuple;
}

/** Python's `json.dumps` with its default separators (`, ` and `: `) and ASCII escaping. */
export function pyJsonDumps(value: unknown): string {
  const encode = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
    if (v instanceof PyFloat) return v.toString();
    if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (Array.isArray(v)) return `[${v.map(encode).join(', ')}]`;
    if (typeof v === 'object' && v.constructor === Object) {
      return `{${Object.entries(v as Record<string, unknown>).filter(([k]) => k !== '__keywords').map(([k, x]) => `${encode(k)}: ${encode(x)}`).join(', ')}}`;
    }
    throw new TypeError(`Object of type ${v?.constructor?.name ?? typeof v} is not JSON serializable`);
  };
  return encode(value);
}
