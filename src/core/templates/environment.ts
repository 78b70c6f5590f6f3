// A nunjucks environment made to behave like Airflow's Jinja (shared/airflow-semantics.md §2.5):
// StrictUndefined, no autoescaping, Python's printing, string methods and operators, Airflow's
// filters, and a sandbox: templates come from the workspace and must never reach JavaScript's
// internals (`constructor`, `__proto__`, functions' own properties).
//
// nunjucks compiles templates to JavaScript that calls helpers on its `runtime` object; the
// Python behaviour is installed by replacing those helpers once per process. Nothing else in the
// product renders nunjucks templates, so the replacement is safe.
import nunjucks from 'nunjucks';
import { makeTuple, PyDate, PyDateTime, PyFloat, PyTimedelta, pyRepr, pyStr } from './pyobjects';

export class TemplateSecurityError extends Error {}

/** A template read a name that is not defined: Airflow's StrictUndefined fails the task. */
export class UndefinedError extends Error {}

/** Objects that answer attribute lookups themselves, like Python's `__getattr__` (`var.value.NAME`). */
export const GET_ATTRIBUTE = Symbol('getattr');
export interface DynamicAttributes {
  [GET_ATTRIBUTE](name: string): unknown;
}

/** Functions that also have attributes in Python (`macros.datetime.now`): their allowed attributes. */
const functionAttributes = new WeakMap<object, Record<string, unknown>>();
export function withAttributes<F extends (...args: never[]) => unknown>(fn: F, attributes: Record<string, unknown>): F {
  functionAttributes.set(fn, attributes);
  return fn;
}

const BLOCKED = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

function checkName(name: unknown): void {
  if (typeof name === 'string' && (BLOCKED.has(name) || name.startsWith('__'))) {
    throw new TemplateSecurityError(`SecurityError: access to attribute '${name}' is not allowed in templates`);
  }
}

/** Python's `str` methods, with Python's semantics (`replace` replaces every occurrence). */
const STRING_METHODS: Record<string, (self: string, ...args: never[]) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s, chars?: string) => stripChars(s, chars, true, true),
  lstrip: (s, chars?: string) => stripChars(s, chars, true, false),
  rstrip: (s, chars?: string) => stripChars(s, chars, false, true),
  replace: (s, old: string, replacement: string, count?: number) => {
    if (count === undefined || count < 0) return s.split(old).join(replacement);
    const parts = s.split(old);
    return parts.slice(0, count + 1).join(replacement) + (parts.length > count + 1 ? old + parts.slice(count + 1).join(old) : '');
  },
  split: (s, separator?: string | null, maxsplit?: number) => {
    const parts = separator === undefined || separator === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(separator);
    if (maxsplit === undefined || maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
    return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(separator ?? ' ')];
  },
  startswith: (s, prefix: string | string[]) => (Array.isArray(prefix) ? prefix : [prefix]).some((p) => s.startsWith(p)),
  endswith: (s, suffix: string | string[]) => (Array.isArray(suffix) ? suffix : [suffix]).some((p) => s.endsWith(p)),
  join: (s, items: unknown[]) => items.map((i) => pyStr(i)).join(s),
  title: (s) => s.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  zfill: (s, width: number) => s.padStart(width, '0'),
  find: (s, sub: string) => s.indexOf(sub),
  count: (s, sub: string) => s.split(sub).length - 1,
  isdigit: (s) => /^\d+$/.test(s),
  format: (s, ...args: unknown[]) => {
    let index = 0;
    return s.replace(/\{(\d*)\}/g, (_, n: string) => pyStr(args[n === '' ? index++ : Number(n)]));
  },
};

/** Python's `list` methods; the mutating ones serve `{% do items.append(x) %}`. */
const LIST_METHODS: Record<string, (self: unknown[], ...args: never[]) => unknown> = {
  append: (l, item: unknown) => { l.push(item); return null; },
  extend: (l, items: unknown[]) => { l.push(...items); return null; },
  insert: (l, index: number, item: unknown) => { l.splice(index, 0, item); return null; },
  pop: (l, index?: number) => (index === undefined ? l.pop() : l.splice(index < 0 ? l.length + index : index, 1)[0]),
  index: (l, item: unknown) => l.indexOf(item),
  count: (l, item: unknown) => l.filter((x) => x === item).length,
};

