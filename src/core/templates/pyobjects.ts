// The Python objects Airflow's template context holds, as far as templates use them: numbers with
// Python's int/float distinction, tuples, ranges, dict views, iterators, pendulum datetimes (always
// UTC in the context, §1.11), timedeltas, dateutil's relativedelta, UUIDs, modules, and how Python
// prints, compares and JSON-encodes values.

import { addRelativeDelta } from '../python/dates';
import { instantOfWallTime, isoInZone, zoneOffsetMs } from '../time/zones';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** Objects that answer attribute lookups themselves, like Python's `__getattr__` (`var.value.NAME`). */
export const GET_ATTRIBUTE = Symbol('getattr');
export interface DynamicAttributes {
  [GET_ATTRIBUTE](name: string): unknown;
}

/** A Python exception raised by template code, printed as Python names it (`ZeroDivisionError: ...`). */
export class PyError extends Error {
  constructor(readonly pythonType: string, detail: string) {
    super(`${pythonType}: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers. A JavaScript number is a Python int when it is integral; a Python float is a
// non-integral number or a PyFloat, which marks floats with integral values (`3.0`).

/** A Python float with an integral value (`86400.0`): JavaScript numbers cannot say they are floats. */
export class PyFloat extends Number {
  toString(): string {
    return floatRepr(this.valueOf());
  }
}

/** A float result: integral values are wrapped so that they keep printing as floats. */
export function pyFloat(value: number): number | PyFloat {
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

export function isFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value));
}

/** The numeric value of an int, float or bool (Python's bools are ints), else undefined. */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.valueOf();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** Python's `repr(float)`: the shortest digits that round-trip, scientific below 1e-4 and from 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  const digits = mantissa.replace(/[-.]/g, '');
  const sign = x < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exponent < 0 ? '-' : '+'}${pad(exponent)}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/** Python's `str(int)`: all digits, where JavaScript would switch to an exponent from 1e21. */
function intRepr(n: number): string {
  return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
}

// ---------------------------------------------------------------------------------------------
// Sequences and iterators.

/** A tuple: a list that Python prints with parentheses. */
export class PyTuple extends Array<unknown> {
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export function makeTuple(items: readonly unknown[]): PyTuple {
  const tuple = new PyTuple();
  tuple.push(...items);
  return tuple;
}

/** A named tuple: a tuple whose items are also attributes (`group.grouper`). */
export class PyNamedTuple extends PyTuple {
  static make(fields: readonly string[], items: readonly unknown[]): PyNamedTuple {
    const tuple = new PyNamedTuple();
    tuple.fields = fields;
    tuple.push(...items);
    return tuple;
  }

  fields: readonly string[] = [];

  field(name: string): unknown {
    const index = this.fields.indexOf(name);
    return index < 0 ? undefined : this[index];
  }
}

/** `range(...)`: iterates and indexes like the list of its numbers, prints as `range(0, 3)`. */
export class PyRange extends Array<number> {
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static make(start: number, stop: number, step: number): PyRange {
    const range = new PyRange();
    range.bounds = [start, stop, step];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) range.push(i);
    return range;
  }

  private bounds: [number, number, number] = [0, 0, 1];

  get start(): number { return this.bounds[0]; }
  get stop(): number { return this.bounds[1]; }
  get step(): number { return this.bounds[2]; }

  toString(): string {
    return `range(${this.start}, ${this.stop}${this.step === 1 ? '' : `, ${this.step}`})`;
  }
}

/** `d.keys()`, `d.values()`, `d.items()`: iterable views that print as `dict_items([...])`. */
export class PyDictView extends Array<unknown> {
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static make(kind: 'dict_keys' | 'dict_values' | 'dict_items', items: readonly unknown[]): PyDictView {
    const view = new PyDictView();
    view.kind = kind;
    view.push(...items);
    return view;
  }

  kind: 'dict_keys' | 'dict_values' | 'dict_items' = 'dict_keys';

  toString(): string {
    return `${this.kind}([${this.map((v) => pyRepr(v)).join(', ')}])`;
  }
}

/**
 * A Python iterator (the generators Jinja's `map`, `select`, `unique`... return): computed when
 * first consumed, consumed once, without a length or indexing. Python prints it with its address
 * (`<generator object sync_do_map at 0x7f...>`), which no one can reproduce; it prints here
 * without one.
 */
export class PyIterator {
  private consumed = false;

  constructor(private readonly produce: () => readonly unknown[], readonly typeName: string, private readonly description: string) {}

  /** The remaining items; afterwards the iterator is exhausted, as in Python. */
  take(): unknown[] {
    if (this.consumed) return [];
    this.consumed = true;
    return [...this.produce()];
  }

  [Symbol.iterator](): Iterator<unknown> {
    return this.take()[Symbol.iterator]();
  }

  toString(): string {
    return `<${this.description}>`;
  }
}

/** The generator a Jinja filter function returns (`sync_do_map`, `select_or_reject`, ...). */
export function generator(functionName: string, produce: () => readonly unknown[]): PyIterator {
  return new PyIterator(produce, 'generator', `generator object ${functionName}`);
}

/** The keys of a dict as Python holds them: the keyword-arguments marker of nunjucks is not one. */
export function dictKeys(dict: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(dict).filter((k) => k !== '__keywords');
}

/** `d[key] = value` that keeps `__proto__` an ordinary key, as every key is in a Python dict. */
export function setItem(dict: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(dict, key, { value, writable: true, enumerable: true, configurable: true });
}

export function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && value.constructor === Object;
}

/** A copy of plain data: dicts and lists at any depth (tuples and other objects are shared). */
export function copyPlain(value: unknown): unknown {
  if (Array.isArray(value) && value.constructor === Array) return value.map(copyPlain);
  if (isDict(value)) return Object.fromEntries(dictKeys(value).map((k) => [k, copyPlain(value[k])]));
  return value;
}

/** `iter(value)`: the items Python's `for` visits (a dict's keys, a string's characters). */
export function pyIterate(value: unknown): unknown[] {
  if (typeof value === 'string') return [...value];
  if (Array.isArray(value)) return value;
  if (value instanceof PyIterator) return value.take();
  if (isDict(value)) return dictKeys(value);
  throw new PyError('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** `len(value)`. */
export function pyLen(value: unknown): number {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isDict(value)) return dictKeys(value).length;
  throw new PyError('TypeError', `object of type '${pyTypeName(value)}' has no len()`);
}

// ---------------------------------------------------------------------------------------------
// Objects with attributes: namespaces, modules, UUIDs.

/** Jinja's `namespace(...)`: the one object `{% set ns.attr = value %}` may assign to. */
export class PyNamespace {
  constructor(readonly attributes: Record<string, unknown>) {}

  toString(): string {
    return `<Namespace ${pyStr(this.attributes)}>`;
  }
}

/**
 * A Python module (`macros.json`, `macros.time`): its members, and the names it has in Python that
 * the preview does not model, which fail with a clear error instead of looking undefined.
 */
export class PyModule implements DynamicAttributes {
  /** `printed`: what `{{ module }}` shows, when the object is not a plain module (Airflow 3's macros accessor). */
  constructor(readonly name: string, private readonly members: Readonly<Record<string, unknown>>, private readonly unsupported: readonly string[] = [], private readonly printed?: string) {
    for (const [member, value] of Object.entries(members)) {
      if (typeof value === 'function') nameCallable(value, member);
    }
  }

  [GET_ATTRIBUTE](attribute: string): unknown {
    if (Object.prototype.hasOwnProperty.call(this.members, attribute)) return this.members[attribute];
    if (this.unsupported.includes(attribute)) throw new Error(`${this.name}.${attribute} is not supported by the template preview`);
    return undefined;
  }

  /** Python adds the file path (`<module 'json' from '/usr/lib/...'>`), which is the machine's own. */
  toString(): string {
    return this.printed ?? `<module '${this.name}'>`;
  }
}

/**
 * An instance of a Python class the preview models in part, such as Airflow's DAG or TaskInstance:
 * the attributes it models, and what `str()` and `repr()` give (computed when printed). Reading an
 * attribute the class has but the preview does not model fails with a clear error; any other name
 * is undefined, as in Python.
 */
export class PyInstance implements DynamicAttributes {
  constructor(
    readonly typeName: string,
    private readonly attributes: Readonly<Record<string, unknown>>,
    private readonly printed: { readonly str: () => string; readonly repr?: () => string },
    private readonly unmodeled: ReadonlySet<string> = new Set(),
  ) {}

  [GET_ATTRIBUTE](attribute: string): unknown {
    if (Object.prototype.hasOwnProperty.call(this.attributes, attribute)) return this.attributes[attribute];
    if (this.unmodeled.has(attribute)) throw new Error(`${this.typeName}.${attribute} is not supported by the template preview`);
    return undefined;
  }

  repr(): string {
    return (this.printed.repr ?? this.printed.str)();
  }

  toString(): string {
    return this.printed.str();
  }
}

/** `uuid.UUID`, from `macros.uuid.uuid4()`. */
export class PyUUID {
  static readonly methods = new Set<string>();

  constructor(private readonly text: string) {}

  get hex(): string {
    return this.text.replace(/-/g, '');
  }

  get urn(): string {
    return `urn:uuid:${this.text}`;
  }

  get version(): number {
    return Number.parseInt(this.text[14], 16);
  }

  repr(): string {
    return `UUID('${this.text}')`;
  }

  toString(): string {
    return this.text;
  }
}

// ---------------------------------------------------------------------------------------------
// Callables: how Python prints them.

const callableReprs = new WeakMap<object, string>();

/**
 * Python prints a function with its address (`<function ds_add at 0x7f...>`), which no one can
 * reproduce: the preview prints `<function ds_add>`, never JavaScript source. The name is the one
 * the function was looked up by, the first time.
 */
export function nameCallable(fn: object, name: string): void {
  if (!callableReprs.has(fn)) callableReprs.set(fn, `<function ${name}>`);
}

/** A callable with its own Python repr: a class (`<class 'datetime.datetime'>`) or a bound method. */
export function describeCallable<F extends object>(fn: F, repr: string): F {
  callableReprs.set(fn, repr);
  return fn;
}

/** A function that defines its own `toString` (a stand-in for a Python object) prints with it. */
function callableRepr(fn: object): string {
  if (Object.prototype.hasOwnProperty.call(fn, 'toString')) return String(fn);
  return callableReprs.get(fn) ?? '<function>';
}

// ---------------------------------------------------------------------------------------------
// Dates and durations.

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

  get microseconds(): number {
    return Math.round((this.ms - this.days * DAY_MS - this.seconds * 1000) * 1000);
  }

  total_seconds(): number | PyFloat {
    return pyFloat(this.ms / 1000);
  }

  /** `datetime.timedelta(days=1, seconds=5)`, as Python's repr. */
  repr(): string {
    const parts = [['days', this.days], ['seconds', this.seconds], ['microseconds', this.microseconds]].filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`);
    return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`;
  }

  /** `1 day, 2:00:00`, as Python prints a timedelta. */
  toString(): string {
    const days = this.days;
    const rest = this.seconds;
    const micro = this.microseconds ? `.${pad(this.microseconds, 6)}` : '';
    const clock = `${Math.floor(rest / 3600)}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}${micro}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${clock}` : clock;
  }
}

/** `timedelta(days=..., seconds=..., ...)` from template arguments (positional order as Python's). */
export function makeTimedelta(...args: unknown[]): PyTimedelta {
  const keywords = keywordArguments(args);
  const positional = args.filter((a) => a !== keywords);
  const units: [string, number][] = [['days', DAY_MS], ['seconds', 1000], ['microseconds', 0.001], ['milliseconds', 1], ['minutes', 60_000], ['hours', 3_600_000], ['weeks', 7 * DAY_MS]];
  let ms = 0;
  units.forEach(([unit, factor], i) => {
    const amount = keywords[unit] ?? positional[i] ?? 0;
    const value = numberValue(amount);
    if (value === undefined) throw new PyError('TypeError', `unsupported type for timedelta ${unit} component: ${pyTypeName(amount)}`);
    ms += value * factor;
  });
  return new PyTimedelta(ms);
}
describeCallable(makeTimedelta, "<class 'datetime.timedelta'>");

const RELATIVE_FIELDS = ['years', 'months', 'days', 'leapdays', 'hours', 'minutes', 'seconds', 'microseconds'] as const;
const ABSOLUTE_FIELDS = ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'microsecond'] as const;

/** dateutil's `relativedelta(years=, months=, ..., year=, month=, day=, ...)`, normalised as dateutil does. */
export class PyRelativeDelta {
  static readonly methods = new Set<string>();

  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly leapdays = 0;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly microseconds: number;
  readonly year: number | null;
  readonly month: number | null;
  readonly day: number | null;
  readonly weekday = null;
  readonly hour: number | null;
  readonly minute: number | null;
  readonly second: number | null;
  readonly microsecond: number | null;

  constructor(relative: Partial<Record<typeof RELATIVE_FIELDS[number] | 'weeks', number>>, absolute: Partial<Record<typeof ABSOLUTE_FIELDS[number], number>>) {
    // dateutil's _fix(): carry each unit into the next larger one, keeping the sign.
    let micro = relative.microseconds ?? 0;
    let seconds = relative.seconds ?? 0;
    let minutes = relative.minutes ?? 0;
    let hours = relative.hours ?? 0;
    let days = (relative.days ?? 0) + 7 * (relative.weeks ?? 0);
    let months = relative.months ?? 0;
    let years = relative.years ?? 0;
    const carry = (value: number, limit: number): [number, number] => {
      if (Math.abs(value) < limit) return [value, 0];
      const sign = Math.sign(value);
      return [(Math.abs(value) % limit) * sign, Math.floor(Math.abs(value) / limit) * sign];
    };
    let up: number;
    [micro, up] = carry(micro, 1_000_000); seconds += up;
    [seconds, up] = carry(seconds, 60); minutes += up;
    [minutes, up] = carry(minutes, 60); hours += up;
    [hours, up] = carry(hours, 24); days += up;
    [months, up] = carry(months, 12); years += up;
    this.years = years;
    this.months = months;
    this.days = days;
    this.hours = hours;
    this.minutes = minutes;
    this.seconds = seconds;
    this.microseconds = micro;
    this.year = absolute.year ?? null;
    this.month = absolute.month ?? null;
    this.day = absolute.day ?? null;
    this.hour = absolute.hour ?? null;
    this.minute = absolute.minute ?? null;
    this.second = absolute.second ?? null;
    this.microsecond = absolute.microsecond ?? null;
  }

  negated(): PyRelativeDelta {
    return new PyRelativeDelta({ years: -this.years, months: -this.months, days: -this.days, hours: -this.hours, minutes: -this.minutes, seconds: -this.seconds, microseconds: -this.microseconds }, this.absolutes());
  }

  /** `relativedelta + relativedelta`: relative fields add, the right-hand absolute fields win where set. */
  plus(other: PyRelativeDelta): PyRelativeDelta {
    const absolutes: Record<string, number> = { ...this.absolutes(), ...other.absolutes() };
    return new PyRelativeDelta({ years: this.years + other.years, months: this.months + other.months, days: this.days + other.days, hours: this.hours + other.hours,
      minutes: this.minutes + other.minutes, seconds: this.seconds + other.seconds, microseconds: this.microseconds + other.microseconds }, absolutes);
  }

  private absolutes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const field of ABSOLUTE_FIELDS) {
      const value = this[field];
      if (value !== null) out[field] = value;
    }
    return out;
  }

  /** `relativedelta(months=+1, day=31)`, as dateutil's repr. */
  toString(): string {
    const relative = RELATIVE_FIELDS.filter((f) => this[f]).map((f) => `${f}=${this[f] > 0 ? '+' : ''}${this[f]}`);
    const absolute = ABSOLUTE_FIELDS.filter((f) => this[f] !== null).map((f) => `${f}=${this[f]}`);
    return `relativedelta(${[...relative, ...absolute].join(', ')})`;
  }
}

/** `macros.dateutil.relativedelta.relativedelta(**kwargs)`: the keyword forms; the two-datetime form is not modelled. */
export function makeRelativeDelta(...args: unknown[]): PyRelativeDelta {
  const keywords = keywordArguments(args);
  if (args.some((a) => a !== keywords)) throw new Error('relativedelta(dt1, dt2) is not supported by the template preview; use keyword arguments');
  const relative: Record<string, number> = {};
  const absolute: Record<string, number> = {};
  for (const name of dictKeys(keywords)) {
    const value = numberValue(keywords[name]);
    const known = (RELATIVE_FIELDS as readonly string[]).includes(name) || name === 'weeks' || (ABSOLUTE_FIELDS as readonly string[]).includes(name);
    if (!known) throw new PyError('TypeError', `relativedelta.__init__() got an unexpected keyword argument '${name}'`);
    if (name === 'weekday' || name === 'leapdays') throw new Error(`relativedelta(${name}=...) is not supported by the template preview`);
    if (value === undefined || !Number.isInteger(value)) throw new Error(`relativedelta(${name}=${pyRepr(keywords[name])}) is not supported by the template preview: only whole numbers are`);
    if ((ABSOLUTE_FIELDS as readonly string[]).includes(name)) absolute[name] = value;
    else relative[name] = value;
  }
  return new PyRelativeDelta(relative, absolute);
}
describeCallable(makeRelativeDelta, "<class 'dateutil.relativedelta.relativedelta'>");

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
    const name = typeof zone === 'string' ? zone : zone instanceof PyInstance && zone.typeName === 'Timezone' ? zone[GET_ATTRIBUTE]('name') as string : undefined;
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

  /** Python's `strftime` for the directives templates use; each directive is computed only when used. */
  strftime(format: string): string {
    const d = this.d;
    return format.replace(/%([A-Za-z%])/g, (match, code: string) => {
      switch (code) {
        case 'Y': return String(d.getUTCFullYear());
        case 'y': return pad(d.getUTCFullYear() % 100);
        case 'm': return pad(d.getUTCMonth() + 1);
        case 'd': return pad(d.getUTCDate());
        case 'e': return String(d.getUTCDate()).padStart(2, ' ');
        case 'H': return pad(d.getUTCHours());
        case 'I': return pad(d.getUTCHours() % 12 || 12);
        case 'M': return pad(d.getUTCMinutes());
        case 'S': return pad(d.getUTCSeconds());
        case 'f': return pad(d.getUTCMilliseconds() * 1000, 6);
        case 'p': return d.getUTCHours() < 12 ? 'AM' : 'PM';
        case 'j': return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1, 3);
        case 'a': return WEEKDAYS[d.getUTCDay()].slice(0, 3);
        case 'A': return WEEKDAYS[d.getUTCDay()];
        case 'b': return MONTHS[d.getUTCMonth()].slice(0, 3);
        case 'B': return MONTHS[d.getUTCMonth()];
        case 'w': return String(d.getUTCDay());
        case 'z': {
          if (this.naive) return '';
          const offset = Math.round(this.offsetMs / 60_000);
          return `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
        }
        case 'Z': return this.naive ? '' : this.zone;
        case '%': return '%';
        default: return match;
      }
    });
  }

  /** `2024-01-01T00:30:00+00:00` (microseconds only when there are some), like Python's isoformat. */
  isoformat(separator = 'T'): string {
    const micro = this.microsecond ? `.${pad(this.microsecond, 6)}` : '';
    const offset = this.naive ? '' : this.zone === 'UTC' ? '+00:00' : isoInZone(this.epochMs, this.zone).slice(-6);
    return `${this.strftime(`%Y-%m-%d${separator}%H:%M:%S`)}${micro}${offset}`;
  }

  /** POSIX seconds, a float: `1704069000.0`. */
  timestamp(): number | PyFloat {
    return pyFloat(this.epochMs / 1000);
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
    const elapsed = Number(units.hours ?? 0) * 3_600_000 + Number(units.minutes ?? 0) * 60_000 + Number(units.seconds ?? 0) * 1000 + Number(units.microseconds ?? 0) / 1000;
    const wall = this.fromWall(moved + sign * days);
    return new PyDateTime(wall.epochMs + sign * elapsed, this.naive, this.zone);
  }

  /**
   * `datetime + relativedelta` as dateutil's `__add__` computes it: absolute fields replace, years
   * and months move the calendar with the day clamped to the month reached, and the rest is then
   * added as a timedelta. `sign` -1 is `datetime - relativedelta` (the relative fields negated).
   */
  plusRelativeDelta(delta: PyRelativeDelta, sign: 1 | -1): PyDateTime {
    const d = this.d;
    // The first day of the month reached, so that the month arithmetic never overflows a short month.
    const firstOfMonth = new Date(addRelativeDelta(Date.UTC(delta.year ?? d.getUTCFullYear(), (delta.month ?? d.getUTCMonth() + 1) - 1, 1), { years: delta.years, months: delta.months, seconds: 0 }, sign));
    const lastDay = new Date(Date.UTC(firstOfMonth.getUTCFullYear(), firstOfMonth.getUTCMonth() + 1, 0)).getUTCDate();
    const replaced = this.fromWall(Date.UTC(firstOfMonth.getUTCFullYear(), firstOfMonth.getUTCMonth(), Math.min(lastDay, delta.day ?? d.getUTCDate()),
      delta.hour ?? d.getUTCHours(), delta.minute ?? d.getUTCMinutes(), delta.second ?? d.getUTCSeconds(),
      delta.microsecond === null ? d.getUTCMilliseconds() : Math.floor(delta.microsecond / 1000)));
    const totalMs = sign * (delta.days * DAY_MS + delta.hours * 3_600_000 + delta.minutes * 60_000 + delta.seconds * 1000 + delta.microseconds / 1000);
    // A timedelta is normalised to whole days and a non-negative remainder, which pendulum adds as days and seconds.
    const days = Math.floor(totalMs / DAY_MS);
    return replaced.shift({ days, seconds: (totalMs - days * DAY_MS) / 1000 }, 1);
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

  /**
   * pendulum's `format()` tokens (`YYYY-MM-DD HH:mm:ss`, `dddd`, `Do`, `[escaped]`). Other letters
   * may be tokens pendulum knows (`Q`, `X`, locale formats): they fail rather than print wrongly.
   */
  format(pattern: string): string {
    const d = this.d;
    const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
    const tokens: Record<string, () => string> = {
      YYYY: () => this.strftime('%Y'), YY: () => this.strftime('%y'), MMMM: () => this.strftime('%B'), MMM: () => this.strftime('%b'),
      MM: () => this.strftime('%m'), M: () => String(d.getUTCMonth() + 1), DD: () => this.strftime('%d'), D: () => String(d.getUTCDate()),
      Do: () => ordinal(d.getUTCDate()), dddd: () => this.strftime('%A'), ddd: () => this.strftime('%a'), d: () => String(d.getUTCDay()),
      HH: () => this.strftime('%H'), H: () => String(d.getUTCHours()), hh: () => this.strftime('%I'), h: () => String(d.getUTCHours() % 12 || 12),
      mm: () => this.strftime('%M'), m: () => String(d.getUTCMinutes()), ss: () => this.strftime('%S'), s: () => String(d.getUTCSeconds()),
      A: () => this.strftime('%p'), Z: () => (this.naive ? '' : this.isoformat().slice(-6)), ZZ: () => this.strftime('%z'), T: () => 'T',
    };
    return pattern.replace(/\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|d|HH|H|hh|h|mm|m|ss|s|A|ZZ|Z|T|[A-Za-z]/g, (token, escaped: string | undefined) => {
      if (escaped !== undefined) return escaped;
      const render = tokens[token];
      if (!render) throw new Error(`the pendulum format token '${token}' in '${pattern}' is not supported by the template preview`);
      return render();
    });
  }

  /** `format(dt, spec)` / `'{:spec}'.format(dt)`: pendulum's `__format__` (strftime when the spec has `%`). */
  formatSpec(spec: string): string {
    if (!spec) return this.toString();
    return spec.includes('%') ? this.strftime(spec) : this.format(spec);
  }

  /** `DateTime(2024, 1, 1, 0, 30, 0, tzinfo=Timezone('UTC'))`; a naive one is a stdlib `datetime.datetime(...)`. */
  repr(): string {
    if (this.naive) {
      const fields = [this.year, this.month, this.day, this.hour, this.minute, this.second, this.microsecond];
      while (fields.length > 5 && fields[fields.length - 1] === 0) fields.pop();
      return `datetime.datetime(${fields.join(', ')})`;
    }
    const micro = this.microsecond ? `, ${this.microsecond}` : '';
    return `DateTime(${this.year}, ${this.month}, ${this.day}, ${this.hour}, ${this.minute}, ${this.second}${micro}, tzinfo=Timezone('${this.zone}'))`;
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

  get year(): number { return new Date(this.epochMs).getUTCFullYear(); }
  get month(): number { return new Date(this.epochMs).getUTCMonth() + 1; }
  get day(): number { return new Date(this.epochMs).getUTCDate(); }

  strftime(format: string): string {
    return new PyDateTime(this.epochMs).strftime(format);
  }

  isoformat(): string {
    return this.strftime('%Y-%m-%d');
  }

  repr(): string {
    return `Date(${this.year}, ${this.month}, ${this.day})`;
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
describeCallable(makeDatetime, "<class 'datetime.datetime'>");

/** `datetime.strptime(text, format)` for the numeric directives: a naive datetime. */
export function strptime(text: string, format: string): PyDateTime {
  const fields: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  const pattern = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMSy])/g, (_, c: string) => `(?<${c}>\\d{${c === 'Y' ? 4 : 2}})`);
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match?.groups) throw new Error(`ValueError: time data '${text}' does not match format '${format}'`);
  for (const [key, value] of Object.entries(match.groups)) fields[key === 'y' ? 'Y' : key] = key === 'y' ? 2000 + Number(value) : Number(value);
  return new PyDateTime(Date.UTC(fields.Y, fields.m - 1, fields.d, fields.H, fields.M, fields.S), true);
}

