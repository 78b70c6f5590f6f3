import * as vscode from 'vscode';
import { checkFile, looksLikeDagFile, type CheckedFile } from '../core/check';
import { parseFile, type ParsedFile, type TextChange } from '../core/dag/analyze';
import { moduleReaderFor } from '../node/modules';
import type { AirflowVersionResolver } from './airflowVersion';
import type { Settings } from './settings';

/** Airflow only parses files that mention both "airflow" and "dag"; so does the extension. */
export function isDagFile(document: vscode.TextDocument): boolean {
  return document.languageId === 'python' && looksLikeDagFile(document.getText());
}

interface DocumentState {
  /** The last parse, and the edits made since, so the next parse reuses the unchanged parts. */
  parsed?: ParsedFile;
  changes: TextChange[];
  checked?: { version: number; airflow: unknown; templateFields: unknown; file: CheckedFile };
}

/** The analysis of each open document, computed once per document version and shared by every feature. */
export class DocumentAnalyses implements vscode.Disposable {
  private readonly states = new Map<string, DocumentState>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly airflow: AirflowVersionResolver, private readonly settings: Settings) {
    this.subscriptions = [
      vscode.workspace.onDidCloseTextDocument((d) => this.states.delete(d.uri.toString())),
      vscode.workspace.onDidChangeTextDocument((e) => this.recordChanges(e)),
    ];
  }

  /** VS Code reports edits in the order it applied them; each is mapped through the ones before it. */
  private recordChanges(event: vscode.TextDocumentChangeEvent): void {
    const state = this.states.get(event.document.uri.toString());
    if (!state?.parsed) return;
    if (event.contentChanges.length !== 1) {
      // Several simultaneous edits (multi-cursor): a full parse is simpler and still fast.
      state.parsed = undefined;
      state.changes = [];
      return;
    }
    const [change] = event.contentChanges;
    state.changes.push({ fromA: change.rangeOffset, toA: change.rangeOffset + change.rangeLength, fromB: change.rangeOffset, toB: change.rangeOffset + change.text.length });
  }

  get(document: vscode.TextDocument): CheckedFile {
    const key = document.uri.toString();
    const state = this.states.get(key) ?? { changes: [] };
    this.states.set(key, state);
    const airflow = this.airflow.version;
    // The settings object is replaced whenever a setting changes, so identity tells a change.
    const { templateFields } = this.settings.value;
    if (state.checked && state.checked.version === document.version && state.checked.airflow === airflow && state.checked.templateFields === templateFields) {
      return state.checked.file;
    }
    const text = document.getText();
    const parsed = !state.parsed ? parseFile(text)
      : state.changes.length > 0 ? parseFile(text, { parsed: state.parsed, changes: state.changes })
      : state.parsed.text === text ? state.parsed : parseFile(text);
    state.parsed = parsed;
    state.changes = [];
    const file = checkFile({
      file: vscode.workspace.asRelativePath(document.uri),
      text,
      parsed,
      incremental: { previous: state.checked?.file },
      readModule: document.uri.scheme === 'file' ? moduleReaderFor(document.uri.fsPath) : undefined,
    }, airflow, Date.now(), { templateFields });
    state.checked = { version: document.version, airflow, templateFields, file };
    return file;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.states.clear();
  }
}
