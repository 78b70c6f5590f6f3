import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LocalRunOutcome } from '../../src/node/localRun';
import { isHostMessage, type HostMessage } from '../../webview/protocol';
import { openDagFile, waitFor } from './helpers';

function dagPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('DAG: '));
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
});
