import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openDagFile, waitFor } from './helpers';

function dagPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('DAG: '));
}

describe('DAG panel', () => {
  afterEach(async () => {
    await vscode.window.tabGroups.close(dagPanelTabs());
  });

  it('opens beside the DAG file from the command palette', async () => {
    await openDagFile('dags/two_dags.py');
    await vscode.commands.executeCommand('preflight.showDag');
    const [tab] = await waitFor(() => (dagPanelTabs().length > 0 ? dagPanelTabs() : undefined), 'the DAG panel');
    assert.equal(tab.label, 'DAG: dags/two_dags.py');
  });

  it('says what to do instead of failing when the active file is not a DAG file', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'not_a_dag.py'));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('preflight.showDag');
    assert.deepEqual(dagPanelTabs(), []);
  });
});
