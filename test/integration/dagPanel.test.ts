import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LocalRunOutcome } from '../../src/node/localRun';
import { isHostMessage, type HostMessage } from '../../webview/protocol';
import { openDagFile, waitFor, workspaceFile } from './helpers';

function dagPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('DAG: '));
}

/** A panel of the DAG panel's type as VS Code makes one when it restores a panel after a reload, before the serializer gets it. */
function panelToRestore(): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel('preflight.dag', 'restoring', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {});
}

async function lastMessage<T extends HostMessage['type']>(uri: vscode.Uri, dagId: string, type: T): Promise<Extract<HostMessage, { type: T }> | undefined> {
  return vscode.commands.executeCommand('preflight.dagPanel.lastMessage', uri.toString(), dagId, type);
}

describe('DAG panel', () => {
  afterEach(async () => {
    await vscode.window.tabGroups.close(dagPanelTabs());
  });

  it('opens one panel per DAG beside the DAG file from the command palette', async () => {
    const document = await openDagFile('dags/two_dags.py');
    await vscode.commands.executeCommand('preflight.showDag', document.uri, 'fan_out');
    await vscode.commands.executeCommand('preflight.showDag', document.uri, 'fan_out');
    const [tab] = await waitFor(() => (dagPanelTabs().length > 0 ? dagPanelTabs() : undefined), 'the DAG panel');
    assert.equal(tab.label, 'DAG: fan_out');
    assert.equal(dagPanelTabs().length, 1, 'showing the DAG again reveals its panel');
  });

  it('says what to do instead of failing when the active file is not a DAG file', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'not_a_dag.py'));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('preflight.showDag');
    assert.deepEqual(dagPanelTabs(), []);
  });

  it('sends the page the graph, then the final states of a run of the example DAG', async () => {
    const document = await openDagFile('examples/af3_task_group.py');
    await vscode.commands.executeCommand('preflight.showDag', document.uri);
    // The host answers the page's `ready`: the graph arriving proves the page loaded under its CSP.
    const graph = await waitFor(() => lastMessage(document.uri, 'af3_task_group', 'graph'), 'the graph message');
    assert.ok(isHostMessage(graph));
    assert.deepEqual(graph.graph?.tasks.map((t) => t.taskId), ['start', 'group.extract', 'group.transform', 'group.validate', 'end']);

    const outcome = await vscode.commands.executeCommand<LocalRunOutcome>('preflight.runDag', document.uri, 'af3_task_group', { selection: { date: '2024-01-01T00:00:00+00:00' }, dry: true });
    const [run] = outcome.result.runs;
    const expected = Object.fromEntries(run.tasks.map((t) => [t.task_id, t.state]));
    const runs = await waitFor(async () => {
      const message = await lastMessage(document.uri, 'af3_task_group', 'runs');
      const column = message?.runs.find((r) => r.runId === run.run_id && !r.live);
      return column && message;
    }, 'the finished run in a runs message');
    assert.ok(isHostMessage(runs));
    const column = runs.runs.find((r) => r.runId === run.run_id)!;
    assert.deepEqual(Object.fromEntries(Object.entries(column.cells).map(([taskId, cell]) => [taskId, cell.state])), expected);
    assert.ok(Object.values(expected).every((state) => state === 'success'), 'a dry run succeeds everywhere');
  });

  // A window reload would end the test run, so the panel serializer's own code gets a fresh panel and a saved state instead.
  it('restores a panel from the state its page saved: it shows the DAG again', async () => {
    const document = await openDagFile('examples/af3_task_group.py');
    const panel = panelToRestore();
    const state = { target: { uri: document.uri.toString(), dagId: 'af3_task_group' }, direction: 'TB', expandGroups: false, zoom: { k: 0.5, x: 10, y: 20 } };
    await vscode.commands.executeCommand('preflight.dagPanel.restore', panel, state);
    assert.equal(panel.title, 'DAG: af3_task_group');
    // The page asks for its graph once it has loaded in the restored panel; the answer proves both ends work.
    const graph = await waitFor(() => lastMessage(document.uri, 'af3_task_group', 'graph'), 'the graph message of the restored panel');
    assert.ok(isHostMessage(graph));
    assert.deepEqual(graph.target, state.target);
    assert.deepEqual(graph.graph?.tasks.map((t) => t.taskId), ['start', 'group.extract', 'group.transform', 'group.validate', 'end']);
    assert.ok(await waitFor(() => lastMessage(document.uri, 'af3_task_group', 'runs'), 'the runs message of the restored panel'));

    // Restoring a second panel of the same DAG keeps the first as the only one.
    const second = panelToRestore();
    let secondDisposed = false;
    second.onDidDispose(() => (secondDisposed = true));
    await vscode.commands.executeCommand('preflight.dagPanel.restore', second, state);
    assert.equal(secondDisposed, true);
    assert.equal(dagPanelTabs().length, 1);
  });

  it('says so in a restored panel whose saved state names no DAG, from an older version or damaged', async () => {
    await openDagFile('examples/af3_task_group.py');
    const states = [undefined, null, 'af3_task_group', { direction: 'LR' }, { target: { uri: 42, dagId: 'af3_task_group' } }, { target: { uri: 'no scheme at all', dagId: 'x' } }];
    const panels: vscode.WebviewPanel[] = [];
    try {
      for (const state of states) {
        const panel = panelToRestore();
        panels.push(panel);
        await vscode.commands.executeCommand('preflight.dagPanel.restore', panel, state);
        assert.equal(panel.title, 'DAG panel (not restored)', JSON.stringify(state));
        assert.match(panel.webview.html, /This DAG panel cannot be restored: the state it was saved with does not say which DAG it showed/);
        assert.doesNotMatch(panel.webview.html, /<script/);
      }
      // The panels stay open, saying why, until the user closes them; closing one before the workbench has shown it races the workbench.
      const unrestored = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'DAG panel (not restored)');
      await waitFor(() => unrestored().length === states.length, 'a tab for each panel that was not restored');
    } finally {
      panels.forEach((panel) => panel.dispose());
    }
  });

  it('restores a panel whose DAG file was deleted since: it says the file no longer defines the DAG', async () => {
    await openDagFile('examples/af3_task_group.py');
    const gone = workspaceFile('dags/deleted_since_the_reload.py');
    const panel = panelToRestore();
    await vscode.commands.executeCommand('preflight.dagPanel.restore', panel, { target: { uri: gone.toString(), dagId: 'gone' }, direction: 'LR', expandGroups: false });
    const graph = await waitFor(() => lastMessage(gone, 'gone', 'graph'), 'the graph message of the restored panel');
    assert.equal(graph.graph, null);
    assert.equal(panel.title, 'DAG: gone');
  });
});