function stripChars(s: string, chars: string | undefined, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? ' \t\n\r\x0b\x0c' : chars;
  let from = 0;
  let to = s.length;
  while (left && from < to && set.includes(s[from])) from++;
  while (right && to > from && set.includes(s[to - 1])) to--;
  return s.slice(from, to);
}

/** Python slicing of strings and lists, `x[start:stop:step]`. */
function slice(value: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  const sequence = typeof value === 'string' ? [...value] : Array.isArray(value) ? value : undefined;
  if (!sequence) throw new TypeError(`'${pyTypeName(value)}' object is not subscriptable`);
  const n = sequence.length;
  const by = step ?? 1;
  const clamp = (i: number, fallback: number) => (i < 0 ? Math.max(i + n, by < 0 ? -1 : 0) : Math.min(i, by < 0 ? n - 1 : n)) ?? fallback;
  const from = start === null ? (by < 0 ? n - 1 : 0) : clamp(start, 0);
  const to = stop === null ? (by < 0 ? -1 : n) : clamp(stop, n);
  const out: unknown[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(sequence[i]);
  return typeof value === 'string' ? out.join('') : out;
}

function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyDateTime) return 'DateTime';
  if (value instanceof PyTimedelta) return 'timedelta';
  return 'dict';
}

const CLASS_METHODS = new Map<unknown, ReadonlySet<string>>([[PyDateTime, PyDateTime.methods], [PyTimedelta, PyTimedelta.methods], [PyDate, PyDate.methods]]);

/** Attribute and item lookup with Python's rules, behind the sandbox. */
function memberLookup(obj: unknown, name: unknown): unknown {
  checkName(name);
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj === 'function') {
    const attributes = functionAttributes.get(obj);
    if (attributes && typeof name === 'string' && Object.prototype.hasOwnProperty.call(attributes, name)) return attributes[name];
    throw new TemplateSecurityError(`SecurityError: access to attributes of functions is not allowed in templates ('${String(name)}')`);
  }
  if (typeof obj === 'string') {
    if (typeof name === 'number') return obj[name < 0 ? obj.length + name : name];
    const method = typeof name === 'string' ? STRING_METHODS[name] : undefined;
    return method ? (...args: never[]) => method(obj, ...args) : undefined;
  }
  if (typeof obj !== 'object') return undefined;
  if (GET_ATTRIBUTE in obj) return (obj as DynamicAttributes)[GET_ATTRIBUTE](String(name));
  const methods = CLASS_METHODS.get(obj.constructor);
  if (methods) {
    if (typeof name !== 'string') return undefined;
    if (methods.has(name)) return ((obj as unknown as Record<string, (...a: unknown[]) => unknown>)[name]).bind(obj);
    const value = (obj as unknown as Record<string, unknown>)[name];
    return typeof value === 'function' ? undefined : value;
  }
  if (Array.isArray(obj)) {
    if (typeof name === 'number') return obj[name < 0 ? obj.length + name : name];
    return typeof name === 'string' && Object.prototype.hasOwnProperty.call(LIST_METHODS, name) ? (...args: never[]) => LIST_METHODS[name](obj, ...args) : undefined;
  }
  const record = obj as Record<string, unknown>;
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(record, name)) return record[name];
  // A dict's own methods, when no key of that name exists.
  switch (name) {
    case 'get': return (key: string, fallback: unknown = null) => (Object.prototype.hasOwnProperty.call(record, key) ? record[key] : fallback);
    case 'items': return () => Object.entries(record);
    case 'keys': return () => Object.keys(record);
    case 'values': return () => Object.values(record);
    default: return undefined;
  }
}

