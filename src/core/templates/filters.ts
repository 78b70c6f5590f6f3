// Jinja's built-in filters, tests and globals (jinja2 3.1 filters.py, tests.py, defaults.py) with
// their Python semantics, plus Airflow's date filters (airflow/templates.py). The handful of Jinja
// filters the preview does not model fail with a clear error instead of nunjucks' look-alikes.
import { randomDraw } from './macros';
import { formatValue, percentFormat, pyRound } from './pyformat';
import {
  dictKeys, describeCallable, generator, isDict, isFloat, keywordArguments, makeTuple, numberValue, PyDate, PyDateTime, PyError, pyEquals, PyFloat,
  pyFloat, pyIterate, PyIterator, pyJsonDumps, pyLen, PyNamedTuple, PyNamespace, pyOrder, PyRange, pyRepr, pyStr, PyTuple, pyTypeName, setItem,
} from './pyobjects';
import { attributeLookup, center, contains, Cycler, memberLookup, pyTruthy, splitLines, undefinedError } from './pyruntime';

export type Filter = (value: unknown, ...args: unknown[]) => unknown;
export type Test = (value: unknown, ...args: unknown[]) => boolean;

/** What the filters need of the environment: `map('upper')` calls a filter, `select('odd')` a test. */
export interface Registry {
  filter(name: string): Filter;
  test(name: string): Test;
  hasFilter(name: string): boolean;
  hasTest(name: string): boolean;
}

/** A filter's arguments bound to Python parameter names: positional first, then keywords. */
function bind(name: string, args: readonly unknown[], parameters: readonly (readonly [string, unknown])[]): unknown[] {
  const keywords = keywordArguments([...args]);
  const positional = args.filter((a) => a !== keywords);
  if (positional.length > parameters.length) throw new PyError('TypeError', `${name}() takes at most ${parameters.length + 1} arguments (${positional.length + 1} given)`);
  const bound = parameters.map(([, fallback], i) => (i < positional.length ? positional[i] : fallback));
  for (const key of dictKeys(keywords)) {
    const index = parameters.findIndex(([parameter]) => parameter === key);
    if (index < 0) throw new PyError('TypeError', `${name}() got an unexpected keyword argument '${key}'`);
    if (index < positional.length) throw new PyError('TypeError', `${name}() got multiple values for argument '${key}'`);
    bound[index] = keywords[key];
  }
  return bound;
}

/** The positional and keyword arguments of the filters that pass them on (`map`, `select`). */
function splitArguments(args: readonly unknown[]): [unknown[], Record<string, unknown>] {
  const keywords = keywordArguments([...args]);
  return [args.filter((a) => a !== keywords), keywords];
}

function withKeywords(args: readonly unknown[], keywords: Record<string, unknown>): unknown[] {
  return dictKeys(keywords).length ? [...args, keywords] : [...args];
}

const truthy = (value: unknown) => pyTruthy(value, 'value');

/** `str(value)` for filters that take strings (`upper`, `replace`...): Jinja's soft_str. */
const text = (value: unknown) => pyStr(value);

function int(value: unknown, name: string): number {
  const n = numberValue(value);
  if (n === undefined || isFloat(value)) throw new PyError('TypeError', `'${pyTypeName(value)}' object cannot be interpreted as an integer (${name})`);
  return n;
}

/** Jinja's make_attrgetter: `attribute='user.name'` or `'0'`, item lookup first, `default` for a missing one. */
function attributeGetter(attribute: unknown, fallback: unknown = null, lowercase = false): (item: unknown) => unknown {
  const parts = attribute === null || attribute === undefined ? [] : typeof attribute === 'string' ? attribute.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [attribute];
  return (item) => {
    let value = item;
    for (const part of parts) {
      value = memberLookup(value, part);
      if (value === undefined && fallback !== null) value = fallback;
    }
    return lowercase && typeof value === 'string' ? value.toLowerCase() : value;
  };
}

/** Sorting keys of several comma-separated attributes (`sort(attribute='a,b')`). */
function multiAttributeGetter(attribute: unknown, lowercase: boolean): (item: unknown) => unknown {
  if (typeof attribute !== 'string' || !attribute.includes(',')) return attributeGetter(attribute, null, lowercase);
  const getters = attribute.split(',').map((a) => attributeGetter(a, null, lowercase));
  return (item) => getters.map((get) => get(item));
}

