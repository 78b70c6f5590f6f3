// Completion: argument names of DAG() and of the known operators, default_args keys, trigger rule
// values, task ids in xcom_pull(task_ids=...) and task variables after >> and <<.
import { type Catalog, type ParameterMap } from '../airflow/catalog';
import type { CheckedFile } from '../check';
import type { SourceRange } from '../diagnostics';
import { childrenOf, dottedName, type SyntaxNode } from '../python/syntax';

export type CompletionKind = 'argument' | 'key' | 'value' | 'task';

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  readonly insertText: string;
}

export interface Completions {
  /** The text the items replace: the partial word at the cursor. */
  readonly range: SourceRange;
  readonly items: readonly CompletionItem[];
}

function parameterItems(params: ParameterMap, kind: CompletionKind, insert: (name: string) => string, taken: Set<string>): CompletionItem[] {
  return Object.entries(params)
    .filter(([name]) => !taken.has(name))
    .map(([name, info]) => ({
      label: name,
      kind,
      detail: [info.type, info.required ? 'required' : info.default !== null ? `= ${info.default}` : ''].filter(Boolean).join(' '),
      documentation: info.doc || undefined,
      insertText: insert(name),
    }));
}

/** All parameters of an operator class: BaseOperator's, its bases' and its own. */
function operatorParameterMap(catalog: Catalog, operator: string): ParameterMap | undefined {
  const entry = catalog.operators[operator];
  if (!entry) return undefined;
  return Object.assign({}, catalog.baseOperator, ...entry.bases.map((b) => catalog.operators[b]?.params ?? {}), entry.params);
}

/** The innermost node at the offset, seen from the left (the character just typed). */
function nodeBefore(file: CheckedFile, offset: number): SyntaxNode {
  return file.parsed.tree.resolveInner(offset, -1);
}

function ancestor(node: SyntaxNode | null, name: string): SyntaxNode | undefined {
  for (let n = node; n; n = n.parent) if (n.name === name) return n;
  return undefined;
}

/** Keyword names already written in an ArgList, so they are not offered again. */
function keywordsIn(file: CheckedFile, argList: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const child of childrenOf(argList)) {
    if (child.name === 'VariableName' && child.nextSibling?.name === 'AssignOp') names.add(file.text.slice(child.from, child.to));
  }
  return names;
}

/** What completion offers from outside the file: the names of the local Airflow Variables. */
export interface CompletionSources {
  readonly variables?: readonly string[];
}

