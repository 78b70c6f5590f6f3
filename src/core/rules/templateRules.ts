// Diagnostics about templated fields: a template that fails when Airflow renders it (an undefined
// name, a Jinja error), and a template written where Airflow does not render one.
import type { Diagnostic, SourceRange } from '../diagnostics';
import { nextLogicalDate, renderDag } from '../templates/fields';
import type { RuleContext } from './rules';
import { closest } from './similar';

/** Names PF403 already reports on Airflow 3 (removed context keys). */
const REMOVED_IN_3 = /^(execution_date|next_ds|next_ds_nodash|next_execution_date|prev_ds|prev_ds_nodash|prev_execution_date|prev_execution_date_success|tomorrow_ds|tomorrow_ds_nodash|yesterday_ds|yesterday_ds_nodash|conf|triggering_dataset_events)\b/;

export function templateDiagnostics(context: RuleContext): Diagnostic[] {
  return [...renderFailures(context), ...untemplatedArguments(context)];
}

/** PF601: what fails when Airflow renders the DAG's next run, located in the source string. */
function renderFailures({ model, text, airflow, catalog, now }: RuleContext): Diagnostic[] {
  if (now === undefined) return [];
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    const logicalDate = nextLogicalDate(dag, airflow, now);
    if (logicalDate === undefined) continue;
    const rendered = renderDag(dag, { airflow, catalog, logicalDate, now });
    if ('error' in rendered) continue;
    const params = new Set<string>();
    for (const holder of [dag, ...dag.tasks]) {
      const value = holder.args.find((a) => a.name === 'params')?.value;
      if (value?.kind === 'dict') value.entries.forEach((_, key) => params.add(key));
    }
    for (const task of rendered.tasks) {
      const model = dag.tasks.find((t) => t.taskId === task.task_id);
      for (const [field, message] of Object.entries(task.errors)) {
        const arg = model?.args.find((a) => a.name === field);
        // Template files, Variables and Connections live outside the file: the deployment decides.
        if (!arg || /TemplateNotFound|Variable .* does not exist|conn_id/.test(message)) continue;
        const source = text.slice(arg.valueRange.from, arg.valueRange.to);
        const undefinedName = /^UndefinedError: '([\w.]+)' is undefined$/.exec(message)?.[1];
        if (undefinedName && airflow === 3 && REMOVED_IN_3.test(undefinedName)) continue;
        let range: SourceRange = arg.valueRange;
        let suggestion: string | undefined;
        if (undefinedName) {
          const at = source.search(new RegExp(`(?<![\\w.])${undefinedName.replace(/\./g, '\\.')}(?!\\w)`));
          if (at >= 0) range = { from: arg.valueRange.from + at, to: arg.valueRange.from + at + undefinedName.length };
          const [head, ...rest] = undefinedName.split('.');
          suggestion = rest.length === 0 ? closest(head, catalog.contextKeys)
            : head === 'params' && rest.length === 1 ? (closest(rest[0], params) ? `params.${closest(rest[0], params)}` : undefined) : undefined;
        }
        found.push({
          code: 'PF601',
          severity: 'error',
          message: `Airflow fails ${task.task_id} when it renders ${field} (run of ${rendered.logical_date}): ${message}${suggestion ? `. Did you mean '${suggestion}'?` : ''}`,
          range,
          ...(suggestion && range !== arg.valueRange ? { fixes: [{ title: `Change to '${suggestion}'`, edits: [{ range, newText: suggestion }], preferred: true }] } : {}),
        });
      }
    }
  }
  return found;
}

/** Arguments that hold a template but are not in the operator's template_fields: passed on literally. */
const NEVER_TEMPLATED = new Set(['task_id', 'dag', 'task_group', 'doc_md', 'doc', 'doc_rst', 'doc_json', 'doc_yaml']);

function untemplatedArguments({ model, text, catalog }: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of model.dags) {
    for (const task of dag.tasks) {
      const operator = catalog.operators[task.operator];
      if (!operator) continue;
      for (const arg of task.args) {
        if (operator.templateFields.includes(arg.name) || NEVER_TEMPLATED.has(arg.name)) continue;
        const source = text.slice(arg.valueRange.from, arg.valueRange.to);
        if (arg.value.kind !== 'str' && arg.value.kind !== 'dict' && arg.value.kind !== 'list') continue;
        if (!/\{\{.*\}\}|\{%.*%\}/s.test(source)) continue;
        found.push({
          code: 'PF602',
          severity: 'warning',
          message: `${task.operator} does not template '${arg.name}' (its templated fields: ${operator.templateFields.join(', ') || 'none'}): the text is passed on as written, braces included.`,
          range: arg.valueRange,
        });
      }
    }
  }
  return found;
}
