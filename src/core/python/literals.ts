// Decoding of Python literals as CPython reads them, so that ids written with escapes, raw strings,
// implicit concatenation or digit separators evaluate to what Airflow sees.

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** The value of one string literal token (`'a'`, `r"\d"`, `"""doc"""`), or undefined for bytes. */
export function decodeStringLiteral(source: string): string | undefined {
  const prefixMatch = /^[A-Za-z]*/.exec(source);
  const prefix = (prefixMatch ? prefixMatch[0] : '').toLowerCase();
  if (prefix.includes('b')) return undefined;
  let body = source.slice(prefix.length);
  const quote = body.startsWith('"""') || body.startsWith("'''") ? body.slice(0, 3) : body.slice(0, 1);
  body = body.slice(quote.length, body.endsWith(quote) && body.length >= 2 * quote.length ? body.length - quote.length : body.length);
  if (prefix.includes('r')) return body;
  return unescapePython(body);
}

/**
 * Where each character of a string literal's value is written: `offsets[i]` is the offset in
 * `source` of the text that gives value character i (an escape gives one character from several),
 * and the last entry is the offset of the closing quote. Undefined for bytes and f-strings, whose
 * value is not their text. Mirrors decodeStringLiteral.
 */
export function stringValueOffsets(source: string): number[] | undefined {
  const prefix = (/^[A-Za-z]*/.exec(source)?.[0] ?? '').toLowerCase();
  if (prefix.includes('b') || prefix.includes('f')) return undefined;
  const rest = source.slice(prefix.length);
  const quote = rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest.slice(0, 1);
  const start = prefix.length + quote.length;
  const end = rest.endsWith(quote) && rest.length >= 2 * quote.length ? source.length - quote.length : source.length;
  const raw = prefix.includes('r');
  const offsets: number[] = [];
  for (let i = start; i < end; i++) {
    if (raw || source[i] !== '\\' || i + 1 >= end) {
      offsets.push(i);
      continue;
    }
    const escape = i;
    const next = source[++i];
    if (next in SIMPLE_ESCAPES) {
      // A backslash before a newline continues the line and gives no character.
      if (SIMPLE_ESCAPES[next] !== '') offsets.push(escape);
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = source.slice(i + 1, i + 1 + width);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
        // A code point beyond the BMP is two UTF-16 units of the value.
        offsets.push(...(parseInt(hex, 16) > 0xffff ? [escape, escape] : [escape]));
        i += width;
      } else {
        offsets.push(escape, i);
      }
    } else if (/[0-7]/.test(next)) {
      offsets.push(escape);
      i += /^[0-7]{1,3}/.exec(source.slice(i, end))![0].length - 1;
    } else {
      offsets.push(escape, i);
    }
  }
  offsets.push(end);
  return offsets;
}

export function unescapePython(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += width;
      } else {
        out += '\\' + next;
      }
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCharCode(parseInt(octal, 8));
      i += octal.length - 1;
    } else {
      // Unknown escapes are kept as written, as CPython does (with a warning).
      out += '\\' + next;
    }
  }
  return out;
}

/** The value of a Python number literal, or undefined for complex or malformed numbers. */
export function decodeNumberLiteral(source: string): number | undefined {
  const text = source.replace(/_/g, '').toLowerCase();
  if (text.endsWith('j')) return undefined;
  let value: number;
  if (/^0x[0-9a-f]+$/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0o[0-7]+$/.test(text)) value = parseInt(text.slice(2), 8);
  else if (/^0b[01]+$/.test(text)) value = parseInt(text.slice(2), 2);
  else value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
