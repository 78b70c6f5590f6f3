// Go to definition: from a task variable to the call that creates the task, from a TaskFlow call to
// its decorated function, and from a python_callable or callback to its function, in this file or
// in an imported module of the workspace.
import type { CheckedFile } from '../check';
import type { SourceRange } from '../diagnostics';
import type { PyValue } from '../python/values';

export interface Location {
  /** The file of the definition; absent for the file asked about. */
  readonly file?: string;
  readonly range: SourceRange;
}

const contains = (range: SourceRange, offset: number) => range.from <= offset && offset <= range.to;

function wordAt(text: string, offset: number): SourceRange | undefined {
  let from = offset;
  let to = offset;
  while (from > 0 && /\w/.test(text[from - 1])) from--;
  while (to < text.length && /\w/.test(text[to])) to++;
  return from < to ? { from, to } : undefined;
}

function functionLocation(value: PyValue): Location | undefined {
  return value.kind === 'function' ? { file: value.file, range: value.range } : undefined;
}

export function definitionAt(file: CheckedFile, offset: number): Location | undefined {
  const word = wordAt(file.text, offset);
  if (!word) return undefined;
  const name = file.text.slice(word.from, word.to);
  for (const dag of file.model.dags) {
    const values = [
      ...dag.args.map((a) => ({ value: a.value, range: a.valueRange })),
      ...[...dag.defaultArgs.values()].map((e) => ({ value: e.value, range: e.valueRange })),
      ...dag.tasks.flatMap((t) => t.args.map((a) => ({ value: a.value, range: a.valueRange }))),
    ];
    for (const { value, range } of values) {
      if (range && contains(range, offset)) {
        const location = functionLocation(value);
        if (location) return location;
      }
    }
    for (const task of dag.tasks) {
      // A TaskFlow call: its callee names the decorated function.
      if (task.kind === 'taskflow' && task.definition && contains(task.range, offset) && word.from === task.range.from) return { range: task.definition };
      // A task variable used elsewhere: the call that creates the task.
      if (task.variable?.name === name && !contains(task.variable.range, offset)) return { range: task.range };
    }
  }
  return undefined;
}
