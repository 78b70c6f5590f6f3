// The extension's entry point: thin glue from VS Code to the core. Every disposable is owned by the
// extension context, so deactivation releases everything.
import * as vscode from 'vscode';
import { inspectReport } from '../core/dag/report';
import { DocumentAnalyses } from './analyses';
import { DiagnosticsPublisher } from './diagnostics';
import { DagSymbolProvider } from './symbols';

const PYTHON: vscode.DocumentSelector = [{ language: 'python', scheme: 'file' }, { language: 'python', scheme: 'untitled' }];

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Airflow Preflight', { log: true });
  const analyses = new DocumentAnalyses();
  context.subscriptions.push(
    output,
    analyses,
    new DiagnosticsPublisher(analyses),
    vscode.languages.registerDocumentSymbolProvider(PYTHON, new DagSymbolProvider(analyses), { label: 'Airflow DAGs' }),
    vscode.commands.registerCommand('preflight.showOutput', () => output.show()),
    vscode.commands.registerCommand('preflight.inspectDag', () => inspectActiveFile(analyses)),
  );
  output.info(`Airflow Preflight ${context.extension.packageJSON.version} activated`);
}

/** Opens the model of the active file as JSON: the same report as `preflight inspect --json`. */
async function inspectActiveFile(analyses: DocumentAnalyses): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'python') {
    void vscode.window.showInformationMessage('Airflow Preflight: open a Python DAG file to inspect it.');
    return;
  }
  const report = inspectReport(vscode.workspace.asRelativePath(document.uri), document.getText(), analyses.get(document));
  const json = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(report, null, 2) });
  await vscode.window.showTextDocument(json, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
