// Dynamic task mapping (shared/airflow-semantics.md §5.1, §7.4): the task instances a mapped task
// expands into once its upstream tasks are done — one per element of the expanded list, the
// cartesian product when several arguments are expanded — and the errors Airflow raises for what
// cannot be mapped.
import type { SimDag, SimTask, TaskError } from './types';
import { isXComReference } from './render';
import type { XComStore } from './xcom';

/** `[core] max_map_length`. */
const MAX_MAP_LENGTH = 1024;

const mappingError = (type: string, message: string): { error: TaskError } => ({ error: { type, message, retryable: false } });

function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** An expanded value as the list it maps over; a dict maps over its (key, value) pairs. */
function asList(value: unknown, source: string): unknown[] | { error: TaskError } {
  if (value === null || value === undefined) return mappingError('XComForMappingNotPushed', `${source} did not push XCom for task mapping`);
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && !('__opaque__' in value)) return Object.entries(value);
  return mappingError('UnmappableXComTypePushed', `unmappable return type '${pythonType(value)}'`);
}

function resolve(value: unknown, dag: SimDag, runId: string, store: XComStore): unknown[] | { error: TaskError } {
  if (!isXComReference(value)) return asList(value, 'the expanded argument');
  const { task_id: taskId, key } = value.__xcomarg__;
  return asList(store.get({ dagId: dag.dagId, runId }, taskId, key), taskId);
}

/** The arguments of each mapped task instance, in map-index order. */
export function expandTask(task: SimTask, dag: SimDag, runId: string, store: XComStore): { readonly kwargs: Record<string, unknown>[] } | { readonly error: TaskError } {
  const expand = task.mapped?.expand ?? {};
  let combinations: Record<string, unknown>[];
  if ('__expand_kwargs__' in expand) {
    const list = resolve(expand.__expand_kwargs__, dag, runId, store);
    if (!Array.isArray(list)) return list;
    if (!list.every((item) => item && typeof item === 'object' && !Array.isArray(item))) return mappingError('ValueError', 'expand_kwargs() expects a list of dicts');
    combinations = list as Record<string, unknown>[];
  } else {
    combinations = [{}];
    for (const [name, value] of Object.entries(expand)) {
      const list = resolve(value, dag, runId, store);
      if (!Array.isArray(list)) return list;
      combinations = combinations.flatMap((partial) => list.map((item) => ({ ...partial, [name]: item })));
    }
  }
  if (combinations.length > MAX_MAP_LENGTH) return mappingError('UnmappableXComLengthPushed', `unmappable return value length: ${combinations.length} > ${MAX_MAP_LENGTH}`);
  return { kwargs: combinations };
}

/** The task as one of its mapped instances runs it: TaskFlow puts the values in op_kwargs, operators in their arguments. */
export function mappedInstanceTask(task: SimTask, kwargs: Record<string, unknown>): SimTask {
  const fields = { ...task.templateFields };
  if (task.operator.startsWith('@')) {
    const opKwargs = fields.op_kwargs && typeof fields.op_kwargs === 'object' && !Array.isArray(fields.op_kwargs) ? fields.op_kwargs : {};
    fields.op_kwargs = { ...opKwargs, ...kwargs };
  } else {
    Object.assign(fields, kwargs);
  }
  return { ...task, templateFields: fields };
}
