// Recovery for the most common state of a file being typed: a call whose closing bracket is not
// written yet. Python (and Lezer) read everything after an unclosed `(` as part of that call, so one
// missing `)` would hide every task below it. When a later line goes back to the indentation of the
// line that opened the bracket, that line is taken to start a new statement, and the missing closers
// are inserted before it. The caller keeps the result only if it parses with fewer errors.

/** Text with closing brackets inserted, and where, so that offsets can be mapped back. */
export interface PatchedText {
  readonly text: string;
  /** Offsets in the original text before which characters were inserted, with how many. */
  readonly insertions: readonly { readonly at: number; readonly length: number }[];
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function indentationAt(text: string, lineStart: number): number {
  let i = lineStart;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i - lineStart;
}

/** Returns the patched text, or undefined when no bracket is left open across a dedent. */
export function closeUnfinishedBrackets(text: string): PatchedText | undefined {
  const open: { char: string; indent: number }[] = [];
  const insertions: { at: number; length: number; closers: string }[] = [];
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      lineStart = i + 1;
      i++;
      const indent = indentationAt(text, lineStart);
      const first = text[lineStart + indent];
      const blank = first === undefined || first === '\n' || first === '#' || first === '\r';
      if (open.length > 0 && !blank && !')]}'.includes(first) && indent <= open[0].indent) {
        const closers = open.reverse().map((o) => CLOSER[o.char]).join('');
        open.length = 0;
        // Insert at the end of the previous non-blank line, so the new statement keeps its offsets.
        let at = lineStart - 1;
        while (at > 0 && /\s/.test(text[at - 1])) at--;
        insertions.push({ at, length: closers.length, closers });
      }
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      continue;
    }
    if (ch in CLOSER) open.push({ char: ch, indent: indentationAt(text, lineStart) });
    else if (ch === ')' || ch === ']' || ch === '}') open.pop();
    i++;
  }
  if (insertions.length === 0) return undefined;
  let patched = '';
  let cursor = 0;
  for (const insertion of insertions) {
    patched += text.slice(cursor, insertion.at) + insertion.closers;
    cursor = insertion.at;
  }
  patched += text.slice(cursor);
  return { text: patched, insertions: insertions.map(({ at, length }) => ({ at, length })) };
}

/** The offset after the string literal that starts at `start` (or the end of its line if unterminated). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  const triple = text.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
      continue;
    }
    if (!triple && text[i] === '\n') return i;
    if (text.startsWith(delimiter, i)) return i + delimiter.length;
    i++;
  }
  return i;
}

/** Maps an offset of the patched text back to the original text. */
export function originalOffset(patch: PatchedText, offset: number): number {
  let shift = 0;
  let patchedAt = 0;
  for (const insertion of patch.insertions) {
    patchedAt = insertion.at + shift;
    if (offset <= patchedAt) break;
    // An offset inside inserted closers maps to the insertion point.
    if (offset < patchedAt + insertion.length) return insertion.at;
    shift += insertion.length;
  }
  return offset - shift;
}
