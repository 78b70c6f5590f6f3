// A nunjucks environment made to behave like Airflow's Jinja (shared/airflow-semantics.md §2.5):
// StrictUndefined, no autoescaping, Jinja's syntax where nunjucks differs (float literals such as
// `1e3`, tuples, `{% set a, b = ... %}`, `{% set ns.x = ... %}`, a scope per loop iteration),
// Python's operators, comparisons, truthiness, printing and methods (pyruntime.ts), Jinja's
// filters, tests and globals (filters.ts), and a sandbox: templates come from the workspace and
// must never reach JavaScript's internals (`constructor`, `__proto__`, functions' own properties).
//
// nunjucks parses templates to nodes and compiles them to JavaScript that calls helpers on its
// `runtime` object. The Jinja behaviour is installed by replacing parser, compiler and runtime
// methods once per process. Nothing else in the product renders nunjucks templates, so the
// replacement is safe.
import nunjucks from 'nunjucks';
import { jinjaFilters, jinjaGlobals, jinjaTests, type Filter, type Registry, type Test } from './filters';
import { makeTuple, PyDictView, PyError, PyFloat, pyRepr, pyStr, PyTuple, pyTypeName } from './pyobjects';
import {
  binaryOperator, call, checkName, compare, concat, contains, dictKey, loopItems, memberLookup, pyTruthy, setAttribute, TemplateSecurityError, unaryOperator,
  undefinedError, UndefinedError, unpack, withAttributes,
} from './pyruntime';

export { GET_ATTRIBUTE, type DynamicAttributes } from './pyobjects';
export { TemplateSecurityError, UndefinedError, withAttributes };

/** nunjucks' parse tree, as far as the patches below read it. */
interface Node {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  [field: string]: unknown;
}
type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => Node;

interface Compiler {
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  _compileExpression(node: unknown, frame: unknown): void;
  _compileAggregate(node: unknown, frame: unknown, open: string, close: string): void;
  compile(node: unknown, frame: unknown): void;
  fail(message: string, lineno?: number, colno?: number): never;
}

interface Token { type: string; value: string; lineno: number; colno: number }

interface Parser {
  /** The lexer, where it stopped. */
  tokens: { lineno: number; colno: number };
  peekToken(): Token;
  nextToken(): Token;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  skipSymbol(value: string): boolean;
  parsePrimary(noPostfix?: boolean): Node;
  parsePostfix(node: Node): Node;
  parseExpression(): Node;
  parseUntilBlocks(...names: string[]): Node;
  advanceAfterBlockEnd(name?: string): void;
  fail(message: string, lineno?: number, colno?: number): never;
}

interface Frame {
  variables: Record<string, unknown>;
  lookup(name: string): unknown;
}

/** Python's slicing `x[start:stop:step]` of strings, lists and tuples. */
function slice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (value === undefined) throw undefinedError('value');
  const items = typeof value === 'string' ? [...value] : Array.isArray(value) && !(value instanceof PyDictView) ? value : undefined;
  if (!items) throw new PyError('TypeError', `'${pyTypeName(value)}' object is not subscriptable`);
  const index = (v: unknown) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new PyError('TypeError', 'slice indices must be integers or None or have an __index__ method');
    return v;
  };
  const by = index(step) ?? 1;
  if (by === 0) throw new PyError('ValueError', 'slice step cannot be zero');
  const n = items.length;
  // CPython's PySlice_AdjustIndices.
  const bound = (i: number | null, fallback: number) => {
    if (i === null) return fallback;
    const at = i < 0 ? i + n : i;
    return by > 0 ? Math.min(Math.max(at, 0), n) : Math.min(Math.max(at, -1), n - 1);
  };
  const from = bound(index(start), by > 0 ? 0 : n - 1);
  const to = bound(index(stop), by > 0 ? n : -1);
  const out: unknown[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(items[i]);
  if (typeof value === 'string') return out.join('');
  return value instanceof PyTuple ? makeTuple(out) : out;
}

