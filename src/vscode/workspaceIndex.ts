import * as vscode from 'vscode';
import { looksLikeDagFile } from '../core/check';
import { analyzeDagFile } from '../core/dag/analyze';
import type { DagFileModel } from '../core/dag/model';
import type { Diagnostic } from '../core/diagnostics';
import { LineIndex } from '../core/python/lines';
import { duplicateDagIds } from '../core/rules/workspace';

const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/site-packages/**,**/.tox/**}';
const MAX_FILES = 5000;

/** A DAG file of the workspace: its model, and its lines to turn the model's offsets into positions. */
export interface IndexedDagFile {
  readonly uri: vscode.Uri;
  /** The path relative to the workspace. */
  readonly file: string;
  readonly model: DagFileModel;
  readonly lines: LineIndex;
}

/**
 * The DAGs of every DAG file in the workspace, so that a dag_id defined in two files is reported
 * in both, and the report follows edits and files changed outside the editor.
 */
export class WorkspaceDagIndex implements vscode.Disposable {
  private readonly models = new Map<string, IndexedDagFile>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.watcher.onDidCreate((uri) => void this.indexFile(uri)),
      this.watcher.onDidChange((uri) => void this.indexFile(uri)),
      this.watcher.onDidDelete((uri) => this.remove(uri)),
    ];
    void this.scan();
  }

  private async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles('**/*.py', EXCLUDE, MAX_FILES);
    for (const uri of uris) await this.indexFile(uri, false);
    this.changed.fire();
  }

  private async indexFile(uri: vscode.Uri, notify = true): Promise<void> {
    // An open document is indexed from the editor's text, which may be ahead of the disk.
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      this.remove(uri);
      return;
    }
    this.set(uri, looksLikeDagFile(text) ? analyzeDagFile(text) : undefined, text, notify);
  }

  /** Takes the model of an open document, as the analyses computed it from `text`. */
  update(uri: vscode.Uri, model: DagFileModel | undefined, text: string): void {
    this.set(uri, model, text, true);
  }

  private set(uri: vscode.Uri, model: DagFileModel | undefined, text: string, notify: boolean): void {
    const key = uri.toString();
    const before = this.models.get(key)?.model.dags.map((d) => d.dagId).join('\n');
    if (model && model.dags.length > 0) this.models.set(key, { uri, file: vscode.workspace.asRelativePath(uri), model, lines: new LineIndex(text) });
    else this.models.delete(key);
    const after = this.models.get(key)?.model.dags.map((d) => d.dagId).join('\n');
    if (notify && before !== after) this.changed.fire();
  }

  private remove(uri: vscode.Uri): void {
    if (this.models.delete(uri.toString())) this.changed.fire();
  }

  /** Every DAG file of the workspace, open documents as last analysed. */
  files(): readonly IndexedDagFile[] {
    return [...this.models.values()];
  }

  /** PF302 diagnostics of one file. */
  duplicatesIn(uri: vscode.Uri): Diagnostic[] {
    const own = this.models.get(uri.toString());
    if (!own) return [];
    return duplicateDagIds([...this.models.values()]).get(own.file) ?? [];
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.watcher.dispose();
    this.changed.dispose();
  }
}
