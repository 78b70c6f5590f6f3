// Static analysis of a DAG file: a small evaluator walks the module top to bottom, as Python would
// execute it, and records the DAGs and tasks that the file creates, their arguments and the edges
// between them. It interprets only what DAG files really contain (literals, names, f-strings, dates
// and durations, calls of DAG, operators, TaskFlow functions and functions defined in the file, loops
// over known lists). Anything else evaluates to "unknown", which is never guessed at.
import type { Diagnostic, SourceRange } from '../diagnostics';
import * as dates from '../python/dates';
import { decodeNumberLiteral, decodeStringLiteral, unescapePython } from '../python/literals';
import { closeUnfinishedBrackets, originalOffset } from '../python/recover';
import {
  callArguments,
  childrenOf,
  isPunctuation,
  parsePython,
  sourceOf,
  syntaxErrors,
  type CallArgument,
  type SyntaxNode,
  type Tree,
} from '../python/syntax';
import type { DictEntry, PyValue } from '../python/values';
import { TreeFragment } from '@lezer/common';
import { laterRange, recordEarlierVersions, type AnalysisWork, type EditShift, type ArgumentModel, type DagFileModel, type DagForm, type DagModel, type GroupModel, type TaskModel, type UndefinedTaskReference } from './model';
import { operatorClassName } from './operators';

/** Reads a module of the workspace by its dotted name, relative to the DAG file's folder. */
export type ModuleReader = (moduleName: string) => { readonly file: string; readonly text: string } | undefined;

export interface AnalyzeOptions {
  /** Resolves `from utils.slack_notifier import alert` so that imported callables have locations. */
  readonly readModule?: ModuleReader;
  /**
   * For an editor, which analyses the file again after each edit: the analysis keeps records of its
   * statements, and the statements the edits since `previous` (the model of an earlier version of
   * the same file, usually the last) did not touch are replayed from its records instead of
   * evaluated again. Recording costs a little, so one-off analyses leave it out.
   */
  readonly incremental?: { readonly previous?: DagFileModel };
}

// ---------------------------------------------------------------------------------------------
// Values of the evaluator

interface EvaluatedArgument {
  readonly keyword?: string;
  readonly star?: '*' | '**';
  readonly value: Value;
  readonly nameRange?: SourceRange;
  readonly valueRange: SourceRange;
  /** For an entry of a dict passed as `**kwargs`: its ranges are the dict's, which other calls and bindings hold too. */
  readonly spread?: true;
}

class TaskBuilder {
  origin: Origin | undefined;
  /** The same task in the previous analysis, when this one replays or repeats the statement that created it. */
  previous: TaskBuilder | undefined;
  /** Whether its arguments hold tasks, DAGs or groups, whose ids may change while the arguments' text does not. */
  argumentsReferBuilders = false;
  /** Whether it changed since its model was made (its edges, variable, mapping or DAG, or a neighbour's DAG). */
  modelStale = true;
  /** The model it was last turned into, so that the next analysis can keep the model of an unchanged task. */
  model: TaskModel | undefined;
  readonly upstream = new Set<TaskBuilder>();
  readonly downstream = new Set<TaskBuilder>();
  mapped = false;
  dag: DagBuilder | undefined;
  variable: { name: string; range: SourceRange } | undefined;
  /** A TaskFlow call's own arguments. */
  callArguments: readonly EvaluatedArgument[] | undefined;
  readonly groups: GroupBuilder[];

  constructor(
    readonly taskId: string,
    readonly operator: string,
    readonly kind: 'operator' | 'taskflow',
    readonly range: SourceRange,
    readonly args: readonly EvaluatedArgument[],
    groups: readonly GroupBuilder[],
    readonly definition?: SourceRange,
  ) {
    this.groups = [...groups];
  }
}

class DagBuilder {
  origin: Origin | undefined;
  previous: DagBuilder | undefined;
  /** The model it was last turned into. */
  model: DagModel | undefined;
  readonly tasks: TaskBuilder[] = [];
  readonly groups = new Set<GroupBuilder>();

  constructor(
    readonly dagId: string,
    readonly form: DagForm,
    readonly range: SourceRange,
    readonly selectionRange: SourceRange,
    readonly args: readonly EvaluatedArgument[],
  ) {}

  has(taskId: string): boolean {
    return this.tasks.some((t) => t.taskId === taskId);
  }
}

/** A TaskGroup: prefixes the ids of the tasks created inside it and stands for its roots or leaves in edges. */
class GroupBuilder {
  origin: Origin | undefined;
  previous: GroupBuilder | undefined;

  constructor(
    readonly groupId: string,
    readonly prefixGroupId: boolean,
    readonly parent: GroupBuilder | undefined,
    readonly range: SourceRange,
    readonly defaultArgs: Value,
  ) {}

  /** The id this group gives to a child, as Airflow's `TaskGroup.child_id` does. */
  childId(label: string): string {
    const ownId = this.qualifiedId();
    return this.prefixGroupId && ownId ? `${ownId}.${label}` : this.parent ? this.parent.childId(label) : label;
  }

  qualifiedId(): string {
    return this.parent ? this.parent.childId(this.groupId) : this.groupId;
  }
}

interface UserFunction {
  /** Set where the `def` runs; a copy made by `.override()` has none, since it is not that function. */
  origin?: Origin;
  readonly name: string;
  readonly definition: SyntaxNode;
  readonly closure: Scope;
}

interface TaskFlowFunction {
  origin?: Origin;
  readonly name: string;
  readonly decorator: string;
  readonly taskId: string;
  readonly definition: SyntaxNode;
  readonly decoratorArgs: readonly EvaluatedArgument[];
}

interface DagFunction extends UserFunction {
  readonly dagId: string;
  readonly decorated: SyntaxNode;
  readonly decoratorArgs: readonly EvaluatedArgument[];
}

interface GroupFunction extends UserFunction {
  readonly decoratorArgs: readonly EvaluatedArgument[];
  readonly decorated: SyntaxNode;
}

interface Entry {
  readonly value: Value;
  readonly keyRange?: SourceRange;
  readonly valueRange?: SourceRange;
}

type Value =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'num'; readonly value: number; readonly float: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'seq'; readonly items: readonly Value[] }
  | { readonly kind: 'dict'; readonly entries: ReadonlyMap<string, Entry> }
  | Extract<PyValue, { kind: 'datetime' | 'timedelta' | 'relativedelta' | 'timezone' | 'now' | 'timetable' }>
  /** A classic operator, or the XComArg of a TaskFlow call or of `operator.output` (`xcom`). */
  | { readonly kind: 'task'; readonly task: TaskBuilder; readonly xcom: boolean }
  | { readonly kind: 'group'; readonly group: GroupBuilder }
  | { readonly kind: 'dag'; readonly dag: DagBuilder }
  | { readonly kind: 'taskflow'; readonly fn: TaskFlowFunction; readonly partial: boolean }
  | { readonly kind: 'dagFunction'; readonly fn: DagFunction }
  | { readonly kind: 'groupFunction'; readonly fn: GroupFunction }
  | { readonly kind: 'function'; readonly fn: UserFunction }
  /** A function defined in another module of the workspace. */
  | { readonly kind: 'moduleFunction'; readonly name: string; readonly file: string; readonly range: SourceRange }
  /** A name from outside the file (an import, a builtin), by its fully qualified name when imported. */
  | { readonly kind: 'external'; readonly qualifiedName: string; readonly unbound?: boolean }
  | { readonly kind: 'unknown' };

const UNKNOWN: Value = { kind: 'unknown' };
const NONE: Value = { kind: 'none' };

class Scope {
  private readonly names = new Map<string, Value>();
  /** Module scope only: which statement's execution made each binding (see StatementRun). */
  private readonly origins = new Map<string, Origin>();
  /** Module scope only: told of every lookup that reaches it, so that statements know what they read. */
  onRead: ((name: string, origin: Origin | undefined) => void) | undefined;

  constructor(readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    this.onRead?.(name, this.origins.get(name));
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  bind(name: string, value: Value, origin?: Origin): void {
    this.names.set(name, value);
    if (origin) this.origins.set(name, origin);
    else this.origins.delete(name);
  }

  originOf(name: string): Origin | undefined {
    return this.origins.get(name);
  }

  /** The binding of this scope itself, not of its parents. */
  own(name: string): Value | undefined {
    return this.names.get(name);
  }

  /** Puts back a binding as `own` and `originOf` gave it. */
  restore(name: string, value: Value | undefined, origin: Origin | undefined): void {
    if (value === undefined) this.names.delete(name);
    else this.names.set(name, value);
    if (origin === undefined) this.origins.delete(name);
    else this.origins.set(name, origin);
  }
}

// ---------------------------------------------------------------------------------------------
// Records of statements, for the next analysis
//
// After a keystroke almost every statement of a file reads the same text in the same context as
// before. Each statement run once at the top of the module (directly, or in a `with`, `if` or
// `try` body there) is recorded: the bindings it read, by the statement execution that made each,
// and what it did (tasks created, edges, bindings). The next analysis replays a record instead of
// evaluating the statement again when the statement lies outside the edit, reads the same
// bindings and runs in the same DAG and group; it evaluates every other statement. A statement
// that reads the same bindings as before keeps its identity whether replayed or evaluated, so the
// statements after it see nothing changed. What a replay cannot repeat exactly (calls of functions
// defined in the file, TaskFlow calls, loops, DAG and group creation, imports) is always
// evaluated, and keeps its identity when it reads the same as before.

/** A statement execution's place among the things one statement execution created or bound. */
interface Origin {
  readonly run: StatementRun;
  readonly ordinal: number;
}

/** A module-level name a statement read: the identity and ordinal of its binding, or 0 and -1 when unbound. */
interface Read {
  readonly name: string;
  readonly identity: number;
  readonly ordinal: number;
}

/** What a statement did to the analysis, in order: what a replay repeats. */
type Effect =
  | { readonly op: 'task'; readonly task: TaskBuilder }
  | { readonly op: 'add'; readonly dag: DagBuilder; readonly task: TaskBuilder }
  | { readonly op: 'link'; readonly upstream: TaskBuilder; readonly downstream: TaskBuilder }
  | { readonly op: 'bind'; readonly name: string; readonly value: Value }
  | { readonly op: 'variable'; readonly task: TaskBuilder; readonly name: string; readonly range: SourceRange }
  | { readonly op: 'mapped'; readonly task: TaskBuilder }
  | { readonly op: 'undefined'; readonly reference: UndefinedTaskReference };

/** What a statement creates that later statements may hold: builders and functions. */
type Created = TaskBuilder | DagBuilder | GroupBuilder | UserFunction | TaskFlowFunction;

let nextStatementIdentity = 1;
const NOTHING_IMPORTED: readonly string[] = [];

/** One execution of a recorded statement (or of a compound statement's header) in one analysis. */
class StatementRun {
  /** Shared with the previous analysis' run of the statement when it read the same; 0 while it runs. */
  identity = 0;
  /** Filled while it is evaluated; a replay shares the earlier run's, since it read the same. */
  reads: Read[] = [];
  /** Undefined once the statement did something a replay cannot repeat. */
  effects: Effect[] | undefined;
  readonly created: Created[] = [];
  /** Workspace modules' functions it imported, as `name=file:from-to`: they change with other files. */
  imported: readonly string[] = NOTHING_IMPORTED;
  bindings = 0;
  steps = 0;
  /** Where the analysis was when the statement began: what rewinding to it restores. */
  entry: RunEntry | undefined;
  /** Where the whole statement ends: past `to` for the header of a compound statement. */
  end: number;
  /** For a `with` header: the DAGs and groups entered once it ran, which its body runs in. */
  entered: Stacks | undefined;

