// What Airflow 3 removed of what Airflow 2 kept for compatibility: the old import paths (PF404) and
// deprecated DAG and operator arguments (PF405). Airflow 2.10 accepts them with a deprecation
// warning; Airflow 3 does not load the file. Both were checked against the two versions' venvs.
import type { Catalog } from '../airflow/catalog';
import movedImports from '../airflow/moved-imports.json';
import type { DagModel, TaskModel } from '../dag/model';
import type { Diagnostic, Fix, SourceRange } from '../diagnostics';
import { decodeNumberLiteral } from '../python/literals';
import { callArguments, childrenOf, mayContain, sourceOf, type SyntaxNode, type Tree } from '../python/syntax';
import type { RuleContext } from './rules';
import { capitalize, listItem, renamedKey, wholeLines } from './text';

/** Where a name of a removed module went, as Airflow 2.10 maps it and as Airflow 3 imports it. */
interface MovedName {
  readonly airflow2: string;
  /** Null when Airflow 3 (with the standard, common-sql, smtp and slack providers) has no such name. */
  readonly airflow3: string | null;
}

/** Generated from real Airflow by scripts/airflow/moved_imports.py (test/oracle/movedImports.test.ts). */
const MOVED_MODULES: Readonly<Record<string, Readonly<Record<string, MovedName>>>> = movedImports.modules;

/** PF402 reports DummyOperator's modules, together with the class name. */
const REPORTED_BY_PF402 = new Set(['airflow.operators.dummy', 'airflow.operators.dummy_operator']);

/** Whether a module path is one Airflow 3 removed: a shim Airflow 2.10 lists, or anything of `airflow.contrib`. */
function isRemovedModule(module: string): boolean {
  return MOVED_MODULES[module] !== undefined || module === 'airflow.contrib' || module.startsWith('airflow.contrib.');
}

const splitTarget = (target: string) => ({ module: target.slice(0, target.lastIndexOf('.')), name: target.slice(target.lastIndexOf('.') + 1) });

/** An import statement's module path, with its range, and the names it imports. */
interface ImportParts {
  /** `from M import ...`, else `import M` (aliased: `import M as m`). */
  readonly from: boolean;
  readonly aliased: boolean;
  readonly module: string;
  readonly moduleRange: SourceRange;
  readonly names: readonly { readonly name: string; readonly range: SourceRange }[];
}

function importParts(text: string, node: SyntaxNode): ImportParts | undefined {
  const parts = childrenOf(node);
  const from = parts[0]?.name === 'from';
  const importIndex = parts.findIndex((p) => p.name === 'import');
  const afterKeyword = parts.slice(1);
  const asIndex = afterKeyword.findIndex((p) => p.name === 'as');
  const path = from ? parts.slice(1, importIndex) : afterKeyword.slice(0, asIndex < 0 ? undefined : asIndex);
  if (path.length === 0 || (from && importIndex < 0) || (!from && path.some((p) => p.name === ','))) return undefined;
  const names = from
    ? parts.slice(importIndex + 1).filter((p, i, all) => p.name === 'VariableName' && all[i - 1]?.name !== 'as').map((p) => ({ name: sourceOf(text, p), range: { from: p.from, to: p.to } }))
    : [];
  return { from, aliased: asIndex >= 0, module: path.map((p) => sourceOf(text, p)).join(''), moduleRange: { from: path[0].from, to: path[path.length - 1].to }, names };
}

