// What "Run DAG Locally" accepts from a person (input boxes) and from a caller (command arguments,
// which may come from a keybinding's JSON): ISO times with their offset, as the CLI takes them, a
// `dag_run.conf` JSON object, and which runs to simulate. Each check returns the sentence to show.
import type { RunSelection } from './localRun';

/** The selection a command argument names; times are ISO 8601 with their offset. */
export type RunSelectionArgument = 'next' | { readonly date: string } | { readonly from: string; readonly to: string };

/** The third argument of `preflight.runDag`: when given, nothing is asked. */
export interface RunDagArguments {
  readonly selection?: RunSelectionArgument;
  readonly conf?: Readonly<Record<string, unknown>>;
  /** Execute nothing; false (a real run) when not given. */
  readonly dry?: boolean;
  /** Tasks forced to fail, to try alerts and trigger rules. */
  readonly failTasks?: readonly string[];
}

export interface RunChoices {
  readonly selection: RunSelection;
  readonly conf: Readonly<Record<string, unknown>>;
  readonly dry: boolean;
  readonly failTasks: readonly string[];
}

const OFFSET = /(Z|[+-]\d\d:?\d\d)$/;

/** Why `text` is not an ISO 8601 time with its offset, or undefined when it is one. */
export function instantProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(trimmed) || !OFFSET.test(trimmed) || Number.isNaN(Date.parse(trimmed))) {
    return 'An ISO 8601 time with its offset, e.g. 2024-01-01T00:30:00+00:00 or 2024-01-01T09:30:00+09:00';
  }
  return undefined;
}

/** The instant an ISO 8601 time with its offset names; undefined when `instantProblem` objects. */
export function parseInstant(text: string): number | undefined {
  return instantProblem(text) === undefined ? Date.parse(text.trim()) : undefined;
}

/** Why the end of a range is wrong, or undefined when it is a time at or after `from`. */
export function rangeEndProblem(from: number, text: string): string | undefined {
  const to = parseInstant(text);
  if (to === undefined) return instantProblem(text);
  return to < from ? 'The end of the range is before its start' : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `dag_run.conf` from what the user typed: empty is `{}`, anything else must be a JSON object. */
export function parseConf(text: string): { readonly conf: Record<string, unknown> } | { readonly error: string } {
  if (text.trim() === '') return { conf: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return isPlainObject(value) ? { conf: value } : { error: 'dag_run.conf is a JSON object, such as {"key": "value"}' };
}

function selectionFrom(argument: unknown): RunSelection | { readonly error: string } {
  if (argument === undefined || argument === 'next') return { kind: 'next' };
  if (!isPlainObject(argument)) return { error: `selection is 'next', { date } or { from, to }, not ${JSON.stringify(argument)}` };
  if (typeof argument.date === 'string') {
    const logicalDate = parseInstant(argument.date);
    return logicalDate === undefined ? { error: `selection.date: ${instantProblem(argument.date)}` } : { kind: 'date', logicalDate };
  }
  if (typeof argument.from === 'string' && typeof argument.to === 'string') {
    const from = parseInstant(argument.from);
    if (from === undefined) return { error: `selection.from: ${instantProblem(argument.from)}` };
    const problem = rangeEndProblem(from, argument.to);
    return problem ? { error: `selection.to: ${problem}` } : { kind: 'range', from, to: parseInstant(argument.to)! };
  }
  return { error: `selection is 'next', { date } or { from, to }, not ${JSON.stringify(argument)}` };
}

/** The choices a `RunDagArguments` value makes, checked as strictly as the questions would be. */
export function runChoicesFrom(argument: unknown): RunChoices | { readonly error: string } {
  if (!isPlainObject(argument)) return { error: 'The run options are an object such as { "selection": "next", "dry": true }' };
  const selection = selectionFrom(argument.selection);
  if ('error' in selection) return selection;
  if (argument.conf !== undefined && !isPlainObject(argument.conf)) return { error: 'conf is a JSON object' };
  if (argument.dry !== undefined && typeof argument.dry !== 'boolean') return { error: 'dry is true or false' };
  const failTasks = argument.failTasks ?? [];
  if (!Array.isArray(failTasks) || !failTasks.every((t) => typeof t === 'string')) return { error: 'failTasks is a list of task ids' };
  return { selection, conf: (argument.conf as Record<string, unknown> | undefined) ?? {}, dry: argument.dry === true, failTasks };
}