function sorted(items: readonly unknown[], key: (item: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = items.map((item) => ({ item, key: key(item) }));
  keyed.sort((a, b) => (reverse ? -1 : 1) * pyOrder(a.key, b.key, '<'));
  return keyed.map((k) => k.item);
}

/** Python's `int(text, base)`: whitespace, a sign, digits with single underscores, a matching prefix. */
function parseInt(textValue: string, base: number): number | undefined {
  const match = /^[\s]*([-+]?)(0[xX]|0[oO]|0[bB])?([0-9a-zA-Z](?:_?[0-9a-zA-Z])*)[\s]*$/.exec(textValue);
  if (!match) return undefined;
  const [, sign, prefix, digits] = match;
  const prefixBase = prefix ? { x: 16, o: 8, b: 2 }[prefix[1].toLowerCase() as 'x' | 'o' | 'b'] : undefined;
  const radix = base === 0 ? prefixBase ?? 10 : base;
  if (prefix && prefixBase !== radix) return undefined;
  const clean = digits.replace(/_/g, '');
  if (base === 0 && !prefix && /^0+[1-9]/.test(clean)) return undefined;
  const valid = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix);
  if (![...clean.toLowerCase()].every((c) => valid.includes(c))) return undefined;
  const n = Number.parseInt(clean, radix);
  return sign === '-' ? -n : n;
}

/** Python's `float(text)`: decimal and exponent forms, `inf`/`nan`, underscores between digits. */
function parseFloat(textValue: string): number | undefined {
  const trimmed = textValue.trim();
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(trimmed);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][-+]?\d(?:_?\d)*)?$/.test(trimmed)) return undefined;
  return Number(trimmed.replace(/_/g, ''));
}

/** Python's `float(value)`, undefined where Python raises TypeError or ValueError. */
function toFloat(value: unknown): number | undefined {
  if (typeof value === 'string') return parseFloat(value);
  return numberValue(value);
}

