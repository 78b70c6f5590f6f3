import type { Diagnostic, SourceRange } from '../diagnostics';
import type { DictEntry, PyValue } from '../python/values';

/** A keyword argument as written in a call: `retries=3`. */
export interface ArgumentModel {
  readonly name: string;
  readonly value: PyValue;
  /** The keyword; absent for a positional argument such as `DAG("my_dag")`. */
  readonly nameRange?: SourceRange;
  readonly valueRange: SourceRange;
}

/** A TaskGroup, by its full id (`outer.inner`). */
export interface GroupModel {
  readonly groupId: string;
  readonly parentId?: string;
  readonly range: SourceRange;
  readonly defaultArgs: ReadonlyMap<string, DictEntry>;
}

/** A task of a DAG as the file defines it, classic operator or TaskFlow call alike. */
export interface TaskModel {
  readonly taskId: string;
  /** The operator class Airflow instantiates (`BashOperator`), or the TaskFlow decorator (`@task`, `@task.bash`). */
  readonly operator: string;
  readonly kind: 'operator' | 'taskflow';
  /** The call that creates the task. */
  readonly range: SourceRange;
  /** The keyword arguments of the operator call; for TaskFlow, of the decorator and `.override()`. */
  readonly args: readonly ArgumentModel[];
  /** False when a `*`/`**` argument could not be evaluated: it may pass any argument missing from `args`. */
  readonly argsKnown: boolean;
  /** Ids of the direct upstream tasks, sorted: Airflow keeps them as a set. */
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  /** True for `.partial(...).expand(...)` and `.expand(...)`: one task instance per mapped value. */
  readonly mapped: boolean;
  /** The innermost TaskGroup the task was created in. */
  readonly group?: string;
  /** The name the task was first assigned to (`extract = BashOperator(...)`). */
  readonly variable?: { readonly name: string; readonly range: SourceRange };
  /** For TaskFlow tasks: the name of the decorated function. */
  readonly definition?: SourceRange;
  /** For TaskFlow tasks: the arguments of the call, which Airflow passes (and renders) as op_args and op_kwargs. */
  readonly callArguments?: { readonly positional: readonly PyValue[]; readonly keywords: readonly [string, PyValue][] };
}

/** How the DAG is declared: a `DAG(...)` call (with or without `with`) or an `@dag` function. */
export type DagForm = 'constructor' | 'decorator';

export interface DagModel {
  readonly dagId: string;
  readonly form: DagForm;
  /** The `DAG(...)` call, or the whole `@dag`-decorated function. */
  readonly range: SourceRange;
  /** Where the DAG is named: the `DAG(...)` call or the `def` of the decorated function. */
  readonly selectionRange: SourceRange;
  /** The keyword arguments of `DAG(...)` or `@dag(...)`, and `dag_id` when given by position. */
  readonly args: readonly ArgumentModel[];
  /** False when a `*`/`**` argument could not be evaluated: it may pass any argument missing from `args`. */
  readonly argsKnown: boolean;
  /** The evaluated `default_args`, each entry with where its key was written. */
  readonly defaultArgs: ReadonlyMap<string, DictEntry>;
  /** False when `default_args` is given but its value could not be evaluated. */
  readonly defaultArgsKnown: boolean;
  readonly groups: readonly GroupModel[];
  readonly tasks: readonly TaskModel[];
}

/** A name used as a task (in `>>`, `set_upstream`, `chain`...) that the file never defines. */
export interface UndefinedTaskReference {
  readonly name: string;
  readonly range: SourceRange;
}

/** How much work the analysis of a file did, against the limits of `ANALYSIS_LIMITS` (analyze.ts). */
export interface AnalysisWork {
  readonly steps: number;
  readonly loopIterations: number;
  /** True when a limit was reached: the model then lacks what the file creates after that point. */
  readonly exhausted: boolean;
}

/** Everything the static analysis of one file found. */
export interface DagFileModel {
  readonly dags: readonly DagModel[];
  readonly undefinedTaskReferences: readonly UndefinedTaskReference[];
  readonly diagnostics: readonly Diagnostic[];
  readonly work: AnalysisWork;
}

export function argument(owner: { readonly args: readonly ArgumentModel[] }, name: string): ArgumentModel | undefined {
  return owner.args.find((a) => a.name === name);
}

const earlierVersions = new WeakMap<TaskModel | DagModel, TaskModel | DagModel>();

/**
 * The previous analysis' model of the same task, when this one differs from it only in positions
 * (an edit before it moved it), or of the same DAG, when its arguments, default_args and groups
 * differ only in positions. Caches of what is computed from a model's values reuse their entries.
 */
export function earlierVersion<T extends TaskModel | DagModel>(model: T): T | undefined {
  return earlierVersions.get(model) as T | undefined;
}

export function recordEarlierVersion<T extends TaskModel | DagModel>(model: T, earlier: T): void {
  earlierVersions.set(model, earlier);
  // One version back is all a cache needs; a longer chain would keep every version alive.
  earlierVersions.delete(earlier);
}
