// Thin helpers over the @lezer/python tree. Lezer never fails: broken code yields error nodes
// (`⚠`) inside an otherwise complete tree, which is what lets the analyser keep going while the
// user types.
import { TreeBuffer, type SyntaxNode, type SyntaxNodeRef, type Tree, type TreeFragment } from '@lezer/common';
import { parser } from '@lezer/python';

export type { SyntaxNode, Tree };

export function parsePython(text: string, fragments?: readonly TreeFragment[]): Tree {
  return parser.parse(text, fragments);
}

/** The children of a node, without comments: Lezer keeps them in the tree wherever they were written. */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name !== 'Comment') out.push(child);
  return out;
}

/** Punctuation and keywords are part of lezer's tree; most analyses only want the meaningful children. */
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', '=', 'AssignOp', '*', '**', 'At']);

export function isPunctuation(node: SyntaxNode): boolean {
  return PUNCTUATION.has(node.name);
}

export function sourceOf(text: string, node: SyntaxNode): string {
  return text.slice(node.from, node.to);
}

/** One argument of a call: positional, `name=value`, `*value` or `**value`. */
export interface CallArgument {
  readonly keyword?: { readonly name: string; readonly node: SyntaxNode };
  readonly star?: '*' | '**';
  readonly value: SyntaxNode;
}

/**
 * Splits an ArgList into arguments. Lezer keeps keyword arguments flat (`VariableName AssignOp
 * expression`), so arguments are grouped by the commas between them. Incomplete arguments such as
 * `f(a=` while typing are dropped rather than guessed.
 */
export function callArguments(text: string, argList: SyntaxNode | null): CallArgument[] {
  if (!argList || argList.name !== 'ArgList') return [];
  const args: CallArgument[] = [];
  let group: SyntaxNode[] = [];
  const flush = () => {
    const meaningful = group.filter((n) => n.name !== '(' && n.name !== ')');
    group = [];
    if (meaningful.length === 0) return;
    const [first, second, third] = meaningful;
    if (second?.name === 'AssignOp' && first.name === 'VariableName') {
      if (third) args.push({ keyword: { name: sourceOf(text, first), node: first }, value: third });
    } else if ((first.name === '*' || first.name === '**') && second) {
      args.push({ star: first.name, value: second });
    } else {
      args.push({ value: first });
    }
  };
  for (const child of childrenOf(argList)) {
    if (child.name === ',') flush();
    else group.push(child);
  }
  flush();
  return args;
}

/** The node a decorator or call is applied to, written as a dotted name (`task.bash`, `airflow.DAG`). */
export function dottedName(text: string, node: SyntaxNode | null): string | undefined {
  if (!node) return undefined;
  if (node.name === 'VariableName') return sourceOf(text, node);
  if (node.name === 'MemberExpression') {
    const object = node.firstChild;
    const property = node.lastChild;
    if (!object || !property || property.name !== 'PropertyName') return undefined;
    const head = dottedName(text, object);
    return head === undefined ? undefined : `${head}.${sourceOf(text, property)}`;
  }
  return undefined;
}

/**
 * The error nodes of each subtree, as offsets from its start (from, to, from, to...). Lezer reuses
 * the subtrees an edit did not touch in the next tree, so after a keystroke only the few new ones
 * along the edited path are walked. Only trees are remembered: the buffers of a tree are scanned
 * when it is new, and remembering each of the thousands of them would cost more than that.
 */
const subtreeErrors = new WeakMap<Tree, readonly number[]>();
const NO_ERRORS: readonly number[] = [];

/** Every error node of the tree, in document order: each outermost one, as a walk that skips an error's children finds them. */
export function syntaxErrors(tree: Tree): { from: number; to: number }[] {
  const offsets = errorsOf(tree);
  const errors: { from: number; to: number }[] = [];
  for (let i = 0; i < offsets.length; i += 2) errors.push({ from: offsets[i], to: offsets[i + 1] });
  return errors;
}

function errorsOf(tree: Tree | TreeBuffer): readonly number[] {
  if (tree instanceof TreeBuffer) return bufferErrors(tree);
  let found = subtreeErrors.get(tree);
  if (found) return found;
  if (tree.type.isError) {
    found = [0, tree.length];
  } else {
    let offsets: number[] | undefined;
    tree.children.forEach((child, i) => {
      const inner = errorsOf(child);
      if (inner.length === 0) return;
      offsets ??= [];
      const start = tree.positions[i];
      for (const offset of inner) offsets.push(start + offset);
    });
    found = offsets ?? NO_ERRORS;
  }
  subtreeErrors.set(tree, found);
  return found;
}

/** A buffer holds small subtrees flat: each node is its type, start, end and the index past its children. */
function bufferErrors(buffer: TreeBuffer): readonly number[] {
  const { buffer: nodes, set } = buffer;
  let offsets: number[] | undefined;
  for (let i = 0; i < nodes.length;) {
    if (set.types[nodes[i]].isError) {
      (offsets ??= []).push(nodes[i + 1], nodes[i + 2]);
      i = nodes[i + 3];
    } else {
      i += 4;
    }
  }
  return offsets ?? NO_ERRORS;
}

/** Which node types occur in each subtree, one bit per type: kept like the errors, per tree. */
const subtreeTypes = new WeakMap<Tree, Uint8Array>();
const TYPE_COUNT = parser.nodeSet.types.length;
const TYPE_IDS = new Map<string, number>();
for (const type of parser.nodeSet.types) if (!TYPE_IDS.has(type.name)) TYPE_IDS.set(type.name, type.id);

function typesOf(tree: Tree): Uint8Array {
  let types = subtreeTypes.get(tree);
  if (types) return types;
  types = new Uint8Array((TYPE_COUNT + 7) >> 3);
  types[tree.type.id >> 3] |= 1 << (tree.type.id & 7);
  for (const child of tree.children) {
    if (child instanceof TreeBuffer) {
      for (let i = 0; i < child.buffer.length; i += 4) types[child.buffer[i] >> 3] |= 1 << (child.buffer[i] & 7);
    } else {
      const inner = typesOf(child);
      for (let i = 0; i < types.length; i++) types[i] |= inner[i];
    }
  }
  subtreeTypes.set(tree, types);
  return types;
}

/**
 * Whether the node a walk has entered may hold a node named `name`: false lets the walk skip it. A
 * rule looking for a few imports passes over the body of a large DAG without entering it, and
 * after an edit only the new subtrees are looked at again.
 */
export function mayContain(ref: SyntaxNodeRef, name: string): boolean {
  const tree = ref.tree;
  if (!tree) return true;
  const id = TYPE_IDS.get(name);
  return id !== undefined && (typesOf(tree)[id >> 3] & (1 << (id & 7))) !== 0;
}
