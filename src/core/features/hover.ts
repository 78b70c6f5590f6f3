// Hovers: what an argument means (Airflow's own docs, from the catalogue) and the value each task
// really gets, since default_args, TaskGroups and the task's own arguments combine (§6.1).
import { taskParameter, type Catalog, type ParameterInfo } from '../airflow/catalog';
import type { CheckedFile } from '../check';
import { effectiveArgument } from '../dag/effective';
import type { SourceRange } from '../diagnostics';
import { formatValue } from '../python/values';
import { describeSchedule, type Locale } from '../schedule/describe';
import { dagSchedule, futureRuns, isScheduleProblem, scheduledRuns } from '../schedule/runs';
import { nextLogicalDate, renderDag, type RenderOptions } from '../templates/fields';
import { pyStr } from '../templates/pyobjects';

/** What schedule hovers need from the caller: the current time, the user's zones and language. */
export interface HoverOptions {
  readonly now: number;
  readonly zones: readonly string[];
  readonly locale?: Locale;
  /** What template hovers render with besides the file: local Variables, pinned XComs, custom operators' fields. */
  readonly templates?: Pick<RenderOptions, 'variables' | 'connections' | 'xcomPins' | 'templateFields'>;
}

export interface Hover {
  readonly markdown: string;
  readonly range: SourceRange;
}

const contains = (range: SourceRange | undefined, offset: number) => !!range && range.from <= offset && offset <= range.to;

