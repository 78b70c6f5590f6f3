// Python's semantics for what compiled templates do with values: attribute and item lookup behind
// the sandbox, the methods of str, list, tuple and dict, the operators, comparisons, truthiness,
// iteration and unpacking. The environment (environment.ts) compiles templates to calls of these.
import { percentFormat, strFormat } from './pyformat';
import {
  describeCallable, dictKeys, GET_ATTRIBUTE, isDict, isFloat, makeTuple, nameCallable, numberValue, PyDate, PyDateTime, PyDictView, PyError, PyFloat, pyFloat,
  pyEquals, pyIterate, PyIterator, PyNamedTuple, PyNamespace, pyOrder, PyRange, PyRelativeDelta, pyRepr, pyStr, PyTimedelta, PyTuple, pyTypeName, PyUUID, setItem,
  type DynamicAttributes,
} from './pyobjects';

export class TemplateSecurityError extends Error {}

/** A template read a name that is not defined: Airflow's StrictUndefined fails the task. */
export class UndefinedError extends Error {}

export function undefinedError(name: string): UndefinedError {
  return new UndefinedError(`UndefinedError: '${name}' is undefined`);
}

/** Functions that also have attributes in Python (`macros.datetime.now`): their allowed attributes. */
const functionAttributes = new WeakMap<object, Record<string, unknown>>();
export function withAttributes<F extends (...args: never[]) => unknown>(fn: F, attributes: Record<string, unknown>): F {
  functionAttributes.set(fn, attributes);
  for (const [name, value] of Object.entries(attributes)) if (typeof value === 'function') nameCallable(value, name);
  return fn;
}

const BLOCKED = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** Jinja's sandbox blocks attributes starting with `__`; JavaScript's own escape hatches are blocked too. */
export function checkName(name: unknown): void {
  if (typeof name === 'string' && (BLOCKED.has(name) || name.startsWith('__'))) {
    throw new TemplateSecurityError(`SecurityError: access to attribute '${name}' is not allowed in templates`);
  }
}

/** Jinja's `cycler(...)`: `next()` gives the items in turn, `current` the one `next()` gives next. */
export class Cycler {
  private position = 0;

  constructor(readonly items: readonly unknown[]) {}

  get current(): unknown {
    return this.items[this.position];
  }

  next(): unknown {
    const value = this.current;
    this.position = (this.position + 1) % this.items.length;
    return value;
  }

  reset(): null {
    this.position = 0;
    return null;
  }
}

/** What the template may read of each Python class the preview models: everything else is not there. */
interface PyClass {
  readonly name: string;
  readonly methods: ReadonlySet<string>;
  readonly attributes: ReadonlySet<string>;
}

