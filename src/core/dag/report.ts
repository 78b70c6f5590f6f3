// The JSON shapes of `preflight inspect` and `preflight check`, shared by the CLI and the extension.
// Lines and columns are 1-based here, as terminals and CI annotations count them.
import { catalogFor } from '../airflow/catalog';
import type { AirflowVersion } from '../airflow/version';
import type { Diagnostic, Severity } from '../diagnostics';
import * as dates from '../python/dates';
import { LineIndex } from '../python/lines';
import { formatValue, type PyValue } from '../python/values';
import { toEpochMs, utcIso } from '../time/zones';
import { effectiveArgument } from './effective';
import { argument, type DagFileModel, type DagModel, type TaskModel } from './model';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface TaskReport {
  task_id: string;
  operator: string;
  line: number;
  upstream: string[];
  downstream: string[];
  trigger_rule: Json;
  retries: Json;
  mapped: boolean;
  group: string | null;
}

export interface DagReport {
  dag_id: string;
  line: number;
  /** The schedule as written in the file, or null when none is given. */
  schedule: string | null;
  start_date: string | null;
  end_date: string | null;
  catchup: boolean | null;
  tags: Json;
  default_args: { [key: string]: Json } | null;
  callbacks: { [key: string]: string };
  tasks: TaskReport[];
}

export interface DiagnosticReport {
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  severity: Severity;
  code: string;
  message: string;
}

export interface InspectReport {
  file: string;
  airflow: AirflowVersion;
  dags: DagReport[];
  diagnostics: DiagnosticReport[];
}

export function diagnosticReport(file: string, lines: LineIndex, diagnostic: Diagnostic): DiagnosticReport {
  const start = lines.position(diagnostic.range.from);
  const end = lines.position(diagnostic.range.to);
  return {
    file,
    line: start.line + 1,
    column: start.character + 1,
    end_line: end.line + 1,
    end_column: end.character + 1,
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
  };
}

/** A value as JSON: JSON's own types as they are, dates as UTC ISO strings, others as Python writes them. */
export function jsonValue(value: PyValue): Json {
  switch (value.kind) {
    case 'str': case 'num': case 'bool': return value.value;
    case 'none': return null;
    case 'list': return value.items.map(jsonValue);
    case 'dict': return Object.fromEntries([...value.entries].map(([k, e]) => [k, jsonValue(e.value)]));
    case 'datetime': {
      const epoch = toEpochMs(value);
      return epoch === undefined ? formatValue(value)! : utcIso(epoch);
    }
    case 'unknown': return '<unknown>';
    default: return formatValue(value) ?? '<unknown>';
  }
}

const CALLBACKS = ['on_failure_callback', 'on_success_callback', 'on_retry_callback', 'on_execute_callback', 'on_skipped_callback', 'sla_miss_callback'];

function dagReport(dag: DagModel, text: string, lines: LineIndex, airflow: AirflowVersion): DagReport {
  const catalog = catalogFor(airflow);
  const lineOf = (offset: number) => lines.position(offset).line + 1;
  // The DAG's dates as Airflow holds them, in UTC. DAG() takes start_date from default_args too, but
  // end_date only from its own argument (default_args' end_date reaches the tasks, not the DAG).
  // A string is only valid in default_args, where Airflow parses it.
  const date = (name: 'start_date' | 'end_date'): string | null => {
    const own = argument(dag, name)?.value;
    const fromDefaultArgs = name === 'start_date' && !own ? dag.defaultArgs.get(name)?.value : undefined;
    const value = fromDefaultArgs?.kind === 'str' ? dates.pendulumParse({ positional: [fromDefaultArgs], keywords: new Map() }) : own ?? fromDefaultArgs;
    const epoch = value?.kind === 'datetime' ? toEpochMs(value) : undefined;
    return epoch === undefined ? null : utcIso(epoch);
  };
  // What a task or DAG gets when it does not pass an argument, unless unknown `**kwargs` may pass it.
  const unlessPassed = (owner: DagModel | TaskModel, name: string, fallback: () => Json): Json =>
    argument(owner, name) || owner.argsKnown ? fallback() : null;
  const schedule = argument(dag, 'schedule') ?? argument(dag, 'schedule_interval') ?? argument(dag, 'timetable');
  const catchup = argument(dag, 'catchup');
  const callbacks: { [key: string]: string } = {};
  for (const name of CALLBACKS) {
    const value = argument(dag, name)?.value ?? dag.defaultArgs.get(name)?.value;
    const shown = value && formatValue(value);
    if (shown) callbacks[name] = shown;
  }
  return {
    dag_id: dag.dagId,
    line: lineOf(dag.selectionRange.from),
    schedule: schedule ? text.slice(schedule.valueRange.from, schedule.valueRange.to) : null,
    start_date: date('start_date'),
    end_date: date('end_date'),
    // catchup's default is a configuration value: True in Airflow 2.10, False in 3.x (§1.9).
    catchup: catchup ? (catchup.value.kind === 'bool' ? catchup.value.value : null) : dag.argsKnown ? airflow === 2 : null,
    tags: unlessPassed(dag, 'tags', () => jsonValue(argument(dag, 'tags')?.value ?? { kind: 'list', items: [] })),
    default_args: dag.defaultArgsKnown ? Object.fromEntries([...dag.defaultArgs].map(([k, e]) => [k, jsonValue(e.value)])) : null,
    callbacks,
    tasks: dag.tasks.map((task) => ({
      task_id: task.taskId,
      operator: task.operator,
      line: lineOf(task.range.from),
      upstream: [...task.upstream],
      downstream: [...task.downstream],
      trigger_rule: unlessPassed(task, 'trigger_rule', () => jsonValue(effectiveArgument(dag, task, 'trigger_rule', catalog)?.value ?? { kind: 'str', value: 'all_success' })),
      retries: unlessPassed(task, 'retries', () => jsonValue(effectiveArgument(dag, task, 'retries', catalog)?.value ?? { kind: 'num', value: 0, float: false })),
      mapped: task.mapped,
      group: task.group ?? null,
    })),
  };
}

export function inspectReport(file: string, text: string, model: DagFileModel, airflow: AirflowVersion, diagnostics: readonly Diagnostic[]): InspectReport {
  const lines = new LineIndex(text);
  return {
    file,
    airflow,
    dags: model.dags.map((dag) => dagReport(dag, text, lines, airflow)),
    diagnostics: diagnostics.map((d) => diagnosticReport(file, lines, d)),
  };
}
