// Values of Python expressions as far as a static reading of a DAG file can know them. Anything the
// evaluator cannot know for certain is `unknown`: rules only speak about what is known.
import type { SourceRange } from '../diagnostics';

/** An entry of a dict literal (or of a merge of them), remembering where its key and value were written. */
export interface DictEntry {
  readonly value: PyValue;
  readonly keyRange?: SourceRange;
  readonly valueRange?: SourceRange;
}

/** A calendar date and wall-clock time, with the IANA zone it is in, or null when naive. */
export interface DateTimeValue {
  readonly kind: 'datetime';
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly tz: string | null;
}

export type PyValue =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'num'; readonly value: number; readonly float: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'list'; readonly items: readonly PyValue[] }
  | { readonly kind: 'dict'; readonly entries: ReadonlyMap<string, DictEntry> }
  | DateTimeValue
  | { readonly kind: 'timedelta'; readonly seconds: number }
  /** dateutil's `relativedelta`: calendar years and months, then a fixed duration. */
  | { readonly kind: 'relativedelta'; readonly years: number; readonly months: number; readonly seconds: number }
  /** A timetable object passed as `schedule=`: `CronTriggerTimetable("0 0 * * *", timezone="UTC")`. */
  | { readonly kind: 'timetable'; readonly className: string; readonly positional: readonly PyValue[]; readonly keywords: ReadonlyMap<string, PyValue> }
  | { readonly kind: 'timezone'; readonly name: string }
  /** The result of a clock call such as `datetime.now()`: different at every parse of the file. */
  | { readonly kind: 'now'; readonly call: string; readonly range: SourceRange }
  /** A function the file defines, or imports from a module of the workspace. */
  | { readonly kind: 'function'; readonly name: string; readonly file?: string; readonly range: SourceRange }
  | { readonly kind: 'task'; readonly taskId: string }
  | { readonly kind: 'dag'; readonly dagId: string }
  /** A name from outside the file: an import or a builtin, by its qualified name; `unbound` when nothing binds it. */
  | { readonly kind: 'external'; readonly qualifiedName: string; readonly unbound?: boolean }
  | { readonly kind: 'unknown' };

/** The Python type name of a known value, as Airflow's error messages print it. */
export function pythonTypeName(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'str': return 'str';
    case 'num': return value.float ? 'float' : 'int';
    case 'bool': return 'bool';
    case 'none': return 'NoneType';
    case 'list': return 'list';
    case 'dict': return 'dict';
    case 'datetime': case 'now': return 'datetime';
    case 'timedelta': return 'timedelta';
    case 'function': return 'function';
    default: return undefined;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2024-01-01T09:30:00` followed by the zone name, or `(naive)`. */
export function formatDateTime(value: DateTimeValue): string {
  const wall = `${pad(value.year, 4)}-${pad(value.month)}-${pad(value.day)}T${pad(value.hour)}:${pad(value.minute)}:${pad(value.second)}`;
  return value.tz ? `${wall} ${value.tz}` : `${wall} (naive)`;
}

/** A short Python-like rendering for hovers and reports; undefined for values that cannot be shown. */
export function formatValue(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'str': return JSON.stringify(value.value);
    case 'num': return value.float && Number.isInteger(value.value) ? `${value.value}.0` : String(value.value);
    case 'bool': return value.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'list': {
      const items = value.items.map(formatValue);
      return items.every((i) => i !== undefined) ? `[${items.join(', ')}]` : undefined;
    }
    case 'dict': {
      const entries = [...value.entries].map(([k, e]) => [k, formatValue(e.value)] as const);
      return entries.every(([, v]) => v !== undefined) ? `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}` : undefined;
    }
    case 'datetime': return formatDateTime(value);
    case 'timedelta': return formatTimedelta(value.seconds);
    case 'relativedelta': return `relativedelta(${[value.years ? `years=${value.years}` : '', value.months ? `months=${value.months}` : '', value.seconds ? `seconds=${value.seconds}` : ''].filter(Boolean).join(', ')})`;
    case 'timetable': return `${value.className}(...)`;
    case 'timezone': return `timezone(${JSON.stringify(value.name)})`;
    case 'now': return `${value.call}()`;
    case 'function': return value.name;
    case 'task': return `<task ${value.taskId}>`;
    case 'dag': return `<DAG ${value.dagId}>`;
    case 'external': return value.qualifiedName;
    default: return undefined;
  }
}

/** `timedelta(days=1, seconds=300)` style, as Python's repr prints it. */
export function formatTimedelta(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86400);
  const rest = totalSeconds - days * 86400;
  const seconds = Math.floor(rest);
  const microseconds = Math.round((rest - seconds) * 1e6);
  const parts = [days ? `days=${days}` : '', seconds ? `seconds=${seconds}` : '', microseconds ? `microseconds=${microseconds}` : ''].filter(Boolean);
  return `timedelta(${parts.join(', ')})`;
}
