// The value a task really gets for an argument (shared/airflow-semantics.md §6.1): its own keyword
// argument wins, then its TaskGroups' default_args from the innermost out, then the DAG's.
import type { Catalog } from '../airflow/catalog';
import { taskParameter } from '../airflow/catalog';
import type { SourceRange } from '../diagnostics';
import type { PyValue } from '../python/values';
import type { DagModel, TaskModel } from './model';

export interface EffectiveArgument {
  readonly value: PyValue;
  /** Where the value comes from. */
  readonly source: 'task' | 'group default_args' | 'DAG default_args' | 'Airflow default';
  readonly range?: SourceRange;
}

export function effectiveArgument(dag: DagModel, task: TaskModel, name: string, catalog?: Catalog): EffectiveArgument | undefined {
  const own = task.args.find((a) => a.name === name);
  if (own) return { value: own.value, source: 'task', range: own.valueRange };
  const parameter = catalog ? taskParameter(catalog, task.operator, name) : undefined;
  // default_args only reach the parameters the operator accepts; Airflow ignores the others.
  if (catalog && (catalog.operators[task.operator] || task.operator.startsWith('@')) && !parameter) return undefined;
  for (let groupId = task.group; groupId !== undefined;) {
    const group = dag.groups.find((g) => g.groupId === groupId);
    const entry = group?.defaultArgs.get(name);
    if (entry) return { value: entry.value, source: 'group default_args', range: entry.valueRange };
    groupId = group?.parentId;
  }
  const entry = dag.defaultArgs.get(name);
  if (entry) return { value: entry.value, source: 'DAG default_args', range: entry.valueRange };
  const literal = parameter?.default ? pythonLiteral(parameter.default) : undefined;
  return literal ? { value: literal, source: 'Airflow default' } : undefined;
}

/** Defaults already read, by repr: every task asks for the same few. */
const literals = new Map<string, PyValue | undefined>();

function pythonLiteral(repr: string): PyValue | undefined {
  if (!literals.has(repr)) literals.set(repr, readPythonLiteral(repr));
  return literals.get(repr);
}

/** The default values the catalogue records as Python reprs: numbers, strings, booleans, None. */
function readPythonLiteral(repr: string): PyValue | undefined {
  if (/^-?\d+$/.test(repr)) return { kind: 'num', value: Number(repr), float: false };
  if (/^-?\d+\.\d*$/.test(repr)) return { kind: 'num', value: Number(repr), float: true };
  if (repr === 'True' || repr === 'False') return { kind: 'bool', value: repr === 'True' };
  if (repr === 'None') return { kind: 'none' };
  const quoted = /^'(.*)'$/.exec(repr);
  return quoted ? { kind: 'str', value: quoted[1] } : undefined;
}