/** PF404: `from airflow.operators.bash_operator import BashOperator` and the other paths Airflow 3 removed. */
export function removedImports({ text, tree, airflow }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (!/\bairflow\.(?:operators|sensors|hooks|contrib|utils\.dates)\b/.test(text)) return found;
  tree.iterate({
    enter(ref) {
      // Imports are statements of their own: the expressions that make up most of a DAG file are
      // skipped, and so is the body of a with or def that imports nothing.
      if (ref.name === 'ExpressionStatement' || ref.name === 'AssignStatement') return false;
      if (ref.name !== 'ImportStatement') return mayContain(ref, 'ImportStatement') ? undefined : false;
      const parts = importParts(text, ref.node);
      if (parts?.module === 'airflow.utils.dates' && airflow === 3) found.push(...removedDaysAgo(text, ref.node, parts));
      if (parts && isRemovedModule(parts.module) && !REPORTED_BY_PF402.has(parts.module)) found.push(removedModule(parts, airflow));
      return false;
    },
  });
  return found;
}

function removedModule(parts: ImportParts, airflow: 2 | 3): Diagnostic {
  const moved = MOVED_MODULES[parts.module] ?? {};
  // `import M` may use any name of M; `from M import a, b` only those.
  const names = parts.from ? parts.names.map((n) => n.name) : Object.keys(moved);
  const targets = names.map((name) => {
    const entry = moved[name];
    const target = entry && (airflow === 3 ? entry.airflow3 : entry.airflow2);
    return { name, entry, target: target ? splitTarget(target) : undefined };
  });
  // One module path replaces the old one, and every name keeps its name.
  const modules = new Set(targets.map((t) => t.target?.module));
  const single = targets.length > 0 && modules.size === 1 && targets.every((t) => t.target && t.target.name === t.name) ? targets[0].target!.module : undefined;
  // Uses of `import M` without an alias spell the old path out: only the import itself is rewritten.
  const fixes: Fix[] | undefined = single && (parts.from || parts.aliased)
    ? [{ title: `Import from ${single}`, edits: [{ range: parts.moduleRange, newText: single }], preferred: true }]
    : undefined;
  const advice = single ? `${parts.from ? 'import from' : 'use'} ${single}`
    : targets.length > 0 ? targets.map(({ name, entry, target }) => movedAdvice(name, entry, target, airflow)).join('; ')
    : `nothing in it is part of Airflow ${airflow}`;
  const message = airflow === 3
    ? `${parts.module} was removed in Airflow 3: the import fails (ModuleNotFoundError) and Airflow does not load the file. ${capitalize(advice)}.`
    : `${parts.module} is deprecated (RemovedInAirflow3Warning) and removed in Airflow 3: ${advice}.`;
  return { code: 'PF404', severity: airflow === 3 ? 'error' : 'warning', message, range: parts.moduleRange, ...(fixes ? { fixes } : {}) };
}

function movedAdvice(name: string, entry: MovedName | undefined, target: { module: string; name: string } | undefined, airflow: 2 | 3): string {
  if (target) return target.name === name ? `${name} is in ${target.module}` : `${name} is ${target.name} in ${target.module}`;
  if (!entry) return `${name} has no known replacement`;
  // Airflow 3 has no such name in its own packages: it moved to a provider, or it is gone.
  return entry.airflow2.startsWith('airflow.providers.')
    ? `Airflow 2.10 maps ${name} to ${entry.airflow2}, from a provider package: check that provider's current name for it`
    : `${name} has no replacement in Airflow ${airflow}`;
}

/**
 * `from airflow.utils.dates import days_ago` fails on Airflow 3, which dropped days_ago. Once no call
 * of it is left (the PF203 fix replaces each with a fixed date), the fix removes it from the import.
 */
function removedDaysAgo(text: string, node: SyntaxNode, parts: ImportParts): Diagnostic[] {
  const name = parts.names.find((n) => n.name === 'days_ago');
  if (!name) return [];
  const unused = [...text.matchAll(/\bdays_ago\b/g)].every((m) => m.index >= node.from && m.index < node.to);
  const fixes: Fix[] = unused
    ? [{ title: 'Remove days_ago from the import', edits: [{ range: parts.names.length === 1 ? wholeLines(text, node) : listItem(text, name.range), newText: '' }], preferred: true }]
    : [];
  return [{
    code: 'PF404',
    severity: 'error',
    message: 'days_ago was removed in Airflow 3: the import fails (ImportError) and Airflow does not load the file. Use a fixed start_date such as pendulum.datetime(2024, 1, 1, tz="UTC").',
    range: name.range,
    ...(fixes.length > 0 ? { fixes } : {}),
  }];
}