  constructor(
    /** Where it starts and ends now: a run kept in place moves with its statement. */
    public from: number,
    public to: number,
    readonly name: string,
    /** The DAG and groups it ran in, as identity and ordinal pairs; undefined when one has no origin. */
    readonly context: readonly number[] | undefined,
    replayable: boolean,
  ) {
    this.effects = replayable ? [] : undefined;
    this.end = to;
  }
}

/** The analysis' state as a statement began, but for what its undo log holds. */
interface RunEntry {
  readonly undo: number;
  readonly steps: number;
  readonly loopIterations: number;
  readonly stacks: Stacks;
}

/** The DAGs and groups entered, innermost last. */
interface Stacks {
  readonly dags: readonly DagBuilder[];
  readonly groups: readonly GroupBuilder[];
}

/**
 * What one analysis leaves for the next: its text, its statement runs by where they start, and
 * the analyser itself, which the next analysis rewinds to the edit and continues from there.
 */
interface AnalysisMemo {
  readonly text: string;
  readonly runs: ReadonlyMap<number, StatementRun>;
  readonly analyzer?: Analyzer;
}

/** Changes of the analysis' state, as entries of four slots in the undo log: an opcode and three operands. */
const UNDO_BIND = 0;
const UNDO_ADD = 1;
const UNDO_GROUP = 2;
const UNDO_EDGE = 3;
const UNDO_VARIABLE = 4;
const UNDO_MAPPED = 5;
const UNDO_CALL_ARGUMENTS = 6;
const UNDO_DAG = 7;
const UNDO_UNDEFINED = 8;

/** The new tree does not have the statements the kept part of the previous analysis ran where they were: it is analysed afresh. */
class OutOfStep {}
const OUT_OF_STEP = new OutOfStep();

/** The one span that differs between two texts: their common prefix and suffix left out. */
interface Edit {
  readonly fromA: number;
  readonly toA: number;
  readonly fromB: number;
  readonly toB: number;
}

function editBetween(before: string, after: string): Edit {
  const shortest = Math.min(before.length, after.length);
  // Whole chunks first, as slices compared for equality (which V8 does as one memory comparison,
  // where startsWith goes character by character); then character by character within the first
  // chunk that differs.
  const CHUNK = 1024;
  let prefix = 0;
  while (prefix + CHUNK <= shortest && before.slice(prefix, prefix + CHUNK) === after.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const room = shortest - prefix;
  while (suffix + CHUNK <= room
    && before.slice(before.length - suffix - CHUNK, before.length - suffix) === after.slice(after.length - suffix - CHUNK, after.length - suffix)) suffix += CHUNK;
  while (suffix < room && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { fromA: prefix, toA: before.length - suffix, fromB: prefix, toB: after.length - suffix };
}

/** The memo of each analysed model, kept beside it so that models stay plain data. */
const memos = new WeakMap<DagFileModel, AnalysisMemo>();

/** A value carried from the previous analysis could not be mapped into this one: the statement is evaluated. */
class NotReplayable {}
const NOT_REPLAYABLE = new NotReplayable();

/**
 * The work one file's analysis may do, whatever the file contains: evaluation steps (statements and
 * expressions evaluated, counting each time a loop or a call evaluates them again), loop iterations
 * unrolled, and nested calls of functions defined in the file. Steps and iterations are counted, not
 * timed, so the limits hold on any machine and the tests can assert them.
 */
export const ANALYSIS_LIMITS = { steps: 250_000, loopIterations: 10_000, callDepth: 16 } as const;

/** The last segment of a dotted name: `airflow.operators.bash.BashOperator` → `BashOperator`. */
function lastSegment(qualifiedName: string): string {
  return qualifiedName.slice(qualifiedName.lastIndexOf('.') + 1);
}

/** Decorators that make a function a TaskFlow task: `@task`, `@task.bash`, `@task.branch`... */
function taskFlowDecorator(qualifiedName: string): string | undefined {
  const segments = qualifiedName.split('.');
  const index = segments.lastIndexOf('task');
  if (index < 0) return undefined;
  const rest = segments.slice(index + 1);
  // `@task.run_if` and `@task.skip_if` modify another task decorator; they are not a task kind.
  if (rest.length === 1 && (rest[0] === 'run_if' || rest[0] === 'skip_if')) return undefined;
  return ['@task', ...rest].join('.');
}

/** Function results that carry an early `return`. */
class ReturnSignal {
  constructor(readonly value: Value) {}
}

/**
 * A range the evaluator made. When a later analysis keeps the statement it belongs to in place
 * but the edit moved the statement, its positions move in place (Analyzer.moveRange); the model
 * of an incremental analysis gets copies only (copyRange).
 */
interface EvaluatorRange {
  from: number;
  to: number;
}

function rangeOf(node: SyntaxNode): SourceRange {
  return { from: node.from, to: node.to };
}

/**
 * Whether the model being made must copy the evaluator's ranges: only an incremental analysis
 * moves them later. Set by analyzeParsed while it turns builders into the model.
 */
let rangesMayMove = false;

/** The model's own copy of a range, which must not move when the evaluator's does. */
function copyRange(range: SourceRange): SourceRange {
  return rangesMayMove ? { from: range.from, to: range.to } : range;
}



// ---------------------------------------------------------------------------------------------
// The evaluator

class Analyzer {
  readonly dags: DagBuilder[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly undefinedTaskReferences: UndefinedTaskReference[] = [];
  private readonly dagStack: DagBuilder[] = [];
  private readonly groupStack: GroupBuilder[] = [];
  private readonly moduleFunctions = new Map<string, Map<string, Value> | undefined>();
  private callDepth = 0;
  private steps = 0;
  private loopIterations = 0;
  /** Whether a limit of ANALYSIS_LIMITS was reached, and evaluation stopped there. */
  private exhausted = false;
  private module = new Scope();
  /** Loops being unrolled: statements in them run more than once and are not recorded on their own. */
  private loopDepth = 0;
  /** The statement run being recorded. */
  private active: StatementRun | undefined;
  private readonly runs = new Map<number, StatementRun>();
  private readonly runsByIdentity = new Map<number, StatementRun>();
  /** What the replay under way created, by what it replaces: one map for every replay. */
  private readonly carried = new Map<Created, Created>();
  /** The last context(), until a DAG or group is entered or left. */
  private contextCache: number[] | undefined | null = null;
  /** Set when something happened that the records do not hold (an analyser failure): no memo is left then. */
  private unrecorded = false;
  private earlier: { readonly memo: AnalysisMemo; readonly edit: Edit; readonly shift: number; readonly inPlace?: boolean } | undefined;
  /** The edit from the text of the analysis this one continued or replayed, to this one's. */
  lastEdit: EditShift | undefined;
  /** The ranges moved in place so far by this continuation: one shared by several values moves once. */
  private moved = new Set<SourceRange>();
  private readonly keepsRecords: boolean;
  /** Every change of state since the analysis began, to rewind it to before an edit (with records only), four entries a change. */
  private readonly undo: unknown[] = [];
  /** How much of `undo` is in use. */
  private undoLength = 0;
  /** The recorded runs in the order they ran. */
  private readonly runOrder: StatementRun[] = [];
  /** Steps when the statement being dispatched began, before its own. */
  private entrySteps = 0;

  private stacksCache: Stacks | null = null;
  /** Whether a top-level `return` ended the module: what follows it was never run, so it cannot be resumed. */
  private returned = false;
  /** During resume(): whether a statement was evaluated since the rewind. */
  private continued = false;

  constructor(
    private text: string,
    private options: AnalyzeOptions,
    earlier?: AnalysisMemo,
  ) {
    this.keepsRecords = options.incremental !== undefined;
    if (earlier) {
      const edit = editBetween(earlier.text, text);
      this.earlier = { memo: earlier, edit, shift: edit.toB - edit.fromB - (edit.toA - edit.fromA) };
      this.lastEdit = { fromA: edit.fromA, toA: edit.toA, shift: this.earlier.shift };
    }
  }

  run(tree: Tree): void {
    if (this.keepsRecords) this.module.onRead = (name, origin) => this.noteRead(name, origin);
    try {
      this.block(tree.topNode, this.module);
    } catch (signal) {
      // `return` outside a function (a half-edited file) ends the module, as far as it can be read.
      if (!(signal instanceof ReturnSignal)) throw signal;
      this.returned = true;
    } finally {
      // Functions keep the module scope; without this they would keep this analyser and, through
      // it, the previous analysis and every one before it.
      this.module.onRead = undefined;
      this.earlier = undefined;
    }
  }

  /** What the next analysis of an edited version of the file can replay; undefined when the records are incomplete. */
  memo(): AnalysisMemo | undefined {
    if (!this.keepsRecords || this.unrecorded || this.exhausted) return undefined;
    return { text: this.text, runs: this.runs, analyzer: this.returned ? undefined : this };
  }

  /**
   * Continues this analysis for an edited text: what it did before the first statement the edit
   * touches is kept as it is, the rest is undone, and the statements from there on are replayed
   * from their records or evaluated. Undefined when nothing before the edit can be kept; the
   * analyser is then unchanged. Throws OUT_OF_STEP, having changed it, when the new tree does not
   * have the kept statements where they were.
   */
  resume(text: string, tree: Tree, options: AnalyzeOptions): true | undefined {
    const edit = editBetween(this.text, text);
    // A statement ending where the edit begins is not kept: typing at its end extends it.
    let kept = 0;
    while (kept < this.runOrder.length && this.runOrder[kept].to < edit.fromA) kept++;
    if (kept === 0) return undefined;
    const first = this.runOrder[kept] as StatementRun | undefined;
    const entry = first?.entry ?? { undo: this.undoLength, steps: this.steps, loopIterations: this.loopIterations, stacks: { dags: [], groups: [] } };
    this.rewind(entry.undo);
    this.steps = entry.steps;
    this.loopIterations = entry.loopIterations;
    // The walk down the new tree enters the DAGs and groups of the with statements it continues in.
    this.dagStack.length = 0;
    this.groupStack.length = 0;
    this.invalidateContext();
    // The runs from the first on are what the rest of the file is replayed from.
    const earlierRuns = new Map<number, StatementRun>();
    for (const run of this.runOrder.slice(kept)) {
      earlierRuns.set(run.from, run);
      this.runs.delete(run.from);
      this.runsByIdentity.delete(run.identity);
    }
    this.runOrder.length = kept;
    this.continued = false;
    // The runs after the kept part are this analyser's own, their builders rewound: they can be kept in place.
    this.earlier = { memo: { text: this.text, runs: earlierRuns }, edit, shift: edit.toB - edit.fromB - (edit.toA - edit.fromA), inPlace: true };
    this.lastEdit = { fromA: edit.fromA, toA: edit.toA, shift: this.earlier.shift };
    this.moved = new Set();
    this.text = text;
    this.options = options;
    this.module.onRead = (name, origin) => this.noteRead(name, origin);
    try {
      this.resumeBlock(tree.topNode, this.module, edit.fromB);
    } catch (signal) {
      if (!(signal instanceof ReturnSignal)) throw signal;
      this.returned = true;
    } finally {
      this.module.onRead = undefined;
      this.earlier = undefined;
      this.moved.clear();
    }
    return true;
  }

  /** Runs a block's statements from the first one that does not end before `at` (strictly); those before were kept. */
  private resumeBlock(node: SyntaxNode, scope: Scope, at: number): void {
    let resumed = false;
    for (const child of childrenOf(node)) {
      if (resumed) {
        this.statement(child, scope);
      } else if (child.to < at) {
        this.checkKept(child);
      } else {
        resumed = true;
        if (child.from < at && this.resumeInside(child, scope, at)) continue;
        this.continueAt(child);
        this.statement(child, scope);
      }
    }
  }

  /**
   * The first statement evaluated after the rewind must begin after every kept run: a statement
   * the edit joined to one before it (a broken line mended) starts before the kept run ends.
   */
  private continueAt(node: SyntaxNode): void {
    if (this.continued) return;
    this.continued = true;
    const last = this.runOrder[this.runOrder.length - 1];
    if (last && last.to > node.from) throw OUT_OF_STEP;
  }

  /** A statement before the edit must have its run among the kept ones (the headers of compound statements stand for them). */
  private checkKept(node: SyntaxNode): void {
    if (node.type.isError) return;
    const run = this.runs.get(node.from);
    if (!run || run.name !== node.name || run.end !== node.to) throw OUT_OF_STEP;
  }

  /**
   * Records where an if, while or try statement began, as a run of its own without effects: a
   * rewind to it runs the whole statement again, counting its step again; a rewind into one of its
   * bodies keeps it.
   */
  private markCompound(node: SyntaxNode, entrySteps: number): void {
    const body = node.getChild('Body');
    const run = new StatementRun(node.from, body ? body.from : node.to, node.name, this.context(), false);
    run.end = node.to;
    run.entry = this.entry(entrySteps);
    run.identity = nextStatementIdentity++;
    this.keep(run);
  }

  /**
   * Continues inside a `with` whose header, or an if/try whose first parts, the edit left alone:
   * false when the edit reaches its header, and the whole statement runs again.
   */
  private resumeInside(node: SyntaxNode, scope: Scope, at: number): boolean {
    if (node.name === 'WithStatement') {
      const header = this.runs.get(node.from);
      const body = node.getChild('Body');
      if (!header || header.name !== node.name || !body || header.to !== body.from || header.to >= at || !header.entry || !header.entered) return false;
      this.dagStack.splice(0, this.dagStack.length, ...header.entered.dags);
      this.groupStack.splice(0, this.groupStack.length, ...header.entered.groups);
      this.invalidateContext();
      try {
        this.resumeBlock(body, scope, at);
      } finally {
        // Leaves the DAGs and groups the header entered, as the with statement does.
        this.dagStack.length = header.entry.stacks.dags.length;
        this.groupStack.length = header.entry.stacks.groups.length;
        this.invalidateContext();
      }
      return true;
    }
    if (!isCompound(node)) return false;
    const start = this.runs.get(node.from);
    if (!start || start.name !== node.name || start.to >= at || start.to !== node.getChild('Body')?.from) return false;
    let resumed = false;
    for (const child of childrenOf(node)) {
      if (!resumed && child.to < at) continue;
      if (child.name === 'Body') {
        if (resumed) this.block(child, scope);
        else this.resumeBlock(child, scope, at);
      } else if (/^[A-Z]/.test(child.name) && !child.type.isError) {
        if (!resumed) this.continueAt(child);
        this.recorded(child.from, child.to, child.name, false, this.expression, child, scope);
      }
      resumed = true;
    }
    return true;
  }

  /** Undoes the changes logged since `mark`, newest first. */
  private rewind(mark: number): void {
    const undo = this.undo;
    for (let i = this.undoLength - 4; i >= mark; i -= 4) {
      const a = undo[i + 1];
      const b = undo[i + 2];
      const c = undo[i + 3];
      switch (undo[i]) {
        case UNDO_BIND:
          this.module.restore(a as string, b as Value | undefined, c as Origin | undefined);
          break;
        case UNDO_ADD: {
          const [dag, task] = [a as DagBuilder, b as TaskBuilder];
          dag.tasks.pop();
          task.dag = undefined;
          staleWithNeighbours(task);
          break;
        }
        case UNDO_GROUP:
          (a as DagBuilder).groups.delete(b as GroupBuilder);
          break;
        case UNDO_EDGE: {
          const [upstream, downstream] = [a as TaskBuilder, b as TaskBuilder];
          upstream.downstream.delete(downstream);
          downstream.upstream.delete(upstream);
          upstream.modelStale = downstream.modelStale = true;
          break;
        }
        case UNDO_VARIABLE:
          (a as TaskBuilder).variable = undefined;
          (a as TaskBuilder).modelStale = true;
          break;
        case UNDO_MAPPED:
          (a as TaskBuilder).mapped = b as boolean;
          (a as TaskBuilder).modelStale = true;
          break;
        case UNDO_CALL_ARGUMENTS:
          (a as TaskBuilder).callArguments = b as EvaluatedArgument[] | undefined;
          (a as TaskBuilder).modelStale = true;
          break;
        case UNDO_DAG:
          this.dags.pop();
          break;
        case UNDO_UNDEFINED:
          this.undefinedTaskReferences.pop();
          break;
      }
    }
    // The array keeps its length, so that the changes logged next do not grow it again; what the
    // undone entries held is let go.
    undo.fill(undefined, mark, this.undoLength);
    this.undoLength = mark;
  }

  // --- changes of state ---------------------------------------------------------------------

  private undoable(op: number, a: unknown, b?: unknown, c?: unknown): void {
    if (!this.keepsRecords) return;
    const undo = this.undo;
    const at = this.undoLength;
    this.undoLength = at + 4;
    undo[at] = op;
    undo[at + 1] = a;
    undo[at + 2] = b;
    undo[at + 3] = c;
  }

  private bindName(scope: Scope, name: string, value: Value): void {
    if (scope === this.module) this.undoable(UNDO_BIND, name, scope.own(name), scope.originOf(name));
    scope.bind(name, value, this.bindOrigin(scope));
  }

  private addToDag(dag: DagBuilder, task: TaskBuilder): void {
    if (task.dag) return;
    task.dag = dag;
    dag.tasks.push(task);
    staleWithNeighbours(task);
    this.undoable(UNDO_ADD, dag, task);
    for (const group of task.groups) {
      if (dag.groups.has(group)) continue;
      dag.groups.add(group);
      this.undoable(UNDO_GROUP, dag, group);
    }
  }

  private setVariable(task: TaskBuilder, variable: { name: string; range: SourceRange }): void {
    task.variable = variable;
    task.modelStale = true;
    this.undoable(UNDO_VARIABLE, task);
  }

  private setMapped(task: TaskBuilder, mapped: boolean): void {
    this.undoable(UNDO_MAPPED, task, task.mapped);
    task.mapped = mapped;
    task.modelStale = true;
  }

  private addDag(dag: DagBuilder): void {
    this.dags.push(dag);
    this.undoable(UNDO_DAG, dag);
  }

  private invalidateContext(): void {
    this.contextCache = null;
    this.stacksCache = null;
  }

  private stacks(): Stacks {
    return (this.stacksCache ??= { dags: [...this.dagStack], groups: [...this.groupStack] });
  }

  private entry(steps: number): RunEntry {
    return { undo: this.undoLength, steps, loopIterations: this.loopIterations, stacks: this.stacks() };
  }

  // --- records ------------------------------------------------------------------------------

  /** Statements run once at the top of the module are recorded; those in loops and calls belong to the statement that runs them. */
  private recording(): boolean {
    return this.keepsRecords && this.active === undefined && this.callDepth === 0 && this.loopDepth === 0;
  }

  private noteRead(name: string, origin: Origin | undefined): void {
    const run = this.active;
    if (!run || origin?.run === run) return;
    // `a >> b` looks each name up twice (its value, then whether it is defined): once is enough.
    const last = run.reads[run.reads.length - 1];
    if (last?.name === name) return;
    run.reads.push({ name, identity: origin ? origin.run.identity : 0, ordinal: origin ? origin.ordinal : -1 });
  }

  /** Gives a builder or function the place it has among what the running statement created. */
  private register(created: Created): void {
    const run = this.active;
    if (run) created.origin = { run, ordinal: run.created.push(created) - 1 };
  }

  private log(effect: Effect): void {
    if (this.logging) this.active?.effects?.push(effect);
  }

  /** The running statement did something its effects do not capture: it is evaluated again next time. */
  private impure(): void {
    if (this.active) this.active.effects = undefined;
  }

  private bindOrigin(scope: Scope): Origin | undefined {
    const run = this.active;
    return run && scope === this.module ? { run, ordinal: run.bindings++ } : undefined;
  }

  /** The DAG and groups statements now run in, by their origins; undefined when one has none. */
  private context(): number[] | undefined {
    if (this.contextCache === null) this.contextCache = this.currentContext();
    return this.contextCache;
  }

  private currentContext(): number[] | undefined {
    const dag = this.dagStack[this.dagStack.length - 1];
    const context = dag ? [] : [0, -1];
    for (const owner of dag ? [dag, ...this.groupStack] : this.groupStack) {
      if (!owner.origin) return undefined;
      context.push(owner.origin.run.identity, owner.origin.ordinal);
    }
    return context;
  }

  /** The previous analysis' run of the statement spanning from-to, if its text lies outside the edit. */
  private earlierRun(from: number, to: number, name: string): StatementRun | undefined {
    if (!this.earlier) return undefined;
    const { edit, memo, shift } = this.earlier;
    const earlierFrom = to <= edit.fromB ? from : from >= edit.toB ? from - shift : undefined;
    if (earlierFrom === undefined) return undefined;
    const run = memo.runs.get(earlierFrom);
    return run && run.name === name && run.to - run.from === to - from ? run : undefined;
  }

  /** Whether every binding the earlier run read is still the one it read. */
  private readsUnchanged(earlier: StatementRun): boolean {
    for (const read of earlier.reads) {
      const origin = this.module.originOf(read.name);
      if ((origin ? origin.run.identity : 0) !== read.identity || (origin ? origin.ordinal : -1) !== read.ordinal) return false;
    }
    return true;
  }

  /**
   * Runs a statement (or a compound statement's header, from-to) as a record: replayed from the
   * previous analysis when nothing it depends on changed, else evaluated and recorded.
   */
  private recorded(from: number, to: number, name: string, replayable: boolean, evaluate: (this: Analyzer, node: SyntaxNode, scope: Scope) => unknown,
    node: SyntaxNode, scope: Scope, entrySteps = this.steps, end = to): void {
    const context = this.context();
    const earlier = this.earlierRun(from, to, name);
    const entry = this.entry(entrySteps);
    if (replayable && earlier?.effects && context && earlier.context && sameNumbers(earlier.context, context)
      && this.readsUnchanged(earlier) && (this.keepInPlace(earlier, from, to, entry) || this.replay(earlier, from, to, context, entry))) return;
    const run = new StatementRun(from, to, name, context, replayable);
    run.entry = entry;
    run.end = end;
    const stepsBefore = this.steps;
    this.active = run;
    try {
      evaluate.call(this, node, scope);
    } finally {
      this.active = undefined;
      run.steps = this.steps - stepsBefore;
      const same = earlier !== undefined && context !== undefined && earlier.context !== undefined && sameNumbers(earlier.context, context)
        && sameReads(earlier.reads, run.reads) && earlier.created.length === run.created.length && sameStrings(earlier.imported, run.imported);
      run.identity = same ? earlier.identity : nextStatementIdentity++;
      if (same) run.created.forEach((created, i) => linkPrevious(created, earlier.created[i]));
      this.keep(run);
    }
  }

  private keep(run: StatementRun): void {
    this.runs.set(run.from, run);
    this.runsByIdentity.set(run.identity, run);
    this.runOrder.push(run);
  }

  /** Repeats what the earlier run did, with this analysis' builders and positions; false if it cannot. */
  private replay(earlier: StatementRun, from: number, to: number, context: number[], entry: RunEntry): boolean {
    if (this.steps + earlier.steps >= ANALYSIS_LIMITS.steps) return false;
    const carried = this.carried;
    carried.clear();
    let effects: Effect[];
    try {
      effects = earlier.effects!.map((effect) => this.carryEffect(effect, carried));
    } catch (error) {
      if (error === NOT_REPLAYABLE) return false;
      throw error;
    }
    const run = new StatementRun(from, to, earlier.name, context, true);
    run.identity = earlier.identity;
    run.reads = earlier.reads;
    run.entry = entry;
    this.active = run;
    try {
      for (const effect of effects) this.apply(effect);
    } finally {
      this.active = undefined;
    }
    run.steps = earlier.steps;
    this.steps += earlier.steps;
    this.keep(run);
    return true;
  }

  /**
   * Keeps a run after the edit as it is, its builders and values the same objects with their
   * positions moved, and applies its effects again: when this analyser made it (it was rewound,
   * not carried over from another) and everything it refers to is still this analysis' own.
   * This makes nothing new, where a replay copies every builder and value.
   */
  private keepInPlace(earlier: StatementRun, from: number, to: number, entry: RunEntry): boolean {
    if (!this.earlier?.inPlace || this.steps + earlier.steps >= ANALYSIS_LIMITS.steps) return false;
    const effects = earlier.effects!;
    this.keeping = earlier;
    for (const effect of effects) if (!effectRefersTo(effect, this.isCurrent)) return false;
    for (const effect of effects) this.moveEffect(effect);
    const run = earlier;
    run.from = from;
    run.to = to;
    run.end = to;
    run.entry = entry;
    // Applying the effects binds the run's names again, in the same order; the builders it made
    // keep their places among what it created, which the rewind left alone. The run already holds
    // its effects, so applying them logs nothing.
    run.bindings = 0;
    this.active = run;
    this.logging = false;
    try {
      for (const effect of effects) this.apply(effect, true);
    } finally {
      this.active = undefined;
      this.logging = true;
    }
    this.steps += run.steps;
    this.keep(run);
    return true;
  }

  /** False while keepInPlace applies a run's effects again. */
  private logging = true;

  /** The run keepInPlace is checking. */
  private keeping: StatementRun | undefined;

  /**
   * Whether a builder or function is this analysis' own: made by the run being kept (a replayable
   * run makes only tasks), or still the one its maker's current run holds.
   */
  private readonly isCurrent = (created: Created): boolean => {
    const origin = created.origin;
    return origin !== undefined && (origin.run === this.keeping || this.runsByIdentity.get(origin.run.identity)?.created[origin.ordinal] === created);
  };

  /** Moves, in place, the positions of what an effect made, where the edit moved them. */
  private moveEffect(effect: Effect): void {
    switch (effect.op) {
      case 'task': {
        // The ranges of the call and of the arguments written in it are the task's own; its
        // definition, the values of its arguments and what `**kwargs` passed may be shared with
        // other tasks and bindings.
        const task = effect.task;
        this.moveOwnRange(task.range);
        if (task.definition) this.moveRange(task.definition);
        for (const arg of task.args) {
          if (arg.nameRange) this.moveRange(arg.nameRange, arg.spread === true);
          this.moveRange(arg.valueRange, arg.spread === true);
          this.moveValue(arg.value);
        }
        return;
      }
      case 'bind':
        this.moveValue(effect.value);
        return;
      case 'variable':
        this.moveOwnRange(effect.range);
        return;
      case 'undefined':
        this.moveOwnRange(effect.reference.range);
        return;
      default:
    }
  }

  /** Moves a range that more than one value may hold (unless `shared` is false): once, however many hold it. */
  private moveRange(range: SourceRange, shared = true): void {
    if (!shared) this.moveOwnRange(range);
    else if (!this.moved.has(range) && this.moveOwnRange(range)) this.moved.add(range);
  }

  /** Moves a range that only one effect holds; false if the edit did not move it. */
  private moveOwnRange(range: SourceRange): boolean {
    const { edit, shift } = this.earlier!;
    if (range.to <= edit.fromA) return false;
    if (range.from < edit.toA) throw OUT_OF_STEP;
    const movable = range as EvaluatorRange;
    movable.from += shift;
    movable.to += shift;
    return true;
  }

  private moveValue(value: Value): void {
    switch (value.kind) {
      case 'seq':
        value.items.forEach((v) => this.moveValue(v));
        return;
      case 'dict':
        for (const entry of value.entries.values()) {
          if (entry.keyRange) this.moveRange(entry.keyRange);
          if (entry.valueRange) this.moveRange(entry.valueRange);
          this.moveValue(entry.value);
        }
        return;
      case 'now':
        this.moveRange(value.range);
        return;
      case 'timetable':
        // Walked through copies, which are dropped: timetables are rare, and one mapping serves everywhere.
        mapTimetableRanges(value, (r) => {
          this.moveRange(r);
          return r;
        });
        return;
      default:
        // Builders and functions move with the statements that made them; other files' functions do not move.
    }
  }

  /**
   * Applies a carried effect as evaluating the statement would have, logging it for the next
   * analysis; `inPlace` for a run kept in place, whose tasks are registered already.
   */
  private apply(effect: Effect, inPlace = false): void {
    switch (effect.op) {
      case 'task':
        if (!inPlace) this.register(effect.task);
        this.log(effect);
        return;
      case 'add':
        this.addToDag(effect.dag, effect.task);
        this.log(effect);
        return;
      case 'link':
        this.link(effect.upstream, effect.downstream);
        return;
      case 'bind':
        this.bindName(this.module, effect.name, effect.value);
        this.log(effect);
        return;
      case 'variable':
        if (!effect.task.variable) {
          this.setVariable(effect.task, { name: effect.name, range: effect.range });
          this.log(effect);
        }
        return;
      case 'mapped':
        this.setMapped(effect.task, true);
        this.log(effect);
        return;
      case 'undefined':
        this.noteUndefinedTask(effect.reference);
    }
  }

  private carryEffect(effect: Effect, carried: Map<Created, Created>): Effect {
    switch (effect.op) {
      case 'task': {
        const old = effect.task;
        const task = new TaskBuilder(old.taskId, old.operator, old.kind, this.carryRange(old.range),
          old.args.map((a) => this.carryArgument(a, carried)), old.groups.map((g) => this.carryCreated(g, carried)),
          old.definition && this.carryRange(old.definition));
        task.previous = old;
        task.argumentsReferBuilders = old.argumentsReferBuilders;
        carried.set(old, task);
        return { op: 'task', task };
      }
      case 'add':
        return { op: 'add', dag: this.carryCreated(effect.dag, carried), task: this.carryCreated(effect.task, carried) };
      case 'link':
        return { op: 'link', upstream: this.carryCreated(effect.upstream, carried), downstream: this.carryCreated(effect.downstream, carried) };
      case 'bind':
        return { op: 'bind', name: effect.name, value: this.carryValue(effect.value, carried) };
      case 'variable':
        return { op: 'variable', task: this.carryCreated(effect.task, carried), name: effect.name, range: this.carryRange(effect.range) };
      case 'mapped':
        return { op: 'mapped', task: this.carryCreated(effect.task, carried) };
      case 'undefined':
        return { op: 'undefined', reference: { name: effect.reference.name, range: this.carryRange(effect.reference.range) } };
    }
  }

  /** This analysis' counterpart of a builder or function of the previous one. */
  private carryCreated<T extends Created>(old: T, carried: Map<Created, Created>): T {
    const found = carried.get(old) ?? (old.origin && this.runsByIdentity.get(old.origin.run.identity)?.created[old.origin.ordinal]);
    if (!found || found.constructor !== old.constructor) throw NOT_REPLAYABLE;
    return found as T;
  }

  /**
   * A range of the previous text in this one: unchanged before the edit, shifted after it. A range
   * of a value that a statement kept in place has moved already (a dict the replayed statement
   * passes as `**kwargs`) is in this text's positions: it is shared as the value is.
   */
  private carryRange(range: SourceRange): SourceRange {
    if (this.moved.has(range)) return range;
    const later = laterRange(this.lastEdit!, range);
    if (!later) throw NOT_REPLAYABLE;
    return later;
  }

  private carryArgument(arg: EvaluatedArgument, carried: Map<Created, Created>): EvaluatedArgument {
    return {
      keyword: arg.keyword,
      star: arg.star,
      value: this.carryValue(arg.value, carried),
      nameRange: arg.nameRange && this.carryRange(arg.nameRange),
      valueRange: this.carryRange(arg.valueRange),
      ...(arg.spread ? { spread: true } : {}),
    };
  }

  private carryValue(value: Value, carried: Map<Created, Created>): Value {
    switch (value.kind) {
      case 'seq':
        return { kind: 'seq', items: value.items.map((v) => this.carryValue(v, carried)) };
      case 'dict':
        return {
          kind: 'dict',
          entries: new Map([...value.entries].map(([key, e]) => [key, {
            value: this.carryValue(e.value, carried),
            keyRange: e.keyRange && this.carryRange(e.keyRange),
            valueRange: e.valueRange && this.carryRange(e.valueRange),
          }])),
        };
      case 'now':
        return { ...value, range: this.carryRange(value.range) };
      case 'timetable':
        return mapTimetableRanges(value, (r) => this.carryRange(r));
      case 'task':
        return { kind: 'task', task: this.carryCreated(value.task, carried), xcom: value.xcom };
      case 'dag':
        return { kind: 'dag', dag: this.carryCreated(value.dag, carried) };
      case 'group':
        return { kind: 'group', group: this.carryCreated(value.group, carried) };
      case 'taskflow':
        return { kind: 'taskflow', fn: this.carryCreated(value.fn, carried), partial: value.partial };
      case 'dagFunction':
        return { kind: 'dagFunction', fn: this.carryCreated(value.fn, carried) };
      case 'groupFunction':
        return { kind: 'groupFunction', fn: this.carryCreated(value.fn, carried) };
      case 'function':
        return { kind: 'function', fn: this.carryCreated(value.fn, carried) };
      default:
        // Literals, dates, external names, and functions of other files (whose ranges are theirs).
        return value;
    }
  }

  // --- statements ---------------------------------------------------------------------------

  /** Executes the statements of a Script or Body in order. */
  private block(node: SyntaxNode, scope: Scope): void {
    for (const child of childrenOf(node)) this.statement(child, scope);
  }

  private statement(node: SyntaxNode, scope: Scope): void {
    const entrySteps = this.steps;
    if (node.type.isError || !this.spend(node)) return;
    this.entrySteps = entrySteps;
    if (this.recording() && isCompound(node)) this.markCompound(node, entrySteps);
    // A compound statement is not one record: its header and each statement of its bodies are.
    if (!this.recording() || node.name === 'WithStatement' || isCompound(node)) this.statementChecked(node, scope);
    // The method and its arguments rather than a closure: this runs for every statement after an edit.
    else this.recorded(node.from, node.to, node.name, true, this.statementChecked, node, scope, entrySteps);
  }

  private statementChecked(node: SyntaxNode, scope: Scope): void {
    try {
      this.statementUnchecked(node, scope);
    } catch (error) {
      if (error instanceof ReturnSignal) throw error;
      this.unrecorded = true;
      // A bug in the analyser must not cost the user the rest of the file: report it where it happened.
      this.diagnostics.push({
        code: 'PF000',
        severity: 'warning',
        message: `Airflow Preflight could not analyse this statement: ${error instanceof Error ? error.message : String(error)}`,
        range: rangeOf(node),
      });
    }
  }

  private statementUnchecked(node: SyntaxNode, scope: Scope): void {
    switch (node.name) {
      case 'ExpressionStatement':
        for (const child of childrenOf(node)) this.expression(child, scope);
        return;
      case 'AssignStatement':
        this.assignment(node, scope);
        return;
      case 'ImportStatement':
        this.importStatement(node, scope);
        return;
      case 'WithStatement':
        this.withStatement(node, scope);
        return;
      case 'ForStatement':
        this.forStatement(node, scope);
        return;
      case 'FunctionDefinition':
        this.functionDefinition(node, [], node, scope);
        return;
      case 'DecoratedStatement':
        this.decoratedStatement(node, scope);
        return;
      case 'ReturnStatement': {
        // A replay would not end the module or function as the return does.
        this.impure();
        const value = node.lastChild && node.lastChild.name !== 'return' ? this.expression(node.lastChild, scope) : NONE;
        throw new ReturnSignal(value);
      }
      case 'ClassDefinition':
        // Classes in DAG files hold custom operators; their bodies create no tasks when defined.
        return;
      case 'Body':
      case 'StatementGroup':
        this.block(node, scope);
        return;
      default:
        // if/while/try and other compound statements: every branch may create tasks, so all are read.
        for (const child of childrenOf(node)) {
          if (child.name === 'Body') this.block(child, scope);
          // Keywords (`if`, `except`...) are lower-case nodes; expressions are capitalised.
          else if (/^[A-Z]/.test(child.name) && !child.type.isError) {
            if (this.recording()) this.recorded(child.from, child.to, child.name, false, this.expression, child, scope);
            else this.expression(child, scope);
          }
        }
    }
  }

  private assignment(node: SyntaxNode, scope: Scope): void {
    const parts = childrenOf(node).filter((n) => n.name !== 'TypeDef');
    const valueNode = parts[parts.length - 1];
    if (!valueNode || valueNode.name === 'AssignOp') return;
    const value = this.expression(valueNode, scope);
    for (let i = 0; i < parts.length - 1; i++) {
      if (parts[i + 1]?.name === 'AssignOp') this.bindTarget(parts[i], value, scope);
    }
  }

  /** Binds `name = value`, and unpacks `a, b = [x, y]` when the value's items are known. */
  private bindTarget(target: SyntaxNode, value: Value, scope: Scope): void {
    if (target.name === 'VariableName') {
      const name = sourceOf(this.text, target);
      this.bindName(scope, name, value);
      if (scope === this.module) this.log({ op: 'bind', name, value });
      else this.impure();
      if (value.kind === 'task' && !value.task.variable) {
        const range = rangeOf(target);
        this.setVariable(value.task, { name, range });
        this.log({ op: 'variable', task: value.task, name, range });
      }
    } else if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
      this.bindTargets(childrenOf(target).filter((n) => !isPunctuation(n)), value, scope);
    }
  }

  private bindTargets(targets: SyntaxNode[], value: Value, scope: Scope): void {
    if (targets.length === 1) {
      this.bindTarget(targets[0], value, scope);
      return;
    }
    const items = value.kind === 'seq' && value.items.length === targets.length ? value.items : undefined;
    targets.forEach((t, i) => this.bindTarget(t, items ? items[i] : UNKNOWN, scope));
  }

  private importStatement(node: SyntaxNode, scope: Scope): void {
    this.impure();
    const parts = childrenOf(node);
    const isFrom = parts[0]?.name === 'from';
    let module = '';
    let i = 1;
    if (isFrom) {
      // The module path: dots (relative imports) and names up to `import`.
      while (i < parts.length && parts[i].name !== 'import') {
        module += sourceOf(this.text, parts[i]);
        i++;
      }
      i++;
    }
    // Names separated by commas, each optionally followed by `as alias`.
    let dotted = '';
    const commit = (alias?: string) => {
      if (!dotted) return;
      if (isFrom) {
        const local = alias ?? dotted;
        const imported = this.moduleFunction(module, dotted);
        if (imported?.kind === 'moduleFunction' && this.active) {
          this.active.imported = [...this.active.imported, `${local}=${imported.file}:${imported.range.from}-${imported.range.to}`];
        }
        this.bindName(scope, local, imported ?? { kind: 'external', qualifiedName: `${module}.${dotted}` });
      } else {
        const local = alias ?? dotted.split('.')[0];
        this.bindName(scope, local, { kind: 'external', qualifiedName: alias ? dotted : local });
      }
      dotted = '';
    };
    for (; i < parts.length; i++) {
      const part = parts[i];
      if (part.name === 'as') {
        const alias = parts[i + 1];
        commit(alias ? sourceOf(this.text, alias) : undefined);
        i++;
      } else if (part.name === ',') {
        commit();
      } else if (part.name === 'VariableName') {
        dotted += sourceOf(this.text, part);
      } else if (part.name === '.') {
        dotted += '.';
      }
    }
    commit();
  }

  /** A function that a module of the workspace defines at its top level, with its location. */
  private moduleFunction(module: string, name: string): Value | undefined {
    if (!this.options.readModule || module.startsWith('airflow')) return undefined;
    if (!this.moduleFunctions.has(module)) {
      const source = this.options.readModule(module);
      let functions: Map<string, Value> | undefined;
      if (source) {
        functions = new Map();
        for (const statement of childrenOf(parsePython(source.text).topNode)) {
          const definition = statement.name === 'DecoratedStatement' ? statement.getChild('FunctionDefinition') : statement;
          const nameNode = definition?.name === 'FunctionDefinition' ? definition.getChild('VariableName') : null;
          if (nameNode) {
            const functionName = source.text.slice(nameNode.from, nameNode.to);
            functions.set(functionName, { kind: 'moduleFunction', name: functionName, file: source.file, range: rangeOf(nameNode) });
          }
        }
      }
      this.moduleFunctions.set(module, functions);
    }
    return this.moduleFunctions.get(module)?.get(name);
  }

  private withStatement(node: SyntaxNode, scope: Scope): void {
    const parts = childrenOf(node);
    const body = parts.find((p) => p.name === 'Body');
    let pushedDags = 0;
    let pushedGroups = 0;
    const header = () => {
      // Entering the DAG or group is not an effect a replay repeats: the header is always evaluated.
      this.impure();
      for (let i = 0; i < parts.length && parts[i] !== body; i++) {
        const part = parts[i];
        if (part.name === 'with' || part.name === ',' || part.name === 'as' || part.name === 'async') continue;
        const value = this.expression(part, scope);
        if (value.kind === 'dag') {
          this.dagStack.push(value.dag);
          pushedDags++;
        } else if (value.kind === 'group') {
          this.groupStack.push(value.group);
          pushedGroups++;
        }
        this.invalidateContext();
        if (parts[i + 1]?.name === 'as' && parts[i + 2]) {
          this.bindTarget(parts[i + 2], value, scope);
          i += 2;
        }
      }
    };
    if (this.recording()) {
      this.recorded(node.from, body ? body.from : node.to, node.name, false, header, node, scope, this.entrySteps, node.to);
      this.invalidateContext();
      this.runOrder[this.runOrder.length - 1].entered = this.stacks();
    } else {
      header();
    }
    // The DAG or group entered has its identity now that the header's record is complete.
    this.invalidateContext();
    try {
      if (body) this.block(body, scope);
    } finally {
      this.dagStack.length -= pushedDags;
      this.groupStack.length -= pushedGroups;
      this.invalidateContext();
    }
  }

  private forStatement(node: SyntaxNode, scope: Scope): void {
    const parts = childrenOf(node);
    const inIndex = parts.findIndex((p) => p.name === 'in');
    const targets = parts.slice(1, inIndex < 0 ? 1 : inIndex).filter((p) => !isPunctuation(p));
    const iterableNode = inIndex >= 0 ? parts[inIndex + 1] : undefined;
    const [body, elseBody] = parts.filter((p) => p.name === 'Body');
    if (!body) return;
    const iterable = iterableNode ? this.expression(iterableNode, scope) : UNKNOWN;
    this.iterate(iterable, node, (item) => {
      this.bindTargets(targets, item, scope);
      this.block(body, scope);
    });
    if (elseBody) this.block(elseBody, scope);
  }

  /**
   * Runs `visit` once per item of a known sequence, or once with an unknown item otherwise, so that
   * tasks created in a loop over an unknown list still show their structure.
   */
  private iterate(iterable: Value, loop: SyntaxNode, visit: (item: Value) => void): void {
    const items = iterable.kind === 'seq' ? iterable.items
      : iterable.kind === 'dict' ? [...iterable.entries.keys()].map((k): Value => ({ kind: 'str', value: k }))
      : iterable.kind === 'str' ? [...iterable.value].map((c): Value => ({ kind: 'str', value: c }))
      : [UNKNOWN];
    this.impure();
    this.loopDepth++;
    try {
      for (const item of items) {
        if (this.loopIterations >= ANALYSIS_LIMITS.loopIterations) {
          this.exhaust(loop, `after ${ANALYSIS_LIMITS.loopIterations.toLocaleString('en-US')} loop iterations`);
          return;
        }
        this.loopIterations++;
        visit(item);
      }
    } finally {
      this.loopDepth--;
    }
  }

  /** Counts one evaluation step; false once the budget is spent, which ends evaluation wherever it is. */
  private spend(node: SyntaxNode): boolean {
    if (this.steps >= ANALYSIS_LIMITS.steps) {
      this.exhaust(node, `after ${ANALYSIS_LIMITS.steps.toLocaleString('en-US')} evaluation steps`);
      return false;
    }
    this.steps++;
    return true;
  }

  /** Records the first limit reached: what the model lacks from there on is said once, where it began. */
  private exhaust(node: SyntaxNode, reason: string): void {
    if (this.exhausted) return;
    this.exhausted = true;
    this.diagnostics.push({
      code: 'PF002',
      severity: 'warning',
      message: `Airflow Preflight stopped evaluating here ${reason}: the file loops or recurses more than a static reading follows, so the DAGs and tasks it creates from here on are not shown or checked.`,
      range: rangeOf(node),
    });
  }

  /** The work done so far, against ANALYSIS_LIMITS. */
  get work(): AnalysisWork {
    return { steps: this.steps, loopIterations: this.loopIterations, exhausted: this.exhausted };
  }

  private decoratedStatement(node: SyntaxNode, scope: Scope): void {
    const decorators = childrenOf(node).filter((n) => n.name === 'Decorator');
    const definition = childrenOf(node).find((n) => n.name === 'FunctionDefinition' || n.name === 'ClassDefinition');
    if (!definition || definition.name === 'ClassDefinition') return;
    this.functionDefinition(definition, decorators, node, scope);
  }

  private functionDefinition(definition: SyntaxNode, decorators: SyntaxNode[], whole: SyntaxNode, scope: Scope): void {
    // A function holds its syntax node, which a replay cannot carry into another tree.
    this.impure();
    const nameNode = definition.getChild('VariableName');
    if (!nameNode) return;
    const name = sourceOf(this.text, nameNode);
    const define = (value: Extract<Value, { fn: unknown }>) => {
      this.register(value.fn);
      this.bindName(scope, name, value);
    };
    for (const decorator of decorators) {
      const { qualifiedName, args } = this.decorator(decorator, scope);
      if (!qualifiedName) continue;
      const taskFlow = taskFlowDecorator(qualifiedName);
      if (taskFlow) {
        const taskId = keywordString(args, 'task_id') ?? name;
        define({ kind: 'taskflow', fn: { name, decorator: taskFlow, taskId, definition, decoratorArgs: args }, partial: false });
        return;
      }
      const decoratorName = lastSegment(qualifiedName);
      if (decoratorName === 'dag') {
        const dagId = keywordString(args, 'dag_id') ?? name;
        define({ kind: 'dagFunction', fn: { name, dagId, definition, decorated: whole, closure: scope, decoratorArgs: args } });
        return;
      }
      if (decoratorName === 'task_group') {
        define({ kind: 'groupFunction', fn: { name, definition, decorated: whole, closure: scope, decoratorArgs: args } });
        return;
      }
    }
    define({ kind: 'function', fn: { name, definition, closure: scope } });
  }

  /** A decorator's qualified name and arguments. Lezer keeps `@task.bash(...)` flat: names, dots, ArgList. */
  private decorator(node: SyntaxNode, scope: Scope): { qualifiedName?: string; args: EvaluatedArgument[] } {
    const parts = childrenOf(node).filter((n) => n.name !== 'At');
    const argList = parts.find((n) => n.name === 'ArgList') ?? null;
    const names = parts.filter((n) => n.name === 'VariableName' || n.name === 'PropertyName').map((n) => sourceOf(this.text, n));
    if (names.length === 0) return { args: [] };
    const head = scope.lookup(names[0]);
    const base = head?.kind === 'external' ? head.qualifiedName : head === undefined ? names[0] : undefined;
    if (base === undefined) return { args: [] };
    return { qualifiedName: [base, ...names.slice(1)].join('.'), args: this.evaluateArguments(callArguments(this.text, argList), scope) };
  }

  // --- expressions --------------------------------------------------------------------------

  private expression(node: SyntaxNode, scope: Scope): Value {
    return this.spend(node) ? this.evaluate(node, scope) : UNKNOWN;
  }

  private evaluate(node: SyntaxNode, scope: Scope): Value {
    switch (node.name) {
      case 'String':
        return this.stringValue(node);
      case 'ContinuedString': {
        const pieces = childrenOf(node).map((n) => this.expression(n, scope));
        return pieces.every((p) => p.kind === 'str')
          ? { kind: 'str', value: pieces.map((p) => (p as { value: string }).value).join('') }
          : UNKNOWN;
      }
      case 'FormatString':
        return this.formatString(node, scope);
      case 'Number': {
        const source = sourceOf(this.text, node);
        const value = decodeNumberLiteral(source);
        return value === undefined ? UNKNOWN : { kind: 'num', value, float: /[.eE]/.test(source) && !/^0[xX]/.test(source) };
      }
      case 'Boolean':
        return { kind: 'bool', value: sourceOf(this.text, node) === 'True' };
      case 'None':
        return NONE;
      case 'VariableName': {
        const name = sourceOf(this.text, node);
        return scope.lookup(name) ?? { kind: 'external', qualifiedName: name, unbound: true };
      }
      case 'ParenthesizedExpression': {
        const inner = childrenOf(node).find((n) => !isPunctuation(n));
        return inner ? this.expression(inner, scope) : UNKNOWN;
      }
      case 'ArrayExpression':
      case 'TupleExpression':
      case 'SetExpression':
        return this.sequence(node, scope);
      case 'DictionaryExpression':
        return this.dictionary(node, scope);
      case 'ArrayComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'ComprehensionExpression':
        return this.comprehension(node, scope);
      case 'UnaryExpression': {
        const [op, operand] = childrenOf(node);
        const value = operand ? this.expression(operand, scope) : UNKNOWN;
        const sign = op ? sourceOf(this.text, op) : '';
        if (value.kind === 'num' && sign === '-') return { ...value, value: -value.value };
        if (value.kind === 'num' && sign === '+') return value;
        if (value.kind === 'timedelta' && sign === '-') return { kind: 'timedelta', seconds: -value.seconds };
        return UNKNOWN;
      }
      case 'BinaryExpression':
        return this.binary(node, scope);
      case 'MemberExpression':
        return this.member(node, scope);
      case 'CallExpression':
        return this.call(node, scope);
      default:
        // Expressions the evaluator does not interpret may still contain calls that create tasks.
        for (const child of childrenOf(node)) {
          if (!isPunctuation(child) && !child.type.isError) this.expression(child, scope);
        }
        return UNKNOWN;
    }
  }

  private stringValue(node: SyntaxNode): Value {
    const value = decodeStringLiteral(sourceOf(this.text, node));
    return value === undefined ? UNKNOWN : { kind: 'str', value };
  }

  /** f-strings with replacement fields whose values are known strings or numbers (no format spec). */
  private formatString(node: SyntaxNode, scope: Scope): Value {
    const source = sourceOf(this.text, node);
    const prefix = /^[A-Za-z]*/.exec(source)![0];
    const quote = source.startsWith('"""', prefix.length) || source.startsWith("'''", prefix.length) ? 3 : 1;
    const bodyStart = node.from + prefix.length + quote;
    const bodyEnd = Math.max(bodyStart, node.to - quote);
    const raw = prefix.toLowerCase().includes('r');
    const literal = (from: number, to: number) => {
      const piece = this.text.slice(from, to).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      return raw ? piece : unescapePython(piece);
    };
    let result = '';
    let cursor = bodyStart;
    let known = true;
    for (const field of childrenOf(node).filter((n) => n.name === 'FormatReplacement')) {
      result += literal(cursor, field.from);
      cursor = field.to;
      const inner = childrenOf(field).filter((n) => !isPunctuation(n) && n.name !== '{' && n.name !== '}');
      // Every field is evaluated, known or not, so that calls inside it still count.
      const value = inner.length > 0 ? this.expression(inner[0], scope) : UNKNOWN;
      if (inner.length !== 1 || this.text.slice(inner[0].to, field.to - 1).trim() !== '') known = false;
      else if (value.kind === 'str') result += value.value;
      else if (value.kind === 'num') result += String(value.value);
      else known = false;
    }
    result += literal(cursor, bodyEnd);
    return known ? { kind: 'str', value: result } : UNKNOWN;
  }

  private sequence(node: SyntaxNode, scope: Scope): Value {
    const items: Value[] = [];
    let known = true;
    for (const child of childrenOf(node)) {
      if (isPunctuation(child) || child.name === '*') continue;
      const value = this.expression(child, scope);
      if (child.prevSibling?.name === '*') {
        if (value.kind === 'seq') items.push(...value.items);
        else known = false;
      } else {
        items.push(value);
      }
    }
    return known ? { kind: 'seq', items } : UNKNOWN;
  }

  private dictionary(node: SyntaxNode, scope: Scope): Value {
    const entries = new Map<string, Entry>();
    let known = true;
    const parts = childrenOf(node).filter((n) => n.name !== '{' && n.name !== '}');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.name === ',') continue;
      if (part.name === '**') {
        const spread = parts[i + 1] ? this.expression(parts[i + 1], scope) : UNKNOWN;
        if (spread.kind === 'dict') spread.entries.forEach((v, k) => entries.set(k, v));
        else known = false;
        i++;
        continue;
      }
      const key = this.expression(part, scope);
      const valueNode = parts[i + 1]?.name === ':' ? parts[i + 2] : undefined;
      const value = valueNode ? this.expression(valueNode, scope) : UNKNOWN;
      if (key.kind === 'str') entries.set(key.value, { value, keyRange: rangeOf(part), valueRange: valueNode ? rangeOf(valueNode) : undefined });
      else known = false;
      i += valueNode ? 2 : 0;
    }
    return known ? { kind: 'dict', entries } : UNKNOWN;
  }

  /** `[make(x) for x in items]`: evaluates the element once per known item; tasks it creates are real. */
  private comprehension(node: SyntaxNode, scope: Scope): Value {
    const parts = childrenOf(node).filter((n) => !['[', ']', '{', '}', '(', ')'].includes(n.name));
    const forIndex = parts.findIndex((p) => p.name === 'for');
    const inIndex = parts.findIndex((p) => p.name === 'in');
    if (forIndex < 1 || inIndex < forIndex) return UNKNOWN;
    const element = parts[0];
    const targets = parts.slice(forIndex + 1, inIndex).filter((p) => !isPunctuation(p));
    const iterableNode = parts[inIndex + 1];
    // Nested `for`/`if` clauses make the result depend on things this evaluator does not model.
    const simple = parts.length === inIndex + 2;
    const iterable = iterableNode ? this.expression(iterableNode, scope) : UNKNOWN;
    const inner = new Scope(scope);
    const items: Value[] = [];
    this.iterate(iterable, node, (item) => {
      this.bindTargets(targets, item, inner);
      items.push(this.expression(element, inner));
    });
    return simple && iterable.kind === 'seq' ? { kind: 'seq', items } : UNKNOWN;
  }

  private binary(node: SyntaxNode, scope: Scope): Value {
    const [leftNode, opNode, rightNode] = childrenOf(node);
    if (!leftNode || !opNode || !rightNode) {
      if (leftNode) this.expression(leftNode, scope);
      return UNKNOWN;
    }
    const left = this.expression(leftNode, scope);
    const right = this.expression(rightNode, scope);
    const op = sourceOf(this.text, opNode);
    switch (op) {
      case '>>':
      case '<<':
        this.noteUndefinedTasks(leftNode, scope);
        this.noteUndefinedTasks(rightNode, scope);
        // `a >> b` is `a.set_downstream(b)` and returns `b`, which is what makes `a >> b >> c` a chain.
        // A list on both sides is a TypeError in Python: no edge is set.
        if (!(left.kind === 'seq' && right.kind === 'seq')) {
          if (op === '>>') this.connect(left, right);
          else this.connect(right, left);
        }
        return right;
      case '+':
      case '-':
        return arithmetic(op, left, right);
      case '|':
        if (left.kind === 'dict' && right.kind === 'dict') return { kind: 'dict', entries: new Map([...left.entries, ...right.entries]) };
        return UNKNOWN;
      default:
        return left.kind === 'now' ? left : right.kind === 'now' ? right : UNKNOWN;
    }
  }

  /** Names used as tasks that nothing in the file defines: almost always a typo or a task not written yet. */
  private noteUndefinedTasks(node: SyntaxNode, scope: Scope): void {
    if (node.name === 'VariableName') {
      const name = sourceOf(this.text, node);
      if (scope.lookup(name) === undefined) this.noteUndefinedTask({ name, range: rangeOf(node) });
    } else if (node.name === 'ArrayExpression' || node.name === 'TupleExpression' || node.name === 'ParenthesizedExpression') {
      for (const child of childrenOf(node)) this.noteUndefinedTasks(child, scope);
    }
  }

  private noteUndefinedTask(reference: UndefinedTaskReference): void {
    if (this.undefinedTaskReferences.some((r) => r.range.from === reference.range.from)) return;
    this.undefinedTaskReferences.push(reference);
    this.undoable(UNDO_UNDEFINED, reference);
    this.log({ op: 'undefined', reference });
  }

  private member(node: SyntaxNode, scope: Scope): Value {
    const object = node.firstChild;
    if (!object) return UNKNOWN;
    const value = this.expression(object, scope);
    const property = node.getChild('PropertyName');
    if (property) {
      const name = sourceOf(this.text, property);
      if (value.kind === 'external') {
        const qualifiedName = `${value.qualifiedName}.${name}`;
        // `timezone.utc`, `pendulum.UTC`, `pytz.utc`: the UTC zone object.
        return /(^|\.)(utc|UTC)$/.test(qualifiedName) && qualifiedName !== 'utc' ? { kind: 'timezone', name: 'UTC' } : { kind: 'external', qualifiedName };
      }
      // `operator.output` is the operator's XComArg: passing it on creates an edge.
      if (value.kind === 'task' && name === 'output') return { kind: 'task', task: value.task, xcom: true };
      return value.kind === 'now' ? value : UNKNOWN;
    }
    // Subscript: `x["key"]`, `x[0]`.
    const index = childrenOf(node).filter((n) => !isPunctuation(n))[1];
    const key = index ? this.expression(index, scope) : UNKNOWN;
    // `result["key"]` of a TaskFlow result is still an XComArg of the same task.
    if (value.kind === 'task' && value.xcom) return value;
    if (value.kind === 'dict' && key.kind === 'str') return value.entries.get(key.value)?.value ?? UNKNOWN;
    if (value.kind === 'seq' && key.kind === 'num' && Number.isInteger(key.value)) {
      return value.items[key.value < 0 ? value.items.length + key.value : key.value] ?? UNKNOWN;
    }
    return UNKNOWN;
  }

  // --- calls --------------------------------------------------------------------------------

  private call(node: SyntaxNode, scope: Scope): Value {
    const callee = node.firstChild;
    if (!callee) return UNKNOWN;
    const args = callArguments(this.text, node.getChild('ArgList'));
    let target: Value;
    const property = callee.name === 'MemberExpression' ? callee.getChild('PropertyName') : null;
    if (property && callee.firstChild) {
      // The object is evaluated once: evaluating it again could create its tasks twice.
      const method = sourceOf(this.text, property);
      const object = this.expression(callee.firstChild, scope);
      const result = this.methodCall(object, method, args, node, scope);
      if (result) return result;
      target = object.kind === 'external' ? { kind: 'external', qualifiedName: `${object.qualifiedName}.${method}` } : UNKNOWN;
    } else {
      target = this.expression(callee, scope);
    }
    switch (target.kind) {
      case 'taskflow':
        return this.taskFlowCall(target.fn, args, node, scope, false);
      case 'dagFunction':
        return this.dagFunctionCall(target.fn, args, scope);
      case 'groupFunction':
        return this.groupFunctionCall(target.fn, args, scope);
      case 'function':
        return this.invoke(target.fn, this.evaluateArguments(args, scope));
      case 'external':
        return this.externalCall(target.qualifiedName, args, node, scope);
      default:
        this.evaluateArguments(args, scope);
        return UNKNOWN;
    }
  }

  /** Methods of DAG objects that the evaluator understands; undefined lets the call be evaluated normally. */
  private methodCall(object: Value, method: string, args: CallArgument[], node: SyntaxNode, scope: Scope): Value | undefined {
    if (object.kind === 'task' || object.kind === 'group' || object.kind === 'seq') {
      if (method === 'set_downstream' || method === 'set_upstream') {
        for (const arg of args) this.noteUndefinedTasks(arg.value, scope);
        for (const arg of this.evaluateArguments(args, scope)) {
          if (method === 'set_downstream') this.connect(object, arg.value);
          else this.connect(arg.value, object);
        }
        return NONE;
      }
    }
    if (object.kind === 'task' && (method === 'expand' || method === 'expand_kwargs')) {
      this.setMapped(object.task, true);
      this.log({ op: 'mapped', task: object.task });
      this.linkXComArguments(object.task, this.evaluateArguments(args, scope));
      return object;
    }
    if (object.kind === 'taskflow') {
      if (method === 'override') {
        const evaluated = this.evaluateArguments(args, scope);
        const taskId = keywordString(evaluated, 'task_id') ?? object.fn.taskId;
        return { kind: 'taskflow', fn: { ...object.fn, origin: undefined, taskId, decoratorArgs: mergeArguments(object.fn.decoratorArgs, evaluated) }, partial: object.partial };
      }
      if (method === 'partial') {
        return { kind: 'taskflow', fn: object.fn, partial: true };
      }
      if (method === 'expand' || method === 'expand_kwargs') {
        return this.taskFlowCall(object.fn, args, node, scope, true);
      }
    }
    if (object.kind === 'external' && method === 'partial') {
      const result = this.externalCall(object.qualifiedName, args, node, scope);
      if (result.kind === 'task') {
        this.setMapped(result.task, true);
        this.log({ op: 'mapped', task: result.task });
      }
      return result;
    }
    if (object.kind === 'datetime' && method === 'replace') {
      const evaluated = this.evaluateArguments(args, scope);
      const tz = evaluated.find((a) => a.keyword === 'tzinfo')?.value;
      if (evaluated.length === 1 && tz) return tz.kind === 'timezone' ? { ...object, tz: tz.name } : tz.kind === 'none' ? { ...object, tz: null } : UNKNOWN;
      return UNKNOWN;
    }
    if (object.kind === 'now') {
      this.evaluateArguments(args, scope);
      return object;
    }
    return undefined;
  }

  private externalCall(qualifiedName: string, args: CallArgument[], node: SyntaxNode, scope: Scope): Value {
    const name = lastSegment(qualifiedName);
    const evaluated = this.evaluateArguments(args, scope);
    const keyword = (key: string) => evaluated.find((a) => a.keyword === key)?.value;
    const positional = evaluated.filter((a) => !a.keyword && !a.star).map((a) => a.value);
    const clock = dates.clockCall(qualifiedName);
    if (clock) return { kind: 'now', call: clock, range: rangeOf(node) };
    // What is computed from the clock (`str(date.today())`) changes with it.
    const fromClock = positional.find((v) => v.kind === 'now');
    const date = this.dateCall(qualifiedName, evaluated);
    if (date !== undefined) return date;
    switch (name) {
      case 'DAG': {
        const dagId = keyword('dag_id') ?? positional[0];
        if (dagId?.kind !== 'str') return UNKNOWN;
        const dag = new DagBuilder(dagId.value, 'constructor', rangeOf(node), rangeOf(node), evaluated);
        this.impure();
        this.register(dag);
        this.addDag(dag);
        return { kind: 'dag', dag };
      }
      case 'TaskGroup':
        return this.taskGroup(keyword('group_id') ?? positional[0], evaluated, rangeOf(node));
      case 'chain':
      case 'chain_linear':
        for (const arg of args) this.noteUndefinedTasks(arg.value, scope);
        this.chain(positional, name === 'chain_linear');
        return NONE;
      case 'cross_downstream': {
        for (const arg of args) this.noteUndefinedTasks(arg.value, scope);
        const [from, to] = [keyword('from_tasks') ?? positional[0], keyword('to_tasks') ?? positional[1]];
        if (from && to) for (const upstream of this.tasksOf(from, 'leaves')) this.connect({ kind: 'task', task: upstream, xcom: false }, to);
        return NONE;
      }
      case 'Param':
        // A DAG or task param: templates see its default value.
        return keyword('default') ?? positional[0] ?? UNKNOWN;
      case 'range':
        return rangeValue(positional);
      case 'dict':
        return dictCall(evaluated);
      case 'list':
      case 'tuple':
        return positional[0]?.kind === 'seq' ? positional[0] : UNKNOWN;
      case 'str':
        return positional[0]?.kind === 'str' ? positional[0]
          : positional[0]?.kind === 'num' ? { kind: 'str', value: String(positional[0].value) } : fromClock ?? UNKNOWN;
      default: {
        const taskId = keyword('task_id');
        // A timetable object (`schedule=CronTriggerTimetable(...)`) is kept with its arguments.
        if (taskId === undefined && name.endsWith('Timetable')) {
          return {
            kind: 'timetable',
            className: name,
            positional: positional.map(publicValue),
            keywords: new Map(evaluated.filter((a) => a.keyword).map((a) => [a.keyword!, publicValue(a.value)])),
          };
        }
        if (taskId?.kind !== 'str') return fromClock ?? UNKNOWN;
        return this.createTask(taskId.value, operatorClassName(qualifiedName), 'operator', node, keyword('dag'), evaluated);
      }
    }
  }

  /** Dates, durations and zones: `datetime(...)`, `pendulum.datetime(...)`, `timedelta(...)`... */
  private dateCall(qualifiedName: string, evaluated: EvaluatedArgument[]): Value | undefined {
    if (!DATE_CONSTRUCTORS.has(lastSegment(qualifiedName))) return undefined;
    const segments = qualifiedName.split('.');
    const [module, name] = [segments.length > 1 ? segments[segments.length - 2] : '', segments[segments.length - 1]];
    const values: dates.CallValues = {
      positional: evaluated.filter((a) => !a.keyword && !a.star).map((a) => publicValue(a.value)),
      keywords: new Map(evaluated.filter((a) => a.keyword).map((a) => [a.keyword!, publicValue(a.value)])),
    };
    let result: PyValue | undefined | null = null;
    if (name === 'datetime' && module === 'pendulum') result = dates.pendulumDatetime(values);
    else if (name === 'datetime' || (name === 'DateTime' && module !== 'pendulum')) result = dates.pythonDatetime(values);
    else if (name === 'timedelta' || (name === 'duration' && module === 'pendulum')) result = dates.timedelta(values);
    else if ((name === 'timezone' && (module === 'pendulum' || module === 'pytz')) || name === 'ZoneInfo' || (name === 'Timezone' && module === 'pendulum')) result = dates.timezone(values);
    else if (name === 'parse' && module === 'pendulum') result = dates.pendulumParse(values);
    else if (name === 'relativedelta') result = dates.relativedelta(values);
    if (result === null) return undefined;
    return (result ?? UNKNOWN) as Value;
  }

  private taskGroup(groupId: Value | undefined, evaluated: readonly EvaluatedArgument[], range: SourceRange): Value {
    if (groupId?.kind !== 'str' && groupId?.kind !== 'none') return UNKNOWN;
    const prefix = evaluated.find((a) => a.keyword === 'prefix_group_id')?.value;
    const defaultArgs = evaluated.find((a) => a.keyword === 'default_args')?.value ?? { kind: 'dict', entries: new Map() };
    const parent = this.groupStack[this.groupStack.length - 1];
    const group = new GroupBuilder(groupId.kind === 'str' ? groupId.value : '', prefix?.kind === 'bool' ? prefix.value : true, parent, range, defaultArgs);
    this.impure();
    this.register(group);
    return { kind: 'group', group };
  }

  private createTask(label: string, operator: string, kind: 'operator' | 'taskflow', node: SyntaxNode, dagArgument: Value | undefined,
    args: readonly EvaluatedArgument[], definition?: SourceRange): Value {
    const group = this.groupStack[this.groupStack.length - 1];
    const taskId = group ? group.childId(label) : label;
    const task = new TaskBuilder(taskId, operator, kind, rangeOf(node), args, this.groupStack, definition);
    task.argumentsReferBuilders = args.some((a) => refersToBuilders(a.value));
    this.register(task);
    this.log({ op: 'task', task });
    const dag = dagArgument?.kind === 'dag' ? dagArgument.dag : this.dagStack[this.dagStack.length - 1];
    if (dag) {
      this.addToDag(dag, task);
      this.log({ op: 'add', dag, task });
    }
    this.linkXComArguments(task, args);
    return { kind: 'task', task, xcom: kind === 'taskflow' };
  }

  private taskFlowCall(fn: TaskFlowFunction, args: CallArgument[], node: SyntaxNode, scope: Scope, mapped: boolean): Value {
    // Its task id depends on the ids already in the DAG (uniqueTaskId), which records do not track.
    this.impure();
    const evaluated = this.evaluateArguments(args, scope);
    const dag = this.dagStack[this.dagStack.length - 1];
    const group = this.groupStack[this.groupStack.length - 1];
    const label = uniqueTaskId(fn.taskId, group, dag);
    const nameNode = fn.definition.getChild('VariableName');
    // The task's arguments are the decorator's; the call's arguments are the function's, which only
    // matter here for the XComArgs they pass.
    const result = this.createTask(label, fn.decorator, 'taskflow', node, undefined, fn.decoratorArgs, nameNode ? rangeOf(nameNode) : undefined);
    if (result.kind === 'task') {
      if (result.task.mapped !== mapped) this.setMapped(result.task, mapped);
      this.undoable(UNDO_CALL_ARGUMENTS, result.task, result.task.callArguments);
      result.task.callArguments = evaluated;
      result.task.modelStale = true;
      this.linkXComArguments(result.task, evaluated);
    }
    return result;
  }

  /** Calling an `@dag` function creates the DAG and runs its body with that DAG as the context. */
  private dagFunctionCall(fn: DagFunction, args: CallArgument[], scope: Scope): Value {
    this.evaluateArguments(args, scope);
    const name = fn.definition.getChild('VariableName');
    const dag = new DagBuilder(fn.dagId, 'decorator', rangeOf(fn.decorated), name ? rangeOf(name) : rangeOf(fn.decorated), fn.decoratorArgs);
    this.impure();
    this.register(dag);
    this.addDag(dag);
    this.dagStack.push(dag);
    this.invalidateContext();
    try {
      this.invoke(fn, []);
    } finally {
      this.dagStack.pop();
      this.invalidateContext();
    }
    return { kind: 'dag', dag };
  }

  /**
   * Calling a `@task_group` function runs its body inside a new TaskGroup named after the function.
   * The call stands for the task (or XComArg) the function returns, so that edges and data passed on
   * bind to it, and for the whole group otherwise, as Airflow's TaskGroupDecorator returns.
   */
  private groupFunctionCall(fn: GroupFunction, args: CallArgument[], scope: Scope): Value {
    const evaluated = this.evaluateArguments(args, scope);
    const groupId = fn.decoratorArgs.find((a) => a.keyword === 'group_id')?.value ?? { kind: 'str', value: fn.name };
    const group = this.taskGroup(groupId, fn.decoratorArgs, rangeOf(fn.decorated));
    if (group.kind !== 'group') return UNKNOWN;
    this.groupStack.push(group.group);
    this.invalidateContext();
    let returned: Value;
    try {
      returned = this.invoke(fn, evaluated);
    } finally {
      this.groupStack.pop();
      this.invalidateContext();
    }
    return returned.kind === 'task' ? returned : group;
  }

  /** Runs a function defined in the file (a task or DAG factory) with its arguments bound to its parameters. */
  private invoke(fn: UserFunction, args: EvaluatedArgument[]): Value {
    // The body runs in its own scopes, which records do not follow.
    this.impure();
    if (this.callDepth >= ANALYSIS_LIMITS.callDepth) return UNKNOWN;
    const local = new Scope(fn.closure);
    this.bindParameters(fn.definition, args, local);
    const body = fn.definition.getChild('Body');
    if (!body) return UNKNOWN;
    this.callDepth++;
    try {
      this.block(body, local);
      return NONE;
    } catch (signal) {
      if (signal instanceof ReturnSignal) return signal.value;
      throw signal;
    } finally {
      this.callDepth--;
    }
  }

  private bindParameters(definition: SyntaxNode, args: EvaluatedArgument[], local: Scope): void {
    const params = definition.getChild('ParamList');
    if (!params) return;
    // An unknown `*items` shifts every positional argument after it, and unknown `**kwargs` may pass
    // any parameter: what they might fill is unknown, not the parameter's default.
    const unknownStar = args.findIndex((a) => a.star === '*');
    const positional = (unknownStar < 0 ? args : args.slice(0, unknownStar)).filter((a) => !a.keyword && !a.star).map((a) => a.value);
    const keywords = new Map(args.filter((a) => a.keyword).map((a) => [a.keyword!, a.value]));
    const unknownKeywords = args.some((a) => a.star === '**');
    const parts = childrenOf(params);
    let index = 0;
    let afterStar = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.name === '*' || part.name === '**') {
        const starred = parts[i + 1];
        if (starred?.name === 'VariableName') local.bind(sourceOf(this.text, starred), UNKNOWN);
        afterStar = true;
        i++;
        continue;
      }
      if (part.name !== 'VariableName') continue;
      const name = sourceOf(this.text, part);
      const defaultNode = parts[i + 1]?.name === 'AssignOp' ? parts[i + 2] : undefined;
      const fallback = defaultNode ? this.expression(defaultNode, local.parent ?? local) : UNKNOWN;
      const mayBeGiven = unknownKeywords || (unknownStar >= 0 && !afterStar);
      const value = keywords.get(name) ?? (!afterStar && index < positional.length ? positional[index] : mayBeGiven ? UNKNOWN : fallback);
      if (!afterStar) index++;
      local.bind(name, value);
      if (defaultNode) i += 2;
    }
  }

  /**
   * Evaluates a call's arguments as Python passes them: `**mapping` of a known dict becomes its
   * keyword arguments (named where the dict writes its keys) and `*items` of a known list its
   * positional ones. A starred argument whose value is unknown stays starred: it may pass any
   * argument, so rules must not conclude that an argument is absent.
   */
  private evaluateArguments(args: CallArgument[], scope: Scope): EvaluatedArgument[] {
    const evaluated: EvaluatedArgument[] = [];
    for (const arg of args) {
      const value = this.expression(arg.value, scope);
      const valueRange = rangeOf(arg.value);
      if (arg.star === '**' && value.kind === 'dict') {
        for (const [keyword, entry] of value.entries) {
          evaluated.push({ keyword, value: entry.value, nameRange: entry.keyRange, valueRange: entry.valueRange ?? valueRange, spread: true });
        }
      } else if (arg.star === '*' && value.kind === 'seq') {
        for (const item of value.items) evaluated.push({ value: item, valueRange });
      } else {
        evaluated.push({ keyword: arg.keyword?.name, star: arg.star, value, nameRange: arg.keyword ? rangeOf(arg.keyword.node) : undefined, valueRange });
      }
    }
    return evaluated;
  }

  /** Passing an XComArg into a task's arguments makes its producer an upstream task. */
  private linkXComArguments(task: TaskBuilder, args: readonly EvaluatedArgument[]): void {
    const visit = (value: Value) => {
      if (value.kind === 'task' && value.xcom) this.link(value.task, task);
      else if (value.kind === 'seq') value.items.forEach(visit);
      else if (value.kind === 'dict') value.entries.forEach((e) => visit(e.value));
    };
    for (const arg of args) if (arg.keyword !== 'dag' && arg.keyword !== 'task_group') visit(arg.value);
  }

  // --- edges --------------------------------------------------------------------------------

  /** Sets every task of `upstream` (its leaves, for a group) upstream of every task of `downstream` (its roots). */
  private connect(upstream: Value, downstream: Value): void {
    const from = this.tasksOf(upstream, 'leaves');
    const to = this.tasksOf(downstream, 'roots');
    for (const a of from) for (const b of to) this.link(a, b);
  }

  private link(upstream: TaskBuilder, downstream: TaskBuilder): void {
    if (upstream === downstream) return;
    if (this.logging) this.log({ op: 'link', upstream, downstream });
    // A task not yet in a DAG joins the DAG of the task it is connected to, as in Airflow.
    if (!upstream.dag && downstream.dag) this.addToDag(downstream.dag, upstream);
    if (!downstream.dag && upstream.dag) this.addToDag(upstream.dag, downstream);
    if (upstream.downstream.has(downstream)) return;
    upstream.downstream.add(downstream);
    downstream.upstream.add(upstream);
    upstream.modelStale = downstream.modelStale = true;
    this.undoable(UNDO_EDGE, upstream, downstream);
  }

  private tasksOf(value: Value, end: 'roots' | 'leaves'): TaskBuilder[] {
    if (value.kind === 'task') return [value.task];
    if (value.kind === 'seq') return value.items.flatMap((item) => this.tasksOf(item, end));
    if (value.kind === 'group') {
      // The group's roots and leaves depend on every edge so far, not only on what the statement read.
      this.impure();
      const members = this.dags.flatMap((d) => d.tasks).filter((t) => t.groups.includes(value.group));
      const inGroup = new Set(members);
      return members.filter((t) => [...(end === 'roots' ? t.upstream : t.downstream)].every((n) => !inGroup.has(n)));
    }
    return [];
  }

  /** `chain(a, [b, c], d)`: neighbours are linked; two lists are linked pairwise (all-to-all for chain_linear). */
  private chain(elements: Value[], linear: boolean): void {
    for (let i = 0; i + 1 < elements.length; i++) {
      const [up, down] = [elements[i], elements[i + 1]];
      if (up.kind === 'seq' && down.kind === 'seq' && !linear) {
        // Airflow raises for lists of different lengths; no edge is set then.
        if (up.items.length !== down.items.length) continue;
        up.items.forEach((item, j) => this.connect(item, down.items[j]));
      } else {
        this.connect(up, down);
      }
    }
  }
}

