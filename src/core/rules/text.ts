// Text helpers shared by the rules: the edits their quick fixes make, and the wording of messages.
import type { SourceRange } from '../diagnostics';

/**
 * The new text for a renamed argument or key: a keyword (`retires=`) is written bare, a dict key
 * or a key of a dict passed as `**kwargs` (`"retires": 3`) keeps its prefix and quotes.
 */
export function renamedKey(text: string, range: SourceRange, name: string): string {
  const quoted = /^([rRuU]?)(["'])/.exec(text.slice(range.from, range.to));
  return quoted ? `${quoted[1]}${quoted[2]}${name}${quoted[2]}` : name;
}

/**
 * The range to delete to remove one item of a comma-separated list (an argument, a dict entry, an
 * imported name) with its separator: up to the next item when a comma follows, else from the
 * comma before it, so that the remaining items keep their layout.
 */
export function listItem(text: string, item: SourceRange): SourceRange {
  let after = item.to;
  while (after < text.length && /[ \t]/.test(text[after])) after++;
  if (text[after] === ',') {
    after++;
    while (after < text.length && /\s/.test(text[after])) after++;
    return { from: item.from, to: after };
  }
  let before = item.from;
  while (before > 0 && /\s/.test(text[before - 1])) before--;
  return text[before - 1] === ',' ? { from: before - 1, to: item.to } : item;
}

/** The whole lines the range `from..to` is written on, with the last line break. */
export function wholeLines(text: string, range: SourceRange): SourceRange {
  const from = text.lastIndexOf('\n', range.from - 1) + 1;
  const lineEnd = text.indexOf('\n', range.to);
  return { from, to: lineEnd < 0 ? text.length : lineEnd + 1 };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