// ---------------------------------------------------------------------------------------------
// Types, equality and ordering.

export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || value instanceof PyFloat) return isFloat(value) ? 'float' : 'int';
  if (typeof value === 'function') return 'function';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyRange) return 'range';
  if (value instanceof PyDictView) return value.kind;
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyIterator) return value.typeName;
  if (value instanceof PyDateTime) return value.naive ? 'datetime' : 'DateTime';
  if (value instanceof PyDate) return 'Date';
  if (value instanceof PyTimedelta) return 'timedelta';
  if (value instanceof PyRelativeDelta) return 'relativedelta';
  if (value instanceof PyNamespace) return 'Namespace';
  if (value instanceof PyModule) return 'module';
  if (value instanceof PyUUID) return 'UUID';
  if (value instanceof PyInstance) return value.typeName;
  return isDict(value) ? 'dict' : 'object';
}

/** Python's `==`: by value for numbers (bools included), strings, sequences of one kind, dicts and dates. */
export function pyEquals(a: unknown, b: unknown): boolean {
  const x = numberValue(a);
  const y = numberValue(b);
  if (x !== undefined || y !== undefined) return x !== undefined && y !== undefined && x === y;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if ((a instanceof PyTuple) !== (b instanceof PyTuple) || a.length !== b.length) return false;
    return a.every((item, i) => pyEquals(item, b[i]));
  }
  if (a instanceof PyDateTime && b instanceof PyDateTime) return a.naive === b.naive && a.epochMs === b.epochMs;
  if ((a instanceof PyTimedelta && b instanceof PyTimedelta) || (a instanceof PyDate && b instanceof PyDate)) {
    return (a instanceof PyTimedelta ? a.ms : (a as PyDate).epochMs) === (b instanceof PyTimedelta ? b.ms : (b as PyDate).epochMs);
  }
  if (a instanceof PyRelativeDelta && b instanceof PyRelativeDelta) return a.toString() === b.toString();
  if (isDict(a) && isDict(b)) {
    const keys = dictKeys(a);
    return keys.length === dictKeys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

/** Python's ordering (`<`): negative, zero or positive; a TypeError between types Python does not order. */
export function pyOrder(a: unknown, b: unknown, operator: string): number {
  const x = numberValue(a);
  const y = numberValue(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b) && (a instanceof PyTuple) === (b instanceof PyTuple) && !(a instanceof PyDictView) && !(b instanceof PyDictView)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyOrder(a[i], b[i], operator);
    }
    return a.length - b.length;
  }
  if (a instanceof PyDateTime && b instanceof PyDateTime) {
    if (a.naive !== b.naive) throw new PyError('TypeError', "can't compare offset-naive and offset-aware datetimes");
    return a.epochMs - b.epochMs;
  }
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return a.ms - b.ms;
  if (a instanceof PyDate && b instanceof PyDate) return a.epochMs - b.epochMs;
  throw new PyError('TypeError', `'${operator}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

// ---------------------------------------------------------------------------------------------
// Printing.

/** Python's `repr()` of a string: single quotes unless the text has one and no double quote. */
function stringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029 || code === 0xad) out += code === 0xad ? '\\xad' : `\\u${code.toString(16)}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** Python's `repr()` of a value: strings quoted, None/True/False capitalised, containers recursively. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return stringRepr(value);
  return pyStr(value, true);
}

