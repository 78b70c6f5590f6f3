// Airflow's `macros` namespace (shared/airflow-semantics.md §2.4): the `airflow.macros` module on
// 2.10, `airflow.sdk.execution_time.macros` on 3.x, with the same contents. The clock is the run's
// injected `now`, never the machine's, so previews are reproducible (Airflow reads the real clock).
// Every read of the clock and every random value is counted (volatileReads), so that a rendering
// can tell whether it depends on more than the DAG file and the run.
import type { AirflowVersion } from '../airflow/version';
import {
  describeCallable, dictKeys, keywordArguments, makeDatetime, makeRelativeDelta, makeTimedelta, PyDateTime, pyFloat, pyJsonDumps, pyJsonLoads, PyModule, PyUUID,
  pyStr, strptime, type JsonDumpOptions,
} from './pyobjects';
import { pyTruthy, withAttributes } from './pyruntime';

/** `json.dumps(obj, indent=, sort_keys=, separators=, ensure_ascii=)`; other options fail clearly. */
function jsonDumps(...args: unknown[]): string {
  const keywords = keywordArguments(args);
  const [value, ...rest] = args.filter((a) => a !== keywords);
  if (rest.length) throw new Error('json.dumps() takes its options as keyword arguments');
  const options: { -readonly [K in keyof JsonDumpOptions]: JsonDumpOptions[K] } = {};
  for (const name of dictKeys(keywords)) {
    const option = keywords[name];
    if (name === 'indent') options.indent = option as number | string | null;
    else if (name === 'sort_keys') options.sortKeys = Boolean(option);
    else if (name === 'ensure_ascii') options.ensureAscii = Boolean(option);
    else if (name === 'separators' && Array.isArray(option) && option.length === 2) options.separators = [String(option[0]), String(option[1])];
    else throw new Error(`json.dumps(${name}=...) is not supported by the template preview`);
  }
  return pyJsonDumps(value, options);
}

/**
 * How many times templates have read the clock and drawn random values in this process. Rendering
 * is synchronous, so what a count gains during one rendering is what that rendering read: one that
 * read neither gives the same result at any other time, and on every other rendering.
 */
export const volatileReads = { clock: 0, random: 0 };

/** A run's clock for templates: its `now`, in epoch milliseconds, counted as a read. */
export type RunClock = () => number;

export function runClock(epochMs: number): RunClock {
  return () => {
    volatileReads.clock++;
    return epochMs;
  };
}

/** `random.random()`, counted as a draw. */
export function randomDraw(): number {
  volatileReads.random++;
  return Math.random();
}

function randomUUID(): string {
  volatileReads.random++;
  return globalThis.crypto.randomUUID();
}

/** `macros.time`: `time()` and `strftime()` read the run's `now`, in UTC (Airflow's workers run in UTC). */
function timeModule(now: RunClock): PyModule {
  return new PyModule('time', {
    time: () => pyFloat(now() / 1000),
    time_ns: () => now() * 1_000_000,
    strftime: (format: string, ...rest: unknown[]) => {
      if (rest.length) throw new Error('time.strftime(format, t) is not supported by the template preview; use logical_date.strftime(format)');
      return new PyDateTime(now()).strftime(format);
    },
  }, ['sleep', 'monotonic', 'perf_counter', 'process_time', 'localtime', 'gmtime', 'mktime', 'ctime', 'asctime', 'strptime', 'timezone', 'tzname']);
}

const uuidModule = new PyModule('uuid', {
  // Random in Airflow too: every render gives another one.
  uuid4: () => new PyUUID(randomUUID()),
}, ['uuid1', 'uuid3', 'uuid5', 'UUID', 'NAMESPACE_DNS', 'NAMESPACE_URL', 'NAMESPACE_OID', 'NAMESPACE_X500']);

/** `macros.dateutil`: the package, whose submodules load on first access as in dateutil ≥ 2.8.2. */
const dateutilModule = new PyModule('dateutil', {
  relativedelta: new PyModule('dateutil.relativedelta', { relativedelta: makeRelativeDelta }, ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU', 'weekday']),
}, ['parser', 'tz', 'rrule', 'easter', 'utils', 'zoneinfo']);

const jsonModule = new PyModule('json', { dumps: jsonDumps, loads: (text: string) => pyJsonLoads(text) }, ['dump', 'load', 'JSONEncoder', 'JSONDecoder']);

/** `macros.ds_add("2015-01-01", 5)` → `"2015-01-06"`: strptime, plus a timedelta; 0 days returns the input as it is. */
function dsAdd(ds: unknown, days: unknown): string {
  if (!pyTruthy(days, 'days')) return pyStr(ds);
  const date = strptime(pyStr(ds), '%Y-%m-%d');
  return new PyDateTime(date.epochMs + makeTimedelta({ __keywords: true, days }).ms, true).strftime('%Y-%m-%d');
}

/** `macros.random` is the function `random.random` (a bound method of the module's Random). */
const random = describeCallable(() => pyFloat(randomDraw()), '<built-in method random of Random object>');

/**
 * The macros namespace of a run whose clock is `now`; `own` are the macros the context defines
 * (`ds_format`). Airflow 3's context holds a MacrosAccessor onto the module, which prints as itself.
 */
export function airflowMacros(airflow: AirflowVersion, now: RunClock, own: Readonly<Record<string, unknown>>): PyModule {
  // A datetime class of the namespace's own, whose `now()` reads this run's clock.
  const datetime = withAttributes(describeCallable((...args: unknown[]) => makeDatetime(...args), "<class 'datetime.datetime'>"), {
    now: () => new PyDateTime(now(), true),
    utcnow: () => new PyDateTime(now(), true),
    strptime,
  });
  return new PyModule(airflow === 2 ? 'airflow.macros' : 'airflow.sdk.execution_time.macros', {
    ...own,
    ds_add: dsAdd,
    datetime,
    timedelta: makeTimedelta,
    dateutil: dateutilModule,
    time: timeModule(now),
    uuid: uuidModule,
    json: jsonModule,
    random,
  }, ['yaml', 'ds_format_locale', 'datetime_diff_for_humans'], airflow === 2 ? undefined : '<MacrosAccessor (dynamic access to macros)>');
}