const PY_CLASSES = new Map<unknown, PyClass>([
  [PyDateTime, { name: 'DateTime', methods: PyDateTime.methods, attributes: new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'day_of_week', 'timezone_name']) }],
  [PyDate, { name: 'Date', methods: PyDate.methods, attributes: new Set(['year', 'month', 'day']) }],
  [PyTimedelta, { name: 'timedelta', methods: PyTimedelta.methods, attributes: new Set(['days', 'seconds', 'microseconds']) }],
  [PyRelativeDelta, { name: 'relativedelta', methods: PyRelativeDelta.methods,
    attributes: new Set(['years', 'months', 'days', 'leapdays', 'hours', 'minutes', 'seconds', 'microseconds', 'year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'microsecond']) }],
  [PyUUID, { name: 'UUID', methods: PyUUID.methods, attributes: new Set(['hex', 'urn', 'version']) }],
  [Cycler, { name: 'Cycler', methods: new Set(['next', 'reset']), attributes: new Set(['current', 'items']) }],
]);

// -------------------------------------------------------------------------------------------
// Methods of the builtin types.

type Method<T> = (self: T, args: unknown[]) => unknown;

/** Python's whitespace, for `strip()` and `split()` without arguments. */
const WHITESPACE = ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const isSpace = (ch: string) => WHITESPACE.includes(ch);

/** The positional arguments of a builtin that takes no keywords (most str and list methods). */
function positionalOnly(name: string, args: unknown[], min: number, max: number): unknown[] {
  const last = args[args.length - 1];
  if (isDict(last) && (last as Record<string, unknown>).__keywords) throw new PyError('TypeError', `${name}() takes no keyword arguments`);
  if (args.length < min || args.length > max) {
    throw new PyError('TypeError', min === max ? `${name}() takes exactly ${min} argument${min === 1 ? '' : 's'} (${args.length} given)` : `${name}() takes at most ${max} arguments (${args.length} given)`);
  }
  return args;
}

/** Positional and keyword arguments bound to parameter names, for the builtins that take keywords. */
function bindArguments(name: string, args: unknown[], parameters: readonly string[]): unknown[] {
  const last = args[args.length - 1];
  const keywords = isDict(last) && last.__keywords ? last : {};
  const positional = keywords === last ? args.slice(0, -1) : args;
  if (positional.length > parameters.length) throw new PyError('TypeError', `${name}() takes at most ${parameters.length} arguments (${positional.length} given)`);
  const bound: unknown[] = [...positional];
  for (const key of dictKeys(keywords)) {
    const index = parameters.indexOf(key);
    if (index < 0) throw new PyError('TypeError', `${name}() got an unexpected keyword argument '${key}'`);
    bound[index] = keywords[key];
  }
  return bound;
}

function requireString(method: string, value: unknown): string {
  if (typeof value !== 'string') throw new PyError('TypeError', `${method}() argument must be str, not ${pyTypeName(value)}`);
  return value;
}

function requireInt(value: unknown): number {
  const n = numberValue(value);
  if (n === undefined || isFloat(value)) throw new PyError('TypeError', `'${pyTypeName(value)}' object cannot be interpreted as an integer`);
  return n;
}

/** Python's `s[start:end]` bounds for the optional start/end arguments of `find`, `count`, `startswith`. */
function window(s: string, start: unknown, end: unknown): [number, number] {
  const bound = (value: unknown, fallback: number) => {
    if (value === undefined || value === null) return fallback;
    const n = requireInt(value);
    return n < 0 ? Math.max(n + s.length, 0) : Math.min(n, s.length);
  };
  return [bound(start, 0), bound(end, s.length)];
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WHITESPACE : requireString('strip', chars);
  let from = 0;
  let to = s.length;
  while (left && from < to && set.includes(s[from])) from++;
  while (right && to > from && set.includes(s[to - 1])) to--;
  return s.slice(from, to);
}

/** `str.split` / `str.rsplit` with Python's rules for a missing separator and for `maxsplit`. */
function splitString(s: string, separator: unknown, maxsplitValue: unknown, fromRight: boolean): string[] {
  const maxsplit = maxsplitValue === undefined ? -1 : requireInt(maxsplitValue);
  if (separator === undefined || separator === null) {
    const text = fromRight ? [...s].reverse().join('') : s;
    const out: string[] = [];
    let i = 0;
    for (;;) {
      while (i < text.length && isSpace(text[i])) i++;
      if (i >= text.length) break;
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(text.slice(i));
        break;
      }
      let j = i;
      while (j < text.length && !isSpace(text[j])) j++;
      out.push(text.slice(i, j));
      i = j;
    }
    return fromRight ? out.map((part) => [...part].reverse().join('')).reverse() : out;
  }
  const sep = requireString('split', separator);
  if (sep === '') throw new PyError('ValueError', 'empty separator');
  const parts = s.split(sep);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return fromRight
    ? [parts.slice(0, parts.length - maxsplit).join(sep), ...parts.slice(parts.length - maxsplit)]
    : [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

/** The line boundaries of Python's `str.splitlines` (`\r\n` counts as one). */
const LINE_BOUNDARIES = new Set(['\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029']);

/** `str.splitlines`: every line boundary Python knows. */
export function splitLines(s: string, keepEnds = false): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (!LINE_BOUNDARIES.has(s[i])) continue;
    const end = s[i] === '\r' && s[i + 1] === '\n' ? i + 2 : i + 1;
    out.push(s.slice(start, keepEnds ? end : i));
    start = end;
    i = end - 1;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** `str.center`, with CPython's choice of which side gets the odd padding character. */
export function center(s: string, width: number, fill = ' '): string {
  const margin = width - s.length;
  if (margin <= 0) return s;
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return fill.repeat(left) + s + fill.repeat(margin - left);
}

function findIn(s: string, args: unknown[], name: string, fromRight: boolean): number {
  const [sub, start, end] = positionalOnly(name, args, 1, 3);
  const [from, to] = window(s, start, end);
  const part = s.slice(from, to);
  const at = fromRight ? part.lastIndexOf(requireString(name, sub)) : part.indexOf(requireString(name, sub));
  return at < 0 ? -1 : at + from;
}

const casedLetter = /[\p{Lu}\p{Ll}\p{Lt}]/u;

/** Python's `str` methods, with Python's semantics (`replace` replaces every occurrence). */
const STRING_METHODS: Record<string, Method<string>> = {
  upper: (s, a) => (positionalOnly('upper', a, 0, 0), s.toUpperCase()),
  lower: (s, a) => (positionalOnly('lower', a, 0, 0), s.toLowerCase()),
  casefold: (s, a) => (positionalOnly('casefold', a, 0, 0), s.toLowerCase()),
  swapcase: (s, a) => (positionalOnly('swapcase', a, 0, 0), [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')),
  strip: (s, a) => stripChars(s, positionalOnly('strip', a, 0, 1)[0], true, true),
  lstrip: (s, a) => stripChars(s, positionalOnly('lstrip', a, 0, 1)[0], true, false),
  rstrip: (s, a) => stripChars(s, positionalOnly('rstrip', a, 0, 1)[0], false, true),
  replace: (s, a) => {
    const [old, replacement, countValue] = positionalOnly('replace', a, 2, 3);
    const from = requireString('replace', old);
    const to = requireString('replace', replacement);
    const count = countValue === undefined ? -1 : requireInt(countValue);
    if (from === '') {
      // An empty `old` matches before every character and at the end, as in Python.
      const characters = [...s];
      let out = '';
      for (let i = 0; i <= characters.length; i++) out += (count < 0 || i < count ? to : '') + (characters[i] ?? '');
      return out;
    }
    const parts = s.split(from);
    if (count < 0 || parts.length <= count + 1) return parts.join(to);
    return parts.slice(0, count + 1).join(to) + from + parts.slice(count + 1).join(from);
  },
  split: (s, a) => {
    const [separator, maxsplit] = bindArguments('split', a, ['sep', 'maxsplit']);
    return splitString(s, separator, maxsplit, false);
  },
  rsplit: (s, a) => {
    const [separator, maxsplit] = bindArguments('rsplit', a, ['sep', 'maxsplit']);
    return splitString(s, separator, maxsplit, true);
  },
  splitlines: (s, a) => splitLines(s, Boolean(bindArguments('splitlines', a, ['keepends'])[0])),
  startswith: (s, a) => {
    const [prefix, start, end] = positionalOnly('startswith', a, 1, 3);
    const [from, to] = window(s, start, end);
    const candidates = prefix instanceof PyTuple ? [...prefix] : [prefix];
    if (!candidates.every((c) => typeof c === 'string')) throw new PyError('TypeError', `startswith first arg must be str or a tuple of str, not ${pyTypeName(prefix)}`);
    return candidates.some((c) => s.slice(from, to).startsWith(c as string));
  },
  endswith: (s, a) => {
    const [suffix, start, end] = positionalOnly('endswith', a, 1, 3);
    const [from, to] = window(s, start, end);
    const candidates = suffix instanceof PyTuple ? [...suffix] : [suffix];
    if (!candidates.every((c) => typeof c === 'string')) throw new PyError('TypeError', `endswith first arg must be str or a tuple of str, not ${pyTypeName(suffix)}`);
    return candidates.some((c) => s.slice(from, to).endsWith(c as string));
  },
  join: (s, a) => {
    const items = pyIterate(positionalOnly('join', a, 1, 1)[0]);
    return items.map((item, i) => {
      if (typeof item !== 'string') throw new PyError('TypeError', `sequence item ${i}: expected str instance, ${pyTypeName(item)} found`);
      return item;
    }).join(s);
  },
  title: (s, a) => (positionalOnly('title', a, 0, 0), s.replace(/\p{L}+/gu, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase())),
  capitalize: (s, a) => (positionalOnly('capitalize', a, 0, 0), s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()),
  zfill: (s, a) => {
    const width = requireInt(positionalOnly('zfill', a, 1, 1)[0]);
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  },
  center: (s, a) => {
    const [width, fill] = positionalOnly('center', a, 1, 2);
    return center(s, requireInt(width), fill === undefined ? ' ' : requireString('center', fill));
  },
  ljust: (s, a) => {
    const [width, fill] = positionalOnly('ljust', a, 1, 2);
    return s.padEnd(requireInt(width), fill === undefined ? ' ' : requireString('ljust', fill));
  },
  rjust: (s, a) => {
    const [width, fill] = positionalOnly('rjust', a, 1, 2);
    return s.padStart(requireInt(width), fill === undefined ? ' ' : requireString('rjust', fill));
  },
  find: (s, a) => findIn(s, a, 'find', false),
  rfind: (s, a) => findIn(s, a, 'rfind', true),
  index: (s, a) => {
    const at = findIn(s, a, 'index', false);
    if (at < 0) throw new PyError('ValueError', 'substring not found');
    return at;
  },
  rindex: (s, a) => {
    const at = findIn(s, a, 'rindex', true);
    if (at < 0) throw new PyError('ValueError', 'substring not found');
    return at;
  },
  count: (s, a) => {
    const [sub, start, end] = positionalOnly('count', a, 1, 3);
    const [from, to] = window(s, start, end);
    const part = s.slice(from, to);
    const needle = requireString('count', sub);
    return needle === '' ? part.length + 1 : part.split(needle).length - 1;
  },
  partition: (s, a) => {
    const sep = requireString('partition', positionalOnly('partition', a, 1, 1)[0]);
    const at = s.indexOf(sep);
    return makeTuple(at < 0 ? [s, '', ''] : [s.slice(0, at), sep, s.slice(at + sep.length)]);
  },
  rpartition: (s, a) => {
    const sep = requireString('rpartition', positionalOnly('rpartition', a, 1, 1)[0]);
    const at = s.lastIndexOf(sep);
    return makeTuple(at < 0 ? ['', '', s] : [s.slice(0, at), sep, s.slice(at + sep.length)]);
  },
  removeprefix: (s, a) => {
    const prefix = requireString('removeprefix', positionalOnly('removeprefix', a, 1, 1)[0]);
    return prefix && s.startsWith(prefix) ? s.slice(prefix.length) : s;
  },
  removesuffix: (s, a) => {
    const suffix = requireString('removesuffix', positionalOnly('removesuffix', a, 1, 1)[0]);
    return suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
  },
  isdigit: (s, a) => (positionalOnly('isdigit', a, 0, 0), /^\p{Nd}+$/u.test(s)),
  isdecimal: (s, a) => (positionalOnly('isdecimal', a, 0, 0), /^\p{Nd}+$/u.test(s)),
  isnumeric: (s, a) => (positionalOnly('isnumeric', a, 0, 0), /^\p{N}+$/u.test(s)),
  isalpha: (s, a) => (positionalOnly('isalpha', a, 0, 0), /^\p{L}+$/u.test(s)),
  isalnum: (s, a) => (positionalOnly('isalnum', a, 0, 0), /^[\p{L}\p{N}]+$/u.test(s)),
  isspace: (s, a) => (positionalOnly('isspace', a, 0, 0), s.length > 0 && [...s].every(isSpace)),
  islower: (s, a) => (positionalOnly('islower', a, 0, 0), casedLetter.test(s) && s === s.toLowerCase()),
  isupper: (s, a) => (positionalOnly('isupper', a, 0, 0), casedLetter.test(s) && s === s.toUpperCase()),
  isascii: (s, a) => (positionalOnly('isascii', a, 0, 0), [...s].every((c) => c.charCodeAt(0) < 0x80)),
  format: (s, a) => {
    const last = a[a.length - 1];
    const keywords = isDict(last) && last.__keywords ? last : {};
    return strFormat(s, keywords === last ? a.slice(0, -1) : a, keywords, memberLookup);
  },
  format_map: (s, a) => {
    const mapping = positionalOnly('format_map', a, 1, 1)[0];
    if (!isDict(mapping)) throw new PyError('TypeError', `format_map() argument must be a mapping, not ${pyTypeName(mapping)}`);
    return strFormat(s, [], mapping, memberLookup);
  },
};

function listIndex(list: readonly unknown[], item: unknown): number {
  return list.findIndex((x) => pyEquals(x, item));
}

/** Python's `list` methods; the mutating ones serve `{% do items.append(x) %}`. */
const LIST_METHODS: Record<string, Method<unknown[]>> = {
  append: (l, a) => { l.push(positionalOnly('append', a, 1, 1)[0]); return null; },
  extend: (l, a) => { l.push(...pyIterate(positionalOnly('extend', a, 1, 1)[0])); return null; },
  insert: (l, a) => {
    const [indexValue, item] = positionalOnly('insert', a, 2, 2);
    const index = requireInt(indexValue);
    l.splice(index < 0 ? Math.max(l.length + index, 0) : index, 0, item);
    return null;
  },
  pop: (l, a) => {
    const [indexValue] = positionalOnly('pop', a, 0, 1);
    if (l.length === 0) throw new PyError('IndexError', 'pop from empty list');
    const index = indexValue === undefined ? l.length - 1 : requireInt(indexValue);
    const at = index < 0 ? l.length + index : index;
    if (at < 0 || at >= l.length) throw new PyError('IndexError', 'pop index out of range');
    return l.splice(at, 1)[0];
  },
  remove: (l, a) => {
    const at = listIndex(l, positionalOnly('remove', a, 1, 1)[0]);
    if (at < 0) throw new PyError('ValueError', 'list.remove(x): x not in list');
    l.splice(at, 1);
    return null;
  },
  index: (l, a) => {
    const item = positionalOnly('index', a, 1, 1)[0];
    const at = listIndex(l, item);
    if (at < 0) throw new PyError('ValueError', `${pyRepr(item)} is not in list`);
    return at;
  },
  count: (l, a) => {
    const item = positionalOnly('count', a, 1, 1)[0];
    return l.filter((x) => pyEquals(x, item)).length;
  },
  reverse: (l, a) => { positionalOnly('reverse', a, 0, 0); l.reverse(); return null; },
  sort: (l, a) => {
    const [key, reverse] = bindArguments('sort', a, ['key', 'reverse']);
    if (key !== undefined && key !== null) throw new Error('list.sort(key=...) is not supported by the template preview; use the sort filter');
    l.sort((x, y) => (pyTruthy(reverse ?? false, 'reverse') ? -1 : 1) * pyOrder(x, y, '<'));
    return null;
  },
  copy: (l, a) => (positionalOnly('copy', a, 0, 0), [...l]),
  clear: (l, a) => { positionalOnly('clear', a, 0, 0); l.length = 0; return null; },
};

const TUPLE_METHODS: Record<string, Method<unknown[]>> = { index: LIST_METHODS.index, count: LIST_METHODS.count };

/** Python's `dict` methods, for dicts that have no key of that name. */
const DICT_METHODS: Record<string, Method<Record<string, unknown>>> = {
  get: (d, a) => {
    const [key, fallback] = positionalOnly('get', a, 1, 2);
    return typeof key === 'string' && Object.prototype.hasOwnProperty.call(d, key) && key !== '__keywords' ? d[key] : fallback ?? null;
  },
  items: (d, a) => (positionalOnly('items', a, 0, 0), PyDictView.make('dict_items', dictKeys(d).map((k) => makeTuple([k, d[k]])))),
  keys: (d, a) => (positionalOnly('keys', a, 0, 0), PyDictView.make('dict_keys', dictKeys(d))),
  values: (d, a) => (positionalOnly('values', a, 0, 0), PyDictView.make('dict_values', dictKeys(d).map((k) => d[k]))),
  copy: (d, a) => (positionalOnly('copy', a, 0, 0), Object.fromEntries(dictKeys(d).map((k) => [k, d[k]]))),
  update: (d, a) => {
    const last = a[a.length - 1];
    const keywords = isDict(last) && last.__keywords ? last : undefined;
    const [other] = keywords ? a.slice(0, -1) : a;
    if (other !== undefined) {
      if (!isDict(other)) throw new Error('dict.update() with anything but a dict is not supported by the template preview');
      for (const k of dictKeys(other)) setItem(d, dictKey(k), other[k]);
    }
    for (const k of keywords ? dictKeys(keywords) : []) setItem(d, k, keywords![k]);
    return null;
  },
  pop: (d, a) => {
    const [key, fallback] = positionalOnly('pop', a, 1, 2);
    if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(d, key)) {
      const value = d[key];
      delete d[key];
      return value;
    }
    if (a.length < 2) throw new PyError('KeyError', pyRepr(key));
    return fallback;
  },
  setdefault: (d, a) => {
    const [key, fallback] = positionalOnly('setdefault', a, 1, 2);
    const name = dictKey(key);
    if (!Object.prototype.hasOwnProperty.call(d, name)) setItem(d, name, fallback ?? null);
    return d[name];
  },
};

/** A method bound to its object, printed like Python's builtin methods (without their address). */
function boundMethod<T>(self: T, name: string, method: Method<T>, typeName: string): (...args: unknown[]) => unknown {
  return describeCallable((...args: unknown[]) => method(self, args), `<built-in method ${name} of ${typeName} object>`);
}

// -------------------------------------------------------------------------------------------
// Lookup.

const own = (object: object, name: string) => Object.prototype.hasOwnProperty.call(object, name);

/** A sequence's item at a Python index (negative from the end); undefined outside, as Jinja's getitem. */
function itemAt(sequence: ArrayLike<unknown>, index: number): unknown {
  const at = index < 0 ? sequence.length + index : index;
  return Number.isInteger(at) && at >= 0 && at < sequence.length ? sequence[at] : undefined;
}

/**
 * Attribute and item lookup with Jinja's rules (`x.name` and `x['name']` alike, a missing one is
 * undefined), behind the sandbox: only what Python would have is reachable.
 */
export function memberLookup(obj: unknown, name: unknown): unknown {
  checkName(name);
  if (obj === null || obj === undefined) return undefined;
  if (name instanceof PyFloat) return undefined;
  if (typeof obj === 'function') {
    const attributes = functionAttributes.get(obj);
    if (attributes && typeof name === 'string' && own(attributes, name)) return attributes[name];
    throw new TemplateSecurityError(`SecurityError: access to attributes of functions is not allowed in templates ('${String(name)}')`);
  }
  if (typeof obj === 'string') {
    if (typeof name === 'number') return itemAt([...obj], name);
    const method = typeof name === 'string' && own(STRING_METHODS, name) ? STRING_METHODS[name] : undefined;
    return method ? boundMethod(obj, name as string, method, 'str') : undefined;
  }
  if (typeof obj !== 'object') return undefined;
  if (GET_ATTRIBUTE in obj) {
    const value = (obj as DynamicAttributes)[GET_ATTRIBUTE](String(name));
    if (typeof value === 'function') nameCallable(value, String(name));
    return value;
  }
  if (obj instanceof PyNamespace) return typeof name === 'string' && own(obj.attributes, name) ? obj.attributes[name] : undefined;
  const pyClass = PY_CLASSES.get(obj.constructor);
  if (pyClass) {
    if (typeof name !== 'string') return undefined;
    const record = obj as unknown as Record<string, unknown>;
    if (pyClass.methods.has(name)) return describeCallable((record[name] as (...a: unknown[]) => unknown).bind(obj), `<bound method ${pyClass.name}.${name}>`);
    return pyClass.attributes.has(name) ? record[name] : undefined;
  }
  if (obj instanceof PyIterator) return undefined;
  if (Array.isArray(obj)) {
    if (typeof name === 'number') return obj instanceof PyDictView ? undefined : itemAt(obj, name);
    if (typeof name !== 'string') return undefined;
    if (obj instanceof PyRange) return name === 'start' || name === 'stop' || name === 'step' ? obj[name] : own(TUPLE_METHODS, name) ? boundMethod(obj, name, TUPLE_METHODS[name], 'range') : undefined;
    if (obj instanceof PyDictView) return undefined;
    if (obj instanceof PyNamedTuple && obj.fields.includes(name)) return obj.field(name);
    const methods = obj instanceof PyTuple ? TUPLE_METHODS : LIST_METHODS;
    return own(methods, name) ? boundMethod(obj, name, methods[name], pyTypeName(obj)) : undefined;
  }
  if (!isDict(obj)) return undefined;
  if (typeof name === 'string' && own(obj, name) && name !== '__keywords') {
    const value = obj[name];
    if (typeof value === 'function') nameCallable(value, name);
    return value;
  }
  return typeof name === 'string' && own(DICT_METHODS, name) ? boundMethod(obj, name, DICT_METHODS[name], 'dict') : undefined;
}

/**
 * Python's `getattr(obj, name)`, which Jinja's `attr` filter uses: a dict's keys are items, not
 * attributes, so only its methods answer. Every other lookup by a string name already reads
 * attributes.
 */
export function attributeLookup(obj: unknown, name: string): unknown {
  if (isDict(obj)) {
    checkName(name);
    return own(DICT_METHODS, name) ? boundMethod(obj, name, DICT_METHODS[name], 'dict') : undefined;
  }
  return memberLookup(obj, name);
}

/** `{% set ns.attr = value %}`: Jinja assigns attributes of namespaces only. */
export function setAttribute(obj: unknown, name: unknown, value: unknown): void {
  checkName(name);
  if (!(obj instanceof PyNamespace)) throw new PyError('TemplateRuntimeError', 'cannot assign attribute on non-namespace object');
  setItem(obj.attributes, String(name), value);
}

/**
 * A key of a dict literal: the preview's dicts have string keys, as JSON's do. Any string is a
 * key, `__proto__` too: dicts are built with own properties only (computed keys, setItem).
 */
export function dictKey(key: unknown): string {
  if (typeof key !== 'string') throw new Error(`dict keys other than strings (${pyRepr(key)}) are not supported by the template preview`);
  return key;
}

// -------------------------------------------------------------------------------------------
// Truthiness, operators, comparisons, iteration.

/** Python's `bool(value)`; StrictUndefined fails when tested. */
export function pyTruthy(value: unknown, name: string): boolean {
  if (value === undefined) throw undefinedError(name);
  if (value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0;
  if (value instanceof PyFloat) return value.valueOf() !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) return dictKeys(value).length > 0;
  if (value instanceof PyTimedelta) return value.ms !== 0;
  if (value instanceof PyRelativeDelta) return value.toString() !== 'relativedelta()';
  return true;
}

/** A float result when either operand is a float, an int otherwise. */
function arithmetic(left: unknown, right: unknown, result: number): number | PyFloat {
  return isFloat(left) || isFloat(right) ? pyFloat(result) : result;
}

function repeat(sequence: unknown, times: unknown): unknown {
  if (isFloat(times) || numberValue(times) === undefined) throw new PyError('TypeError', `can't multiply sequence by non-int of type '${pyTypeName(times)}'`);
  const count = Math.max(numberValue(times)!, 0);
  if (typeof sequence === 'string') return sequence.repeat(count);
  const items = Array.from({ length: count }, () => sequence as unknown[]).flat();
  return sequence instanceof PyTuple ? makeTuple(items) : items;
}

const isSequence = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.constructor === Array) || v instanceof PyTuple;

/** `+ - * / // % **` with Python's meaning: numbers, string formatting and repetition, dates and durations. */
export function binaryOperator(op: string, left: unknown, right: unknown, leftName: string, rightName: string): unknown {
  if (left === undefined) throw undefinedError(leftName);
  if (right === undefined) throw undefinedError(rightName);
  const x = numberValue(left);
  const y = numberValue(right);
  const numbers = x !== undefined && y !== undefined;
  const floats = isFloat(left) || isFloat(right);
  switch (op) {
    case '+':
      if (numbers) return arithmetic(left, right, x + y);
      if (typeof left === 'string' && typeof right === 'string') return left + right;
      if (typeof left === 'string') throw new PyError('TypeError', `can only concatenate str (not "${pyTypeName(right)}") to str`);
      if (left instanceof PyTuple && right instanceof PyTuple) return makeTuple([...left, ...right]);
      if (Array.isArray(left) && left.constructor === Array) {
        if (Array.isArray(right) && right.constructor === Array) return [...left, ...right];
        throw new PyError('TypeError', `can only concatenate list (not "${pyTypeName(right)}") to list`);
      }
      if (left instanceof PyDateTime && right instanceof PyTimedelta) return new PyDateTime(left.epochMs + right.ms, left.naive, left.zone);
      if (left instanceof PyTimedelta && right instanceof PyDateTime) return new PyDateTime(right.epochMs + left.ms, right.naive, right.zone);
      if (left instanceof PyTimedelta && right instanceof PyTimedelta) return new PyTimedelta(left.ms + right.ms);
      if (left instanceof PyDateTime && right instanceof PyRelativeDelta) return left.plusRelativeDelta(right, 1);
      if (left instanceof PyRelativeDelta && right instanceof PyDateTime) return right.plusRelativeDelta(left, 1);
      if (left instanceof PyRelativeDelta && right instanceof PyRelativeDelta) return left.plus(right);
      break;
    case '-':
      if (numbers) return arithmetic(left, right, x - y);
      if (left instanceof PyDateTime && right instanceof PyTimedelta) return new PyDateTime(left.epochMs - right.ms, left.naive, left.zone);
      if (left instanceof PyDateTime && right instanceof PyDateTime) {
        if (left.naive !== right.naive) throw new PyError('TypeError', "can't subtract offset-naive and offset-aware datetimes");
        return new PyTimedelta(left.epochMs - right.epochMs);
      }
      if (left instanceof PyTimedelta && right instanceof PyTimedelta) return new PyTimedelta(left.ms - right.ms);
      if (left instanceof PyDateTime && right instanceof PyRelativeDelta) return left.plusRelativeDelta(right, -1);
      if (left instanceof PyRelativeDelta && right instanceof PyRelativeDelta) return left.plus(right.negated());
      break;
    case '*':
      if (numbers) return arithmetic(left, right, x * y);
      if (isSequence(left) && y !== undefined) return repeat(left, right);
      if (isSequence(right) && x !== undefined) return repeat(right, left);
      if (left instanceof PyTimedelta && y !== undefined) return new PyTimedelta(left.ms * y);
      if (right instanceof PyTimedelta && x !== undefined) return new PyTimedelta(right.ms * x);
      break;
    case '/':
      if (numbers) {
        if (y === 0) throw new PyError('ZeroDivisionError', floats ? 'float division by zero' : 'division by zero');
        return pyFloat(x / y);
      }
      if (left instanceof PyTimedelta && y !== undefined) return new PyTimedelta(left.ms / y);
      if (left instanceof PyTimedelta && right instanceof PyTimedelta) return pyFloat(left.ms / right.ms);
      break;
    case '//':
      if (numbers) {
        if (y === 0) throw new PyError('ZeroDivisionError', floats ? 'float floor division by zero' : 'integer division or modulo by zero');
        return arithmetic(left, right, Math.floor(x / y));
      }
      break;
    case '%':
      if (typeof left === 'string') return percentFormat(left, right);
      if (numbers) {
        if (y === 0) throw new PyError('ZeroDivisionError', floats ? 'float modulo' : 'integer modulo by zero');
        const remainder = x % y;
        // Python's remainder has the divisor's sign.
        return arithmetic(left, right, remainder !== 0 && (remainder < 0) !== (y < 0) ? remainder + y : remainder);
      }
      break;
    case '**':
      if (numbers) {
        if (x === 0 && y < 0) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
        const result = x ** y;
        return floats || y < 0 ? pyFloat(result) : result;
      }
      break;
  }
  throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${pyTypeName(left)}' and '${pyTypeName(right)}'`);
}

/** Unary `-` and `+`. */
export function unaryOperator(op: string, value: unknown, name: string): unknown {
  if (value === undefined) throw undefinedError(name);
  const n = numberValue(value);
  if (n !== undefined) {
    const result = op === '-' ? -n : n;
    return isFloat(value) ? pyFloat(result) : result === 0 ? 0 : result;
  }
  if (value instanceof PyTimedelta) return new PyTimedelta(op === '-' ? -value.ms : value.ms);
  if (value instanceof PyRelativeDelta) return op === '-' ? value.negated() : value;
  throw new PyError('TypeError', `bad operand type for unary ${op}: '${pyTypeName(value)}'`);
}

/** `a ~ b`: both printed and joined. */
export function concat(left: unknown, right: unknown, leftName: string, rightName: string): string {
  if (left === undefined) throw undefinedError(leftName);
  if (right === undefined) throw undefinedError(rightName);
  return pyStr(left) + pyStr(right);
}

/** A chain of comparisons (`a < b <= c`), each with Python's meaning. */
export function compare(values: unknown[], operators: string[], names: string[]): boolean {
  values.forEach((value, i) => {
    if (value === undefined) throw undefinedError(names[i]);
  });
  return operators.every((op, i) => {
    const [a, b] = [values[i], values[i + 1]];
    switch (op) {
      case '==': return pyEquals(a, b);
      case '!=': return !pyEquals(a, b);
      case '<': return pyOrder(a, b, op) < 0;
      case '>': return pyOrder(a, b, op) > 0;
      case '<=': return pyOrder(a, b, op) <= 0;
      default: return pyOrder(a, b, op) >= 0;
    }
  });
}

/** `needle in haystack`. */
export function contains(needle: unknown, haystack: unknown, needleName: string, haystackName: string): boolean {
  if (needle === undefined) throw undefinedError(needleName);
  if (haystack === undefined) throw undefinedError(haystackName);
  if (typeof haystack === 'string') {
    if (typeof needle !== 'string') throw new PyError('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(needle)}`);
    return haystack.includes(needle);
  }
  if (isDict(haystack)) return typeof needle === 'string' && needle !== '__keywords' && own(haystack, needle);
  if (Array.isArray(haystack) || haystack instanceof PyIterator) return pyIterate(haystack).some((item) => pyEquals(item, needle));
  throw new PyError('TypeError', `argument of type '${pyTypeName(haystack)}' is not iterable`);
}

/** Unpacking `a, b = value`: exactly as many items as names. */
export function unpack(value: unknown, count: number): unknown[] {
  const items = pyIterate(value);
  if (items.length > count) throw new PyError('ValueError', `too many values to unpack (expected ${count})`);
  if (items.length < count) throw new PyError('ValueError', `not enough values to unpack (expected ${count}, got ${items.length})`);
  return items;
}

/** What a `for` loop visits; with several loop names, each item unpacked. */
export function loopItems(value: unknown, names: number, description: string): unknown[] {
  if (value === undefined) throw undefinedError(description);
  const items = pyIterate(value);
  return names > 1 ? items.map((item) => unpack(item, names)) : items;
}

/** Calling a value from a template, as nunjucks' callWrap but with Python's errors. */
export function call(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  const described = name.replace(/\["([^"]*)"\]/g, '.$1');
  if (fn === undefined) throw undefinedError(described);
  if (typeof fn !== 'function') throw new PyError('TypeError', `'${pyTypeName(fn)}' object is not callable`);
  return fn.apply(context, args);
}
