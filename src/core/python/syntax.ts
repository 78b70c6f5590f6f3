// Thin helpers over the @lezer/python tree. Lezer never fails: broken code yields error nodes
// (`⚠`) inside an otherwise complete tree, which is what lets the analyser keep going while the
// user types.
import type { SyntaxNode, Tree, TreeFragment } from '@lezer/common';
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

/** Every error node of the tree, in document order. */
export function syntaxErrors(tree: Tree): { from: number; to: number }[] {
  const errors: { from: number; to: number }[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push({ from: node.from, to: node.to });
        return false;
      }
      return undefined;
    },
  });
  return errors;
}
