import * as vscode from 'vscode';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { toRange } from './convert';

/** The Outline: each DAG of the file with its tasks as children. */
export class DagSymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly analyses: DocumentAnalyses) {}

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    if (!isDagFile(document)) return [];
    return this.analyses.get(document).model.dags.map((dag) => {
      const tasks = dag.tasks.map((task) => {
        const range = toRange(document, task.range);
        return new vscode.DocumentSymbol(task.taskId, task.operator, vscode.SymbolKind.Function, range, range);
      });
      // A DAG declared as `dag = DAG(...)` has its tasks elsewhere in the file: its symbol spans them
      // all, because the Outline expects children inside their parent.
      const range = tasks.reduce((r, t) => r.union(t.range), toRange(document, dag.range));
      const symbol = new vscode.DocumentSymbol(dag.dagId, 'DAG', vscode.SymbolKind.Module, range, toRange(document, dag.selectionRange));
      symbol.children = tasks;
      return symbol;
    });
  }
}