const DAYS_AGO_PARAMETERS = ['n', 'hour', 'minute', 'second', 'microsecond'] as const;

/**
 * Rewrites of a `days_ago(n, hour=0, minute=0, second=0)` call, whose arguments are integer literals:
 * the fixed date it gives now (what PF203 asks for), and the expression Airflow 2.10's deprecation
 * warning gives as equivalent, `pendulum.today("UTC").add(days=-n)`, which still moves but loads on
 * Airflow 3. Either adds `import pendulum` when the file lacks it.
 */
export function daysAgoFixes({ text, tree, now }: RuleContext, range: SourceRange): Fix[] {
  const call = nodeSpanning(tree, range, 'CallExpression');
  if (!call) return [];
  const values = new Map<string, number>();
  const args = callArguments(text, call.getChild('ArgList'));
  for (const [index, arg] of args.entries()) {
    const name = arg.keyword?.name ?? DAYS_AGO_PARAMETERS[index];
    const value = decodeNumberLiteral(sourceOf(text, arg.value));
    if (arg.star || !DAYS_AGO_PARAMETERS.includes(name as typeof DAYS_AGO_PARAMETERS[number]) || value === undefined || !Number.isInteger(value)) return [];
    values.set(name, value);
  }
  const days = values.get('n');
  if (days === undefined || (values.get('microsecond') ?? 0) !== 0) return [];
  const [hour, minute, second] = [values.get('hour') ?? 0, values.get('minute') ?? 0, values.get('second') ?? 0];
  const importEdit = /^import pendulum\s*$/m.test(text) ? [] : [{ range: { from: firstImportLine(text), to: firstImportLine(text) }, newText: 'import pendulum\n' }];
  const fixes: Fix[] = [];
  if (now !== undefined) {
    const today = new Date(now);
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - days));
    const time = [hour, minute, second].some((n) => n !== 0) ? `, ${hour}, ${minute}, ${second}` : '';
    const fixed = `pendulum.datetime(${date.getUTCFullYear()}, ${date.getUTCMonth() + 1}, ${date.getUTCDate()}${time}, tz="UTC")`;
    fixes.push({ title: `Use the date it gives today: ${fixed}`, edits: [...importEdit, { range, newText: fixed }], preferred: true });
  }
  const offsets = [`days=${-days}`, hour ? `hours=${hour}` : '', minute ? `minutes=${minute}` : '', second ? `seconds=${second}` : ''].filter(Boolean).join(', ');
  const equivalent = `pendulum.today("UTC").add(${offsets})`;
  fixes.push({ title: `Rewrite as ${equivalent} (the same moving date, without days_ago)`, edits: [...importEdit, { range, newText: equivalent }], preferred: false });
  return fixes;
}

/** The node of `name` that spans exactly `range`, as the model recorded it. */
function nodeSpanning(tree: Tree, range: SourceRange, name: string): SyntaxNode | undefined {
  for (let node: SyntaxNode | null = tree.resolveInner(range.from, 1); node && node.from === range.from; node = node.parent) {
    if (node.name === name && node.to === range.to) return node;
  }
  return undefined;
}

/** Where a new import goes: the start of the file's first import, else the start of the file. */
function firstImportLine(text: string): number {
  return /^(?:import|from)\s/m.exec(text)?.index ?? 0;
}

// --- arguments -------------------------------------------------------------------------------------

/** DAG and operator arguments Airflow 2.10 still takes with a deprecation warning, and Airflow 3 refuses. */
const RENAMED_DAG_ARGUMENTS: Readonly<Record<string, string>> = { concurrency: 'max_active_tasks' };
const RENAMED_TASK_ARGUMENTS: Readonly<Record<string, string>> = { task_concurrency: 'max_active_tis_per_dag' };

