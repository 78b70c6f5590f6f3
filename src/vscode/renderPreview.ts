// "Preview Rendered Templates": the templated fields of a DAG's tasks rendered for one logical date,
// in read-only documents (one per task, or one for all of them) that follow the DAG file as it
// changes, like Airflow's Rendered Template tab.
import * as vscode from 'vscode';
import { catalogFor } from '../core/airflow/catalog';
import type { DagModel } from '../core/dag/model';
import { nextLogicalDate, renderDag, type RenderOptions } from '../core/templates/fields';
import { pyStr } from '../core/templates/pyobjects';
import { localConnections, localVariables, localXComPins } from '../node/localSources';
import { isDagFile, type DocumentAnalyses } from './analyses';
import type { Settings } from './settings';

export const RENDER_SCHEME = 'preflight-render';
const REFRESH_DELAY_MS = 300;

interface PreviewTarget {
  readonly source: string;
  readonly dagId: string;
  /** The one task the document shows; undefined for every task of the DAG. */
  readonly taskId?: string;
  /** The logical date, or undefined for the DAG's next run at the time of rendering. */
  readonly date?: string;
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line) => by + line).join('\n');
}

/** A template file the renderer asked for: `folder` null is the DAG's folder, else a template_searchpath entry. */
interface TemplateRequest {
  readonly name: string;
  readonly folder: string | null;
}

export class RenderPreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly analyses: DocumentAnalyses, private readonly settings: Settings) {
    // A preview follows its DAG file: re-rendered shortly after each edit.
    this.subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      const source = event.document.uri.toString();
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme !== RENDER_SCHEME || (JSON.parse(document.uri.query) as PreviewTarget).source !== source) continue;
        const key = document.uri.toString();
        clearTimeout(this.timers.get(key));
        this.timers.set(key, setTimeout(() => this.changed.fire(document.uri), REFRESH_DELAY_MS));
      }
    });
  }

  static uriFor(source: vscode.Uri, dagId: string, date?: string, taskId?: string): vscode.Uri {
    const target: PreviewTarget = { source: source.toString(), dagId, ...(taskId ? { taskId } : {}), ...(date ? { date } : {}) };
    return vscode.Uri.from({ scheme: RENDER_SCHEME, path: `/${dagId}${taskId ? `.${taskId}` : ''}.rendered.txt`, query: JSON.stringify(target) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = JSON.parse(uri.query) as PreviewTarget;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.source, true));
    const file = this.analyses.get(document);
    const dag = file.model.dags.find((d) => d.dagId === target.dagId);
    if (!dag) return `No DAG ${target.dagId} in ${file.file} any more.`;
    if (target.taskId && !dag.tasks.some((t) => t.taskId === target.taskId)) return `No task ${target.taskId} in DAG ${dag.dagId} any more.`;
    const now = Date.now();
    const logicalDate = target.date ? Date.parse(target.date) : nextLogicalDate(dag, file.airflow, now);
    if (logicalDate === undefined || Number.isNaN(logicalDate)) return `DAG ${dag.dagId} has no run to render: give a logical date.`;
    const templates = new Map<string, string | undefined>();
    const requested: TemplateRequest[] = [];
    const key = ({ name, folder }: TemplateRequest) => JSON.stringify([folder, name]);
    const options: RenderOptions = {
      airflow: file.airflow,
      catalog: catalogFor(file.airflow),
      logicalDate,
      now,
      templateFields: this.settings.value.templateFields,
      // Variables, Connections and pinned XComs from the environment and .preflight/*.json: reading them runs nothing.
      ...(document.uri.scheme === 'file'
        ? { variables: localVariables(document.uri.fsPath), connections: localConnections(document.uri.fsPath), xcomPins: localXComPins(document.uri.fsPath) }
        : {}),
      readTemplate: (name, folder) => {
        const request = { name, folder };
        if (!templates.has(key(request))) requested.push(request);
        return templates.get(key(request));
      },
    };
    let rendered = renderDag(dag, options);
    // Template files are read asynchronously, then the DAG is rendered again with them.
    if (requested.length > 0) {
      for (const request of requested.splice(0)) templates.set(key(request), await readTemplateFile(document.uri, request));
      rendered = renderDag(dag, options);
    }
    if ('error' in rendered) return `DAG ${dag.dagId}: ${rendered.error}`;
    const lines = [`DAG ${rendered.dag_id} — run ${rendered.run_id} (Airflow ${file.airflow} rules)`, `data interval ${rendered.data_interval_start} – ${rendered.data_interval_end}`, ''];
    for (const task of rendered.tasks) {
      if (target.taskId && task.task_id !== target.taskId) continue;
      const fields = Object.entries(task.fields);
      const errors = Object.entries(task.errors);
      const unsupported = Object.entries(task.unsupported);
      if (!target.taskId && fields.length + errors.length + unsupported.length === 0) continue;
      lines.push(`[${task.task_id}]`);
      if (fields.length + errors.length + unsupported.length === 0) lines.push('  no templated field to render');
      for (const [field, value] of fields) lines.push(`  ${field}:`, indent(typeof value === 'string' ? value : pyStr(value), '    '));
      for (const [field, { message }] of errors) lines.push(`  ${field}: ✗ ${message}`);
      for (const [field, why] of unsupported) lines.push(`  ${field}: not rendered (${why})`);
      lines.push('');
    }
    return lines.join('\n');
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Reads a template file the way Airflow's Jinja loader finds it: in the DAG file's folder, or in a
 * template_searchpath folder; a relative one is taken from the workspace folder, where Airflow's
 * worker would be started.
 */
async function readTemplateFile(dagFile: vscode.Uri, { name, folder }: TemplateRequest): Promise<string | undefined> {
  let base: vscode.Uri;
  if (folder === null) base = vscode.Uri.joinPath(dagFile, '..');
  else if (folder.startsWith('/')) base = dagFile.with({ path: folder });
  else base = vscode.Uri.joinPath(vscode.workspace.getWorkspaceFolder(dagFile)?.uri ?? vscode.Uri.joinPath(dagFile, '..'), folder);
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(base, name)));
  } catch {
    return undefined;
  }
}

