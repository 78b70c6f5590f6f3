import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openDagFile, waitFor, workspaceFile } from './helpers';

/** The Outline as `{ dag: { task: operator } }`, the shape a user reads in the Outline view. */
function outline(symbols: vscode.DocumentSymbol[]): Record<string, Record<string, string>> {
  return Object.fromEntries(symbols.map((dag) => [dag.name, Object.fromEntries(dag.children.map((t) => [t.name, t.detail]))]));
}

async function symbolsOf(uri: vscode.Uri): Promise<vscode.DocumentSymbol[]> {
  return waitFor(async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', uri);
    return symbols && symbols.length > 0 ? symbols : undefined;
  }, `document symbols of ${uri.path}`);
}

describe('Outline of DAG files', () => {
  it('shows each DAG with its tasks, for classic and TaskFlow DAGs', async () => {
    const document = await openDagFile('dags/two_dags.py');
    const symbols = await symbolsOf(document.uri);
    assert.deepEqual(outline(symbols), {
      fan_out: { task1: 'BashOperator', task2: 'BashOperator', task3: 'PythonOperator' },
      taskflow_etl: { extract: '@task', transform: '@task', load: '@task.bash' },
    });
    const fanOut = symbols.find((s) => s.name === 'fan_out')!;
    assert.equal(fanOut.kind, vscode.SymbolKind.Module);
    assert.equal(fanOut.selectionRange.start.line, document.getText().split('\n').findIndex((l) => l.includes('with DAG(')));
    const task3 = fanOut.children.find((t) => t.name === 'task3')!;
    assert.ok(document.getText(task3.range).startsWith('PythonOperator('), 'a task symbol covers its operator call');
  });

  it('keeps the outline of a file with a syntax error and reports the error', async () => {
    const document = await openDagFile('dags/half_typed.py');
    const symbols = await symbolsOf(document.uri);
    assert.deepEqual(outline(symbols), { half_typed: { start: 'EmptyOperator', work: 'BashOperator', broken: 'BashOperator' } });
    const diagnostics = await waitFor(() => {
      const found = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'Airflow Preflight');
      return found.length > 0 ? found : undefined;
    }, 'syntax error diagnostic');
    assert.equal(diagnostics[0].code, 'PF001');
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    const brokenLine = document.getText().split('\n').findIndex((l) => l.includes('BashOperator(task_id="broken"'));
    assert.equal(diagnostics[0].range.start.line, brokenLine);
  });

  it('contributes nothing for Python files that are not DAG files', async () => {
    const uri = workspaceFile('not_a_dag.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', uri);
    assert.deepEqual(symbols ?? [], []);
  });

  it('opens the inspect report of the active file as JSON', async () => {
    await openDagFile('dags/two_dags.py');
    await vscode.commands.executeCommand('preflight.inspectDag');
    const report = await waitFor(() => {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'preflight-inspect');
      return editor ? JSON.parse(editor.document.getText()) : undefined;
    }, 'the inspect report');
    assert.equal(report.file, 'dags/two_dags.py');
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'preflight-inspect')!;
    assert.equal(editor.document.languageId, 'json');
    assert.equal(editor.document.isDirty, false, 'a read-only report never asks to be saved');
    assert.deepEqual(report.dags.map((d: { dag_id: string }) => d.dag_id), ['fan_out', 'taskflow_etl']);
  });
});
