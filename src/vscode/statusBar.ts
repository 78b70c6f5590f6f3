import * as vscode from 'vscode';
import { nextRunStatus } from '../core/features/nextRun';
import { isDagFile, type DocumentAnalyses } from './analyses';
import type { Settings } from './settings';

/** The next run of the DAG under the cursor, in the user's zone; a click opens the schedule preview. */
export class NextRunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('preflight.nextRun', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly analyses: DocumentAnalyses, private readonly settings: Settings) {
    this.item.name = 'Airflow Preflight: next run';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.onDidChangeTextEditorSelection(() => this.update()),
      settings.onDidChange(() => this.update()),
    ];
    this.update();
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isDagFile(editor.document)) {
      this.item.hide();
      return;
    }
    const file = this.analyses.get(editor.document);
    const status = nextRunStatus(file, editor.document.offsetAt(editor.selection.active), this.settings.value.timezones, Date.now());
    if (!status) {
      this.item.hide();
      return;
    }
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
    this.item.command = { title: 'Preview Schedule', command: 'preflight.previewSchedule', arguments: [editor.document.uri, status.dagId] };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
