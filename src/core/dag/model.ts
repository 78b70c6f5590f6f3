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

/** The span an edit replaced, in the earlier text's offsets, and how far it moved what follows. */
export interface EditShift {
  readonly fromA: number;
  readonly toA: number;
  readonly shift: number;
}

/** The earlier versions of each DAG model and of its tasks: see earlierVersion. */
interface Versions {
  /** The previous analysis' model of the DAG, whatever changed. */
  readonly previous: DagModel;
  readonly sameSettings: boolean;
  readonly tasks: ReadonlyMap<TaskModel, TaskModel>;
  /** The edit between the previous analysis' text and this one's. */
  readonly edit: EditShift;
}

/**
 * By DAG model, so that a keystroke that moves a thousand tasks records their earlier versions in
 * one Map: a WeakMap entry per task costs several times more.
 */
const versions = new WeakMap<DagModel, Versions>();

/**
 * The previous analysis' model of the same DAG, when its arguments, default_args and groups differ
 * only in positions; or, given the DAG, of one of its tasks, when the task differs only in
 * positions (an edit before it moved it). Caches of what is computed from a model's values reuse
 * their entries.
 */
export function earlierVersion(dag: DagModel): DagModel | undefined;
export function earlierVersion(task: TaskModel, dag: DagModel): TaskModel | undefined;
export function earlierVersion(model: DagModel | TaskModel, dag?: DagModel): DagModel | TaskModel | undefined {
  if (dag) return versions.get(dag)?.tasks.get(model as TaskModel);
  const known = versions.get(model as DagModel);
  return known?.sameSettings ? known.previous : undefined;
}

/**
 * Links a DAG model, and those of its tasks, to their versions in the previous analysis, whose
 * text `edit` turned into this one's.
 */
export function recordEarlierVersions(dag: DagModel, previous: DagModel, sameSettings: boolean, tasks: ReadonlyMap<TaskModel, TaskModel>, edit: EditShift): void {
  versions.set(dag, { previous, sameSettings, tasks, edit });
  // One version back is all a cache needs; a longer chain would keep every version alive.
  versions.delete(previous);
}

/**
 * Where a range of the earlier text is in the edited one: unchanged before the edit, moved after
 * it; undefined where it overlaps the edit. The analyser carries its ranges this way, and the
 * caches of a model the ranges of its earlier version.
 */
export function laterRange(edit: EditShift, range: SourceRange): SourceRange | undefined {
  if (range.to <= edit.fromA) return range;
  if (range.from < edit.toA) return undefined;
  return edit.shift === 0 ? range : { from: range.from + edit.shift, to: range.to + edit.shift };
}

/**
 * Values computed from the task models of a DAG model, kept for the DAG's next version: its tasks
 * find the values of the same models, or of their earlier versions. By DAG model, for the reason
 * `versions` is.
 */
export class TaskMemo<V> {
  private readonly byDag = new WeakMap<DagModel, Map<TaskModel, V>>();

  /** The values of one DAG model's tasks, looked up once for the whole DAG. */
  of(dag: DagModel): DagTaskMemo<V> {
    let own = this.byDag.get(dag);
    if (!own) this.byDag.set(dag, (own = new Map()));
    const known = versions.get(dag);
    return new DagTaskMemo(own, known && this.byDag.get(known.previous), known);
  }
}

export class DagTaskMemo<V> {
  constructor(
    private readonly own: Map<TaskModel, V>,
    private readonly previous: ReadonlyMap<TaskModel, V> | undefined,
    private readonly known: Versions | undefined,
  ) {}

  /** The value kept for the task, in this DAG model or its previous one. */
  find(task: TaskModel): V | undefined {
    return this.own.get(task) ?? this.previous?.get(task);
  }

  /** The value kept for the task's earlier version, whose ranges `laterRange` maps to the task's. */
  findEarlier(task: TaskModel): V | undefined {
    const earlier = this.previous && this.known!.tasks.get(task);
    return earlier && this.previous!.get(earlier);
  }

  /** Where a range of the previous version is in this one; undefined for one the edit overlaps. */
  laterRange(range: SourceRange): SourceRange | undefined {
    return this.known && laterRange(this.known.edit, range);
  }

  keep(task: TaskModel, value: V): void {
    this.own.set(task, value);
  }
}
