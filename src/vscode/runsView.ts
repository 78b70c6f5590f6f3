// The "Airflow Preflight: Runs" view: local runs, newest first > their task instances (state, try,
// duration) > what each task left (error, rendered fields, XComs, tries, log), and the alerts a run
// raised. A task or an alert opens as a read-only document; a task also shows its line in the DAG file.
import * as vscode from 'vscode';
import { errorText, formatDuration } from '../core/report/localRunReport';
import type { DagRunState, TaskInstanceResult, TaskState } from '../core/sim/types';
import type { RunHistoryEntry } from '../node/runHistory';
import type { LiveSimulation, RunStore } from './runStore';

export const RUNS_VIEW = 'preflight.runs';
export const RUN_DOCUMENT_SCHEME = 'preflight-run';

/** A task instance as the view shows it, from a finished result or from a live run. */
export interface TaskView {
  readonly taskId: string;
  readonly state: TaskState;
  readonly tryNumber: number;
  readonly durationMs: number | null;
  readonly line?: number;
  readonly note?: string;
  /** The finished task instance; undefined while the run is live. */
  readonly result?: TaskInstanceResult;
  /** The log so far, while the run is live. */
  readonly liveLog?: string;
}

export interface AlertView {
  readonly taskId: string | null;
  /** `slack` or `email`; unknown while the run is live. */
  readonly kind?: string;
  readonly text: string;
  readonly detail?: string;
}

export interface RunView {
  readonly runId: string;
  readonly state: DagRunState;
  readonly reason?: string;
  readonly logicalDate?: string;
  readonly tasks: readonly TaskView[];
  readonly alerts: readonly AlertView[];
}

/** The DAG runs of an entry, newest logical date first. */
export function runViews(entry: RunHistoryEntry, live: LiveSimulation | undefined): RunView[] {
  const lines = new Map(entry.tasks.flatMap((t) => (t.line !== undefined ? [[t.taskId, t.line] as const] : [])));
  if (entry.result) {
    return [...entry.result.runs].reverse().map((run) => ({
      runId: run.run_id,
      state: run.state,
      reason: run.reason,
      logicalDate: run.logical_date,
      tasks: run.tasks.map((t) => ({
        taskId: t.task_id, state: t.state, tryNumber: t.try_number, durationMs: t.duration_ms, result: t,
        ...((t.line ?? lines.get(t.task_id)) !== undefined ? { line: t.line ?? lines.get(t.task_id) } : {}),
        ...(t.note ? { note: t.note } : {}),
      })),
      alerts: entry.result!.alerts.filter((a) => a.run_id === run.run_id).map((a) => ({
        taskId: a.task_id, kind: a.kind, text: a.text,
        detail: [a.source, a.channel && `channel ${a.channel}`, a.conn_id && `connection ${a.conn_id}`, a.sent ? 'sent' : 'not sent'].filter(Boolean).join(', '),
      })),
    }));
  }
  if (!live) return [];
  return [...live.runs.values()].reverse().map((run) => ({
    runId: run.runId,
    state: run.state,
    tasks: [...run.tasks].map(([taskId, t]) => ({
      taskId, state: t.state, tryNumber: t.tryNumber, durationMs: null, liveLog: t.log,
      ...(lines.has(taskId) ? { line: lines.get(taskId) } : {}),
      ...(t.note ? { note: t.note } : {}),
    })),
    alerts: live.alerts.filter((a) => a.runId === run.runId).map((a) => ({ taskId: a.taskId ?? null, text: a.text })),
  }));
}

/** Codicons and colours close to the ones Airflow's UI gives each state. */
const TASK_ICONS: Record<TaskState, [icon: string, color?: string]> = {
  none: ['circle-large-outline', 'descriptionForeground'],
  scheduled: ['clock', 'charts.yellow'],
  queued: ['clock', 'descriptionForeground'],
  running: ['sync~spin', 'charts.green'],
  success: ['pass', 'charts.green'],
  failed: ['error', 'charts.red'],
  up_for_retry: ['debug-restart', 'charts.yellow'],
  skipped: ['debug-step-over', 'charts.purple'],
  upstream_failed: ['warning', 'charts.orange'],
  removed: ['trash', 'disabledForeground'],
};

const RUN_ICONS: Record<DagRunState, [icon: string, color?: string]> = {
  queued: ['clock', 'descriptionForeground'],
  running: ['loading~spin'],
  success: ['pass-filled', 'charts.green'],
  failed: ['error', 'charts.red'],
};

