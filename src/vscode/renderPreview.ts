// "Preview Rendered Templates": every templated field of a DAG rendered for one logical date, in a
// read-only document that follows the DAG file as it changes, like Airflow's Rendered Template tab.
import * as vscode from 'vscode';
import { catalogFor } from '../core/airflow/catalog';
import { nextLogicalDate, renderDag } from '../core/templates/fields';
import { pyStr } from '../core/templates/pyobjects';
import { localConnections, localVariables } from '../node/localSources';
import { isDagFile, type DocumentAnalyses } from './analyses';

export const RENDER_SCHEME = 'preflight-render';
const REFRESH_DELAY_MS = 300;

interface PreviewTarget {
  readonly source: string;
  readonly dagId: string;
  /** The logical date, or undefined for the DAG's next run at the time of rendering. */
  readonly date?: string;
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line) => by + line).join('\n');
}

export class RenderPreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly analyses: DocumentAnalyses) {
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

  static uriFor(source: vscode.Uri, dagId: string, date?: string): vscode.Uri {
    const target: PreviewTarget = { source: source.toString(), dagId, ...(date ? { date } : {}) };
    return vscode.Uri.from({ scheme: RENDER_SCHEME, path: `/${dagId}.rendered.txt`, query: JSON.stringify(target) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = JSON.parse(uri.query) as PreviewTarget;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.source, true));
    const file = this.analyses.get(document);
    const dag = file.model.dags.find((d) => d.dagId === target.dagId);
    if (!dag) return `No DAG ${target.dagId} in ${file.file} any more.`;
    const now = Date.now();
    const logicalDate = target.date ? Date.parse(target.date) : nextLogicalDate(dag, file.airflow, now);
    if (logicalDate === undefined || Number.isNaN(logicalDate)) return `DAG ${dag.dagId} has no run to render: give a logical date.`;
    const folder = vscode.Uri.joinPath(document.uri, '..');
    const templates = new Map<string, string | undefined>();
    // Variables and Connections from the environment and .preflight/*.json: reading them runs nothing.
    const local = document.uri.scheme === 'file'
      ? { variables: localVariables(document.uri.fsPath), connections: localConnections(document.uri.fsPath) } : {};
    const rendered = renderDag(dag, {
      airflow: file.airflow,
      catalog: catalogFor(file.airflow),
      logicalDate,
      now,
      ...local,
      readTemplate: (name) => templates.get(name),
    });
    // Template files are read asynchronously, then the DAG is rendered again with them.
    if (!('error' in rendered)) {
      for (const task of rendered.tasks) {
        for (const message of Object.values(task.errors)) {
          const name = /^TemplateNotFound: (.+)$/.exec(message)?.[1];
          if (!name || templates.has(name)) continue;
          try {
            templates.set(name, new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, name))));
          } catch {
            templates.set(name, undefined);
          }
        }
      }
    }
    const final = templates.size > 0 ? renderDag(dag, { airflow: file.airflow, catalog: catalogFor(file.airflow), logicalDate, now, ...local, readTemplate: (name) => templates.get(name) }) : rendered;
    if ('error' in final) return `DAG ${dag.dagId}: ${final.error}`;
    const lines = [`DAG ${final.dag_id} — run ${final.run_id} (Airflow ${file.airflow} rules)`, `data interval ${final.data_interval_start} – ${final.data_interval_end}`, ''];
    for (const task of final.tasks) {
      const fields = Object.entries(task.fields);
      const errors = Object.entries(task.errors);
      const unsupported = Object.entries(task.unsupported);
      if (fields.length + errors.length + unsupported.length === 0) continue;
      lines.push(`[${task.task_id}]`);
      for (const [field, value] of fields) lines.push(`  ${field}:`, indent(typeof value === 'string' ? value : pyStr(value), '    '));
      for (const [field, message] of errors) lines.push(`  ${field}: ✗ ${message}`);
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

/** The command: pick the DAG (when the file has several) and the logical date (default: the next run). */
export async function previewRenderedTemplates(analyses: DocumentAnalyses, uri?: vscode.Uri, dagId?: string, date?: string): Promise<void> {
  const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!document || !isDagFile(document)) {
    void vscode.window.showInformationMessage('Airflow Preflight: open a DAG file to preview its rendered templates.');
    return;
  }
  const dags = analyses.get(document).model.dags.map((d) => d.dagId);
  const chosen = dagId ?? (dags.length > 1 ? await vscode.window.showQuickPick(dags, { placeHolder: 'Which DAG?' }) : dags[0]);
  if (!chosen) return;
  const logicalDate = date ?? (uri ? undefined : await vscode.window.showInputBox({
    prompt: 'Logical date (ISO 8601 with offset); empty for the next run',
    placeHolder: '2024-01-01T00:30:00+00:00',
    validateInput: (value) => (value === '' || (!Number.isNaN(Date.parse(value)) && /(Z|[+-]\d\d:?\d\d)$/.test(value)) ? undefined : 'An ISO time with its offset, or empty'),
  }));
  if (logicalDate === undefined && !uri && date === undefined) return;
  const preview = await vscode.workspace.openTextDocument(RenderPreviewProvider.uriFor(document.uri, chosen, logicalDate || undefined));
  await vscode.window.showTextDocument(preview, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
}
