import * as vscode from 'vscode';
import { taskLayers } from '../core/dag/layers';
import type { DagFileModel } from '../core/dag/model';
import { isPageMessage, type DagView, type HostMessage } from '../../webview/protocol';
import type { DocumentAnalyses } from './analyses';
import { toRange } from './convert';

const VIEW_TYPE = 'preflight.dag';
const REFRESH_DELAY_MS = 300;

function dagViews(model: DagFileModel): DagView[] {
  return model.dags.map((dag) => ({
    dagId: dag.dagId,
    layers: taskLayers(dag),
    tasks: dag.tasks.map((t) => ({ taskId: t.taskId, operator: t.operator, upstream: t.upstream, mapped: t.mapped })),
  }));
}

/** A panel beside the editor that shows the DAGs of one file and follows its edits. */
export class DagPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  static open(extensionUri: vscode.Uri, analyses: DocumentAnalyses, document: vscode.TextDocument): DagPanel {
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      `DAG: ${vscode.workspace.asRelativePath(document.uri)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: false,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      },
    );
    return new DagPanel(panel, extensionUri, analyses, document);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly analyses: DocumentAnalyses,
    private readonly document: vscode.TextDocument,
  ) {
    panel.webview.html = this.html(panel.webview, vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'main.js'));
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== this.document) return;
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => this.post(), REFRESH_DELAY_MS);
      }),
    );
  }

  private receive(message: unknown): void {
    if (!isPageMessage(message)) return;
    switch (message.type) {
      case 'ready':
        this.post();
        return;
      case 'revealTask':
        void this.revealTask(message.dagId, message.taskId);
        return;
    }
  }

  private post(): void {
    const message: HostMessage = {
      type: 'model',
      file: vscode.workspace.asRelativePath(this.document.uri),
      dags: dagViews(this.analyses.get(this.document).model),
    };
    void this.panel.webview.postMessage(message);
  }

  private async revealTask(dagId: string, taskId: string): Promise<void> {
    const task = this.analyses.get(this.document).model.dags.find((d) => d.dagId === dagId)?.tasks.find((t) => t.taskId === taskId);
    if (!task) return;
    const range = toRange(this.document, task.range);
    await vscode.window.showTextDocument(this.document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(range.start, range.start) });
  }

  private html(webview: vscode.Webview, script: vscode.Uri): string {
    const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
  .dag-id { font-size: 1.1em; margin: 1em 0 .5em; }
  .layers { display: flex; gap: 1.5em; align-items: flex-start; overflow-x: auto; padding-bottom: 1em; }
  .layer { display: flex; flex-direction: column; gap: .5em; }
  .task { display: flex; flex-direction: column; text-align: left; gap: .15em; min-width: 10em; padding: .4em .6em;
    font: inherit; color: var(--vscode-foreground); background: var(--vscode-editorWidget-background);
    border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, transparent)); border-radius: 4px; cursor: pointer; }
  .task:hover, .task:focus-visible { border-color: var(--vscode-focusBorder); outline: none; }
  .task-id { font-weight: 600; }
  .operator, .upstream { font-size: .85em; color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<main id="root" aria-live="polite"></main>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
    this.panel.dispose();
  }
}