/** Python's `str()` of a value, which is what `{{ value }}` prints. */
export function pyStr(value: unknown, nested = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return nested ? stringRepr(value) : value;
  if (typeof value === 'number') return Number.isInteger(value) ? intRepr(value) : floatRepr(value);
  if (typeof value === 'function') return callableRepr(value);
  // Array subclasses with their own printing (ranges, dict views, named tuples, Airflow's lazy sequences) use it.
  if (Array.isArray(value) && value.toString !== Array.prototype.toString) return value.toString();
  if (value instanceof PyTuple) return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${value.map((v) => pyRepr(v)).join(', ')})`;
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v)).join(', ')}]`;
  if (isDict(value)) return `{${dictKeys(value).map((k) => `${pyRepr(k)}: ${pyRepr(value[k])}`).join(', ')}}`;
  if (nested && typeof (value as { repr?: unknown }).repr === 'function') return (value as { repr(): string }).repr();
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// JSON.

export interface JsonDumpOptions {
  readonly indent?: number | string | null;
  readonly sortKeys?: boolean;
  readonly separators?: readonly [string, string];
  readonly ensureAscii?: boolean;
}

/** Python's `json.dumps`: its default separators (`, ` and `: `), ASCII escaping, `indent`, `sort_keys`. */
export function pyJsonDumps(value: unknown, options: JsonDumpOptions = {}): string {
  const indent = options.indent === null || options.indent === undefined ? undefined : typeof options.indent === 'number' ? ' '.repeat(options.indent) : options.indent;
  const [itemSeparator, keySeparator] = options.separators ?? (indent === undefined ? [', ', ': '] : [',', ': ']);
  const ensureAscii = options.ensureAscii ?? true;
  const string = (s: string) => {
    const json = JSON.stringify(s);
    return ensureAscii ? json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
  };
  const encode = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'number' || v instanceof PyFloat) {
      const n = v.valueOf();
      if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
      return pyStr(v);
    }
    if (typeof v === 'string') return string(v);
    const open = (items: string[], left: string, right: string) => {
      if (items.length === 0) return `${left}${right}`;
      if (indent === undefined) return `${left}${items.join(itemSeparator)}${right}`;
      const inner = `\n${indent.repeat(depth + 1)}`;
      return `${left}${inner}${items.join(`${itemSeparator}${inner}`)}\n${indent.repeat(depth)}${right}`;
    };
    if (Array.isArray(v) && (v.constructor === Array || v instanceof PyTuple)) return open(v.map((x) => encode(x, depth + 1)), '[', ']');
    if (isDict(v)) {
      const keys = dictKeys(v);
      if (options.sortKeys) keys.sort();
      return open(keys.map((k) => `${string(k)}${keySeparator}${encode(v[k], depth + 1)}`), '{', '}');
    }
    throw new PyError('TypeError', `Object of type ${pyTypeName(v)} is not JSON serializable`);
  };
  return encode(value, 0);
}

