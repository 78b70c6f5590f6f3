// The date and time constructors DAG files use, evaluated as Python and pendulum define them:
// `datetime(...)`, `pendulum.datetime(...)` (UTC unless told), `timedelta(...)`, time zones, and the
// clock calls whose value changes at every parse.
import type { DateTimeValue, PyValue } from './values';

/** Arguments as the evaluator hands them over: positional values and keyword values. */
export interface CallValues {
  readonly positional: readonly PyValue[];
  readonly keywords: ReadonlyMap<string, PyValue>;
}

/** Calls that read the clock. `days_ago` (Airflow 2, removed in 3) counts from today's midnight. */
const CLOCK_CALLS = new Set([
  'datetime.now', 'datetime.utcnow', 'datetime.today', 'date.today',
  'pendulum.now', 'pendulum.today', 'pendulum.yesterday', 'pendulum.tomorrow',
  'timezone.utcnow', 'dates.days_ago', 'days_ago', 'time.time', 'DateTime.now', 'DateTime.today',
]);

const CLOCK_METHODS = new Set([...CLOCK_CALLS].map((c) => c.slice(c.lastIndexOf('.') + 1)));

/** The clock call a qualified name denotes (`datetime.datetime.now` → `datetime.now`), if any. */
export function clockCall(qualifiedName: string): string | undefined {
  if (!CLOCK_METHODS.has(qualifiedName.slice(qualifiedName.lastIndexOf('.') + 1))) return undefined;
  const segments = qualifiedName.split('.');
  const lastTwo = segments.slice(-2).join('.');
  if (CLOCK_CALLS.has(lastTwo)) return lastTwo;
  return segments.length === 1 && CLOCK_CALLS.has(qualifiedName) ? qualifiedName : undefined;
}

const UTC_NAMES = new Set(['utc', 'UTC', 'Etc/UTC', 'Z', 'GMT']);

function zoneName(value: PyValue | undefined): string | null | undefined {
  if (!value || value.kind === 'none') return null;
  if (value.kind === 'timezone') return value.name;
  if (value.kind === 'str') return UTC_NAMES.has(value.value) ? 'UTC' : value.value;
  return undefined;
}

function integer(value: PyValue | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  return value.kind === 'num' && Number.isInteger(value.value) ? value.value : undefined;
}

function number(value: PyValue | undefined): number | undefined {
  if (value === undefined) return 0;
  return value.kind === 'num' ? value.value : undefined;
}

/** A valid calendar date and time, or undefined (Python raises ValueError for these). */
function dateTime(fields: (number | undefined)[], tz: string | null | undefined): DateTimeValue | undefined {
  if (fields.some((f) => f === undefined) || tz === undefined) return undefined;
  const [year, month, day, hour, minute, second] = fields as number[];
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
    || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) return undefined;
  return { kind: 'datetime', year, month, day, hour, minute, second, tz };
}

const DATE_FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;

function dateFields(args: CallValues): (number | undefined)[] {
  return DATE_FIELDS.map((name, i) => integer(args.keywords.get(name) ?? args.positional[i], i < 3 ? undefined : 0));
}

/** `datetime.datetime(y, m, d, h=0, mi=0, s=0, us=0, tzinfo=None)`: naive unless tzinfo is given. */
export function pythonDatetime(args: CallValues): PyValue | undefined {
  return dateTime(dateFields(args), zoneName(args.keywords.get('tzinfo') ?? args.positional[7]));
}

/** `pendulum.datetime(y, m, d, h=0, mi=0, s=0, us=0, tz="UTC")`: aware, in UTC unless told. */
export function pendulumDatetime(args: CallValues): PyValue | undefined {
  const tz = args.keywords.get('tz') ?? args.keywords.get('tzinfo');
  return dateTime(dateFields(args), tz ? zoneName(tz) : 'UTC');
}

const DELTA_UNITS: readonly [string, number][] = [
  ['days', 86400], ['seconds', 1], ['microseconds', 1e-6], ['milliseconds', 1e-3], ['minutes', 60], ['hours', 3600], ['weeks', 604800],
];

/** `timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)` and `pendulum.duration(...)`. */
export function timedelta(args: CallValues): PyValue | undefined {
  let seconds = 0;
  for (let i = 0; i < DELTA_UNITS.length; i++) {
    const [unit, factor] = DELTA_UNITS[i];
    const amount = number(args.keywords.get(unit) ?? args.positional[i]);
    if (amount === undefined) return undefined;
    seconds += amount * factor;
  }
  return { kind: 'timedelta', seconds };
}

/** `pendulum.timezone("Asia/Seoul")`, `ZoneInfo(...)`, `pytz.timezone(...)`. */
export function timezone(args: CallValues): PyValue | undefined {
  const name = args.positional[0] ?? args.keywords.get('name') ?? args.keywords.get('key');
  const zone = zoneName(name);
  return zone ? { kind: 'timezone', name: zone } : undefined;
}

/** `pendulum.parse("2024-01-01T09:30:00")`: ISO dates, in UTC unless the text or `tz=` says otherwise. */
export function pendulumParse(args: CallValues): PyValue | undefined {
  const text = args.positional[0];
  if (text?.kind !== 'str') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]00:?00)?$/.exec(text.value);
  if (!match) return undefined;
  const fields = match.slice(1, 7).map((f) => (f === undefined ? 0 : Number(f)));
  const tz = args.keywords.get('tz');
  return dateTime(fields, tz ? zoneName(tz) : 'UTC');
}

/** `datetime + timedelta` and `datetime - timedelta`: Python adds to the wall-clock time. */
export function shiftDateTime(value: DateTimeValue, seconds: number): DateTimeValue {
  const wall = Date.UTC(value.year, value.month - 1, value.day, value.hour, value.minute, value.second) + seconds * 1000;
  const d = new Date(wall);
  return {
    kind: 'datetime', year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), tz: value.tz,
  };
}

/** `datetime_a < datetime_b` for two values in the same zone (or both naive); undefined otherwise. */
export function compareDateTimes(a: DateTimeValue, b: DateTimeValue): number | undefined {
  if (a.tz !== b.tz) return undefined;
  const key = (v: DateTimeValue) => Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second);
  return key(a) - key(b);
}

/** `relativedelta(years=, months=, weeks=, days=, hours=, minutes=, seconds=)`, relative units only. */
export function relativedelta(args: CallValues): PyValue | undefined {
  if (args.positional.length > 0) return undefined;
  const whole = (name: string) => integer(args.keywords.get(name), 0);
  const years = whole('years');
  const months = whole('months');
  const known = new Set(['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds']);
  if (years === undefined || months === undefined || [...args.keywords.keys()].some((k) => !known.has(k))) return undefined;
  let seconds = 0;
  for (const [unit, factor] of [['weeks', 604800], ['days', 86400], ['hours', 3600], ['minutes', 60], ['seconds', 1]] as const) {
    const amount = number(args.keywords.get(unit));
    if (amount === undefined) return undefined;
    seconds += amount * factor;
  }
  return { kind: 'relativedelta', years, months, seconds };
}

/**
 * `datetime + relativedelta` as dateutil computes it: years and months first, the day clamped to the
 * length of the month reached, then the fixed part. `sign` -1 subtracts.
 */
export function addRelativeDelta(epochMs: number, delta: { years: number; months: number; seconds: number }, sign: 1 | -1): number {
  const d = new Date(epochMs);
  const totalMonths = d.getUTCFullYear() * 12 + d.getUTCMonth() + sign * (delta.years * 12 + delta.months);
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const moved = Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return moved + sign * delta.seconds * 1000;
}
