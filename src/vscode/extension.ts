// The extension's entry point: thin glue from VS Code to the core. Every disposable is owned by the
// extension context, so deactivation releases everything.
import * as vscode from 'vscode';
import { inspectReport } from '../core/dag/report';
import { registerAirflowRuns } from './airflowRuns';
import { AirflowVersionResolver } from './airflowVersion';
import { DocumentAnalyses, isDagFile } from './analyses';
import type { HostMessage } from '../../webview/protocol';
import { DagPanels } from './dagPanel';
import { DiagnosticsPublisher } from './diagnostics';
import { DagCodeActionProvider, DagCodeLensProvider, DagCompletionProvider, DagDefinitionProvider, DagHoverProvider } from './languageFeatures';
import { registerLocalRuns } from './localRuns';
import { registerRemoteAirflow } from './remoteAirflow';
import { previewRenderedTemplates, RENDER_SCHEME, RenderPreviewProvider } from './renderPreview';
import { openSchedulePreview } from './schedulePreview';
import { Settings } from './settings';
import { NextRunStatus } from './statusBar';
import { DagSymbolProvider } from './symbols';
import { WorkspaceDagIndex } from './workspaceIndex';

const PYTHON: vscode.DocumentSelector = [{ language: 'python', scheme: 'file' }, { language: 'python', scheme: 'untitled' }];
const INSPECT_SCHEME = 'preflight-inspect';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Airflow Preflight', { log: true });
  const settings = new Settings();
  const airflow = new AirflowVersionResolver(settings, output);
  const analyses = new DocumentAnalyses(airflow, settings);
  const index = new WorkspaceDagIndex();
  const renderPreviews = new RenderPreviewProvider(analyses, settings);
  context.subscriptions.push(
    output,
    settings,
    airflow,
    analyses,
    index,
    // The template-field setting changes what PF601/PF602 report.
    new DiagnosticsPublisher(analyses, index, [airflow.onDidChange, settings.onDidChange]),
    vscode.languages.registerDocumentSymbolProvider(PYTHON, new DagSymbolProvider(analyses), { label: 'Airflow DAGs' }),
    vscode.languages.registerHoverProvider(PYTHON, new DagHoverProvider(analyses, settings)),
    vscode.languages.registerCompletionItemProvider(PYTHON, new DagCompletionProvider(analyses), ...DagCompletionProvider.triggerCharacters),
    vscode.languages.registerDefinitionProvider(PYTHON, new DagDefinitionProvider(analyses)),
    vscode.languages.registerCodeActionsProvider(PYTHON, new DagCodeActionProvider(analyses), DagCodeActionProvider.metadata),
    vscode.languages.registerCodeLensProvider(PYTHON, new DagCodeLensProvider(analyses, settings)),
    new NextRunStatus(analyses, settings),
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, new InspectReportProvider(analyses)),
    renderPreviews,
    vscode.workspace.registerTextDocumentContentProvider(RENDER_SCHEME, renderPreviews),
    vscode.commands.registerCommand('preflight.previewTemplates', (uri?: vscode.Uri, dagId?: string, date?: string, taskId?: string) => previewRenderedTemplates(analyses, uri, dagId, date, taskId)),
    vscode.commands.registerCommand('preflight.showOutput', () => output.show()),
    vscode.commands.registerCommand('preflight.inspectDag', inspectActiveFile),
    vscode.commands.registerCommand('preflight.previewSchedule', async (uri?: vscode.Uri, dagId?: string) => {
      const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!document || !isDagFile(document)) {
        void vscode.window.showInformationMessage('Airflow Preflight: open a DAG file to preview its schedule.');
        return;
      }
      const file = analyses.get(document);
      const dags = file.model.dags.map((d) => d.dagId);
      const chosen = dagId ?? (dags.length > 1 ? await vscode.window.showQuickPick(dags, { placeHolder: 'Which DAG?' }) : dags[0]);
      if (!chosen) return;
      context.subscriptions.push(openSchedulePreview(file, chosen, settings.value.timezones));
    }),
  );
  const runs = registerLocalRuns(context, airflow, analyses, index, output, settings);
  registerAirflowRuns(context, analyses, runs);
  registerRemoteAirflow(context, analyses, runs, output);
  const dagPanels = new DagPanels(context.extensionUri, analyses, runs);
  context.subscriptions.push(
    dagPanels,
    vscode.commands.registerCommand('preflight.showDag', (uri?: vscode.Uri, dagId?: string) => dagPanels.show(uri, dagId)),
    // Hidden: lets the integration tests read what the host told a DAG panel's page.
    vscode.commands.registerCommand('preflight.dagPanel.lastMessage', (uri: string, dagId: string, type: HostMessage['type']) => dagPanels.lastMessage(uri, dagId, type)),
    // Hidden: lets the integration tests restore a panel as the serializer does after a reload, which would end their run.
    vscode.commands.registerCommand('preflight.dagPanel.restore', (panel: vscode.WebviewPanel, state: unknown) => dagPanels.restore(panel, state)),
  );
  output.info(`Airflow Preflight ${context.extension.packageJSON.version} activated`);
}

/**
 * The `preflight inspect --json` report of a DAG file as a read-only document, so that closing it
 * asks nothing. Its URI carries the source file's URI in the query.
 */
class InspectReportProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly analyses: DocumentAnalyses) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri.query, true));
    const checked = this.analyses.get(document);
    return JSON.stringify(inspectReport(checked.file, checked.text, checked.model, checked.airflow, checked.diagnostics), null, 2);
  }
}

async function inspectActiveFile(): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'python') {
    void vscode.window.showInformationMessage('Airflow Preflight: open a Python DAG file to inspect it.');
    return;
  }
  const name = vscode.workspace.asRelativePath(document.uri).replace(/\.py$/, '');
  const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${name}.inspect.json`, query: document.uri.toString() });
  const report = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(report, 'json');
  await vscode.window.showTextDocument(report, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
