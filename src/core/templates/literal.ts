// Python's `ast.literal_eval` for the literals a rendered template produces: numbers, strings,
// True/False/None, lists, tuples and dicts. Airflow's native rendering (`render_template_as_native_obj`)
// turns rendered text into Python values this way.
import { makeTuple, pyFloat, setItem } from './pyobjects';

export type Literal = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

export function literalEval(text: string): Literal {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError('not a literal');
  };
  const space = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): unknown => {
    space();
    const ch = text[i];
    if (ch === '[' || ch === '(') return sequence(ch === '[' ? ']' : ')');
    if (ch === '{') return dict();
    if (ch === "'" || ch === '"') return string();
    const word = /^(True|False|None)\b/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    const number = /^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (number && number[0] !== '' && /\d/.test(number[0])) {
      i += number[0].length;
      const n = Number(number[0].replace(/_/g, ''));
      return number[2] !== undefined || number[3] !== undefined ? pyFloat(n) : n;
    }
    return fail();
  };
  const string = (): string => {
    const quote = text[i++];
    let out = '';
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\') {
        const next = text[++i];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else {
        out += text[i];
      }
      i++;
    }
    if (text[i] !== quote) fail();
    i++;
    return out;
  };
  const sequence = (close: string): unknown => {
    i++;
    const items: unknown[] = [];
    let trailingComma = false;
    for (space(); text[i] !== close; space()) {
      items.push(value());
      space();
      trailingComma = text[i] === ',';
      if (trailingComma) i++;
      else if (text[i] !== close) fail();
    }
    i++;
    if (close === ')') return items.length === 1 && !trailingComma ? items[0] : makeTuple(items);
    return items;
  };
  const dict = (): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    for (space(); text[i] !== '}'; space()) {
      const key = value();
      space();
      if (text[i++] !== ':') fail();
      setItem(out, String(key), value());
      space();
      if (text[i] === ',') i++;
      else if (text[i] !== '}') fail();
    }
    i++;
    return out;
  };
  try {
    const result = value();
    space();
    return i === text.length ? { ok: true, value: result } : { ok: false };
  } catch {
    return { ok: false };
  }
}
