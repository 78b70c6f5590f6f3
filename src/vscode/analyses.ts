import * as vscode from 'vscode';
import { analyzeDagFile } from '../core/dag/analyze';
import type { DagFileModel } from '../core/dag/model';

/**
 * Airflow only parses files that mention both "airflow" and "dag" (`dag_discovery_safe_mode`); the
 * extension takes the same test, so ordinary Python files cost nothing.
 */
export function isDagFile(document: vscode.TextDocument): boolean {
  if (document.languageId !== 'python') return false;
  const text = document.getText();
  return /airflow/i.test(text) && /dag/i.test(text);
}

/** The analysis of each open document, computed once per document version and shared by every feature. */
export class DocumentAnalyses implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; model: DagFileModel }>();
  private readonly subscription = vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()));

  get(document: vscode.TextDocument): DagFileModel {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.model;
    const model = analyzeDagFile(document.getText());
    this.cache.set(key, { version: document.version, model });
    return model;
  }

  dispose(): void {
    this.subscription.dispose();
    this.cache.clear();
  }
}