/** How an expression is named in errors about undefined values: `params.missing`, `ds_nodsh`. */
function describe(node: Node): string {
  switch (node.typename) {
    case 'Symbol': return String(node.value);
    case 'LookupVal': {
      const key = node.val as Node;
      return key.typename === 'Literal' && typeof key.value === 'string' ? `${describe(node.target as Node)}.${key.value}` : `${describe(node.target as Node)}[${key.typename === 'Literal' ? pyRepr(key.value) : '...'}]`;
    }
    case 'FunCall': return `${describe(node.name as Node)}(...)`;
    case 'Filter': return `${describe((node.args as Node & { children: Node[] }).children[0])} | ${String((node.name as Node).value)}`;
    default: return 'value';
  }
}

/** The first character of an expression, where an error in it is reported. */
function startOf(node: Node): Node {
  switch (node.typename) {
    case 'LookupVal': return startOf(node.target as Node);
    case 'FunCall': return startOf(node.name as Node);
    case 'Filter': return startOf((node.args as Node & { children: Node[] }).children[0]);
    case 'Compare': return startOf(node.expr as Node);
    default: return node.left ? startOf(node.left as Node) : node;
  }
}

/**
 * Code that records where the expression being evaluated is, for the error report. As the last
 * argument of a helper call it runs after the operands, so an operand's own position is overwritten.
 */
function position(node: Node): string {
  const at = startOf(node);
  return `(lineno = ${at.lineno}, colno = ${at.colno})`;
}

/** Filters that take undefined values: `default` gives its fallback, `items` nothing. */
const FILTERS_OF_UNDEFINED = new Set(['default', 'd', 'items']);

/** Python's numeric literals, which nunjucks' lexer does not read: `1e3`, `1_000`, `0x1F`, `2.5e-3`. */
const NUMBER = /(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\da-fA-F])+|\d(?:_?\d)*(?:\.\d(?:_?\d)*)?(?:[eE][-+]?\d(?:_?\d)*)?)(?![\w.])/y;

/** nunjucks' own tags that Jinja does not have: Jinja fails on them, so must the preview. */
const NUNJUCKS_ONLY_TAGS = new Set(['verbatim', 'ifAsync', 'asyncEach', 'asyncAll', 'switch']);

/** Comparison operators nunjucks accepts that Jinja's grammar does not have. */
const JAVASCRIPT_ONLY_OPERATORS = new Set(['===', '!==']);

let installed = false;