/** Whether every builder and function an effect refers to passes `current`. */
function effectRefersTo(effect: Effect, current: (created: Created) => boolean): boolean {
  switch (effect.op) {
    case 'task':
      for (const group of effect.task.groups) if (!current(group)) return false;
      for (const arg of effect.task.args) if (!valueRefersTo(arg.value, current)) return false;
      return true;
    case 'add':
      return current(effect.dag) && current(effect.task);
    case 'link':
      return current(effect.upstream) && current(effect.downstream);
    case 'bind':
      return valueRefersTo(effect.value, current);
    case 'variable':
    case 'mapped':
      return current(effect.task);
    case 'undefined':
      return true;
  }
}

function valueRefersTo(value: Value, current: (created: Created) => boolean): boolean {
  switch (value.kind) {
    case 'seq':
      for (const item of value.items) if (!valueRefersTo(item, current)) return false;
      return true;
    case 'dict':
      for (const entry of value.entries.values()) if (!valueRefersTo(entry.value, current)) return false;
      return true;
    case 'task':
      return current(value.task);
    case 'dag':
      return current(value.dag);
    case 'group':
      return current(value.group);
    case 'taskflow':
    case 'dagFunction':
    case 'groupFunction':
    case 'function':
      return current(value.fn);
    default:
      return true;
  }
}

