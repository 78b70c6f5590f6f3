// Python's number and string formatting, exactly: the format-spec mini-language of `format()` and
// `str.format` (`'{:02d}'.format(5)`, `'{:,.2f}'`, `'{:>8}'`), printf-style `%` formatting, and
// `round()`. Floats are rounded from their exact binary value, half to even, as CPython does.
import {
  floatRepr, isDict, isFloat, numberValue, PyDate, PyDateTime, PyError, PyFloat, pyFloat, pyRepr, pyStr, PyTuple, pyTypeName,
} from './pyobjects';

/** The exact decimal value of a finite double: `|x| = digits × 10^-scale`. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074;
  if (exponentBits !== 0) {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  // m × 2^-k is m × 5^k / 10^k.
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** |x| rounded half to even at 10^-places (places may be negative), as a count of those units. */
function roundedUnits(x: number, places: number): bigint {
  const { digits, scale } = exactDecimal(x);
  const shift = places - scale;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  const quotient = digits / divisor;
  const twice = (digits % divisor) * 2n;
  return twice > divisor || (twice === divisor && quotient % 2n === 1n) ? quotient + 1n : quotient;
}

/** The decimal exponent of |x| (x ≠ 0): `floor(log10(|x|))`, exactly. */
function decimalExponent(x: number): number {
  const { digits, scale } = exactDecimal(x);
  return digits.toString().length - 1 - scale;
}

/** |x| with `places` digits after the point. */
function fixedDigits(x: number, places: number): string {
  const units = roundedUnits(x, places).toString().padStart(places + 1, '0');
  return places > 0 ? `${units.slice(0, -places)}.${units.slice(-places)}` : units;
}

/** |x| in scientific notation with `places` digits after the point: `1.50e+03`. */
function exponentDigits(x: number, places: number, upper: boolean): { text: string; exponent: number } {
  let exponent = x === 0 ? 0 : decimalExponent(x);
  let units = x === 0 ? '0'.repeat(places + 1) : roundedUnits(x, places - exponent).toString();
  if (units.length > places + 1) {
    // Rounding carried into a new digit (9.99 → 10.0): one exponent up.
    exponent += 1;
    units = roundedUnits(x, places - exponent).toString();
  }
  const mantissa = places > 0 ? `${units[0]}.${units.slice(1)}` : units;
  return { text: `${mantissa}${upper ? 'E' : 'e'}${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`, exponent };
}

/** The `g` presentation (and the empty type with a precision, `addDotZero`), as CPython's format_float_short. */
function generalDigits(x: number, precision: number, alternate: boolean, upper: boolean, addDotZero: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const { exponent } = exponentDigits(x, p - 1, upper);
  const scientific = exponent < -4 || exponent >= (addDotZero ? p - 1 : p);
  let text = scientific ? exponentDigits(x, p - 1, upper).text : fixedDigits(x, Math.max(p - 1 - exponent, 0));
  if (!alternate) {
    const [mantissa, exp] = text.split(/(?=[eE])/);
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    text = trimmed + (exp ?? '');
  }
  if (addDotZero && !/[.eE]/.test(text)) text += '.0';
  return text;
}