const ALL_TASKS = 'All tasks';

/** The task pick: "All tasks" first (the default), then each task with its operator. */
async function pickTask(dag: DagModel): Promise<string | undefined> {
  const items: vscode.QuickPickItem[] = [
    { label: ALL_TASKS, description: `${dag.tasks.length} tasks in one document` },
    ...dag.tasks.map((task) => ({ label: task.taskId, description: task.operator })),
  ];
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Which task?' }))?.label;
}

/**
 * The command: pick the DAG (when the file has several), the task (or all) and the logical date
 * (default: the next run). Called with a URI (CodeLens, tests), it asks nothing: the arguments say
 * which DAG, date and task, and no task means all of them.
 */
export async function previewRenderedTemplates(analyses: DocumentAnalyses, uri?: vscode.Uri, dagId?: string, date?: string, taskId?: string): Promise<void> {
  const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!document || !isDagFile(document)) {
    void vscode.window.showInformationMessage('Airflow Preflight: open a DAG file to preview its rendered templates.');
    return;
  }
  const file = analyses.get(document);
  const dags = file.model.dags.map((d) => d.dagId);
  const chosen = dagId ?? (dags.length > 1 ? await vscode.window.showQuickPick(dags, { placeHolder: 'Which DAG?' }) : dags[0]);
  const dag = file.model.dags.find((d) => d.dagId === chosen);
  if (!dag) return;
  const task = uri ? taskId : await pickTask(dag);
  if (task === undefined && !uri) return;
  const logicalDate = date ?? (uri ? undefined : await vscode.window.showInputBox({
    prompt: 'Logical date (ISO 8601 with offset); empty for the next run',
    placeHolder: '2024-01-01T00:30:00+00:00',
    validateInput: (value) => (value === '' || (!Number.isNaN(Date.parse(value)) && /(Z|[+-]\d\d:?\d\d)$/.test(value)) ? undefined : 'An ISO time with its offset, or empty'),
  }));
  if (logicalDate === undefined && !uri && date === undefined) return;
  const previewUri = RenderPreviewProvider.uriFor(document.uri, dag.dagId, logicalDate || undefined, task === ALL_TASKS ? undefined : task);
  const preview = await vscode.workspace.openTextDocument(previewUri);
  await vscode.window.showTextDocument(preview, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
}
