import type { Diagnostic, SourceRange } from '../diagnostics';

/** A task of a DAG as the file defines it, classic operator or TaskFlow call alike. */
export interface TaskModel {
  readonly taskId: string;
  /** The operator class as written (`BashOperator`), or the TaskFlow decorator (`@task`, `@task.bash`). */
  readonly operator: string;
  /** The call that creates the task. */
  readonly range: SourceRange;
  /** Ids of the direct upstream tasks, sorted: Airflow keeps them as a set. */
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  /** True for `.partial(...).expand(...)` and `.expand(...)`: one task instance per mapped value. */
  readonly mapped: boolean;
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
  readonly tasks: readonly TaskModel[];
}

/** Everything the static analysis of one file found. */
export interface DagFileModel {
  readonly dags: readonly DagModel[];
  readonly diagnostics: readonly Diagnostic[];
}