/** One parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`. */
interface Spec {
  fill: string;
  align: string | undefined;
  sign: string;
  negativeZero: boolean;
  alternate: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function parseSpec(spec: string): Spec {
  const match = SPEC.exec(spec);
  if (!match) throw new PyError('ValueError', 'Invalid format specifier');
  const [, fill, align, sign, z, alternate, zero, width, grouping, precision, type] = match;
  return {
    // A 0 before the width fills with zeros unless a fill is given, even with an explicit alignment.
    fill: fill ?? (zero ? '0' : ' '), align, sign: sign ?? '-', negativeZero: Boolean(z), alternate: Boolean(alternate), zero: Boolean(zero),
    width: width === undefined ? 0 : Number(width), grouping: grouping ?? '', precision: precision === undefined ? undefined : Number(precision), type: type ?? '',
  };
}

/** Thousands separators in the integer part of a digit string. */
function group(digits: string, separator: string, every = 3): string {
  if (!separator) return digits;
  const [whole, fraction] = digits.split(/(?=\.)/);
  const out = whole.replace(new RegExp(`\\B(?=(\\d{${every}})+(?!\\d))`, 'g'), separator);
  return fraction === undefined ? out : out + fraction;
}

/** Sign, fill and alignment around formatted digits, with `=` (and 0-padding) between sign and digits. */
function align(sign: string, body: string, spec: Spec, defaultAlign: string): string {
  const alignment = spec.align ?? (spec.zero && defaultAlign === '>' ? '=' : defaultAlign);
  const length = [...sign].length + [...body].length;
  const padding = Math.max(spec.width - length, 0);
  if (alignment === '=') {
    if (spec.fill === '0' && spec.grouping && /^\d/.test(body)) {
      // Zero padding is grouped like the digits: format(1234, '010,') is 00,001,234.
      let digits = body.replace(/[,_]/g, '');
      while ([...sign].length + group(digits, spec.grouping).length < spec.width) digits = `0${digits}`;
      return sign + group(digits, spec.grouping);
    }
    return sign + spec.fill.repeat(padding) + body;
  }
  const text = sign + body;
  if (alignment === '<') return text + spec.fill.repeat(padding);
  if (alignment === '^') return spec.fill.repeat(Math.floor(padding / 2)) + text + spec.fill.repeat(padding - Math.floor(padding / 2));
  return spec.fill.repeat(padding) + text;
}

function signOf(negative: boolean, spec: Spec): string {
  if (negative) return '-';
  return spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
}

function formatInteger(n: number, spec: Spec): string {
  if (spec.precision !== undefined) throw new PyError('ValueError', 'Precision not allowed in integer format specifier');
  const magnitude = Math.abs(n) < 1e21 ? Math.abs(n).toString() : BigInt(Math.abs(n)).toString();
  let body: string;
  switch (spec.type) {
    case 'x': case 'X': case 'o': case 'b': {
      const radix = spec.type === 'o' ? 8 : spec.type === 'b' ? 2 : 16;
      const digits = BigInt(Math.abs(n)).toString(radix);
      const prefix = spec.alternate ? `0${spec.type}` : '';
      body = prefix + group(spec.type === 'X' ? digits.toUpperCase() : digits, spec.grouping === '_' ? '_' : '', 4);
      if (spec.grouping === ',') throw new PyError('ValueError', `Cannot specify ',' with '${spec.type}'.`);
      break;
    }
    case 'c':
      return align('', String.fromCodePoint(n), spec, '<');
    default:
      body = group(magnitude, spec.grouping);
  }
  return align(signOf(n < 0, spec), body, spec, '>');
}

function formatFloat(x: number, spec: Spec): string {
  const negative = x < 0 || Object.is(x, -0);
  let body: string;
  const precision = spec.precision;
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? 'nan' : 'inf';
    if (spec.type === 'E' || spec.type === 'F' || spec.type === 'G') body = body.toUpperCase();
  } else {
    switch (spec.type) {
      case 'f': case 'F': body = fixedDigits(x, precision ?? 6); break;
      case 'e': case 'E': body = exponentDigits(x, precision ?? 6, spec.type === 'E').text; break;
      case 'g': case 'G': case 'n': body = generalDigits(x, precision ?? 6, spec.alternate, spec.type === 'G', false); break;
      case '%': body = `${fixedDigits(x * 100, precision ?? 6)}%`; break;
      default: body = precision === undefined ? floatRepr(Math.abs(x)) : generalDigits(x, precision, spec.alternate, false, true);
    }
    if (spec.alternate && !body.includes('.') && /^[fF%eE]$/.test(spec.type)) body = body.replace(/^(\d+)/, '$1.');
  }
  // The z option makes a negative zero (after rounding) positive.
  const roundsToZero = /^[0.]*$/.test(body.replace(/[eE][-+]\d+$|%$/, ''));
  const sign = signOf(negative && !(spec.negativeZero && roundsToZero), spec);
  return align(sign, group(body, spec.grouping), spec, '>');
}