/** Whether a value holds tasks, DAGs or groups. */
function refersToBuilders(value: Value): boolean {
  switch (value.kind) {
    case 'task':
    case 'dag':
    case 'group':
      return true;
    case 'seq':
      return value.items.some(refersToBuilders);
    case 'dict':
      for (const entry of value.entries.values()) if (refersToBuilders(entry.value)) return true;
      return false;
    default:
      return false;
  }
}

/** A task's model depends on its neighbours' DAGs too: its edges list only the tasks of its own DAG. */
function staleWithNeighbours(task: TaskBuilder): void {
  task.modelStale = true;
  for (const other of task.upstream) other.modelStale = true;
  for (const other of task.downstream) other.modelStale = true;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function sameReads(a: readonly Read[], b: readonly Read[]): boolean {
  return a.length === b.length && a.every((r, i) => r.name === b[i].name && r.identity === b[i].identity && r.ordinal === b[i].ordinal);
}

/** Statements whose bodies the evaluator runs once: their headers and body statements are recorded apart. */
const COMPOUND_STATEMENTS = new Set(['IfStatement', 'WhileStatement', 'TryStatement']);

function isCompound(node: SyntaxNode): boolean {
  return COMPOUND_STATEMENTS.has(node.name);
}

function linkPrevious(created: Created, earlier: Created): void {
  if (created instanceof TaskBuilder && earlier instanceof TaskBuilder) created.previous = earlier;
  else if (created instanceof DagBuilder && earlier instanceof DagBuilder) created.previous = earlier;
  else if (created instanceof GroupBuilder && earlier instanceof GroupBuilder) created.previous = earlier;
}

function keywordString(args: readonly EvaluatedArgument[], key: string): string | undefined {
  const value = args.find((a) => a.keyword === key)?.value;
  return value?.kind === 'str' ? value.value : undefined;
}

/**
 * `dict(mapping_or_pairs, **kwargs)`: the positional mapping (or list of key/value pairs) first,
 * then the keyword arguments over it. A keyword given twice (`dict(**base, retries=3)` when base
 * has retries) is a TypeError in Python, and an unknown part could hold any key: both are unknown.
 */
function dictCall(evaluated: readonly EvaluatedArgument[]): Value {
  if (evaluated.some((a) => a.star)) return UNKNOWN;
  const positional = evaluated.filter((a) => !a.keyword);
  if (positional.length > 1) return UNKNOWN;
  const entries = new Map<string, Entry>();
  const [base] = positional;
  if (base?.value.kind === 'dict') {
    base.value.entries.forEach((entry, key) => entries.set(key, entry));
  } else if (base?.value.kind === 'seq') {
    for (const pair of base.value.items) {
      if (pair.kind !== 'seq' || pair.items.length !== 2 || pair.items[0].kind !== 'str') return UNKNOWN;
      entries.set(pair.items[0].value, { value: pair.items[1] });
    }
  } else if (base) {
    return UNKNOWN;
  }
  const keywords = new Set<string>();
  for (const arg of evaluated) {
    if (!arg.keyword) continue;
    if (keywords.has(arg.keyword)) return UNKNOWN;
    keywords.add(arg.keyword);
    entries.set(arg.keyword, { value: arg.value, keyRange: arg.nameRange, valueRange: arg.valueRange });
  }
  return { kind: 'dict', entries };
}

/** Arguments of `.override()` replace the decorator's arguments of the same name. */
function mergeArguments(base: readonly EvaluatedArgument[], overrides: readonly EvaluatedArgument[]): EvaluatedArgument[] {
  const replaced = new Set(overrides.map((a) => a.keyword).filter(Boolean));
  return [...base.filter((a) => !a.keyword || !replaced.has(a.keyword)), ...overrides];
}

/** `+` and `-` on the kinds of values DAG files add up: strings, numbers, lists, dates and durations. */
function arithmetic(op: '+' | '-', left: Value, right: Value): Value {
  if (left.kind === 'now') return left;
  if (right.kind === 'now') return right;
  const sign = op === '+' ? 1 : -1;
  if (left.kind === 'num' && right.kind === 'num') return { kind: 'num', value: left.value + sign * right.value, float: left.float || right.float };
  if (left.kind === 'timedelta' && right.kind === 'timedelta') return { kind: 'timedelta', seconds: left.seconds + sign * right.seconds };
  if (left.kind === 'datetime' && right.kind === 'timedelta') return dates.shiftDateTime(left, sign * right.seconds);
  if (op === '+' && left.kind === 'timedelta' && right.kind === 'datetime') return dates.shiftDateTime(right, left.seconds);
  if (op === '+' && left.kind === 'str' && right.kind === 'str') return { kind: 'str', value: left.value + right.value };
  if (op === '+' && left.kind === 'seq' && right.kind === 'seq') return { kind: 'seq', items: [...left.items, ...right.items] };
  return UNKNOWN;
}

/** The names `dateCall` interprets; anything else is not a date, and is not looked at twice. */
const DATE_CONSTRUCTORS = new Set(['datetime', 'DateTime', 'timedelta', 'duration', 'timezone', 'ZoneInfo', 'Timezone', 'parse', 'relativedelta']);

function rangeValue(args: Value[]): Value {
  const numbers = args.map((a) => (a.kind === 'num' && Number.isInteger(a.value) ? a.value : undefined));
  if (numbers.length === 0 || numbers.length > 3 || numbers.some((n) => n === undefined)) return UNKNOWN;
  const [start, stop, step] = numbers.length === 1 ? [0, numbers[0]!, 1] : [numbers[0]!, numbers[1]!, numbers[2] ?? 1];
  if (step === 0) return UNKNOWN;
  const items: Value[] = [];
  for (let n = start; step > 0 ? n < stop : n > stop; n += step) {
    if (items.length >= ANALYSIS_LIMITS.loopIterations) return UNKNOWN;
    items.push({ kind: 'num', value: n, float: false });
  }
  return { kind: 'seq', items };
}

/**
 * The id a TaskFlow call gets: its own id if free in the DAG, else `<id>__<n+1>` where n is the
 * highest suffix already used, as Airflow's `get_unique_task_id` computes it.
 */
function uniqueTaskId(label: string, group: GroupBuilder | undefined, dag: DagBuilder | undefined): string {
  const qualified = group ? group.childId(label) : label;
  if (!dag || !dag.has(qualified)) return label;
  const prefix = qualified.replace(/__\d+$/, '');
  let highest = 0;
  for (const task of dag.tasks) {
    if (task.taskId.startsWith(`${prefix}__`)) {
      const suffix = task.taskId.slice(prefix.length + 2);
      if (/^\d+$/.test(suffix)) highest = Math.max(highest, Number(suffix));
    }
  }
  return `${label.replace(/__\d+$/, '')}__${highest + 1}`;
}

// ---------------------------------------------------------------------------------------------
// From the evaluator's values to the model's

function publicValue(value: Value): PyValue {
  switch (value.kind) {
    case 'now':
      return { ...value, range: copyRange(value.range) };
    case 'timetable':
      return mapTimetableRanges(value, copyRange);
    case 'seq':
      return { kind: 'list', items: value.items.map(publicValue) };
    case 'dict':
      return { kind: 'dict', entries: publicEntries(value.entries) };
    case 'task':
      return { kind: 'task', taskId: value.task.taskId };
    case 'dag':
      return { kind: 'dag', dagId: value.dag.dagId };
    case 'group':
      return { kind: 'unknown' };
    case 'taskflow':
    case 'dagFunction':
    case 'groupFunction':
    case 'function':
      return { kind: 'function', name: value.fn.name, range: definitionName(value.fn.definition) };
    case 'moduleFunction':
      return { kind: 'function', name: value.name, file: value.file, range: copyRange(value.range) };
    default:
      return value;
  }
}

/**
 * Where a function is named in its `def`, found once per definition: every task whose
 * python_callable it is holds it. Nothing moves these ranges: a def an edit moves is evaluated
 * again, into a new definition node.
 */
const definitionNames = new WeakMap<SyntaxNode, SourceRange>();

function definitionName(definition: SyntaxNode): SourceRange {
  let range = definitionNames.get(definition);
  if (!range) {
    const name = definition.getChild('VariableName');
    definitionNames.set(definition, (range = rangeOf(name ?? definition)));
  }
  return range;
}

/** A public value with each of its ranges (in dicts, clock reads and functions of the file) mapped. */
function mapPublicRanges(value: PyValue, range: (r: SourceRange) => SourceRange): PyValue {
  switch (value.kind) {
    case 'list':
      return { kind: 'list', items: value.items.map((v) => mapPublicRanges(v, range)) };
    case 'dict':
      return {
        kind: 'dict',
        entries: new Map([...value.entries].map(([k, e]) => [k, {
          value: mapPublicRanges(e.value, range), keyRange: e.keyRange && range(e.keyRange), valueRange: e.valueRange && range(e.valueRange),
        }])),
      };
    case 'now':
      return { ...value, range: range(value.range) };
    case 'function':
      // Another file's function keeps its positions: they are that file's.
      return value.file ? value : { ...value, range: range(value.range) };
    default:
      return value;
  }
}

function mapTimetableRanges(value: Extract<PyValue, { kind: 'timetable' }>, range: (r: SourceRange) => SourceRange): Extract<PyValue, { kind: 'timetable' }> {
  return {
    ...value,
    positional: value.positional.map((v) => mapPublicRanges(v, range)),
    keywords: new Map([...value.keywords].map(([k, v]) => [k, mapPublicRanges(v, range)])),
  };
}

// Written as plain loops: they run for every argument of every task an edit moves.
function publicEntries(entries: ReadonlyMap<string, Entry>): ReadonlyMap<string, DictEntry> {
  const copied = new Map<string, DictEntry>();
  for (const [key, e] of entries) {
    copied.set(key, { value: publicValue(e.value), keyRange: e.keyRange && copyRange(e.keyRange), valueRange: e.valueRange && copyRange(e.valueRange) });
  }
  return copied;
}

function publicArguments(args: readonly EvaluatedArgument[]): ArgumentModel[] {
  const copied: ArgumentModel[] = [];
  for (const a of args) {
    if (a.keyword === undefined) continue;
    copied.push({ name: a.keyword, value: publicValue(a.value), nameRange: a.nameRange && copyRange(a.nameRange), valueRange: copyRange(a.valueRange) });
  }
  return copied;
}

/** Arguments are all known unless a starred one was left unevaluated (see `evaluateArguments`). */
function argumentsKnown(args: readonly EvaluatedArgument[]): boolean {
  return !args.some((a) => a.star !== undefined);
}

/**
 * Sorts task ids in place, in the order Array.prototype.sort gives strings (by UTF-16 code
 * units). A task's few neighbours are sorted by insertion: the built-in sort allocates a work
 * array for each call, hundreds of times per keystroke in a large DAG.
 */
function sortedIds(ids: string[]): string[] {
  if (ids.length > 16) return ids.sort();
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i];
    let j = i - 1;
    for (; j >= 0 && ids[j] > id; j--) ids[j + 1] = ids[j];
    ids[j + 1] = id;
  }
  return ids;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function sameRange(a: SourceRange | undefined, b: SourceRange | undefined, shift: number): boolean {
  return a === b || (a !== undefined && b !== undefined && a.from === b.from + shift && a.to === b.to + shift);
}

