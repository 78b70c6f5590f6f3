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
import type { AnalysisWork, ArgumentModel, DagFileModel, DagForm, DagModel, GroupModel, TaskModel, UndefinedTaskReference } from './model';
import { operatorClassName } from './operators';

/** Reads a module of the workspace by its dotted name, relative to the DAG file's folder. */
export type ModuleReader = (moduleName: string) => { readonly file: string; readonly text: string } | undefined;

export interface AnalyzeOptions {
  /** Resolves `from utils.slack_notifier import alert` so that imported callables have locations. */
  readonly readModule?: ModuleReader;
}

// ---------------------------------------------------------------------------------------------
// Values of the evaluator

interface EvaluatedArgument {
  readonly keyword?: string;
  readonly star?: '*' | '**';
  readonly value: Value;
  readonly nameRange?: SourceRange;
  readonly valueRange: SourceRange;
}

class TaskBuilder {
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

  add(task: TaskBuilder): void {
    if (task.dag) return;
    task.dag = this;
    this.tasks.push(task);
    task.groups.forEach((g) => this.groups.add(g));
  }
}

/** A TaskGroup: prefixes the ids of the tasks created inside it and stands for its roots or leaves in edges. */
class GroupBuilder {
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
  readonly name: string;
  readonly definition: SyntaxNode;
  readonly closure: Scope;
}

interface TaskFlowFunction {
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