/** `%`, `+` and `-` with Python's meaning: string formatting, and date and duration arithmetic. */
function binaryOperator(op: string, left: unknown, right: unknown): unknown {
  if (op === '%') {
    if (typeof left === 'string') return percentFormat(left, Array.isArray(right) ? right : [right]);
    if (typeof left === 'number' && typeof right === 'number') return ((left % right) + right) % right;
  }
  if (op === '+') {
    if (left instanceof PyDateTime && right instanceof PyTimedelta) return new PyDateTime(left.epochMs + right.ms);
    if (left instanceof PyTimedelta && right instanceof PyDateTime) return new PyDateTime(right.epochMs + left.ms);
    if (left instanceof PyTimedelta && right instanceof PyTimedelta) return new PyTimedelta(left.ms + right.ms);
    if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
    if (typeof left === 'string' && typeof right === 'string') return left + right;
    if (typeof left === 'number' && typeof right === 'number') return left + right;
  }
  if (op === '/') {
    if (typeof left === 'number' && typeof right === 'number') {
      if (right === 0) throw new Error('ZeroDivisionError: division by zero');
      return new PyFloat(left / right);
    }
  }
  if (op === '-') {
    if (left instanceof PyDateTime && right instanceof PyTimedelta) return new PyDateTime(left.epochMs - right.ms);
    if (left instanceof PyDateTime && right instanceof PyDateTime) return new PyTimedelta(left.epochMs - right.epochMs);
    if (left instanceof PyTimedelta && right instanceof PyTimedelta) return new PyTimedelta(left.ms - right.ms);
    if (typeof left === 'number' && typeof right === 'number') return left - right;
  }
  throw new TypeError(`unsupported operand type(s) for ${op}: '${pyTypeName(left)}' and '${pyTypeName(right)}'`);
}

/** Python's `%` formatting for the conversions templates use. */
function percentFormat(format: string, args: unknown[]): string {
  let index = 0;
  return format.replace(/%(\((\w+)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifrx%])/g, (_, _k, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string) => {
    if (conversion === '%') return '%';
    const value = key !== undefined ? (args[0] as Record<string, unknown>)[key] : args[index++];
    let text: string;
    switch (conversion) {
      case 'd': case 'i': text = String(Math.trunc(Number(value))); break;
      case 'f': text = Number(value).toFixed(precision === undefined ? 6 : Number(precision)); break;
      case 'x': text = Math.trunc(Number(value)).toString(16); break;
      case 'r': text = pyRepr(value); break;
      default: text = pyStr(value);
    }
    const size = width === undefined ? 0 : Number(width);
    return flags.includes('-') ? text.padEnd(size) : text.padStart(size, flags.includes('0') && conversion !== 's' ? '0' : ' ');
  });
}