/** The DAG's model; `edit` turned the text of the previous analysis into this one's, when there was one. */
function toModel(dag: DagBuilder, edit: EditShift | undefined): DagModel {
  const ids = (tasks: Set<TaskBuilder>): string[] => {
    if (tasks.size === 0) return [];
    if (tasks.size === 1) {
      const [only] = tasks;
      return only.dag === dag ? [only.taskId] : [];
    }
    const found: string[] = [];
    for (const t of tasks) if (t.dag === dag) found.push(t.taskId);
    return sortedIds(found);
  };
  const earlierTasks = new Map<TaskModel, TaskModel>();
  const tasks: TaskModel[] = dag.tasks.map((t) => {
    // A task the analysis kept from the previous one, and did not change, keeps its model (unless
    // its arguments hold other tasks, whose ids may have changed).
    const own = t.model;
    if (own && !t.modelStale && !t.argumentsReferBuilders) return own;
    t.modelStale = false;
    const upstream = ids(t.upstream);
    const downstream = ids(t.downstream);
    const group = t.groups.length > 0 ? t.groups[t.groups.length - 1].qualifiedId() : undefined;
    // A task replayed from the previous analysis, and connected as it was, is the same task; its
    // model is kept when nothing before it moved. Task values in its arguments may have changed id.
    const earlier = t.argumentsReferBuilders ? undefined : own ?? t.previous?.model;
    const shift = earlier ? t.range.from - earlier.range.from : 0;
    const same = earlier !== undefined && earlier.taskId === t.taskId && earlier.operator === t.operator && earlier.kind === t.kind
      && earlier.mapped === t.mapped && earlier.group === group && t.callArguments === undefined && earlier.callArguments === undefined
      && sameIds(earlier.upstream, upstream) && sameIds(earlier.downstream, downstream)
      && earlier.variable?.name === t.variable?.name && sameRange(t.variable?.range, earlier.variable?.range, shift)
      && sameRange(t.definition, earlier.definition, shift);
    if (same && shift === 0 && t.range.to === earlier.range.to) {
      t.model = earlier;
      return earlier;
    }
    const model = taskModel(t, upstream, downstream, group);
    if (same) earlierTasks.set(model, earlier);
    t.model = model;
    return model;
  });
  const model = dagModel(dag, tasks);
  // The same DAG: kept from the previous analysis, or made again by the same statement.
  const earlier = dag.model ?? dag.previous?.model;
  if (earlier && edit) {
    const earlierGroups = new Set(earlier.groups.map((g) => g.groupId));
    const sameGroups = earlier.groups.length === dag.groups.size && [...dag.groups].every((g) => earlierGroups.has(g.qualifiedId()));
    recordEarlierVersions(model, earlier, sameGroups, earlierTasks, edit);
  }
  dag.model = model;
  // The builders of the previous analysis are not needed any more: letting go of them lets them be collected.
  dag.previous = undefined;
  for (const task of dag.tasks) task.previous = undefined;
  for (const group of dag.groups) group.previous = undefined;
  return model;
}