/** `format(value, spec)`: the `__format__` of the value's type. */
export function formatValue(value: unknown, specText: string): string {
  if (value instanceof PyDateTime) return value.formatSpec(specText);
  if (value instanceof PyDate) return specText ? value.strftime(specText) : value.toString();
  const n = numberValue(value);
  if (n !== undefined && !(typeof value === 'boolean' && specText === '')) {
    const spec = parseSpec(specText);
    const float = isFloat(value);
    if (spec.type === 's') throw new PyError('ValueError', `Unknown format code 's' for object of type '${pyTypeName(value)}'`);
    if (float || /^[eEfFgG%]$/.test(spec.type)) {
      if (float && /^[bcdoxX]$/.test(spec.type)) throw new PyError('ValueError', `Unknown format code '${spec.type}' for object of type 'float'`);
      return formatFloat(n, spec);
    }
    return formatInteger(n, spec);
  }
  if (typeof value === 'string') {
    const spec = parseSpec(specText);
    if (spec.type && spec.type !== 's') throw new PyError('ValueError', `Unknown format code '${spec.type}' for object of type 'str'`);
    if (spec.sign !== '-' || specText.match(/^(?:[\s\S]?[<>=^])?[-+ ]/)) throw new PyError('ValueError', 'Sign not allowed in string format specifier');
    if (spec.align === '=') throw new PyError('ValueError', "'=' alignment not allowed in string format specifier");
    if (spec.grouping) throw new PyError('ValueError', `Cannot specify '${spec.grouping}' with 's'.`);
    const text = spec.precision === undefined ? value : [...value].slice(0, spec.precision).join('');
    return align('', text, { ...spec, align: spec.align ?? '<' }, '<');
  }
  if (specText === '') return pyStr(value);
  throw new PyError('TypeError', `unsupported format string passed to ${pyTypeName(value)}.__format__`);
}

/** Reads `{0.attr}` and `{0[key]}` in `str.format` fields, through the template sandbox. */
export type FieldLookup = (object: unknown, key: string | number) => unknown;

/** `str.format(*args, **kwargs)` with Python's field syntax, conversions and format specs. */
export function strFormat(template: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, lookup: FieldLookup): string {
  let automatic: boolean | undefined;
  let nextIndex = 0;
  const field = (text: string): unknown => {
    const match = /^([^.[]*)((?:\.[^.[]+|\[[^\]]+\])*)$/.exec(text);
    if (!match) throw new PyError('ValueError', `Invalid field name '${text}'`);
    const [, name, path] = match;
    let value: unknown;
    if (name === '' || /^\d+$/.test(name)) {
      const isAutomatic = name === '';
      if (automatic !== undefined && automatic !== isAutomatic) {
        throw new PyError('ValueError', isAutomatic ? 'cannot switch from manual field specification to automatic field numbering' : 'cannot switch from automatic field numbering to manual field specification');
      }
      automatic = isAutomatic;
      const index = isAutomatic ? nextIndex++ : Number(name);
      if (index >= args.length) throw new PyError('IndexError', `Replacement index ${index} out of range for positional args tuple`);
      value = args[index];
    } else {
      if (!Object.prototype.hasOwnProperty.call(kwargs, name) || name === '__keywords') throw new PyError('KeyError', `'${name}'`);
      value = kwargs[name];
    }
    for (const part of path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? []) {
      const key = part[0] === '.' ? part.slice(1) : part.slice(1, -1);
      value = lookup(value, part[0] === '[' && /^\d+$/.test(key) ? Number(key) : key);
      if (value === undefined) throw new PyError(part[0] === '.' ? 'AttributeError' : 'KeyError', `'${key}'`);
    }
    return value;
  };
  const replace = (text: string, depth: number): string => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '}') {
        if (text[i + 1] !== '}') throw new PyError('ValueError', "Single '}' encountered in format string");
        out += '}';
        i++;
        continue;
      }
      if (ch !== '{') {
        out += ch;
        continue;
      }
      if (text[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      // The field runs to its matching brace: a format spec may hold nested fields (`{:{width}}`).
      let level = 1;
      let j = i + 1;
      for (; j < text.length && level > 0; j++) {
        if (text[j] === '{') level++;
        else if (text[j] === '}') level--;
      }
      if (level > 0) throw new PyError('ValueError', "expected '}' before end of string");
      const body = text.slice(i + 1, j - 1);
      const fieldMatch = /^((?:\[[^\]]*\]|[^!:[])*)(?:!([^:]*))?(?::([\s\S]*))?$/.exec(body)!;
      const [, name, conversion, spec = ''] = fieldMatch;
      if (depth > 1 && spec.includes('{')) throw new PyError('ValueError', 'Max string recursion exceeded');
      let value = field(name);
      if (conversion !== undefined) {
        if (conversion === 'r' || conversion === 'a') value = pyRepr(value);
        else if (conversion === 's') value = pyStr(value);
        else throw new PyError('ValueError', `Unknown conversion specifier ${conversion}`);
      }
      out += formatValue(value, spec.includes('{') ? replace(spec, depth + 1) : spec);
      i = j - 1;
    }
    return out;
  };
  return replace(template, 1);
}

