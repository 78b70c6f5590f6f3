// The DAG panel: one webview per DAG, beside its file, drawing the DAG with the states of its local
// runs and following both the file's edits and the runs as they happen. The page (webview/main.ts)
// does the drawing; this side answers its messages, and a serializer brings panels back after a reload.
import * as vscode from 'vscode';
import { graphInputFromModel } from '../core/graph/mermaid';
import { utcIso } from '../core/time/zones';
import { instantProblem, parseInstant } from '../node/runArguments';
import { isPageMessage, isPanelTarget, type HostMessage, type InstanceKey, type PageMessage, type PanelTarget } from '../../webview/protocol';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { toRange } from './convert';
import { dagPanelHtml, newNonce, unrestorablePanelHtml } from './dagPanelPage';
import { runColumns, taskDetails, type RunSource } from './dagPanelRuns';
import type { RunStore } from './runStore';

const VIEW_TYPE = 'preflight.dag';
/** Typing redraws the graph once the typing pauses. */
const REFRESH_DELAY_MS = 300;

function panelKey(target: PanelTarget): string {
  return `${target.uri}#${target.dagId}`;
}

function isUri(text: string): boolean {
  try {
    vscode.Uri.parse(text, true);
    return true;
  } catch {
    return false;
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/** One DAG's panel. */
class DagPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly uri: vscode.Uri;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The task instance the details pane shows, refreshed as its run goes on. */
  private selection: InstanceKey | undefined;
  /** The last message of each type sent to the page, for the integration tests. */
  readonly sent = new Map<HostMessage['type'], HostMessage>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: PanelTarget,
    extensionUri: vscode.Uri,
    private readonly analyses: DocumentAnalyses,
    private readonly runs: RunSource & Pick<RunStore, 'onDidChange'>,
    onDispose: () => void,
  ) {
    this.uri = vscode.Uri.parse(target.uri, true);
    panel.webview.options = webviewOptions(extensionUri);
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'main.js'));
    panel.webview.html = dagPanelHtml({ nonce: newNonce(), scriptUri: script.toString() });
    this.disposables.push(
      panel.onDidDispose(() => {
        onDispose();
        this.dispose();
      }),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isPageMessage(message)) void this.receive(message);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== this.target.uri) return;
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => void this.postGraph(), REFRESH_DELAY_MS);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.postGraph()),
      // The store already batches a busy run's events, so each change is one message.
      runs.onDidChange(() => {
        this.postRuns();
        this.postDetails();
      }),
    );
  }

  private async receive(message: PageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.postGraph();
        this.postRuns();
        this.postDetails();
        return;
      case 'selectTask':
        this.selection = message.run ? { ...message.run, taskId: message.taskId } : undefined;
        this.postDetails();
        if (message.reveal) await this.revealTask(message.taskId);
        return;
      case 'run':
        // The Run command with explicit options asks nothing; it runs dry where the workspace is not trusted.
        await vscode.commands.executeCommand('preflight.runDag', this.uri, this.target.dagId, {
          selection: message.logicalDate === null ? 'next' : { date: message.logicalDate },
          dry: !vscode.workspace.isTrusted,
        });
        return;
      case 'clearTask':
        await vscode.commands.executeCommand('preflight.runs.clearTask', message.instance);
        return;
      case 'pickDate': {
        const text = await vscode.window.showInputBox({
          title: `Logical date of ${this.target.dagId}`, prompt: 'The logical date, ISO 8601 with its offset', value: utcIso(Date.now()), validateInput: instantProblem,
        });
        const logicalDate = text === undefined ? undefined : parseInstant(text);
        if (logicalDate !== undefined) this.post({ type: 'logicalDate', logicalDate: utcIso(logicalDate) });
        return;
      }
    }
  }

  private post(message: HostMessage): void {
    this.sent.set(message.type, message);
    void this.panel.webview.postMessage(message);
  }

  /** The file and its DAG; neither when the file is gone (a panel restored after its file was deleted). */
  private async dagModel() {
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(this.uri);
    } catch {
      return { document: undefined, dag: undefined };
    }
    return { document, dag: this.analyses.get(document).model.dags.find((d) => d.dagId === this.target.dagId) };
  }

  private async postGraph(): Promise<void> {
    const { dag } = await this.dagModel();
    this.post({
      type: 'graph',
      target: this.target,
      file: vscode.workspace.asRelativePath(this.uri),
      graph: dag ? graphInputFromModel(dag) : null,
      trusted: vscode.workspace.isTrusted,
    });
  }

  private postRuns(): void {
    this.post({ type: 'runs', runs: runColumns(this.runs, this.uri.fsPath, this.target.dagId) });
  }

  private postDetails(): void {
    const selection = this.selection;
    if (!selection) return;
    // The operator comes from the editor's model, which the page has too; the details carry it for a task the file lost.
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.target.uri);
    const task = document && this.analyses.get(document).model.dags.find((d) => d.dagId === this.target.dagId)?.tasks.find((t) => t.taskId === selection.taskId);
    this.post({ type: 'details', details: taskDetails(this.runs, selection, task?.operator ?? null) ?? null });
  }

  private async revealTask(taskId: string): Promise<void> {
    const { document, dag } = await this.dagModel();
    const task = dag?.tasks.find((t) => t.taskId === taskId);
    if (!document || !task) return;
    const start = toRange(document, task.range).start;
    const column = vscode.window.visibleTextEditors.find((e) => e.document === document)?.viewColumn ?? vscode.ViewColumn.One;
    // The focus stays in the panel, so that clicking through the grid does not jump back and forth.
    await vscode.window.showTextDocument(document, { viewColumn: column, preserveFocus: true, selection: new vscode.Range(start, start) });
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
    this.panel.dispose();
  }
}