export function completionsAt(file: CheckedFile, offset: number, catalog: Catalog, sources: CompletionSources = {}): Completions | undefined {
  const { text } = file;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const taskIds = [...new Set(file.model.dags.flatMap((d) => d.tasks.map((t) => t.taskId)))];

  // Inside a template expression `{{ ... ` of a string: context keys, macros, params.
  const template = /\{\{(?:(?!\}\}).)*?([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*\.?|)$/.exec(before);
  if (template && !/xcom_pull\([^)]*$/.test(before)) return templateCompletions(file, offset, template[1], catalog, sources);

  // Task ids in xcom_pull(task_ids="...") or xcom_pull(task_ids=["a", "..."]), in code and in templates.
  const xcom = /xcom_pull\((?:[^()]*?task_ids\s*=\s*)?\[?(?:\s*["'][^"']*["']\s*,)*\s*["']([\w.-]*)$/.exec(before);
  if (xcom) {
    return {
      range: { from: offset - xcom[1].length, to: offset },
      items: taskIds.map((id) => ({ label: id, kind: 'task', detail: 'task id', insertText: id })),
    };
  }

  // trigger_rule="..." as an argument or a default_args entry; read from the text, because the
  // string is usually not closed yet while it is typed.
  const rule = /\btrigger_rule["']?\s*[=:]\s*["']([\w]*)$/.exec(before);
  if (rule) {
    return {
      range: { from: offset - rule[1].length, to: offset },
      items: catalog.triggerRules.map((r) => ({ label: r, kind: 'value', detail: 'trigger rule', insertText: r })),
    };
  }

  const node = nodeBefore(file, offset);
  const string = ancestor(node, 'String');
  if (string) {
    const partial = /[\w.]*$/.exec(text.slice(string.from + 1, offset))![0];
    const range = { from: offset - partial.length, to: offset };
    const previous = string.prevSibling;
    // A key of a default_args dict: `default_args = {"...` or `default_args={"...`.
    const dict = string.parent?.name === 'DictionaryExpression' ? string.parent : undefined;
    if (dict && (!previous || previous.name === '{' || previous.name === ',') && isDefaultArgsDict(file, dict)) {
      const taken = new Set(childrenOf(dict).filter((c) => c.name === 'String' && c.from !== string.from).map((c) => text.slice(c.from + 1, c.to - 1)));
      return { range, items: parameterItems(catalog.baseOperator, 'key', (name) => name, taken) };
    }
    return undefined;
  }

  // Task variables after >> and <<.
  const edge = /(?:>>|<<)\s*\[?(?:\s*\w+\s*,)*\s*(\w*)$/.exec(before);
  if (edge) {
    const variables = [...new Set(file.model.dags.flatMap((d) => d.tasks.map((t) => t.variable?.name).filter((v): v is string => !!v)))];
    return {
      range: { from: offset - edge[1].length, to: offset },
      items: variables.map((v) => ({ label: v, kind: 'task', detail: 'task', insertText: v })),
    };
  }

  // Keyword argument names inside DAG(...), Operator(...) and Operator.partial(...).
  const word = /\w*$/.exec(before)![0];
  const argList = ancestor(node, 'ArgList');
  const beforeWord = text.slice(0, offset - word.length).trimEnd();
  if (argList && (beforeWord.endsWith('(') || beforeWord.endsWith(',')) && argList.parent?.name === 'CallExpression') {
    const callee = argList.parent.firstChild;
    const name = dottedName(text, callee);
    if (!name) return undefined;
    const segments = name.split('.');
    const className = segments[segments.length - 1] === 'partial' ? segments[segments.length - 2] : segments[segments.length - 1];
    const params = className === 'DAG' ? catalog.dag : operatorParameterMap(catalog, className);
    if (!params) return undefined;
    return {
      range: { from: offset - word.length, to: offset },
      items: parameterItems(params, 'argument', (p) => `${p}=`, keywordsIn(file, argList)),
    };
  }
  return undefined;
}

/** A dict written as `default_args = {...}`, `default_args={...}` or `dict(...)`-free literal passed as default_args. */
function isDefaultArgsDict(file: CheckedFile, dict: SyntaxNode): boolean {
  const previous = dict.prevSibling;
  if (previous?.name !== 'AssignOp') return false;
  const target = previous.prevSibling;
  return !!target && /default_args/i.test(file.text.slice(target.from, target.to));
}

/**
 * The members of `macros` (§2.4) that the renderer provides (templates/macros.ts); Airflow's
 * `yaml`, `ds_format_locale` and `datetime_diff_for_humans` are left out, since a template using
 * them fails in the preview.
 */
const MACROS = ['ds_add', 'ds_format', 'datetime', 'timedelta', 'dateutil', 'time', 'uuid', 'json', 'random'];

/** Names inside `{{ }}`: the version's context keys, `macros.*`, the DAG's `params.*` and the local `var.value.*`. */
function templateCompletions(file: CheckedFile, offset: number, path: string, catalog: Catalog, sources: CompletionSources): Completions {
  const dot = path.lastIndexOf('.');
  const partial = path.slice(dot + 1);
  const range = { from: offset - partial.length, to: offset };
  const item = (label: string, detail: string): CompletionItem => ({ label, kind: 'value', detail, insertText: label });
  const owner = dot < 0 ? '' : path.slice(0, dot);
  if (owner === 'macros') return { range, items: MACROS.map((m) => item(m, 'Airflow macro')) };
  if (owner === 'var.value' || owner === 'var.json') return { range, items: (sources.variables ?? []).map((name) => item(name, 'Airflow Variable (local)')) };
  if (owner === 'params') {
    const names = new Set<string>();
    for (const dag of file.model.dags) {
      for (const holder of [dag, ...dag.tasks]) {
        const params = holder.args.find((a) => a.name === 'params')?.value;
        if (params?.kind === 'dict') params.entries.forEach((_, key) => names.add(key));
      }
    }
    return { range, items: [...names].map((n) => item(n, 'param')) };
  }
  if (owner !== '') return { range, items: [] };
  return { range, items: catalog.contextKeys.map((key) => item(key, `template context (Airflow ${file.airflow})`)) };
}