/** Replaces nunjucks' parser, compiler and runtime helpers with the Jinja and Python ones, once. */
function installPythonRuntime(): void {
  if (installed) return;
  installed = true;
  const internals = nunjucks as unknown as {
    runtime: Record<string, unknown>;
    lexer: Record<string, string> & { lex(src: string, opts?: unknown): object };
    parser: { Parser: { prototype: Parser & Record<string, unknown> } };
    compiler: { Compiler: { prototype: Compiler & Record<string, unknown> } };
    nodes: Record<string, NodeClass> & { Node: { extend(name: string, spec: { fields: string[] }): NodeClass } };
    lib: { TemplateError: new (error: Error, lineno: number, colno: number) => Error };
  };
  const { runtime, lexer, nodes } = internals;
  const parser = internals.parser.Parser.prototype;
  const compiler = internals.compiler.Compiler.prototype;

  // Lexer: Python's number literals. nunjucks reads `1e3` as a name and `0x1F` not at all.
  const tokenizer = Object.getPrototypeOf(lexer.lex('')) as { nextToken(this: TokenizerState): Token | null };
  interface TokenizerState { in_code: boolean; str: string; index: number; lineno: number; colno: number; forward(): void }
  const nextToken = tokenizer.nextToken;
  tokenizer.nextToken = function (this: TokenizerState) {
    if (this.in_code && this.str[this.index - 1] !== '.') {
      NUMBER.lastIndex = this.index;
      const match = NUMBER.exec(this.str);
      if (match) {
        const [lineno, colno] = [this.lineno, this.colno];
        for (let i = 0; i < match[0].length; i++) this.forward();
        const literal = match[0].replace(/_/g, '');
        const isFloat = /^\d/.test(literal) && /[.eE]/.test(literal) && !/^0[xX]/.test(literal);
        return { type: isFloat ? lexer.TOKEN_FLOAT : lexer.TOKEN_INT, value: isFloat ? literal : String(Number(literal)), lineno, colno };
      }
    }
    return nextToken.call(this);
  };

  // Parser.
  const parsePrimary = parser.parsePrimary;
  parser.parsePrimary = function (this: Parser, noPostfix?: boolean) {
    const token = this.peekToken();
    if (token?.type === lexer.TOKEN_FLOAT) {
      // A float literal stays a float: `1.0` prints as 1.0, not 1.
      this.nextToken();
      const value = Number(token.value);
      const literal = new nodes.Literal(token.lineno, token.colno, Number.isInteger(value) ? new PyFloat(value) : value);
      return noPostfix ? literal : this.parsePostfix(literal);
    }
    if (token?.type === lexer.TOKEN_REGEX) this.fail('regular expression literals are nunjucks syntax, not Jinja', token.lineno, token.colno);
    return parsePrimary.call(this, noPostfix);
  };

  // Jinja's aggregates allow a trailing comma, and `(x,)` and `()` are tuples.
  parser.parseAggregate = function (this: Parser) {
    const open = this.nextToken();
    const kind = open.type === lexer.TOKEN_LEFT_PAREN ? 'Group' : open.type === lexer.TOKEN_LEFT_BRACKET ? 'Array' : open.type === lexer.TOKEN_LEFT_CURLY ? 'Dict' : undefined;
    if (!kind) return null;
    const node = new nodes[kind](open.lineno, open.colno) as Node & { children: Node[]; addChild(n: Node): void; isTuple?: boolean };
    let trailingComma = false;
    for (;;) {
      const type = this.peekToken().type;
      if (type === lexer.TOKEN_RIGHT_PAREN || type === lexer.TOKEN_RIGHT_BRACKET || type === lexer.TOKEN_RIGHT_CURLY) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseAggregate: expected comma after expression', open.lineno, open.colno);
        trailingComma = true;
        const next = this.peekToken().type;
        if (next === lexer.TOKEN_RIGHT_PAREN || next === lexer.TOKEN_RIGHT_BRACKET || next === lexer.TOKEN_RIGHT_CURLY) continue;
      }
      trailingComma = false;
      if (kind === 'Dict') {
        const key = this.parsePrimary();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', open.lineno, open.colno);
        const value = this.parseExpression();
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, value));
      } else {
        node.addChild(this.parseExpression());
      }
    }
    if (kind === 'Group') node.isTuple = node.children.length !== 1 || trailingComma;
    return node;
  };

  // `{% set a, b = 1, 2 %}` and `{% set ns.total = 0 %}`, as Jinja reads them.
  parser.parseSet = function (this: Parser) {
    const tag = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const node = new nodes.Set(tag.lineno, tag.colno, []) as Node & { targets: Node[]; value: Node | null; body?: Node };
    for (let target = this.parsePrimary(); target; target = this.parsePrimary()) {
      node.targets.push(target);
      if (!this.skip(lexer.TOKEN_COMMA)) break;
    }
    if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      if (!this.skip(lexer.TOKEN_BLOCK_END)) this.fail('parseSet: expected = or block end in set tag', tag.lineno, tag.colno);
      node.body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
      node.value = null;
      this.advanceAfterBlockEnd();
      return node;
    }
    const first = this.parseExpression();
    if (this.peekToken().type !== lexer.TOKEN_COMMA) {
      node.value = first;
    } else {
      // An unparenthesised tuple: `1, 2` or `x,`.
      const tuple = new nodes.Group(first.lineno, first.colno) as Node & { addChild(n: Node): void; isTuple?: boolean };
      tuple.addChild(first);
      while (this.skip(lexer.TOKEN_COMMA)) {
        if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
        tuple.addChild(this.parseExpression());
      }
      tuple.isTuple = true;
      node.value = tuple;
    }
    this.advanceAfterBlockEnd(tag.value);
    return node;
  };

  // A syntax error without a position (the end of the template) is reported where the lexer stopped.
  const fail = parser.fail;
  parser.fail = function (this: Parser, message: string, lineno?: number, colno?: number) {
    return fail.call(this, message, lineno ?? this.tokens.lineno, colno ?? this.tokens.colno);
  };

  // `x is divisibleby 3`: Jinja takes one argument without parentheses after a test name.
  parser.parseIs = function (this: Parser & { parseCompare(): Node }) {
    const node = this.parseCompare();
    if (!this.skipSymbol('is')) return node;
    const negated = this.skipSymbol('not');
    const name = this.nextToken();
    // `none`, `true` and `false` are names of tests too; nunjucks' lexer reads them as literals.
    const nameTypes = [lexer.TOKEN_SYMBOL, lexer.TOKEN_NONE, lexer.TOKEN_BOOLEAN];
    if (!name || !nameTypes.includes(name.type)) this.fail('expected a test name after is', name?.lineno, name?.colno);
    let test: Node = new nodes.Symbol(name.lineno, name.colno, name.value);
    const next = this.peekToken();
    const startsArgument = [lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY].includes(next.type)
      || (nameTypes.includes(next.type) && !['else', 'or', 'and'].includes(next.value));
    if (next.type === lexer.TOKEN_LEFT_PAREN) {
      test = this.parsePostfix(test);
    } else if (startsArgument) {
      if (next.value === 'is') this.fail('You cannot chain multiple tests with is', next.lineno, next.colno);
      const argument = this.parsePrimary();
      test = new nodes.FunCall(name.lineno, name.colno, test, new nodes.NodeList(argument.lineno, argument.colno, [argument]));
    }
    const is = new nodes.Is(node.lineno, node.colno, node, test);
    return negated ? new nodes.Not(node.lineno, node.colno, is) : is;
  };

  // Jinja's `{% with a = 1, b = 2 %}...{% endwith %}`, which nunjucks does not have.
  const With = nodes.Node.extend('PyWith', { fields: ['targets', 'values', 'body'] });
  const parseWith = function (this: Parser) {
    const tag = this.nextToken();
    const targets: string[] = [];
    const values: Node[] = [];
    while (this.peekToken().type !== lexer.TOKEN_BLOCK_END) {
      if (targets.length && !this.skip(lexer.TOKEN_COMMA)) this.fail("expected ',' between the assignments of with", tag.lineno, tag.colno);
      const name = this.nextToken();
      if (name.type !== lexer.TOKEN_SYMBOL) this.fail('expected a name to assign in with', name.lineno, name.colno);
      if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail(`expected '=' after ${name.value} in with`, name.lineno, name.colno);
      targets.push(name.value);
      values.push(this.parseExpression());
    }
    this.advanceAfterBlockEnd(tag.value);
    const body = this.parseUntilBlocks('endwith');
    this.advanceAfterBlockEnd();
    return new With(tag.lineno, tag.colno, targets, values, body);
  };

  const parseStatement = parser.parseStatement as (this: Parser) => Node;
  parser.parseStatement = function (this: Parser) {
    const token = this.peekToken();
    if (token.type === lexer.TOKEN_SYMBOL && NUNJUCKS_ONLY_TAGS.has(token.value)) this.fail(`Encountered unknown tag '${token.value}'.`, token.lineno, token.colno);
    if (token.type === lexer.TOKEN_SYMBOL && token.value === 'with') return parseWith.call(this);
    return parseStatement.call(this);
  };

  // nunjucks' own Jinja compatibility: `[a:b]` slice syntax. It wraps parseAggregate, so it comes after it.
  nunjucks.installJinjaCompat();

  // Nodes of the preview's own: a line of code, and an expression through a runtime helper.
  const Code = nodes.Node.extend('PyCode', { fields: ['code'] });
  const Helper = nodes.Node.extend('PyHelper', { fields: ['helper', 'expression', 'extra'] });
  compiler.compilePyCode = function (this: Compiler, node: Node) {
    this._emitLine(String(node.code));
  };
  compiler.compilePyHelper = function (this: Compiler, node: Node, frame: unknown) {
    this._emit(`runtime.${String(node.helper)}(`);
    this._compileExpression(node.expression, frame);
    this._emit(`, ${JSON.stringify(node.extra)}, ${position(node.expression as Node)})`);
  };
  const assertType = compiler.assertType as (this: Compiler, node: unknown, ...types: unknown[]) => void;
  compiler.assertType = function (this: Compiler, node: unknown, ...types: unknown[]) {
    if (node instanceof Helper || node instanceof Code) return;
    assertType.call(this, node, ...types);
  };
  const truth = (node: Node) => new Helper(node.lineno, node.colno, 'pyTruthy', node, describe(node));

  // Runtime helpers the compiled code calls.
  Object.assign(runtime, {
    pyBinaryOperator: binaryOperator,
    pyUnaryOperator: unaryOperator,
    pyConcat: concat,
    pyCompare: compare,
    pyContains: contains,
    pyTruthy,
    pyTuple: makeTuple,
    pyFloat: (value: number) => new PyFloat(value),
    pyDictKey: dictKey,
    pySetAttribute: setAttribute,
    pyUnpack: unpack,
    pyLoopItems: (value: unknown, [names, description]: [number, string]) => loopItems(value, names, description),
    callWrap: call,
    pyDefined: (value: unknown, name: string) => {
      if (value === undefined) throw undefinedError(name);
      return value;
    },
    pyCallFilter: (env: { getFilter(name: string): Filter }, name: string, context: unknown, description: string, args: unknown[]) => {
      if (args[0] === undefined && !FILTERS_OF_UNDEFINED.has(name)) throw undefinedError(description);
      return env.getFilter(name).apply(context, args as [unknown, ...unknown[]]);
    },
    // nunjucks' line and column variables count from 0; its error report shows no position for 0.
    handleError: (error: Error & { lineno?: number }, lineno: number, colno: number) => (error.lineno ? error : new internals.lib.TemplateError(error, lineno + 1, colno + 1)),
  });
  // For `x[a:b:c]` nunjucks' compatibility layer calls memberLookup(obj, start, stop, step); plain
  // lookups get the position as a third argument.
  runtime.memberLookup = (obj: unknown, name: unknown, ...rest: unknown[]) => (rest.length === 3 ? slice(obj, name, rest[0], rest[1]) : memberLookup(obj, name));
  const JINJA_CONSTANTS: Record<string, unknown> = Object.assign(Object.create(null), { True: true, False: false, None: null });
  const own = (object: object, name: string) => Object.prototype.hasOwnProperty.call(object, name);
  // Names resolve in the template's frames, then the context, then the globals; only own entries
  // count, so `toString` and the like are as undefined as in Python.
  runtime.contextOrFrameLookup = (context: { ctx: Record<string, unknown>; env: { globals: Record<string, unknown> } }, frame: Frame, name: string) => {
    checkName(name);
    const local = frame.lookup(name);
    if (local !== undefined) return local;
    if (own(context.ctx, name)) return context.ctx[name];
    if (own(context.env.globals, name)) return context.env.globals[name];
    return JINJA_CONSTANTS[name];
  };
  runtime.suppressValue = (value: unknown) => pyStr(value);

  // Compiler. What `{{ }}` prints must be defined (StrictUndefined), and is printed as Python's str().
  compiler.compileOutput = function (this: Compiler & { buffer: string }, node: Node & { children: Node[] }, frame: unknown) {
    for (const child of node.children) {
      if (child.typename === 'TemplateData') {
        if (child.value) this._emitLine(`${this.buffer} += ${JSON.stringify(child.value)};`);
        continue;
      }
      this._emit(`${this.buffer} += runtime.suppressValue(runtime.pyDefined(`);
      this.compile(child, frame);
      this._emitLine(`, ${JSON.stringify(describe(child))}, ${position(child)}));`);
    }
  };
  const compileSymbol = compiler.compileSymbol as (this: Compiler, node: Node, frame: Frame) => void;
  compiler.compileSymbol = function (this: Compiler, node: Node, frame: Frame) {
    if (frame.lookup(String(node.value))) {
      compileSymbol.call(this, node, frame);
      return;
    }
    this._emit(`runtime.contextOrFrameLookup(context, frame, ${JSON.stringify(node.value)}, ${position(node)})`);
  };
  compiler.compileLookupVal = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('runtime.memberLookup((');
    this._compileExpression(node.target, frame);
    this._emit('),');
    this._compileExpression(node.val, frame);
    this._emit(`, ${position(node)})`);
  };
  compiler.compileFilter = function (this: Compiler, node: Node & { name: Node; args: Node & { children: Node[] } }, frame: unknown) {
    this._emit(`runtime.pyCallFilter(env, ${JSON.stringify(node.name.value)}, context, ${JSON.stringify(describe(node.args.children[0]))}, `);
    this._compileAggregate(node.args, frame, '[', ']');
    this._emit(`, ${position(node)})`);
  };
  compiler.compileLiteral = function (this: Compiler, node: Node) {
    if (node.value instanceof PyFloat) this._emit(`runtime.pyFloat(${node.value.valueOf()})`);
    else if (typeof node.value === 'string') this._emit(JSON.stringify(node.value));
    else this._emit(node.value === null ? 'null' : String(node.value));
  };
  // A parenthesised list `(a, b)` is a tuple in Jinja; JavaScript would read a comma operator.
  compiler.compileGroup = function (this: Compiler, node: Node & { isTuple?: boolean }, frame: unknown) {
    if (node.isTuple) {
      this._emit('runtime.pyTuple(');
      this._compileAggregate(node, frame, '[', ']');
      this._emit(')');
    } else {
      this._compileAggregate(node, frame, '(', ')');
    }
  };
  // Dict keys are expressions in Jinja (`{ds: 1}` uses the value of ds); computed keys keep
  // `__proto__` an ordinary key.
  compiler.compilePair = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('[runtime.pyDictKey(');
    this._compileExpression(node.key, frame);
    this._emit(')]: ');
    this._compileExpression(node.value, frame);
  };
  // Keyword arguments (`f(days=1)`) name their keys; nunjucks compiles them as a dict literal.
  compiler.compileKeywordArgs = function (this: Compiler, node: Node & { children: Node[] }, frame: unknown) {
    this._emit('runtime.makeKeywordArgs({');
    node.children.forEach((pair, i) => {
      this._emit(`${i ? ', ' : ''}[${JSON.stringify(String((pair.key as Node).value))}]: `);
      this._compileExpression(pair.value, frame);
    });
    this._emit('})');
  };
  const binary = (op: string) => function (this: Compiler, node: Node, frame: unknown) {
    this._emit(`runtime.pyBinaryOperator(${JSON.stringify(op)}, `);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(`, ${JSON.stringify(describe(node.left as Node))}, ${JSON.stringify(describe(node.right as Node))}, ${position(node)})`);
  };
  Object.assign(compiler, {
    compileAdd: binary('+'), compileSub: binary('-'), compileMul: binary('*'), compileDiv: binary('/'),
    compileFloorDiv: binary('//'), compileMod: binary('%'), compilePow: binary('**'),
  });
  compiler.compileConcat = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('runtime.pyConcat(');
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(`, ${JSON.stringify(describe(node.left as Node))}, ${JSON.stringify(describe(node.right as Node))}, ${position(node)})`);
  };
  for (const [method, op] of [['compileNeg', '-'], ['compilePos', '+']] as const) {
    compiler[method] = function (this: Compiler, node: Node, frame: unknown) {
      this._emit(`runtime.pyUnaryOperator(${JSON.stringify(op)}, `);
      this.compile(node.target, frame);
      this._emit(`, ${JSON.stringify(describe(node.target as Node))}, ${position(node)})`);
    };
  }
  compiler.compileCompare = function (this: Compiler, node: Node & { expr: Node; ops: { type: string; expr: Node; lineno: number; colno: number }[] }, frame: unknown) {
    for (const op of node.ops) if (JAVASCRIPT_ONLY_OPERATORS.has(op.type)) this.fail(`unexpected '${op.type}'`, op.lineno, op.colno);
    const operands = [node.expr, ...node.ops.map((op) => op.expr)];
    this._emit('runtime.pyCompare([');
    operands.forEach((operand, i) => {
      if (i) this._emit(', ');
      this.compile(operand, frame);
    });
    this._emit(`], ${JSON.stringify(node.ops.map((op) => op.type))}, ${JSON.stringify(operands.map(describe))}, ${position(node)})`);
  };
  compiler.compileIn = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('runtime.pyContains(');
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(`, ${JSON.stringify(describe(node.left as Node))}, ${JSON.stringify(describe(node.right as Node))}, ${position(node)})`);
  };
  // `and`/`or` give one of their operands, chosen by Python's truthiness; `not` gives a bool.
  for (const [method, keepLeftWhen] of [['compileOr', ''], ['compileAnd', '!']] as const) {
    compiler[method] = function (this: Compiler, node: Node, frame: unknown) {
      this._emit(`((left) => ${keepLeftWhen}runtime.pyTruthy(left, ${JSON.stringify(describe(node.left as Node))}) ? left : (`);
      this.compile(node.right, frame);
      this._emit('))(');
      this.compile(node.left, frame);
      this._emit(')');
    };
  }
  compiler.compileNot = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('!');
    this.compile(truth(node.target as Node), frame);
  };
  for (const method of ['compileIf', 'compileInlineIf'] as const) {
    const original = compiler[method] as (this: Compiler, node: Node, ...rest: unknown[]) => void;
    compiler[method] = function (this: Compiler, node: Node, ...rest: unknown[]) {
      const condition = node.cond;
      node.cond = truth(condition as Node);
      try {
        original.call(this, node, ...rest);
      } finally {
        node.cond = condition;
      }
    };
  }
  // A loop visits what Python's `for` visits (a dict's keys), unpacks with Python's checks, and
  // gives each iteration its own scope, so that a `{% set %}` in the body does not outlive it.
  const compileFor = compiler.compileFor as (this: Compiler, node: Node, frame: unknown) => void;
  compiler.compileFor = function (this: Compiler, node: Node, frame: unknown) {
    const [items, body, name] = [node.arr as Node, node.body as Node, node.name as Node & { children?: Node[] }];
    const names = name.typename === 'Array' ? name.children!.length : 1;
    node.arr = new Helper(items.lineno, items.colno, 'pyLoopItems', items, [names, describe(items)]);
    node.body = new nodes.NodeList(body.lineno, body.colno, [new Code(0, 0, 'frame = frame.push();'), body, new Code(0, 0, 'frame = frame.pop();')]);
    try {
      compileFor.call(this, node, frame);
    } finally {
      node.arr = items;
      node.body = body;
    }
  };
  // `with`: the values are computed in the enclosing scope, then bound in a scope of their own.
  compiler.compilePyWith = function (this: Compiler, node: Node & { targets: string[]; values: Node[]; body: Node }, frame: Frame & { push(): Frame & { set(name: string, id: string): void } }) {
    const ids = node.values.map((value) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this._compileExpression(value, frame);
      this._emitLine(';');
      return id;
    });
    const inner = frame.push();
    this._emitLine('frame = frame.push();');
    node.targets.forEach((name, i) => {
      inner.set(name, ids[i]);
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${ids[i]});`);
    });
    this.compile(node.body, inner);
    this._emitLine('frame = frame.pop();');
  };
  // Jinja's assignment: in the current scope (never an enclosing loop's), with unpacking, and to
  // namespace attributes.
  compiler.compileSet = function (this: Compiler, node: Node & { targets: Node[]; value: Node | null; body: Node }, frame: Frame) {
    const emitValue = () => (node.value ? this._compileExpression(node.value, frame) : this.compile(node.body, frame));
    const [first] = node.targets;
    if (node.targets.length === 1 && first.typename === 'LookupVal') {
      this._emit('runtime.pySetAttribute(');
      this._compileExpression(first.target, frame);
      this._emit(', ');
      this._compileExpression(first.val, frame);
      this._emit(', ');
      emitValue();
      this._emitLine(`, ${position(first)});`);
      return;
    }
    const names = node.targets.map((target) => {
      if (target.typename !== 'Symbol') this.fail(`can't assign to ${describe(target)}`, target.lineno, target.colno);
      const name = String(target.value);
      try {
        checkName(name);
      } catch (error) {
        this.fail((error as Error).message, target.lineno, target.colno);
      }
      return name;
    });
    const ids = names.map((name) => {
      const existing = frame.variables[name];
      if (typeof existing === 'string') return existing;
      const id = this._tmpid();
      this._emitLine(`var ${id};`);
      return id;
    });
    if (ids.length === 1) {
      this._emit(`${ids[0]} = `);
      emitValue();
      this._emitLine(';');
    } else {
      const unpacked = this._tmpid();
      this._emit(`var ${unpacked} = runtime.pyUnpack(`);
      emitValue();
      this._emitLine(`, ${ids.length}, ${position(node)});`);
      ids.forEach((id, i) => this._emitLine(`${id} = ${unpacked}[${i}];`));
    }
    names.forEach((name, i) => {
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${ids[i]});`);
      this._emitLine(`if(frame.topLevel) { context.setVariable(${JSON.stringify(name)}, ${ids[i]}); }`);
      if (!name.startsWith('_')) this._emitLine(`if(frame.topLevel) { context.addExport(${JSON.stringify(name)}, ${ids[i]}); }`);
    });
  };
}

/** Jinja's `do` extension, which Airflow enables: `{% do items.append(x) %}` evaluates and prints nothing. */
class DoExtension {
  readonly tags = ['do'];

  parse(parser: { nextToken(): { value: string }; parseExpression(): unknown; advanceAfterBlockEnd(name: string): void },
    nodes: { CallExtension: new (ext: unknown, method: string, args: unknown, body: unknown[]) => unknown; NodeList: new (line: number, col: number, items: unknown[]) => unknown }): unknown {
    const token = parser.nextToken();
    const expression = parser.parseExpression();
    parser.advanceAfterBlockEnd(token.value);
    return new nodes.CallExtension(this, 'run', new nodes.NodeList(0, 0, [expression]), []);
  }

  run(): string {
    return '';
  }
}

type Table<T> = Record<string, T>;

/** The environment: user-defined macros and filters of the DAG come in as `globals` and `filters`. */
export function createEnvironment(options: { globals?: Record<string, unknown>; filters?: Record<string, (...args: never[]) => unknown> } = {}): nunjucks.Environment {
  installPythonRuntime();
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true }) as nunjucks.Environment & { filters: Table<Filter>; tests: Table<Test>; globals: Table<unknown> };
  // Tables without a prototype: `{{ x | constructor }}` must not find Object's own members.
  const filters: Table<Filter> = Object.create(null);
  const tests: Table<Test> = Object.create(null);
  const globals: Table<unknown> = Object.create(null);
  // Unknown names fail with nunjucks' own wording, which fields.ts reads to tell user-defined
  // (Python-only) filters from misspelt ones.
  const registry: Registry = {
    filter: (name) => {
      if (!(name in filters)) throw new Error(`filter not found: ${name}`);
      return filters[name];
    },
    test: (name) => {
      if (!(name in tests)) throw new Error(`test not found: ${name}`);
      return tests[name];
    },
    hasFilter: (name) => name in filters,
    hasTest: (name) => name in tests,
  };
  Object.assign(filters, jinjaFilters(registry));
  Object.assign(tests, jinjaTests(registry));
  Object.assign(globals, jinjaGlobals(), options.globals ?? {});
  for (const [name, filter] of Object.entries(options.filters ?? {})) filters[name] = filter as Filter;
  env.filters = filters;
  env.tests = tests;
  env.globals = globals;
  (env as unknown as { getFilter(name: string): Filter }).getFilter = registry.filter;
  (env as unknown as { getTest(name: string): Test }).getTest = registry.test;
  env.addExtension('do', new DoExtension());
  return env;
}
