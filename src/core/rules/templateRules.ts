// Diagnostics about templated fields: a template that fails when Airflow renders it (an undefined
// name, a Jinja error), and a template written where Airflow does not render one.
import type { Diagnostic, SourceRange } from '../diagnostics';
import type { ArgumentModel, DagModel, TaskModel } from '../dag/model';
import { decodeStringLiteral, stringValueOffsets } from '../python/literals';
import { nextLogicalDate, operatorTemplating, renderDag } from '../templates/fields';
import type { TemplateError } from '../templates/render';
import type { RuleContext } from './rules';
import { closest } from './similar';

/** Names PF403 already reports on Airflow 3 (removed context keys). */
const REMOVED_IN_3 = /^(execution_date|next_ds|next_ds_nodash|next_execution_date|prev_ds|prev_ds_nodash|prev_execution_date|prev_execution_date_success|tomorrow_ds|tomorrow_ds_nodash|yesterday_ds|yesterday_ds_nodash|conf|triggering_dataset_events)\b/;

export function templateDiagnostics(context: RuleContext): Diagnostic[] {
  return renderFailures(context);
}

/** The messages of nunjucks' lexer and parser: errors in the template's syntax, not in its evaluation. */
const SYNTAX_ERROR = /^(unexpected |expected |unknown block tag|tag name expected|invalid |parse\w+: |Unexpected token)/;

/**
 * The character of a plain string literal where a Jinja syntax error is: nunjucks' 1-based line and
 * column inside the template, mapped through the literal's prefix, quotes and escapes; the closing
 * quote when the template ends too early. Undefined for f-strings, concatenations and other
 * expressions, whose text is not the template.
 */
function syntaxErrorRange(arg: ArgumentModel, source: string, error: TemplateError): SourceRange | undefined {
  if (arg.value.kind !== 'str' || !SYNTAX_ERROR.test(error.message)) return undefined;
  const template = arg.value.value;
  const offsets = stringValueOffsets(source);
  if (!offsets || decodeStringLiteral(source) !== template) return undefined;
  let index = template.length;
  if (error.line !== undefined && error.column !== undefined) {
    const lines = template.split('\n');
    if (error.line > lines.length) return undefined;
    // A position past the end is the end: the template stopped before its block or expression did.
    index = Math.min(lines.slice(0, error.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + error.column - 1, template.length);
  }
  const from = arg.valueRange.from + offsets[index];
  const to = index < template.length ? arg.valueRange.from + offsets[index + 1] : from + 1;
  return { from, to };
}

/** The params the DAG and its tasks declare. */
function declaredParams(dag: DagModel): Set<string> {
  const params = new Set<string>();
  for (const holder of [dag, ...dag.tasks]) {
    const value = holder.args.find((a) => a.name === 'params')?.value;
    if (value?.kind === 'dict') value.entries.forEach((_, key) => params.add(key));
  }
  return params;
}

/** `params.NAME` for the declared param closest to a misspelt one. */
function closestParam(name: string, params: Set<string>): string | undefined {
  const match = closest(name, params);
  return match ? `params.${match}` : undefined;
}

/** PF601: what fails when Airflow renders the DAG's next run, located in the source string. */
function renderFailures({ model, text, airflow, catalog, now, templateFields }: RuleContext): Diagnostic[] {
  if (now === undefined) return [];
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    const logicalDate = nextLogicalDate(dag, airflow, now);
    if (logicalDate === undefined) continue;
    const rendered = renderDag(dag, { airflow, catalog, logicalDate, now, templateFields });
    if ('error' in rendered) continue;
    // Collected when a field names a param that does not exist, which is seldom.
    let params: Set<string> | undefined;
    // renderDag gives the tasks in the DAG's order.
    rendered.tasks.forEach((task, index) => {
      const model = dag.tasks[index];
      for (const [field, error] of Object.entries(task.errors)) {
        const { message } = error;
        const arg = model?.args.find((a) => a.name === field);
        // Template files, Variables and Connections live outside the file: the deployment decides.
        if (!arg || /TemplateNotFound|Variable .* does not exist|conn_id/.test(message)) continue;
        const source = text.slice(arg.valueRange.from, arg.valueRange.to);
        const undefinedName = /^UndefinedError: '([\w.]+)' is undefined$/.exec(message)?.[1];
        if (undefinedName && airflow === 3 && REMOVED_IN_3.test(undefinedName)) continue;
        let range: SourceRange = syntaxErrorRange(arg, source, error) ?? arg.valueRange;
        let suggestion: string | undefined;
        if (undefinedName) {
          const at = source.search(new RegExp(`(?<![\\w.])${undefinedName.replace(/\./g, '\\.')}(?!\\w)`));
          if (at >= 0) range = { from: arg.valueRange.from + at, to: arg.valueRange.from + at + undefinedName.length };
          const [head, ...rest] = undefinedName.split('.');
          suggestion = rest.length === 0 ? closest(head, catalog.contextKeys)
            : head === 'params' && rest.length === 1 ? closestParam(rest[0], (params ??= declaredParams(dag))) : undefined;
        }
        found.push({
          code: 'PF601',
          severity: 'error',
          message: `Airflow fails ${task.task_id} when it renders ${field} (run of ${rendered.logical_date}): ${message}${suggestion ? `. Did you mean '${suggestion}'?` : ''}`,
          range,
          ...(suggestion && range !== arg.valueRange ? { fixes: [{ title: `Change to '${suggestion}'`, edits: [{ range, newText: suggestion }], preferred: true }] } : {}),
        });
      }
    });
  }
  return found;
}

/** Arguments that hold a template but are not in the operator's template_fields: passed on literally. */
const NEVER_TEMPLATED = new Set(['task_id', 'dag', 'task_group', 'doc_md', 'doc', 'doc_rst', 'doc_json', 'doc_yaml']);

/** PF602, for one task. */
export function untemplatedTaskArguments(task: TaskModel, { text, catalog, templateFields }: RuleContext, found: Diagnostic[]): void {
  const operator = operatorTemplating(task.operator, catalog, templateFields);
  if (!operator) return;
  for (const arg of task.args) {
    if (operator.templateFields.includes(arg.name) || NEVER_TEMPLATED.has(arg.name)) continue;
    if (arg.value.kind !== 'str' && arg.value.kind !== 'dict' && arg.value.kind !== 'list') continue;
    if (!/\{\{.*\}\}|\{%.*%\}/s.test(text.slice(arg.valueRange.from, arg.valueRange.to))) continue;
    found.push({
      code: 'PF602',
      severity: 'warning',
      message: `${task.operator} does not template '${arg.name}' (its templated fields: ${operator.templateFields.join(', ') || 'none'}): the text is passed on as written, braces included.`,
      range: arg.valueRange,
    });
  }
}