/** The open DAG panels, at most one per DAG, and the serializer that restores them after a reload. */
export class DagPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DagPanel>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly analyses: DocumentAnalyses,
    private readonly runs: RunStore,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => this.restore(panel, state),
    });
  }

  /**
   * Brings back a panel that VS Code restores after a reload, from the state its page saved with
   * setState (the hidden command `preflight.dagPanel.restore` lets the integration tests call it
   * without reloading). A state that names no DAG, from an older version or damaged, leaves the
   * panel open saying so rather than failing or vanishing without a word.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const target = typeof state === 'object' && state !== null ? (state as { target?: unknown }).target : undefined;
    if (!isPanelTarget(target) || !isUri(target.uri)) {
      panel.title = 'DAG panel (not restored)';
      panel.webview.options = { enableScripts: false };
      panel.webview.html = unrestorablePanelHtml();
      return;
    }
    // VS Code restores each panel once; a panel of the same DAG opened meanwhile stays the only one.
    const existing = this.panels.get(panelKey(target));
    if (existing) {
      panel.dispose();
      existing.panel.reveal(undefined, true);
      return;
    }
    this.adopt(panel, target);
  }

  /** `preflight.showDag(uri?, dagId?)`: the DAG at the cursor, the only one, or the one the user picks. */
  async show(uri?: vscode.Uri, dagId?: string): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!document || !isDagFile(document)) {
      void vscode.window.showInformationMessage('Airflow Preflight: open a DAG file to show its DAGs.');
      return;
    }
    const dags = this.analyses.get(document).model.dags;
    if (dags.length === 0) {
      void vscode.window.showInformationMessage('Airflow Preflight: this file defines no DAG.');
      return;
    }
    const cursor = editor?.document === document ? document.offsetAt(editor.selection.active) : undefined;
    const atCursor = cursor === undefined ? undefined : dags.find((d) => d.range.from <= cursor && cursor <= d.range.to);
    const chosen = dagId ?? (dags.length === 1 ? dags[0].dagId : atCursor?.dagId)
      ?? await vscode.window.showQuickPick(dags.map((d) => d.dagId), { title: 'Show DAG', placeHolder: 'Which DAG?' });
    if (!chosen) return;
    const target = { uri: document.uri.toString(), dagId: chosen };
    const existing = this.panels.get(panelKey(target));
    if (existing) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `DAG: ${chosen}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.extensionUri));
    this.adopt(panel, target);
  }

  /** The last message of a type sent to a DAG's panel (hidden command `preflight.dagPanel.lastMessage`). */
  lastMessage(uri: string, dagId: string, type: HostMessage['type']): HostMessage | undefined {
    return this.panels.get(panelKey({ uri, dagId }))?.sent.get(type);
  }

  private adopt(panel: vscode.WebviewPanel, target: PanelTarget): void {
    panel.title = `DAG: ${target.dagId}`;
    const key = panelKey(target);
    this.panels.set(key, new DagPanel(panel, target, this.extensionUri, this.analyses, this.runs, () => this.panels.delete(key)));
  }

  dispose(): void {
    this.serializer.dispose();
    this.panels.forEach((p) => p.dispose());
    this.panels.clear();
  }
}
