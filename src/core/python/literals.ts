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