function themeIcon([icon, color]: [string, string?]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

function startedLabel(entry: RunHistoryEntry): string {
  return new Date(entry.startedAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

function alertTitle(alert: AlertView): string {
  return `${alert.kind ? `${alert.kind} ` : ''}alert from ${alert.taskId ?? 'the DAG'}`;
}

function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface RunNode {
  readonly kind: 'run';
  readonly id: string;
  readonly entryId: string;
  /** Undefined for an entry that has no DAG run to show yet (starting) or any more (interrupted). */
  readonly runId?: string;
}

export interface TaskNode {
  readonly kind: 'task';
  readonly id: string;
  readonly entryId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly parent: RunNode;
}

interface SectionNode {
  readonly kind: 'section';
  readonly id: string;
  readonly parent: TaskNode;
  readonly label: string;
  readonly children: readonly DetailNode[];
}

interface DetailNode {
  readonly kind: 'detail';
  readonly id: string;
  readonly parent: TaskNode | SectionNode | AlertNode;
  readonly item: vscode.TreeItem;
}

export interface AlertNode {
  readonly kind: 'alert';
  readonly id: string;
  readonly parent: RunNode;
  readonly entryId: string;
  readonly runId: string;
  readonly index: number;
}

export type RunsNode = RunNode | TaskNode | SectionNode | DetailNode | AlertNode;

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Run and task nodes are kept by id, so that `reveal` finds the very objects the view holds. */
  private readonly nodes = new Map<string, RunNode | TaskNode>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.subscription = store.onDidChange(() => {
      const known = new Set(store.entries.map((e) => e.id));
      for (const [id, node] of this.nodes) if (!known.has(node.entryId)) this.nodes.delete(id);
      this.changed.fire(undefined);
    });
  }

  private runNode(entryId: string, runId?: string): RunNode {
    const id = `${entryId}/${runId ?? ''}`;
    const node = this.nodes.get(id) ?? { kind: 'run', id, entryId, ...(runId !== undefined ? { runId } : {}) };
    this.nodes.set(id, node);
    return node as RunNode;
  }

  private taskNode(parent: RunNode & { runId: string }, taskId: string): TaskNode {
    const id = `${parent.id}/${taskId}`;
    const node = this.nodes.get(id) ?? { kind: 'task', id, entryId: parent.entryId, runId: parent.runId, taskId, parent };
    this.nodes.set(id, node);
    return node as TaskNode;
  }

  /** The node of the newest DAG run of an entry, to reveal after a run. */
  firstRunOf(entryId: string): RunNode | undefined {
    const entry = this.store.entry(entryId);
    if (!entry) return undefined;
    const [run] = runViews(entry, this.store.liveState(entryId));
    return this.runNode(entryId, run?.runId);
  }

  view(node: { entryId: string; runId?: string }): { entry: RunHistoryEntry; run?: RunView } | undefined {
    const entry = this.store.entry(node.entryId);
    if (!entry) return undefined;
    return { entry, run: runViews(entry, this.store.liveState(entry.id)).find((r) => r.runId === node.runId) };
  }

  taskView(node: TaskNode): { entry: RunHistoryEntry; run: RunView; task: TaskView } | undefined {
    const found = this.view(node);
    const task = found?.run?.tasks.find((t) => t.taskId === node.taskId);
    return found?.run && task ? { entry: found.entry, run: found.run, task } : undefined;
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.kind === 'run' ? undefined : node.parent;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      return this.store.entries.flatMap((entry) => {
        const runs = runViews(entry, this.store.liveState(entry.id));
        return runs.length > 0 ? runs.map((r) => this.runNode(entry.id, r.runId)) : [this.runNode(entry.id)];
      });
    }
    switch (node.kind) {
      case 'run': {
        const run = node.runId !== undefined ? this.view(node)?.run : undefined;
        if (!run) return [];
        const withRun = node as RunNode & { runId: string };
        return [
          ...run.tasks.map((t) => this.taskNode(withRun, t.taskId)),
          ...run.alerts.map((_, index): AlertNode => ({ kind: 'alert', id: `${node.id}/alert/${index}`, parent: node, entryId: node.entryId, runId: withRun.runId, index })),
        ];
      }
      case 'task':
        return this.taskDetails(node);
      case 'section':
        return [...node.children];
      case 'alert':
      case 'detail':
        return [];
    }
  }

  private taskDetails(node: TaskNode): RunsNode[] {
    const found = this.taskView(node);
    if (!found) return [];
    const { task } = found;
    const detail = (key: string, parent: DetailNode['parent'], label: string, options: { description?: string; tooltip?: string; icon?: string } = {}): DetailNode => {
      const item = new vscode.TreeItem(label);
      item.id = `${parent.id}/${key}`;
      item.description = options.description;
      item.tooltip = options.tooltip;
      if (options.icon) item.iconPath = new vscode.ThemeIcon(options.icon);
      return { kind: 'detail', id: item.id, parent, item };
    };
    const section = (key: string, label: string, values: Readonly<Record<string, unknown>>): SectionNode | undefined => {
      const entries = Object.entries(values);
      if (entries.length === 0) return undefined;
      const sectionNode: { -readonly [K in keyof SectionNode]: SectionNode[K] } = { kind: 'section', id: `${node.id}/${key}`, parent: node, label, children: [] };
      sectionNode.children = entries.map(([name, value]) => detail(name, sectionNode, name, { description: oneLine(json(value)), tooltip: json(value) }));
      return sectionNode;
    };
    const result = task.result;
    const error = result ? errorText(result) : undefined;
    const log = result?.log_tail ?? task.liveLog ?? '';
    const lastLine = log.trimEnd().split('\n').pop() ?? '';
    const tries = result && result.tries.length > 1
      ? section('tries', 'Tries', Object.fromEntries(result.tries.map((t) => [`try ${t.try_number}`, `${t.state}${t.error ? `: ${t.error}` : ''}`])))
      : undefined;
    return [
      ...(error ? [detail('error', node, error, { tooltip: result?.error?.traceback ?? error, icon: 'error' })] : []),
      ...(task.note ? [detail('note', node, task.note, { tooltip: task.note, icon: 'info' })] : []),
      ...[section('rendered', 'Rendered fields', result?.rendered ?? {}), section('xcom', 'XComs', result?.xcom ?? {}), tries].filter((s): s is SectionNode => s !== undefined),
      (() => {
        const item = detail('log', node, 'Log', { description: oneLine(lastLine), tooltip: 'Open the task\'s log, rendered fields and XComs', icon: 'output' });
        item.item.command = { title: 'Open', command: 'preflight.runs.openTask', arguments: [node] };
        return item;
      })(),
    ];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return this.runItem(node);
      case 'task':
        return this.taskItem(node);
      case 'section': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = `${node.children.length}`;
        return item;
      }
      case 'detail':
        return node.item;
      case 'alert':
        return this.alertItem(node);
    }
  }

  private runItem(node: RunNode): vscode.TreeItem {
    const found = this.view(node);
    const item = new vscode.TreeItem(found?.entry.dagId ?? '?', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    if (!found) return item;
    const { entry, run } = found;
    const mode = entry.mode === 'dry' ? 'dry run' : 'run';
    if (!run) {
      const status = entry.status === 'running' ? 'starting' : entry.status === 'interrupted' ? 'interrupted (the window closed during the run)' : 'no DAG run';
      item.description = `${status} · ${startedLabel(entry)}`;
      item.iconPath = themeIcon(entry.status === 'running' ? RUN_ICONS.running : ['circle-slash', 'disabledForeground']);
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      return item;
    }
    if (entry.status === 'running') item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    item.description = `${run.runId} · ${run.state} · ${startedLabel(entry)}`;
    item.iconPath = themeIcon(RUN_ICONS[run.state] ?? RUN_ICONS.queued);
    item.contextValue = 'preflight.run';
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${entry.dagId}** — ${mode} \`${run.runId}\`\n\n`);
    tooltip.appendMarkdown(`${run.state}${run.reason && run.reason !== run.state ? ` (${run.reason})` : ''}, started ${startedLabel(entry)}`);
    if (entry.finishedAt) tooltip.appendMarkdown(`, took ${formatDuration(entry.finishedAt - entry.startedAt)}`);
    if (run.logicalDate) tooltip.appendMarkdown(`\n\nlogical date ${run.logicalDate}`);
    if (entry.cleared) tooltip.appendMarkdown(`\n\nafter clearing ${entry.cleared.taskId} in ${entry.cleared.runId} (${entry.cleared.tasks.length} task${entry.cleared.tasks.length === 1 ? '' : 's'} reset)`);
    tooltip.appendMarkdown(`\n\n${vscode.workspace.asRelativePath(entry.file)}`);
    item.tooltip = tooltip;
    return item;
  }

  private taskItem(node: TaskNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.taskId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const found = this.taskView(node);
    if (!found) return item;
    const { entry, task } = found;
    // A task the scheduler decided (upstream_failed, skipped by a branch) never had a try.
    item.description = [task.state, ...(task.tryNumber > 0 ? [`try ${task.tryNumber}`] : []), ...(task.durationMs !== null ? [formatDuration(task.durationMs)] : [])].join(' · ');
    item.iconPath = themeIcon(TASK_ICONS[task.state] ?? TASK_ICONS.none);
    item.tooltip = [`${node.taskId}: ${task.state}${task.tryNumber > 0 ? `, try ${task.tryNumber}` : ''}`, task.result && errorText(task.result), task.note].filter(Boolean).join('\n');
    // Only a finished run can be cleared: a running one still owns its task instances.
    item.contextValue = entry.status === 'finished' ? 'preflight.task' : 'preflight.task.live';
    item.command = { title: 'Open', command: 'preflight.runs.openTask', arguments: [node] };
    return item;
  }

  private alertItem(node: AlertNode): vscode.TreeItem {
    const alert = this.view(node)?.run?.alerts[node.index];
    const item = new vscode.TreeItem(alert ? alertTitle(alert) : 'alert');
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('bell', new vscode.ThemeColor('charts.orange'));
    if (!alert) return item;
    item.description = oneLine(alert.text);
    const tooltip = new vscode.MarkdownString();
    if (alert.detail) tooltip.appendText(`${alert.detail}\n\n`);
    tooltip.appendCodeblock(alert.text, 'text');
    item.tooltip = tooltip;
    item.command = { title: 'Open', command: 'preflight.runs.openAlert', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

interface RunDocumentTarget {
  readonly entryId: string;
  readonly runId: string;
  readonly taskId?: string;
  readonly alert?: number;
}

/** The read-only documents of the Runs view: a task instance in full, or an alert's message. */
export class RunDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly tree: RunsTreeProvider, store: RunStore) {
    // A document of a live task follows its log; the others do not change, and refreshing them is cheap.
    this.subscription = store.onDidChange(() => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme === RUN_DOCUMENT_SCHEME) this.changed.fire(document.uri);
      }
    });
  }

  static taskUri(node: TaskNode, dagId: string): vscode.Uri {
    const target: RunDocumentTarget = { entryId: node.entryId, runId: node.runId, taskId: node.taskId };
    return vscode.Uri.from({ scheme: RUN_DOCUMENT_SCHEME, path: `/${dagId}/${node.runId}/${node.taskId}.log`, query: JSON.stringify(target) });
  }

  static alertUri(node: AlertNode, dagId: string): vscode.Uri {
    const target: RunDocumentTarget = { entryId: node.entryId, runId: node.runId, alert: node.index };
    return vscode.Uri.from({ scheme: RUN_DOCUMENT_SCHEME, path: `/${dagId}/${node.runId}/alert-${node.index + 1}.txt`, query: JSON.stringify(target) });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const target = JSON.parse(uri.query) as RunDocumentTarget;
    const found = this.tree.view(target);
    if (!found?.run) return 'This run is no longer in the history.';
    const { entry, run } = found;
    if (target.alert !== undefined) {
      const alert = run.alerts[target.alert];
      return alert ? `${alertTitle(alert)} in ${entry.dagId} ${run.runId}${alert.detail ? ` (${alert.detail})` : ''}\n\n${alert.text}\n` : 'No such alert.';
    }
    const task = run.tasks.find((t) => t.taskId === target.taskId);
    return task ? taskDocument(entry, run, task) : `No task ${target.taskId} in ${run.runId}.`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function taskDocument(entry: RunHistoryEntry, run: RunView, task: TaskView): string {
  const result = task.result;
  const lines = [
    `${entry.dagId}.${task.taskId} in ${run.runId} — ${task.state}${task.tryNumber > 0 ? `, try ${task.tryNumber}` : ''}${entry.mode === 'dry' ? ' (dry run: nothing was executed)' : ''}`,
  ];
  if (result?.start) lines.push(`started ${result.start}${result.end ? `, ended ${result.end}` : ''}${result.duration_ms !== null ? `, took ${formatDuration(result.duration_ms)}` : ''}`);
  if (result?.error) lines.push('', `Error: ${errorText(result)}`, ...(result.error.traceback ? [result.error.traceback.trimEnd()] : []));
  if (task.note) lines.push('', `Note: ${task.note}`);
  if (result) {
    lines.push('', 'Rendered fields:', json(result.rendered), '', 'XComs:', json(result.xcom));
    if (result.tries.length > 1) lines.push('', 'Tries:', json(result.tries));
  }
  const log = result?.log_tail ?? task.liveLog ?? '';
  lines.push('', result ? 'Log (tail):' : 'Log so far:', log.trimEnd() || '(empty)');
  return `${lines.join('\n')}\n`;
}

/** Opens a task instance's document beside the editor, and shows the task's line in the DAG file when known. */
export async function openTask(tree: RunsTreeProvider, node: TaskNode): Promise<void> {
  const found = tree.taskView(node);
  if (!found) return;
  const { entry, task } = found;
  if (task.line !== undefined) {
    const position = new vscode.Position(task.line - 1, 0);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(entry.file), { selection: new vscode.Range(position, position), preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.One });
    } catch {
      // The DAG file was moved or deleted since the run; the task's document still opens.
    }
  }
  const document = await vscode.workspace.openTextDocument(RunDocumentProvider.taskUri(node, entry.dagId));
  await vscode.window.showTextDocument(document, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
}

export async function openAlert(tree: RunsTreeProvider, node: AlertNode): Promise<void> {
  const found = tree.view(node);
  if (!found) return;
  const document = await vscode.workspace.openTextDocument(RunDocumentProvider.alertUri(node, found.entry.dagId));
  await vscode.window.showTextDocument(document, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
}
