// Thin adapters from the core's hover, completion, definition and fixes to VS Code's providers.
import * as vscode from 'vscode';
import { catalogFor } from '../core/airflow/catalog';
import type { CheckedFile } from '../core/check';
import type { Fix } from '../core/diagnostics';
import { completionsAt, type CompletionKind } from '../core/features/completion';
import { definitionAt } from '../core/features/definition';
import { hoverAt } from '../core/features/hover';
import { localConnections, localVariables, localXComPins } from '../node/localSources';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { toRange } from './convert';
import { nextRunLabel, userLocale } from './schedulePreview';
import type { Settings } from './settings';

function catalogOf(file: CheckedFile) {
  return catalogFor(file.airflow);
}

export class DagHoverProvider implements vscode.HoverProvider {
  constructor(private readonly analyses: DocumentAnalyses, private readonly settings: Settings) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!isDagFile(document)) return undefined;
    const file = this.analyses.get(document);
    // Variables, Connections and pinned XComs from the environment and .preflight/*.json: reading them runs nothing.
    const local = document.uri.scheme === 'file'
      ? { variables: localVariables(document.uri.fsPath), connections: localConnections(document.uri.fsPath), xcomPins: localXComPins(document.uri.fsPath) } : {};
    const hover = hoverAt(file, document.offsetAt(position), catalogOf(file), {
      now: Date.now(), zones: this.settings.value.timezones, locale: userLocale(),
      templates: { ...local, templateFields: this.settings.value.templateFields },
    });
    return hover ? new vscode.Hover(new vscode.MarkdownString(hover.markdown), toRange(document, hover.range)) : undefined;
  }
}

const COMPLETION_KIND: Record<CompletionKind, vscode.CompletionItemKind> = {
  argument: vscode.CompletionItemKind.Property,
  key: vscode.CompletionItemKind.Field,
  value: vscode.CompletionItemKind.EnumMember,
  task: vscode.CompletionItemKind.Reference,
};

export class DagCompletionProvider implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = ['"', "'", '(', ',', ' ', '['];

  constructor(private readonly analyses: DocumentAnalyses) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
    if (!isDagFile(document)) return undefined;
    const file = this.analyses.get(document);
    const variables = document.uri.scheme === 'file' ? Object.keys(localVariables(document.uri.fsPath)) : [];
    const completions = completionsAt(file, document.offsetAt(position), catalogOf(file), { variables });
    if (!completions) return undefined;
    const range = toRange(document, completions.range);
    return completions.items.map((item) => {
      const result = new vscode.CompletionItem(item.label, COMPLETION_KIND[item.kind]);
      result.insertText = item.insertText;
      result.detail = item.detail;
      if (item.documentation) result.documentation = new vscode.MarkdownString(item.documentation);
      result.range = range;
      // Airflow's own arguments first, above the generic Python suggestions.
      result.sortText = `0${item.label}`;
      return result;
    });
  }
}

export class DagDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly analyses: DocumentAnalyses) {}

  async provideDefinition(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Location | undefined> {
    if (!isDagFile(document)) return undefined;
    const location = definitionAt(this.analyses.get(document), document.offsetAt(position));
    if (!location) return undefined;
    if (!location.file) return new vscode.Location(document.uri, toRange(document, location.range));
    const target = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
    return new vscode.Location(target.uri, toRange(target, location.range));
  }
}

/** Quick fixes: the core's fixes of the diagnostics under the cursor, matched by code and range. */
export class DagCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly analyses: DocumentAnalyses) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!isDagFile(document)) return [];
    const file = this.analyses.get(document);
    const actions: vscode.CodeAction[] = [];
    for (const shown of context.diagnostics) {
      if (shown.source !== 'Airflow Preflight') continue;
      const core = file.diagnostics.find((d) => d.code === shown.code && toRange(document, d.range).isEqual(shown.range));
      for (const fix of core?.fixes ?? []) actions.push(this.action(document, fix, shown));
    }
    return actions;
  }

  private action(document: vscode.TextDocument, fix: Fix, diagnostic: vscode.Diagnostic): vscode.CodeAction {
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    for (const edit of fix.edits) action.edit.replace(document.uri, toRange(document, edit.range), edit.newText);
    action.diagnostics = [diagnostic];
    action.isPreferred = fix.preferred ?? false;
    return action;
  }
}

/** Above each DAG: run it locally, open its graph, and its next run in the user's zone. */
export class DagCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly analyses: DocumentAnalyses, private readonly settings: Settings) {}

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isDagFile(document)) return [];
    const file = this.analyses.get(document);
    return file.model.dags.flatMap((dag) => {
      const range = toRange(document, dag.selectionRange);
      const next = nextRunLabel(file, dag.dagId, this.settings.value.timezones, Date.now());
      return [
        new vscode.CodeLens(range, { title: '▶ Run locally', command: 'preflight.runDag', arguments: [document.uri, dag.dagId] }),
        new vscode.CodeLens(range, { title: 'Graph', command: 'preflight.showDag', arguments: [document.uri, dag.dagId] }),
        ...(next ? [new vscode.CodeLens(range, { title: next, command: 'preflight.previewSchedule', arguments: [document.uri, dag.dagId] })] : []),
      ];
    });
  }
}
