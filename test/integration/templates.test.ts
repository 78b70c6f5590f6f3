import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openDagFile, waitFor } from './helpers';

describe('Rendered templates in the editor', () => {
  it('previews every templated field for a logical date, and follows edits of the DAG file', async () => {
    const document = await openDagFile('dags/templated.py');
    await vscode.commands.executeCommand('preflight.previewTemplates', document.uri, 'templated', '2024-01-01T00:30:00+00:00');
    const preview = await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'preflight-render' && d.uri.path === '/templated.rendered.txt'), 'the rendered-template preview');
    const text = preview.getText();
    assert.match(text, /^DAG templated — run scheduled__2024-01-01T00:30:00\+00:00 \(Airflow 3 rules\)/);
    assert.match(text, /\[report\]\n {2}bash_command:\n {4}echo 2024-01-01 2024-01-08/);
    assert.match(text, /\[typo\]\n {2}bash_command: ✗ UndefinedError: 'ds_nodsh' is undefined/);

    const editor = await vscode.window.showTextDocument(document);
    const at = document.getText().indexOf('ds_add(ds, 7)') + 'ds_add(ds, '.length;
    await editor.edit((e) => e.replace(new vscode.Range(document.positionAt(at), document.positionAt(at + 1)), '1'));
    await waitFor(() => /echo 2024-01-01 2024-01-02/.test(preview.getText()), 'the preview to follow the edit');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('previews one task in its own document, named by the task id', async () => {
    const document = await openDagFile('dags/templated.py');
    await vscode.commands.executeCommand('preflight.previewTemplates', document.uri, 'templated', '2024-01-01T00:30:00+00:00', 'typo');
    const preview = await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'preflight-render' && d.uri.path === '/templated.typo.rendered.txt'), 'the preview of task typo');
    const text = preview.getText();
    assert.match(text, /\[typo\]\n {2}bash_command: ✗ UndefinedError: 'ds_nodsh' is undefined/);
    assert.doesNotMatch(text, /\[report\]/);
  });

  it('marks an undefined name inside the template string', async () => {
    const document = await openDagFile('dags/templated.py');
    const diagnostic = await waitFor(() => vscode.languages.getDiagnostics(document.uri).find((d) => d.code === 'PF601'), 'PF601');
    assert.equal(document.getText(diagnostic.range), 'ds_nodsh');
    assert.match(diagnostic.message, /Did you mean 'ds_nodash'\?/);
  });

  it('shows a templated string rendered for the next run in a hover', async () => {
    const document = await openDagFile('dags/templated.py');
    const position = document.positionAt(document.getText().indexOf('macros.ds_add') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*bash_command\*\* rendered for the run of \d{4}-\d\d-\d\dT00:30:00\+00:00/);
    assert.match(text, /```\necho \d{4}-\d\d-\d\d \d{4}-\d\d-\d\d\n```/);
  });
});
