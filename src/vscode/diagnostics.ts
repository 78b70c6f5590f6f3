import * as vscode from 'vscode';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { toDiagnostic } from './convert';
import type { WorkspaceDagIndex } from './workspaceIndex';

/** How long typing must pause before a document is analysed again. */
const DEBOUNCE_MS = 250;

/** Publishes the diagnostics of open DAG files, debounced while the user types. */
export class DiagnosticsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('airflow-preflight');
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly analyses: DocumentAnalyses, private readonly index: WorkspaceDagIndex, onRulesChanged: readonly vscode.Event<unknown>[]) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.publish(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      index.onDidChange(() => this.publishAll()),
      ...onRulesChanged.map((changed) => changed(() => this.publishAll())),
    ];
    this.publishAll();
  }

  private publishAll(): void {
    vscode.workspace.textDocuments.forEach((d) => this.publish(d));
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => this.publish(document), DEBOUNCE_MS));
  }

  private publish(document: vscode.TextDocument): void {
    this.pending.delete(document.uri.toString());
    if (document.isClosed) return;
    if (!isDagFile(document)) {
      this.collection.delete(document.uri);
      return;
    }
    const checked = this.analyses.get(document);
    this.index.update(document.uri, checked.model, checked.text);
    const diagnostics = [...checked.diagnostics, ...this.index.duplicatesIn(document.uri)];
    this.collection.set(document.uri, diagnostics.map((d) => toDiagnostic(document, d)));
  }

  private forget(uri: vscode.Uri): void {
    clearTimeout(this.pending.get(uri.toString()));
    this.pending.delete(uri.toString());
    this.collection.delete(uri);
  }

  dispose(): void {
    this.pending.forEach((timer) => clearTimeout(timer));
    this.subscriptions.forEach((s) => s.dispose());
    this.collection.dispose();
  }
}