function taskModel(t: TaskBuilder, upstream: string[], downstream: string[], group: string | undefined): TaskModel {
  return {
    taskId: t.taskId,
    operator: t.operator,
    kind: t.kind,
    range: copyRange(t.range),
    args: publicArguments(t.args),
    argsKnown: argumentsKnown(t.args),
    upstream,
    downstream,
    mapped: t.mapped,
    group,
    variable: t.variable && { name: t.variable.name, range: copyRange(t.variable.range) },
    definition: t.definition && copyRange(t.definition),
    callArguments: t.callArguments ? {
      positional: t.callArguments.filter((a) => !a.keyword && !a.star).map((a) => publicValue(a.value)),
      keywords: t.callArguments.filter((a): a is EvaluatedArgument & { keyword: string } => a.keyword !== undefined).map((a) => [a.keyword, publicValue(a.value)] as [string, PyValue]),
    } : undefined,
  };
}

function dagModel(dag: DagBuilder, tasks: TaskModel[]): DagModel {
  const args = publicArguments(dag.args);
  const positionalId = dag.args.find((a) => !a.keyword && !a.star);
  if (positionalId && !args.some((a) => a.name === 'dag_id')) {
    args.unshift({ name: 'dag_id', value: publicValue(positionalId.value), valueRange: copyRange(positionalId.valueRange) });
  }
  const defaultArgs = dag.args.find((a) => a.keyword === 'default_args')?.value;
  const groups: GroupModel[] = [...dag.groups].map((g) => ({
    groupId: g.qualifiedId(),
    parentId: g.parent?.qualifiedId(),
    range: copyRange(g.range),
    defaultArgs: g.defaultArgs.kind === 'dict' ? publicEntries(g.defaultArgs.entries) : new Map(),
  }));
  return {
    dagId: dag.dagId,
    form: dag.form,
    range: copyRange(dag.range),
    selectionRange: copyRange(dag.selectionRange),
    args,
    argsKnown: argumentsKnown(dag.args),
    defaultArgs: defaultArgs?.kind === 'dict' ? publicEntries(defaultArgs.entries) : new Map(),
    defaultArgsKnown: defaultArgs === undefined || defaultArgs.kind === 'dict',
    groups,
    tasks,
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Lezer marks a missing token with an empty error node. When nothing follows it on its line, as at
 * the end of an unfinished statement, the last non-blank line (what the user is typing) is marked.
 */
function visibleRange(text: string, range: SourceRange): SourceRange {
  if (range.to > range.from) return range;
  const lineEnd = text.indexOf('\n', range.from);
  const end = lineEnd < 0 ? text.length : lineEnd;
  if (text.slice(range.from, end).trim() !== '') return { from: range.from, to: end };
  let last = range.from;
  while (last > 0 && /\s/.test(text[last - 1])) last--;
  if (last === 0) return range;
  const lineStart = text.lastIndexOf('\n', last - 1) + 1;
  const indent = text.slice(lineStart, last).search(/\S/);
  return { from: lineStart + Math.max(0, indent), to: last };
}

/** A parsed file: its text and Lezer tree, reusable for the next parse after an edit. */
export interface ParsedFile {
  readonly text: string;
  readonly tree: Tree;
}

/** An edit between two versions of a text, in offsets of the old (`fromA`/`toA`) and new (`fromB`/`toB`) text. */
export interface TextChange {
  readonly fromA: number;
  readonly toA: number;
  readonly fromB: number;
  readonly toB: number;
}

/**
 * Parses a file, reusing the unchanged parts of the previous tree when the edits since it are
 * known (`changes`, in the order they were made): after a keystroke only the edited statement is
 * parsed again.
 */
export function parseFile(text: string, previous?: { readonly parsed: ParsedFile; readonly changes: readonly TextChange[] }): ParsedFile {
  if (!previous) return { text, tree: parsePython(text) };
  let fragments = TreeFragment.addTree(previous.parsed.tree);
  for (const change of previous.changes) fragments = TreeFragment.applyChanges(fragments, [change]);
  return { text, tree: parsePython(text, fragments) };
}

/**
 * Runs the analyser over a tree: as a continuation of the previous analysis when the options give
 * one that can be continued, else from the start, replaying what the previous analysis recorded.
 */
function analyze(text: string, tree: Tree, options: AnalyzeOptions): Analyzer {
  const previous = options.incremental?.previous;
  const memo = previous && memos.get(previous);
  if (previous && memo?.analyzer) {
    // The analyser is about to change: what the previous model's memo holds cannot be used again.
    memos.delete(previous);
    try {
      if (memo.analyzer.resume(text, tree, options)) return memo.analyzer;
    } catch {
      // OUT_OF_STEP, or a failure of the continuation itself: whatever it left half done, a fresh
      // analysis of the file is right, and the user's edit must not cost them the diagnostics.
      const fresh = new Analyzer(text, options);
      fresh.run(tree);
      return fresh;
    }
  }
  const analyzer = new Analyzer(text, options, memo);
  analyzer.run(tree);
  return analyzer;
}

/** Analyses one parsed DAG file. Never throws on user input: problems come back as diagnostics. */
export function analyzeParsed(parsed: ParsedFile, options: AnalyzeOptions = {}): DagFileModel {
  const { text, tree } = parsed;
  const errors = syntaxErrors(tree);
  const syntax: Diagnostic[] = errors.map((range) => ({
    code: 'PF001',
    severity: 'error',
    message: 'Syntax error: Python cannot parse this, so Airflow will not load the file.',
    range: visibleRange(text, range),
  }));
  // The model comes from the recovered text when closing unfinished brackets removes errors; the
  // syntax diagnostics always describe the text as written.
  const patch = errors.length > 0 ? closeUnfinishedBrackets(text) : undefined;
  const patchedTree = patch ? parsePython(patch.text) : undefined;
  const recovered = patch && patchedTree && syntaxErrors(patchedTree).length < errors.length;
  // Positions in the records are those of the text analysed, recovered or not; so are the edits between two of them.
  const analyzer = analyze(recovered ? patch.text : text, recovered ? patchedTree : tree, options);
  rangesMayMove = options.incremental !== undefined;
  let model: DagFileModel;
  try {
    model = {
      dags: analyzer.dags.map((dag) => toModel(dag, analyzer.lastEdit)),
      undefinedTaskReferences: analyzer.undefinedTaskReferences.map((r) => ({ name: r.name, range: copyRange(r.range) })),
      diagnostics: analyzer.diagnostics,
      work: analyzer.work,
    };
  } finally {
    rangesMayMove = false;
  }
  const mapped = recovered ? mapRanges(model, (offset) => originalOffset(patch, offset)) : model;
  const result = { ...mapped, diagnostics: [...syntax, ...mapped.diagnostics] };
  const memo = analyzer.memo();
  if (memo) memos.set(result, memo);
  return result;
}

/** Parses and analyses one DAG file. */
export function analyzeDagFile(text: string, options: AnalyzeOptions = {}): DagFileModel {
  return analyzeParsed(parseFile(text), options);
}

/** Maps every range of the model back to the text as written. */
function mapRanges(model: DagFileModel, map: (offset: number) => number): DagFileModel {
  const range = (r: SourceRange): SourceRange => ({ from: map(r.from), to: map(r.to) });
  const optional = (r: SourceRange | undefined) => (r ? range(r) : undefined);
  const value = (v: PyValue): PyValue => mapPublicRanges(v, range);
  const entries = (e: ReadonlyMap<string, DictEntry>): ReadonlyMap<string, DictEntry> =>
    new Map([...e].map(([k, d]) => [k, { value: value(d.value), keyRange: optional(d.keyRange), valueRange: optional(d.valueRange) }]));
  const args = (a: readonly ArgumentModel[]) => a.map((x) => ({ ...x, value: value(x.value), nameRange: optional(x.nameRange), valueRange: range(x.valueRange) }));
  return {
    dags: model.dags.map((dag) => ({
      ...dag,
      range: range(dag.range),
      selectionRange: range(dag.selectionRange),
      args: args(dag.args),
      defaultArgs: entries(dag.defaultArgs),
      groups: dag.groups.map((g) => ({ ...g, range: range(g.range), defaultArgs: entries(g.defaultArgs) })),
      tasks: dag.tasks.map((task) => ({
        ...task,
        range: range(task.range),
        args: args(task.args),
        variable: task.variable ? { ...task.variable, range: range(task.variable.range) } : undefined,
        definition: optional(task.definition),
      })),
    })),
    undefinedTaskReferences: model.undefinedTaskReferences.map((r) => ({ ...r, range: range(r.range) })),
    diagnostics: model.diagnostics.map((d) => ({ ...d, range: range(d.range) })),
    work: model.work,
  };
}