/** printf-style `format % values`: a tuple gives several values, a dict the `%(name)s` ones. */
export function percentFormat(format: string, values: unknown): string {
  const positional = values instanceof PyTuple ? [...values] : [values];
  const mapping = isDict(values) ? values : undefined;
  let index = 0;
  let usedMapping = false;
  const directive = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([\s\S])?/g;
  const out = format.replace(directive, (text, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string | undefined, offset: number) => {
    if (conversion === undefined) throw new PyError('ValueError', 'incomplete format');
    if (conversion === '%' && text === '%%') return '%';
    if (width === '*' || precision === '*') throw new Error("'*' widths in % formatting are not supported by the template preview");
    if (!'diouxXeEfFgGcrsa%'.includes(conversion)) {
      throw new PyError('ValueError', `unsupported format character '${conversion}' (0x${conversion.charCodeAt(0).toString(16)}) at index ${offset + text.length - 1}`);
    }
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw new PyError('TypeError', 'format requires a mapping');
      if (!Object.prototype.hasOwnProperty.call(mapping, key)) throw new PyError('KeyError', `'${key}'`);
      usedMapping = true;
      value = mapping[key];
    } else {
      if (index >= positional.length) throw new PyError('TypeError', 'not enough arguments for format string');
      value = positional[index++];
    }
    // The 0 flag pads numbers only; the - flag (left adjustment) overrides it.
    const numeric = !'sra'.includes(conversion);
    const zeroPadded = numeric && flags.includes('0') && !flags.includes('-');
    const spec: Spec = {
      fill: zeroPadded ? '0' : ' ', align: flags.includes('-') ? '<' : zeroPadded ? '=' : '>', sign: flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '-',
      negativeZero: false, alternate: flags.includes('#'), zero: false, width: width === undefined ? 0 : Number(width), grouping: '',
      precision: precision === undefined ? undefined : Number(precision), type: '',
    };
    const n = numberValue(value);
    switch (conversion) {
      case 's': case 'r': case 'a': {
        const text = conversion === 's' ? pyStr(value) : pyRepr(value);
        return align('', spec.precision === undefined ? text : [...text].slice(0, spec.precision).join(''), spec, '>');
      }
      case 'd': case 'i': case 'u': {
        if (n === undefined) throw new PyError('TypeError', `%${conversion} format: a real number is required, not ${pyTypeName(value)}`);
        const digits = String(Math.abs(Math.trunc(n))).padStart(spec.precision ?? 0, '0');
        return align(signOf(Math.trunc(n) < 0, spec), digits, spec, '>');
      }
      case 'o': case 'x': case 'X': case 'c': {
        if (conversion === 'c' && typeof value === 'string' && [...value].length === 1) return align('', value, spec, '>');
        if (n === undefined || isFloat(value)) throw new PyError('TypeError', `%${conversion} format: an integer is required, not ${pyTypeName(value)}`);
        if (conversion === 'c') return align('', String.fromCodePoint(n), spec, '>');
        const digits = Math.abs(n).toString(conversion === 'o' ? 8 : 16).padStart(spec.precision ?? 0, '0');
        const prefix = spec.alternate ? `0${conversion}` : '';
        return align(signOf(n < 0, spec), prefix + (conversion === 'X' ? digits.toUpperCase() : digits), spec, '>');
      }
      default: {
        if (n === undefined) throw new PyError('TypeError', `must be real number, not ${pyTypeName(value)}`);
        return formatFloat(n, { ...spec, type: conversion, precision: spec.precision ?? 6 });
      }
    }
  });
  const leftover = values instanceof PyTuple ? index < positional.length : !usedMapping && index === 0 && !Array.isArray(values) && !isDict(values);
  if (leftover) throw new PyError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

/** Python's `round(number, ndigits)`: ints stay ints, floats round half to even from their exact value. */
export function pyRound(value: unknown, ndigits: number): number | PyFloat {
  const n = numberValue(value);
  if (n === undefined) throw new PyError('TypeError', `type ${pyTypeName(value)} doesn't define __round__ method`);
  if (!isFloat(value)) {
    if (ndigits >= 0) return n;
    const units = roundedUnits(n, ndigits);
    return Math.sign(n) * Number(`${units}e${-ndigits}`);
  }
  if (!Number.isFinite(n)) return pyFloat(n);
  const units = roundedUnits(n, ndigits);
  const rounded = Number(`${units}e${-ndigits}`);
  return pyFloat(n < 0 || Object.is(n, -0) ? -rounded : rounded);
}