  constructor(readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  bind(name: string, value: Value): void {
    this.names.set(name, value);
  }
}

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

function rangeOf(node: SyntaxNode): SourceRange {
  return { from: node.from, to: node.to };
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

  constructor(
    private readonly text: string,
    private readonly options: AnalyzeOptions,
  ) {}

  run(tree: Tree): void {
    const module = new Scope();
    try {
      this.block(tree.topNode, module);
    } catch (signal) {
      // `return` outside a function (a half-edited file) ends the module, as far as it can be read.
      if (!(signal instanceof ReturnSignal)) throw signal;
    }
  }

  // --- statements ---------------------------------------------------------------------------

  /** Executes the statements of a Script or Body in order. */
  private block(node: SyntaxNode, scope: Scope): void {
    for (const child of childrenOf(node)) this.statement(child, scope);
  }

  private statement(node: SyntaxNode, scope: Scope): void {
    if (node.type.isError || !this.spend(node)) return;
    try {
      this.statementUnchecked(node, scope);
    } catch (error) {
      if (error instanceof ReturnSignal) throw error;
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
          else if (/^[A-Z]/.test(child.name) && !child.type.isError) this.expression(child, scope);
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
      scope.bind(name, value);
      if (value.kind === 'task' && !value.task.variable) value.task.variable = { name, range: rangeOf(target) };
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
        scope.bind(local, this.moduleFunction(module, dotted) ?? { kind: 'external', qualifiedName: `${module}.${dotted}` });
      } else {
        const local = alias ?? dotted.split('.')[0];
        scope.bind(local, { kind: 'external', qualifiedName: alias ? dotted : local });
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
    let pushedDags = 0;
    let pushedGroups = 0;
    let body: SyntaxNode | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.name === 'Body') {
        body = part;
        break;
      }
      if (part.name === 'with' || part.name === ',' || part.name === 'as' || part.name === 'async') continue;
      const value = this.expression(part, scope);
      if (value.kind === 'dag') {
        this.dagStack.push(value.dag);
        pushedDags++;
      } else if (value.kind === 'group') {
        this.groupStack.push(value.group);
        pushedGroups++;
      }
      if (parts[i + 1]?.name === 'as' && parts[i + 2]) {
        this.bindTarget(parts[i + 2], value, scope);
        i += 2;
      }
    }
    try {
      if (body) this.block(body, scope);
    } finally {
      this.dagStack.length -= pushedDags;
      this.groupStack.length -= pushedGroups;
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
    for (const item of items) {
      if (this.loopIterations >= ANALYSIS_LIMITS.loopIterations) {
        this.exhaust(loop, `after ${ANALYSIS_LIMITS.loopIterations.toLocaleString('en-US')} loop iterations`);
        return;
      }
      this.loopIterations++;
      visit(item);
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
    const nameNode = definition.getChild('VariableName');
    if (!nameNode) return;
    const name = sourceOf(this.text, nameNode);
    for (const decorator of decorators) {
      const { qualifiedName, args } = this.decorator(decorator, scope);
      if (!qualifiedName) continue;
      const taskFlow = taskFlowDecorator(qualifiedName);
      if (taskFlow) {
        const taskId = keywordString(args, 'task_id') ?? name;
        scope.bind(name, { kind: 'taskflow', fn: { name, decorator: taskFlow, taskId, definition, decoratorArgs: args }, partial: false });
        return;
      }
      const decoratorName = lastSegment(qualifiedName);
      if (decoratorName === 'dag') {
        const dagId = keywordString(args, 'dag_id') ?? name;
        scope.bind(name, { kind: 'dagFunction', fn: { name, dagId, definition, decorated: whole, closure: scope, decoratorArgs: args } });
        return;
      }
      if (decoratorName === 'task_group') {
        scope.bind(name, { kind: 'groupFunction', fn: { name, definition, decorated: whole, closure: scope, decoratorArgs: args } });
        return;
      }
    }
    scope.bind(name, { kind: 'function', fn: { name, definition, closure: scope } });
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
      if (scope.lookup(name) === undefined && !this.undefinedTaskReferences.some((r) => r.range.from === node.from)) {
        this.undefinedTaskReferences.push({ name, range: rangeOf(node) });
      }
    } else if (node.name === 'ArrayExpression' || node.name === 'TupleExpression' || node.name === 'ParenthesizedExpression') {
      for (const child of childrenOf(node)) this.noteUndefinedTasks(child, scope);
    }
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
      object.task.mapped = true;
      this.linkXComArguments(object.task, this.evaluateArguments(args, scope));
      return object;
    }
    if (object.kind === 'taskflow') {
      if (method === 'override') {
        const evaluated = this.evaluateArguments(args, scope);
        const taskId = keywordString(evaluated, 'task_id') ?? object.fn.taskId;
        return { kind: 'taskflow', fn: { ...object.fn, taskId, decoratorArgs: mergeArguments(object.fn.decoratorArgs, evaluated) }, partial: object.partial };
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
      if (result.kind === 'task') result.task.mapped = true;
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
        this.dags.push(dag);
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
    return {
      kind: 'group',
      group: new GroupBuilder(groupId.kind === 'str' ? groupId.value : '', prefix?.kind === 'bool' ? prefix.value : true, parent, range, defaultArgs),
    };
  }

  private createTask(label: string, operator: string, kind: 'operator' | 'taskflow', node: SyntaxNode, dagArgument: Value | undefined,
    args: readonly EvaluatedArgument[], definition?: SourceRange): Value {
    const group = this.groupStack[this.groupStack.length - 1];
    const taskId = group ? group.childId(label) : label;
    const task = new TaskBuilder(taskId, operator, kind, rangeOf(node), args, this.groupStack, definition);
    const dag = dagArgument?.kind === 'dag' ? dagArgument.dag : this.dagStack[this.dagStack.length - 1];
    dag?.add(task);
    this.linkXComArguments(task, args);
    return { kind: 'task', task, xcom: kind === 'taskflow' };
  }

  private taskFlowCall(fn: TaskFlowFunction, args: CallArgument[], node: SyntaxNode, scope: Scope, mapped: boolean): Value {
    const evaluated = this.evaluateArguments(args, scope);
    const dag = this.dagStack[this.dagStack.length - 1];
    const group = this.groupStack[this.groupStack.length - 1];
    const label = uniqueTaskId(fn.taskId, group, dag);
    const nameNode = fn.definition.getChild('VariableName');
    // The task's arguments are the decorator's; the call's arguments are the function's, which only
    // matter here for the XComArgs they pass.
    const result = this.createTask(label, fn.decorator, 'taskflow', node, undefined, fn.decoratorArgs, nameNode ? rangeOf(nameNode) : undefined);
    if (result.kind === 'task') {
      result.task.mapped = mapped;
      result.task.callArguments = evaluated;
      this.linkXComArguments(result.task, evaluated);
    }
    return result;
  }

  /** Calling an `@dag` function creates the DAG and runs its body with that DAG as the context. */
  private dagFunctionCall(fn: DagFunction, args: CallArgument[], scope: Scope): Value {
    this.evaluateArguments(args, scope);
    const name = fn.definition.getChild('VariableName');
    const dag = new DagBuilder(fn.dagId, 'decorator', rangeOf(fn.decorated), name ? rangeOf(name) : rangeOf(fn.decorated), fn.decoratorArgs);
    this.dags.push(dag);
    this.dagStack.push(dag);
    try {
      this.invoke(fn, []);
    } finally {
      this.dagStack.pop();
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
    let returned: Value;
    try {
      returned = this.invoke(fn, evaluated);
    } finally {
      this.groupStack.pop();
    }
    return returned.kind === 'task' ? returned : group;
  }

  /** Runs a function defined in the file (a task or DAG factory) with its arguments bound to its parameters. */
  private invoke(fn: UserFunction, args: EvaluatedArgument[]): Value {
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
          evaluated.push({ keyword, value: entry.value, nameRange: entry.keyRange, valueRange: entry.valueRange ?? valueRange });
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
    // A task not yet in a DAG joins the DAG of the task it is connected to, as in Airflow.
    if (!upstream.dag && downstream.dag) downstream.dag.add(upstream);
    if (!downstream.dag && upstream.dag) upstream.dag.add(downstream);
    upstream.downstream.add(downstream);
    downstream.upstream.add(upstream);
  }

  private tasksOf(value: Value, end: 'roots' | 'leaves'): TaskBuilder[] {
    if (value.kind === 'task') return [value.task];
    if (value.kind === 'seq') return value.items.flatMap((item) => this.tasksOf(item, end));
    if (value.kind === 'group') {
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
    case 'function': {
      const name = value.fn.definition.getChild('VariableName');
      return { kind: 'function', name: value.fn.name, range: name ? rangeOf(name) : rangeOf(value.fn.definition) };
    }
    case 'moduleFunction':
      return { kind: 'function', name: value.name, file: value.file, range: value.range };
    default:
      return value;
  }
}

function publicEntries(entries: ReadonlyMap<string, Entry>): ReadonlyMap<string, DictEntry> {
  return new Map([...entries].map(([k, e]) => [k, { value: publicValue(e.value), keyRange: e.keyRange, valueRange: e.valueRange }]));
}

function publicArguments(args: readonly EvaluatedArgument[]): ArgumentModel[] {
  return args
    .filter((a): a is EvaluatedArgument & { keyword: string } => a.keyword !== undefined)
    .map((a) => ({ name: a.keyword, value: publicValue(a.value), nameRange: a.nameRange, valueRange: a.valueRange }));
}

/** Arguments are all known unless a starred one was left unevaluated (see `evaluateArguments`). */
function argumentsKnown(args: readonly EvaluatedArgument[]): boolean {
  return !args.some((a) => a.star !== undefined);
}

function toModel(dag: DagBuilder): DagModel {
  const ids = (tasks: Set<TaskBuilder>) => [...tasks].filter((t) => t.dag === dag).map((t) => t.taskId).sort();
  const tasks: TaskModel[] = dag.tasks.map((t) => ({
    taskId: t.taskId,
    operator: t.operator,
    kind: t.kind,
    range: t.range,
    args: publicArguments(t.args),
    argsKnown: argumentsKnown(t.args),
    upstream: ids(t.upstream),
    downstream: ids(t.downstream),
    mapped: t.mapped,
    group: t.groups.length > 0 ? t.groups[t.groups.length - 1].qualifiedId() : undefined,
    variable: t.variable,
    definition: t.definition,
    callArguments: t.callArguments ? {
      positional: t.callArguments.filter((a) => !a.keyword && !a.star).map((a) => publicValue(a.value)),
      keywords: t.callArguments.filter((a): a is EvaluatedArgument & { keyword: string } => a.keyword !== undefined).map((a) => [a.keyword, publicValue(a.value)] as [string, PyValue]),
    } : undefined,
  }));
  const args = publicArguments(dag.args);
  const positionalId = dag.args.find((a) => !a.keyword && !a.star);
  if (positionalId && !args.some((a) => a.name === 'dag_id')) {
    args.unshift({ name: 'dag_id', value: publicValue(positionalId.value), valueRange: positionalId.valueRange });
  }
  const defaultArgs = dag.args.find((a) => a.keyword === 'default_args')?.value;
  const groups: GroupModel[] = [...dag.groups].map((g) => ({
    groupId: g.qualifiedId(),
    parentId: g.parent?.qualifiedId(),
    range: g.range,
    defaultArgs: g.defaultArgs.kind === 'dict' ? publicEntries(g.defaultArgs.entries) : new Map(),
  }));
  return {
    dagId: dag.dagId,
    form: dag.form,
    range: dag.range,
    selectionRange: dag.selectionRange,
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
  const analyzer = new Analyzer(recovered ? patch.text : text, options);
  analyzer.run(recovered ? patchedTree : tree);
  const model: DagFileModel = {
    dags: analyzer.dags.map(toModel),
    undefinedTaskReferences: analyzer.undefinedTaskReferences,
    diagnostics: analyzer.diagnostics,
    work: analyzer.work,
  };
  const mapped = recovered ? mapRanges(model, (offset) => originalOffset(patch, offset)) : model;
  return { ...mapped, diagnostics: [...syntax, ...mapped.diagnostics] };
}

/** Parses and analyses one DAG file. */
export function analyzeDagFile(text: string, options: AnalyzeOptions = {}): DagFileModel {
  return analyzeParsed(parseFile(text), options);
}

/** Maps every range of the model back to the text as written. */
function mapRanges(model: DagFileModel, map: (offset: number) => number): DagFileModel {
  const range = (r: SourceRange): SourceRange => ({ from: map(r.from), to: map(r.to) });
  const optional = (r: SourceRange | undefined) => (r ? range(r) : undefined);
  const value = (v: PyValue): PyValue => v.kind === 'list' ? { kind: 'list', items: v.items.map(value) }
    : v.kind === 'dict' ? { kind: 'dict', entries: entries(v.entries) }
    : v.kind === 'now' ? { ...v, range: range(v.range) }
    : v.kind === 'function' && !v.file ? { ...v, range: range(v.range) }
    : v;
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