/** `{{ x | tojson }}`: Jinja's htmlsafe JSON (sorted keys, Python's separators, `<>&'` escaped). */
function toJson(value: unknown): string {
  const encode = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(encode).join(', ')}]`;
    if (v instanceof PyDateTime || v instanceof PyTimedelta || v instanceof PyDate) throw new TypeError(`Object of type ${pyTypeName(v)} is not JSON serializable`);
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}: ${encode((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  };
  return encode(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
}

/** Airflow's own filters (`airflow/templates.py`): each returns None for None. */
const AIRFLOW_FILTERS: Record<string, (value: unknown) => unknown> = {
  ds: (v) => (v instanceof PyDateTime ? v.strftime('%Y-%m-%d') : null),
  ds_nodash: (v) => (v instanceof PyDateTime ? v.strftime('%Y%m%d') : null),
  ts: (v) => (v instanceof PyDateTime ? v.isoformat() : null),
  ts_nodash: (v) => (v instanceof PyDateTime ? v.strftime('%Y%m%dT%H%M%S') : null),
  ts_nodash_with_tz: (v) => (v instanceof PyDateTime ? v.isoformat().replace(/[-:]/g, '') : null),
};

let installed = false;

/** Replaces nunjucks' runtime helpers with the Python ones, once. */
function installPythonRuntime(): void {
  if (installed) return;
  installed = true;
  // nunjucks' own Jinja compatibility: True/False/None literals and `[a:b]` slice syntax.
  nunjucks.installJinjaCompat();
  const runtime = (nunjucks as unknown as { runtime: Record<string, unknown> }).runtime;
  // For `x[a:b:c]` nunjucks' compatibility layer calls memberLookup(obj, start, stop, step).
  runtime.memberLookup = (obj: unknown, name: unknown, ...rest: unknown[]) => (rest.length === 2
    ? slice(obj, name as number | null, rest[0] as number | null, rest[1] as number | null)
    : memberLookup(obj, name));
  const contextLookup = runtime.contextOrFrameLookup as (context: unknown, frame: unknown, name: string) => unknown;
  runtime.contextOrFrameLookup = (context: unknown, frame: unknown, name: string) => {
    checkName(name);
    return contextLookup(context, frame, name);
  };
  runtime.suppressValue = (value: unknown) => pyStr(value);
  runtime.ensureDefined = (value: unknown, lineno: number, colno: number) => {
    if (value === undefined) throw new UndefinedError(`UndefinedError: undefined value at line ${lineno + 1}, column ${colno + 1}`);
    return value;
  };
  runtime.pyBinaryOperator = binaryOperator;
  runtime.pyTuple = makeTuple;
  const compiler = (nunjucks as unknown as { compiler: { Compiler: { prototype: Record<string, unknown> } } }).compiler.Compiler.prototype;
  // A parenthesised list `(a, b)` is a tuple in Jinja; JavaScript would read a comma operator.
  compiler.compileGroup = function (this: { _emit(s: string): void; _compileAggregate(n: unknown, f: unknown, open: string, close: string): void }, node: { children: unknown[] }, frame: unknown) {
    if (node.children.length > 1) {
      this._emit('runtime.pyTuple(');
      this._compileAggregate(node, frame, '[', ']');
      this._emit(')');
    } else {
      this._compileAggregate(node, frame, '(', ')');
    }
  };
  for (const [method, op] of [['compileMod', '%'], ['compileAdd', '+'], ['compileSub', '-'], ['compileDiv', '/']] as const) {
    compiler[method] = function (this: { _emit(s: string): void; compile(n: unknown, f: unknown): void }, node: { left: unknown; right: unknown }, frame: unknown) {
      this._emit(`runtime.pyBinaryOperator(${JSON.stringify(op)}, `);
      this.compile(node.left, frame);
      this._emit(', ');
      this.compile(node.right, frame);
      this._emit(')');
    };
  }
}

/** Jinja's `do` extension, which Airflow enables: `{% do items.append(x) %}` evaluates and prints nothing. */
class DoExtension {
  readonly tags = ['do'];

  parse(parser: { nextToken(): { value: string }; parseExpression(): unknown; advanceAfterBlockEnd(name: string): void },
    nodes: { CallExtension: new (ext: unknown, method: string, args: unknown, body: unknown[]) => unknown; NodeList: new (line: number, col: number, items: unknown[]) => unknown }): unknown {
    const token = parser.nextToken();
    const expression = parser.parseExpression();
    parser.advanceAfterBlockEnd(token.value);
    return new nodes.CallExtension(this, 'run', new nodes.NodeList(0, 0, [expression]), []);
  }

  run(): string {
    return '';
  }
}

/** The environment: user-defined macros and filters of the DAG come in as `globals` and `filters`. */
export function createEnvironment(options: { globals?: Record<string, unknown>; filters?: Record<string, (...args: never[]) => unknown> } = {}): nunjucks.Environment {
  installPythonRuntime();
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  for (const [name, filter] of Object.entries(AIRFLOW_FILTERS)) env.addFilter(name, filter);
  env.addFilter('tojson', toJson);
  env.addExtension('do', new DoExtension());
  env.addFilter('string', (v: unknown) => pyStr(v));
  for (const [name, value] of Object.entries(options.globals ?? {})) env.addGlobal(name, value);
  for (const [name, filter] of Object.entries(options.filters ?? {})) env.addFilter(name, filter as (...args: unknown[]) => unknown);
  return env;
}
