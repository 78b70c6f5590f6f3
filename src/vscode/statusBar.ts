import * as vscode from 'vscode';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { nextRunLabel } from './schedulePreview';
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
    const offset = editor.document.offsetAt(editor.selection.active);
    const dag = file.model.dags.find((d) => d.range.from <= offset && offset <= d.range.to
      || d.tasks.some((t) => t.range.from <= offset && offset <= t.range.to)) ?? file.model.dags[0];
    const label = dag && nextRunLabel(file, dag.dagId, this.settings.value.timezones, Date.now());
    if (!dag || !label) {
      this.item.hide();
      return;
    }
    this.item.text = `$(calendar) ${dag.dagId}: ${label.replace(/^Next run: /, 'next ')}`;
    this.item.tooltip = `${label}\nClick to preview the schedule of ${dag.dagId}.`;
    this.item.command = { title: 'Preview Schedule', command: 'preflight.previewSchedule', arguments: [editor.document.uri, dag.dagId] };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