/** Jinja's `int` filter: `int(value)`, else `int(float(value))`, else the default (0). */
function intFilter(value: unknown, ...args: unknown[]): unknown {
  const [fallback, baseValue] = bind('int', args, [['default', 0], ['base', 10]]);
  const base = int(baseValue, 'base');
  const direct = typeof value === 'string' ? parseInt(value, base) : isFloat(value) ? undefined : numberValue(value);
  if (direct !== undefined) return direct;
  const float = toFloat(value);
  if (float === undefined || Number.isNaN(float)) return fallback;
  if (!Number.isFinite(float)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
  return Math.trunc(float) || 0;
}

function escapeHtml(value: unknown): string {
  return text(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

/** urllib's `quote`: UTF-8 percent-encoding of everything but letters, digits, `_.-~` and `safe`. */
function urlQuote(value: unknown, forQueryString: boolean): string {
  const safe = forQueryString ? '' : '/';
  const bytes = new TextEncoder().encode(text(value));
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~]/.test(ch) || safe.includes(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return forQueryString ? out.replace(/%20/g, '+') : out;
}

/** The named tuple `groupby` yields, `(grouper, list)`; Jinja makes it print as a plain tuple. */
function groupTuple(grouper: unknown, items: unknown[]): PyNamedTuple {
  return PyNamedTuple.make(['grouper', 'list'], [grouper, items]);
}

/** Airflow's date filters: None stays None, anything without strftime/isoformat fails as in Python. */
function dateFilter(render: (value: PyDateTime | PyDate) => string, needs: string): Filter {
  return (value) => {
    if (value === null) return null;
    if (value instanceof PyDateTime || value instanceof PyDate) return render(value);
    throw new PyError('AttributeError', `'${pyTypeName(value)}' object has no attribute '${needs}'`);
  };
}

/** Jinja's filters whose output the preview does not reproduce: they fail with this message. */
const UNSUPPORTED_FILTERS = ['striptags', 'urlize', 'wordwrap', 'xmlattr'];

/** The repr `pprint.pformat` gives (dict keys sorted), for values that fit its 80 columns on one line. */
function prettyRepr(value: unknown): string {
  const sortedDicts = (v: unknown): unknown => {
    if (isDict(v)) return Object.fromEntries(dictKeys(v).sort().map((k) => [k, sortedDicts(v[k])]));
    if (v instanceof PyTuple) return makeTuple(v.map(sortedDicts));
    return Array.isArray(v) && v.constructor === Array ? v.map(sortedDicts) : v;
  };
  const repr = pyRepr(sortedDicts(value));
  if (repr.length > 80) throw new Error('the pprint filter on values longer than 80 characters (which pprint wraps) is not supported by the template preview');
  return repr;
}

/** Jinja's filters, Python-faithful; `registry` resolves the filter and test names of `map`, `select`... */
export function jinjaFilters(registry: Registry): Record<string, Filter> {
  const selectOrReject = (value: unknown, args: unknown[], keep: boolean, byAttribute: boolean): PyIterator => generator('select_or_reject', () => {
    if (!truthy(value)) return [];
    const [positional, keywords] = splitArguments(args);
    let transform = (item: unknown) => item;
    if (byAttribute) {
      if (positional.length === 0) throw new PyError('FilterArgumentError', 'Missing parameter for attribute name');
      transform = attributeGetter(positional.shift());
    }
    const testName = positional.shift();
    const test = testName === undefined ? truthy : (item: unknown) => registry.test(String(testName))(item, ...withKeywords(positional, keywords));
    return pyIterate(value).filter((item) => test(transform(item)) === keep);
  });

  const filters: Record<string, Filter> = {
    abs: (value) => {
      const n = numberValue(value);
      if (n === undefined) throw new PyError('TypeError', `bad operand type for abs(): '${pyTypeName(value)}'`);
      return isFloat(value) ? pyFloat(Math.abs(n)) : Math.abs(n);
    },
    attr: (value, ...args) => {
      const [name] = bind('attr', args, [['name', undefined]]);
      return attributeLookup(value, text(name));
    },
    batch: (value, ...args) => {
      const [count, fill] = bind('batch', args, [['linecount', undefined], ['fill_with', null]]);
      const size = int(count, 'linecount');
      return generator('do_batch', () => {
        const out: unknown[][] = [];
        for (const item of pyIterate(value)) {
          if (out.length === 0 || out[out.length - 1].length === size) out.push([]);
          out[out.length - 1].push(item);
        }
        const last = out[out.length - 1];
        if (last && fill !== null) while (last.length < size) last.push(fill);
        return out;
      });
    },
    capitalize: (value) => {
      const s = text(value);
      return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    },
    center: (value, ...args) => center(text(value), int(bind('center', args, [['width', 80]])[0], 'width')),
    count: (value) => pyLen(value),
    dictsort: (value, ...args) => {
      const [caseSensitive, by, reverse] = bind('dictsort', args, [['case_sensitive', false], ['by', 'key'], ['reverse', false]]);
      if (by !== 'key' && by !== 'value') throw new PyError('FilterArgumentError', 'You can only sort by either "key" or "value"');
      if (!isDict(value)) throw new PyError('AttributeError', `'${pyTypeName(value)}' object has no attribute 'items'`);
      const position = by === 'key' ? 0 : 1;
      const items = dictKeys(value).map((k) => makeTuple([k, value[k]]));
      return sorted(items, (item) => {
        const key = (item as PyTuple)[position];
        return !truthy(caseSensitive) && typeof key === 'string' ? key.toLowerCase() : key;
      }, truthy(reverse));
    },
    escape: (value) => escapeHtml(value),
    filesizeformat: (value, ...args) => {
      const [binary] = bind('filesizeformat', args, [['binary', false]]);
      const bytes = toFloat(value);
      if (bytes === undefined) throw new PyError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
      const base = truthy(binary) ? 1024 : 1000;
      const prefixes = truthy(binary) ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
      if (bytes === 1) return '1 Byte';
      if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
      let unit = base;
      for (let i = 0; i < prefixes.length; i++) {
        unit = base ** (i + 2);
        if (bytes < unit || i === prefixes.length - 1) return `${formatValue((base * bytes) / unit, '.1f')} ${prefixes[i]}`;
      }
      return '';
    },
    first: (value) => pyIterate(value)[0],
    float: (value, ...args) => {
      const [fallback] = bind('float', args, [['default', new PyFloat(0)]]);
      const n = toFloat(value);
      return n === undefined ? fallback : pyFloat(n);
    },
    forceescape: (value) => escapeHtml(value),
    format: (value, ...args) => {
      const [positional, keywords] = splitArguments(args);
      if (positional.length && dictKeys(keywords).length) throw new PyError('FilterArgumentError', "can't handle positional and keyword arguments at the same time");
      return percentFormat(text(value), dictKeys(keywords).length ? Object.fromEntries(dictKeys(keywords).map((k) => [k, keywords[k]])) : makeTuple(positional));
    },
    groupby: (value, ...args) => {
      const [attribute, fallback, caseSensitive] = bind('groupby', args, [['attribute', undefined], ['default', null], ['case_sensitive', false]]);
      const lowercase = !truthy(caseSensitive);
      const key = attributeGetter(attribute, fallback, lowercase);
      const groups: PyNamedTuple[] = [];
      for (const item of sorted(pyIterate(value), key, false)) {
        const last = groups[groups.length - 1];
        if (last && pyEquals(last[0], key(item))) (last[1] as unknown[]).push(item);
        else groups.push(groupTuple(key(item), [item]));
      }
      // Grouping ignores case, but the grouper shown is the first item's own value.
      const shown = attributeGetter(attribute, fallback);
      return lowercase ? groups.map((g) => groupTuple(shown((g[1] as unknown[])[0]), g[1] as unknown[])) : groups;
    },
    indent: (value, ...args) => {
      const [width, first, blank] = bind('indent', args, [['width', 4], ['first', false], ['blank', false]]);
      const indention = typeof width === 'string' ? width : ' '.repeat(int(width, 'width'));
      // Jinja appends a newline before splitting, so a trailing newline is not kept.
      const lines = splitLines(`${text(value)}\n`);
      let out = truthy(blank)
        ? lines.join(`\n${indention}`)
        : [lines[0], ...lines.slice(1).map((line) => (line ? indention + line : line))].join('\n');
      if (truthy(first)) out = indention + out;
      return out;
    },
    int: intFilter,
    items: (value) => {
      if (value === undefined) return generator('do_items', () => []);
      if (!isDict(value)) throw new PyError('TypeError', 'Can only get item pairs from a mapping.');
      return generator('do_items', () => dictKeys(value).map((k) => makeTuple([k, value[k]])));
    },
    join: (value, ...args) => {
      const [separator, attribute] = bind('join', args, [['d', ''], ['attribute', null]]);
      const items = pyIterate(value);
      const get = attribute === null ? (item: unknown) => item : attributeGetter(attribute);
      return items.map((item) => text(get(item))).join(text(separator));
    },
    last: (value) => {
      if (value instanceof PyIterator) throw new PyError('TypeError', `'${value.typeName}' object is not reversible`);
      const items = pyIterate(value);
      return items[items.length - 1];
    },
    length: (value) => pyLen(value),
    list: (value) => [...pyIterate(value)],
    lower: (value) => text(value).toLowerCase(),
    map: (value, ...args) => generator('sync_do_map', () => {
      if (!truthy(value)) return [];
      const [positional, keywords] = splitArguments(args);
      let apply: (item: unknown) => unknown;
      if (positional.length === 0 && 'attribute' in keywords) {
        const { attribute, default: fallback = null, __keywords: _marker, ...rest } = keywords;
        const unexpected = Object.keys(rest)[0];
        if (unexpected !== undefined) throw new PyError('FilterArgumentError', `Unexpected keyword argument ${pyRepr(unexpected)}`);
        apply = attributeGetter(attribute, fallback);
      } else {
        if (positional.length === 0) throw new PyError('FilterArgumentError', 'map requires a filter argument');
        const [name, ...rest] = positional;
        const filter = registry.filter(String(name));
        apply = (item) => filter(item, ...withKeywords(rest, keywords));
      }
      return pyIterate(value).map(apply);
    }),
    max: (value, ...args) => extreme(value, args, 'max'),
    min: (value, ...args) => extreme(value, args, 'min'),
    pprint: (value) => prettyRepr(value),
    random: (value) => {
      const items = typeof value === 'string' || Array.isArray(value) ? pyIterate(value) : undefined;
      if (!items) throw new PyError('TypeError', `object of type '${pyTypeName(value)}' has no len()`);
      return items.length ? items[Math.floor(randomDraw() * items.length)] : undefined;
    },
    reject: (value, ...args) => selectOrReject(value, args, false, false),
    rejectattr: (value, ...args) => selectOrReject(value, args, false, true),
    replace: (value, ...args) => {
      const [old, replacement, count] = bind('replace', args, [['old', undefined], ['new', undefined], ['count', null]]);
      const method = memberLookup(text(value), 'replace') as (...a: unknown[]) => unknown;
      return count === null ? method(text(old), text(replacement)) : method(text(old), text(replacement), count);
    },
    reverse: (value) => {
      if (typeof value === 'string') return [...value].reverse().join('');
      if (value instanceof PyIterator) return value.take().reverse();
      const items = [...pyIterate(value)].reverse();
      const iteratorType = value instanceof PyRange ? 'range_iterator' : Array.isArray(value) && value.constructor === Array ? 'list_reverseiterator' : isDict(value) ? 'dict_reversekeyiterator' : 'reversed';
      return new PyIterator(() => items, iteratorType, `${iteratorType} object`);
    },
    round: (value, ...args) => {
      const [precision, method] = bind('round', args, [['precision', 0], ['method', 'common']]);
      const places = int(precision, 'precision');
      if (method === 'common') return pyRound(value, places);
      if (method !== 'ceil' && method !== 'floor') throw new PyError('FilterArgumentError', 'method must be common, ceil or floor');
      const n = numberValue(value);
      if (n === undefined) throw new PyError('TypeError', `must be real number, not ${pyTypeName(value)}`);
      const scale = 10 ** places;
      return pyFloat((method === 'ceil' ? Math.ceil(n * scale) : Math.floor(n * scale)) / scale);
    },
    safe: (value) => text(value),
    select: (value, ...args) => selectOrReject(value, args, true, false),
    selectattr: (value, ...args) => selectOrReject(value, args, true, true),
    slice: (value, ...args) => {
      const [countValue, fill] = bind('slice', args, [['slices', undefined], ['fill_with', null]]);
      const slices = int(countValue, 'slices');
      return generator('sync_do_slice', () => {
        const items = pyIterate(value);
        const perSlice = Math.floor(items.length / slices);
        const withExtra = items.length % slices;
        const out: unknown[][] = [];
        let offset = 0;
        for (let n = 0; n < slices; n++) {
          const start = offset + n * perSlice;
          if (n < withExtra) offset++;
          const part = items.slice(start, offset + (n + 1) * perSlice);
          if (fill !== null && n >= withExtra) part.push(fill);
          out.push(part);
        }
        return out;
      });
    },
    sort: (value, ...args) => {
      const [reverse, caseSensitive, attribute] = bind('sort', args, [['reverse', false], ['case_sensitive', false], ['attribute', null]]);
      return sorted(pyIterate(value), multiAttributeGetter(attribute, !truthy(caseSensitive)), truthy(reverse));
    },
    string: (value) => text(value),
    sum: (value, ...args) => {
      const [attribute, start] = bind('sum', args, [['attribute', null], ['start', 0]]);
      const get = attribute === null ? (item: unknown) => item : attributeGetter(attribute);
      return pyIterate(value).reduce((total, item) => add(total, get(item)), start);
    },
    title: (value) => text(value).split(/([-\s({[<]+)/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1).toLowerCase()).join(''),
    tojson: (value, ...args) => {
      const [indent] = bind('tojson', args, [['indent', null]]);
      return pyJsonDumps(value, { sortKeys: true, indent: indent as number | string | null })
        .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
    },
    trim: (value, ...args) => {
      const [chars] = bind('trim', args, [['chars', null]]);
      return (memberLookup(text(value), 'strip') as (...a: unknown[]) => unknown)(...(chars === null ? [] : [chars]));
    },
    truncate: (value, ...args) => {
      const [lengthValue, killwords, end, leewayValue] = bind('truncate', args, [['length', 255], ['killwords', false], ['end', '...'], ['leeway', null]]);
      const s = [...text(value)];
      const length = int(lengthValue, 'length');
      const ending = text(end);
      // Jinja's default policy truncate.leeway is 5: strings at most 5 characters too long stay whole.
      const leeway = leewayValue === null ? 5 : int(leewayValue, 'leeway');
      if (length < ending.length) throw new PyError('AssertionError', `expected length >= ${ending.length}, got ${length}`);
      if (leeway < 0) throw new PyError('AssertionError', `expected leeway >= 0, got ${leeway}`);
      if (s.length <= length + leeway) return s.join('');
      const kept = s.slice(0, length - ending.length).join('');
      if (truthy(killwords)) return kept + ending;
      const lastSpace = kept.lastIndexOf(' ');
      return (lastSpace < 0 ? kept : kept.slice(0, lastSpace)) + ending;
    },
    unique: (value, ...args) => {
      const [caseSensitive, attribute] = bind('unique', args, [['case_sensitive', false], ['attribute', null]]);
      return generator('sync_do_unique', () => {
        const key = attributeGetter(attribute, null, !truthy(caseSensitive));
        const seen: unknown[] = [];
        return pyIterate(value).filter((item) => {
          const k = key(item);
          if (seen.some((s) => pyEquals(s, k))) return false;
          seen.push(k);
          return true;
        });
      });
    },
    upper: (value) => text(value).toUpperCase(),
    urlencode: (value) => {
      if (typeof value === 'string' || (!Array.isArray(value) && !isDict(value) && !(value instanceof PyIterator))) return urlQuote(value, false);
      const pairs = isDict(value) ? dictKeys(value).map((k) => [k, value[k]]) : pyIterate(value).map((pair) => pyIterate(pair));
      return pairs.map(([k, v]) => `${urlQuote(k, true)}=${urlQuote(v, true)}`).join('&');
    },
    wordcount: (value) => (text(value).match(/[\p{L}\p{N}_]+/gu) ?? []).length,
    ds: dateFilter((v) => v.strftime('%Y-%m-%d'), 'strftime'),
    ds_nodash: dateFilter((v) => v.strftime('%Y%m%d'), 'strftime'),
    ts: dateFilter((v) => v.isoformat(), 'isoformat'),
    ts_nodash: dateFilter((v) => v.strftime('%Y%m%dT%H%M%S'), 'strftime'),
    ts_nodash_with_tz: dateFilter((v) => v.isoformat().replace(/[-:]/g, ''), 'isoformat'),
  };
  // Every filter but `default` fails on an undefined value, as StrictUndefined does when used.
  for (const [name, filter] of Object.entries(filters)) {
    filters[name] = name === 'items' ? filter : (value, ...args) => {
      if (value === undefined) throw undefinedError('value');
      return filter(value, ...args);
    };
  }
  filters.default = (value, ...args) => {
    const [fallback, boolean] = bind('default', args, [['default_value', ''], ['boolean', false]]);
    return value === undefined || (truthy(boolean) && !truthy(value)) ? fallback : value;
  };
  filters.d = filters.default;
  filters.e = filters.escape;
  for (const name of UNSUPPORTED_FILTERS) {
    filters[name] = () => {
      throw new Error(`the '${name}' filter is not supported by the template preview`);
    };
  }
  return filters;
}

function add(total: unknown, item: unknown): unknown {
  const x = numberValue(total);
  const y = numberValue(item);
  if (x === undefined || y === undefined) throw new PyError('TypeError', `unsupported operand type(s) for +: '${pyTypeName(total)}' and '${pyTypeName(item)}'`);
  return isFloat(total) || isFloat(item) ? pyFloat(x + y) : x + y;
}

/** `min` and `max`: the first smallest or largest item, strings compared without case by default. */
function extreme(value: unknown, args: unknown[], which: 'min' | 'max'): unknown {
  const [caseSensitive, attribute] = bind(which, args, [['case_sensitive', false], ['attribute', null]]);
  const key = attributeGetter(attribute, null, !truthy(caseSensitive));
  const items = pyIterate(value);
  if (items.length === 0) return undefined;
  return items.reduce((best, item) => {
    const order = pyOrder(key(item), key(best), which === 'min' ? '<' : '>');
    return (which === 'min' ? order < 0 : order > 0) ? item : best;
  });
}

/** Jinja's tests (`x is defined`, `n is divisibleby(3)`), with Python's values. */
export function jinjaTests(registry: Registry): Record<string, Test> {
  const number = (value: unknown, test: string) => {
    if (value === undefined) throw undefinedError('value');
    const n = numberValue(value);
    if (n === undefined) throw new PyError('TypeError', `the '${test}' test needs a number, not ${pyTypeName(value)}`);
    return n;
  };
  const compare = (op: string) => (a: unknown, b: unknown) => {
    if (a === undefined || b === undefined) throw undefinedError('value');
    const order = op === '==' || op === '!=' ? 0 : pyOrder(a, b, op);
    switch (op) {
      case '==': return pyEquals(a, b);
      case '!=': return !pyEquals(a, b);
      case '<': return order < 0;
      case '<=': return order <= 0;
      case '>': return order > 0;
      default: return order >= 0;
    }
  };
  const tests: Record<string, Test> = {
    odd: (value) => Math.abs(number(value, 'odd') % 2) === 1,
    even: (value) => number(value, 'even') % 2 === 0,
    divisibleby: (value, num) => number(value, 'divisibleby') % number(num, 'divisibleby') === 0,
    defined: (value) => value !== undefined,
    undefined: (value) => value === undefined,
    filter: (value) => typeof value === 'string' && registry.hasFilter(value),
    test: (value) => typeof value === 'string' && registry.hasTest(value),
    none: (value) => value === null,
    boolean: (value) => typeof value === 'boolean',
    false: (value) => value === false,
    true: (value) => value === true,
    integer: (value) => typeof value === 'number' && Number.isInteger(value),
    float: (value) => isFloat(value),
    lower: (value) => (memberLookup(text(value), 'islower') as () => boolean)(),
    upper: (value) => (memberLookup(text(value), 'isupper') as () => boolean)(),
    string: (value) => typeof value === 'string',
    mapping: (value) => isDict(value),
    number: (value) => numberValue(value) !== undefined,
    sequence: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value),
    iterable: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value) || value instanceof PyIterator,
    callable: (value) => typeof value === 'function',
    sameas: (value, other) => value === other,
    escaped: () => false,
    in: (value, seq) => contains(value, seq, 'value', 'seq'),
  };
  const comparisons: [string[], string][] = [
    [['==', 'eq', 'equalto'], '=='], [['!=', 'ne'], '!='], [['>', 'gt', 'greaterthan'], '>'], [['>=', 'ge'], '>='], [['<', 'lt', 'lessthan'], '<'], [['<=', 'le'], '<='],
  ];
  for (const [names, op] of comparisons) for (const name of names) tests[name] = compare(op);
  return tests;
}

/** Jinja's sandbox caps `range()` (jinja2.sandbox.MAX_RANGE). */
const MAX_RANGE = 100_000;

function range(...args: unknown[]): PyRange {
  if (args.length === 0 || args.length > 3) throw new PyError('TypeError', `range expected at most 3 arguments, got ${args.length}`);
  const numbers = args.map((a) => int(a, 'range'));
  const [start, stop, step] = numbers.length === 1 ? [0, numbers[0], 1] : [numbers[0], numbers[1], numbers[2] ?? 1];
  if (step === 0) throw new PyError('ValueError', 'range() arg 3 must not be zero');
  if (Math.max(0, Math.ceil((stop - start) / step)) > MAX_RANGE) {
    throw new PyError('OverflowError', `Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`);
  }
  return PyRange.make(start, stop, step);
}

/** `dict(mapping_or_pairs, **kwargs)`. */
function dict(...args: unknown[]): Record<string, unknown> {
  const [positional, keywords] = splitArguments(args);
  const out: Record<string, unknown> = {};
  if (positional.length > 1) throw new PyError('TypeError', `dict expected at most 1 argument, got ${positional.length}`);
  if (positional.length === 1) {
    const source = positional[0];
    const pairs = isDict(source) ? dictKeys(source).map((k) => [k, source[k]]) : pyIterate(source).map((pair) => pyIterate(pair));
    for (const [key, value] of pairs) {
      if (typeof key !== 'string') throw new Error('dict keys other than strings are not supported by the template preview');
      setItem(out, key, value);
    }
  }
  for (const key of dictKeys(keywords)) setItem(out, key, keywords[key]);
  return out;
}

/** Jinja's default globals, as the sandbox has them, printed as Python prints them. */
export function jinjaGlobals(): Record<string, unknown> {
  return {
    range: describeCallable(range, '<function safe_range>'),
    dict: describeCallable(dict, "<class 'dict'>"),
    cycler: describeCallable((...items: unknown[]) => new Cycler(items), "<class 'jinja2.utils.Cycler'>"),
    joiner: describeCallable((...args: unknown[]) => {
      const [separator] = bind('joiner', args, [['sep', ', ']]);
      let used = false;
      return describeCallable(() => {
        const out = used ? separator : '';
        used = true;
        return out;
      }, '<jinja2.utils.Joiner object>');
    }, "<class 'jinja2.utils.Joiner'>"),
    namespace: describeCallable((...args: unknown[]) => new PyNamespace(dict(...args)), "<class 'jinja2.utils.Namespace'>"),
    lipsum: describeCallable(() => {
      throw new Error('lipsum() is random text; it is not supported by the template preview');
    }, '<function generate_lorem_ipsum>'),
  };
}