function parameterDoc(title: string, info: ParameterInfo | undefined): string {
  if (!info) return `**${title}**`;
  const facts = [info.type ? `\`${info.type}\`` : '', info.required ? 'required' : info.default !== null ? `default \`${info.default}\`` : '']
    .filter(Boolean).join(', ');
  return [`**${title}**${facts ? ` — ${facts}` : ''}`, info.doc].filter(Boolean).join('\n\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function hoverAt(file: CheckedFile, offset: number, catalog: Catalog, options?: HoverOptions): Hover | undefined {
  for (const dag of file.model.dags) {
    const scheduleArg = dag.args.find((a) => (a.name === 'schedule' || a.name === 'schedule_interval') && contains(a.valueRange, offset));
    if (scheduleArg && options) {
      const markdown = scheduleMarkdown(file, dag.dagId, options);
      if (markdown) return { markdown, range: scheduleArg.valueRange };
    }
    for (const arg of dag.args) {
      if (arg.nameRange && contains(arg.nameRange, offset)) {
        return { markdown: parameterDoc(`${arg.name}` + ' (DAG argument)', catalog.dag[arg.name]), range: arg.nameRange };
      }
    }
    const groupEntries = dag.groups.flatMap((g) => [...g.defaultArgs].map(([key, entry]) => ({ key, entry, group: g.groupId })));
    const entries = [...[...dag.defaultArgs].map(([key, entry]) => ({ key, entry, group: undefined as string | undefined })), ...groupEntries];
    for (const { key, entry, group } of entries) {
      if (!contains(entry.keyRange, offset)) continue;
      const tasks = group ? dag.tasks.filter((t) => t.group === group || t.group?.startsWith(`${group}.`)) : dag.tasks;
      const rows = tasks.map((task) => {
        const effective = effectiveArgument(dag, task, key, catalog);
        const shown = effective ? formatValue(effective.value) ?? '(computed)' : '(not accepted)';
        return `| ${escapeCell(task.taskId)} | \`${escapeCell(shown)}\` | ${effective?.source ?? ''} |`;
      });
      const table = rows.length > 0 ? `\n\n| task | value | from |\n| --- | --- | --- |\n${rows.join('\n')}` : '';
      return {
        markdown: `${parameterDoc(`${key} (default_args${group ? ` of group ${group}` : ''})`, catalog.baseOperator[key])}${table}`,
        range: entry.keyRange!,
      };
    }
    for (const task of dag.tasks) {
      const templated = options && task.args.find((a) => contains(a.valueRange, offset) && /\{\{|\{%/.test(file.text.slice(a.valueRange.from, a.valueRange.to)));
      if (templated && options) {
        const markdown = renderedFieldMarkdown(file, dag.dagId, task.taskId, templated.name, options, catalog);
        if (markdown) return { markdown, range: templated.valueRange };
      }
      for (const arg of task.args) {
        if (!arg.nameRange || !contains(arg.nameRange, offset)) continue;
        const value = formatValue(arg.value);
        return {
          markdown: `${parameterDoc(`${arg.name} (${task.operator} argument)`, taskParameter(catalog, task.operator, arg.name))}${value ? `\n\nValue for \`${task.taskId}\`: \`${value}\`` : ''}`,
          range: arg.nameRange,
        };
      }
      if (task.variable && contains(task.variable.range, offset)) {
        const retries = effectiveArgument(dag, task, 'retries', catalog);
        const rule = effectiveArgument(dag, task, 'trigger_rule', catalog);
        const lines = [
          `**${task.taskId}** — ${task.operator}${task.mapped ? ' (mapped)' : ''} in DAG \`${dag.dagId}\``,
          `upstream: ${task.upstream.length > 0 ? task.upstream.map((u) => `\`${u}\``).join(', ') : 'none'}`,
          `downstream: ${task.downstream.length > 0 ? task.downstream.map((d) => `\`${d}\``).join(', ') : 'none'}`,
          `trigger_rule: \`${rule ? formatValue(rule.value) : '"all_success"'}\`, retries: \`${retries ? formatValue(retries.value) : '0'}\``,
        ];
        return { markdown: lines.join('\n\n'), range: task.variable.range };
      }
    }
  }
  return undefined;
}

/** The schedule in words, what unpausing now does, and the next five runs in UTC and the user's zones. */
export function scheduleMarkdown(file: CheckedFile, dagId: string, options: HoverOptions): string | undefined {
  const dag = file.model.dags.find((d) => d.dagId === dagId);
  if (!dag) return undefined;
  const schedule = dagSchedule(dag, file.airflow);
  if (isScheduleProblem(schedule)) return `**Schedule of ${dagId}**\n\n${schedule.message}`;
  const zones = options.zones.filter((z) => z !== 'UTC');
  const runs = futureRuns(schedule, options.now, 5, zones);
  const past = scheduledRuns(schedule, { now: options.now, count: schedule.restriction.catchup ? 10_001 : 100 });
  const catchup = schedule.restriction.catchup ? past.due.length : 0;
  const lines = [
    `**${describeSchedule(schedule, options.locale)}** — ${schedule.timetable.name} (Airflow ${file.airflow}), catchup ${schedule.restriction.catchup ? 'True' : 'False'}`,
  ];
  if (schedule.restriction.catchup && catchup > 0) {
    const active = schedule.maxActiveRuns !== undefined ? `, at most ${schedule.maxActiveRuns} active at once` : '';
    lines.push(`Unpausing now creates ${catchup > 10_000 ? 'more than 10,000' : catchup} catch-up run${catchup === 1 ? '' : 's'}${active}.`);
  }
  if (past.failure) lines.push(`⚠ Airflow's scheduler fails computing the next run (${past.failure}): no further run is created.`);
  if (runs.length === 0) {
    lines.push('No run after now.');
  } else {
    // Each run's logical date, data interval and run time in UTC, then the same in each of the user's zones.
    const header = ['ds', 'logical date (UTC)', 'data interval (UTC)', 'runs at (UTC)',
      ...zones.flatMap((z) => [`logical date (${z})`, `data interval (${z})`, `runs at (${z})`])];
    const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
    const times = (t: { logical_date: string; data_interval_start: string; data_interval_end: string; run_after: string }) =>
      [time(t.logical_date), `${time(t.data_interval_start)} – ${time(t.data_interval_end)}`, time(t.run_after)];
    const rows = runs.map((r) => [r.ds, ...times(r), ...zones.flatMap((z) => times(r.local[z]))]);
    lines.push([header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n'));
  }
  return lines.join('\n\n');
}

/** A templated field of a task as Airflow renders it for the DAG's next run. */
function renderedFieldMarkdown(file: CheckedFile, dagId: string, taskId: string, field: string, options: HoverOptions, catalog: Catalog): string | undefined {
  const dag = file.model.dags.find((d) => d.dagId === dagId)!;
  const logicalDate = nextLogicalDate(dag, file.airflow, options.now);
  if (logicalDate === undefined) return undefined;
  const rendered = renderDag(dag, { ...options.templates, airflow: file.airflow, catalog, logicalDate, now: options.now });
  if ('error' in rendered) return undefined;
  const task = rendered.tasks.find((t) => t.task_id === taskId);
  if (!task) return undefined;
  const heading = `**${field}** rendered for the run of ${rendered.logical_date} (\`${rendered.run_id}\`), Airflow ${file.airflow}`;
  if (task.errors[field]) return `${heading}\n\n⚠ ${task.errors[field].message}`;
  if (!(field in task.fields)) return undefined;
  const value = task.fields[field];
  const text = typeof value === 'string' ? value : pyStr(value);
  return `${heading}\n\n\`\`\`\n${text.replace(/```/g, '` ` `')}\n\`\`\``;
}