/** Python's `json.loads`: floats stay floats (`1.0`), as JSON.parse cannot say. */
export function pyJsonLoads(text: string): unknown {
  let i = 0;
  const fail = (expected: string): never => {
    const line = text.slice(0, i).split('\n').length;
    const column = i - text.lastIndexOf('\n', i - 1);
    throw new PyError('json.decoder.JSONDecodeError', `${expected}: line ${line} column ${column} (char ${i})`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = (): unknown => {
    space();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const out: Record<string, unknown> = {};
      space();
      if (text[i] === '}') { i++; return out; }
      for (;;) {
        space();
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes');
        const key = string();
        space();
        if (text[i++] !== ':') { i--; fail("Expecting ':' delimiter"); }
        setItem(out, key, value());
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return out; }
        fail("Expecting ',' delimiter");
      }
    }
    if (ch === '[') {
      i++;
      const out: unknown[] = [];
      space();
      if (text[i] === ']') { i++; return out; }
      for (;;) {
        out.push(value());
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return out; }
        fail("Expecting ',' delimiter");
      }
    }
    if (ch === '"') return string();
    for (const [word, result] of [['true', true], ['false', false], ['null', null], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return result; }
    }
    const number = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    number.lastIndex = i;
    const match = number.exec(text);
    if (!match) return fail('Expecting value');
    i += match[0].length;
    const n = Number(match[0]);
    return match[1] !== undefined || match[2] !== undefined ? pyFloat(n) : n;
  };
  const string = (): string => {
    // The literal runs to the first unescaped quote; JSON.parse then reads its escapes (and refuses control characters).
    const start = i;
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    if (i >= text.length) {
      i = start;
      return fail('Unterminated string starting at');
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('Invalid string starting at');
    }
  };
  const result = value();
  space();
  if (i !== text.length) fail('Extra data');
  return result;
}