/** Names PF405 reports instead of PF102/PF104, for the operators (or DAG) it concerns. */
export function isRemovedArgument(catalog: Catalog, owner: 'dag' | string, name: string): boolean {
  if (owner === 'dag') return name in RENAMED_DAG_ARGUMENTS;
  return name in RENAMED_TASK_ARGUMENTS || (name === 'provide_context' && isPythonOperator(catalog, owner));
}

/** PythonOperator and its subclasses, whose Airflow 2 constructor drops `provide_context` with a warning. */
function isPythonOperator(catalog: Catalog, operator: string): boolean {
  return operator === 'PythonOperator' || (catalog.operators[operator]?.bases.includes('PythonOperator') ?? false);
}

/** PF405: `DAG(concurrency=)`, `task_concurrency=` and `PythonOperator(provide_context=True)`. */
export function removedArguments({ model, text, airflow }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) renamedArguments(dag, RENAMED_DAG_ARGUMENTS, 'DAG() fails with an unexpected keyword argument', text, airflow, found);
  return found;
}

/** PF405, for one task: arguments Airflow 3 renamed, and provide_context. */
export function removedTaskArguments(task: TaskModel, { text, airflow, catalog }: RuleContext, found: Diagnostic[]): void {
  if (task.kind !== 'operator') return;
  renamedArguments(task, RENAMED_TASK_ARGUMENTS, `${task.operator} refuses it ("Invalid arguments were passed")`, text, airflow, found);
  const provideContext = task.args.find((a) => a.name === 'provide_context');
  if (!provideContext?.nameRange || !isPythonOperator(catalog, task.operator)) return;
  const range = listItem(text, { from: provideContext.nameRange.from, to: provideContext.valueRange.to });
  found.push({
    code: 'PF405',
    severity: airflow === 3 ? 'error' : 'warning',
    message: airflow === 3
      ? `provide_context was removed in Airflow 3: ${task.operator} refuses it ("Invalid arguments were passed") and Airflow does not load the file. The context is always passed to the callable's **kwargs; remove it.`
      : 'provide_context is deprecated since Airflow 2.0 and ignored (the context is always passed to the callable\'s **kwargs); Airflow 3 refuses it. Remove it.',
    range: provideContext.nameRange,
    fixes: [{ title: 'Remove provide_context', edits: [{ range, newText: '' }], preferred: true }],
  });
}

/** `refusal` is how Airflow 3 fails on the old name: DAG() has no **kwargs, operators reject unknown ones. */
function renamedArguments(owner: { readonly args: DagModel['args'] }, renames: Readonly<Record<string, string>>, refusal: string,
  text: string, airflow: 2 | 3, found: Diagnostic[]): void {
  for (const arg of owner.args) {
    const replacement = renames[arg.name];
    if (!replacement || !arg.nameRange) continue;
    // With the new name given too, renaming would pass it twice: the old one is deleted instead.
    const both = owner.args.some((a) => a.name === replacement);
    const fix: Fix = both
      ? { title: `Remove ${arg.name} (${replacement} is given)`, edits: [{ range: listItem(text, { from: arg.nameRange.from, to: arg.valueRange.to }), newText: '' }], preferred: true }
      : { title: `Rename to '${replacement}'`, edits: [{ range: arg.nameRange, newText: renamedKey(text, arg.nameRange, replacement) }], preferred: true };
    const message = airflow === 3
      ? `${arg.name} was removed in Airflow 3: ${refusal} and Airflow does not load the file. Use ${replacement}.`
      : `${arg.name} is deprecated (Airflow passes it on as ${replacement}) and removed in Airflow 3: use ${replacement}.`;
    found.push({ code: 'PF405', severity: airflow === 3 ? 'error' : 'warning', message, range: arg.nameRange, fixes: [fix] });
  }
}
