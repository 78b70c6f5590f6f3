import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openDagFile, waitFor, workspaceFile } from './helpers';

function preflightDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Airflow Preflight');
}

/** The position just after the first occurrence of `text` in the document (or at its start). */
function positionOf(document: vscode.TextDocument, text: string, offsetInText = 0): vscode.Position {
  const index = document.getText().indexOf(text);
  assert.ok(index >= 0, `${text} is in the document`);
  return document.positionAt(index + offsetInText);
}

describe('Language features in the editor', () => {
  it('reports diagnostics with codes at the exact range', async () => {
    const document = await openDagFile('dags/needs_fixes.py');
    const diagnostics = await waitFor(() => {
      const found = preflightDiagnostics(document.uri);
      return found.length >= 2 ? found : undefined;
    }, 'diagnostics of needs_fixes.py');
    const shown = diagnostics.map((d) => `${d.code} ${document.getText(d.range)}`).sort();
    assert.deepEqual(shown, ['PF101 "retires"', 'PF401 schedule_interval']);
    const pf401 = diagnostics.find((d) => d.code === 'PF401')!;
    assert.equal(pf401.severity, vscode.DiagnosticSeverity.Error, 'the file is read as Airflow 3, where schedule_interval is gone');
  });

  it('applies a quick fix that renames a misspelled default_args key', async () => {
    const document = await openDagFile('dags/needs_fixes.py');
    const diagnostic = await waitFor(() => preflightDiagnostics(document.uri).find((d) => d.code === 'PF101'), 'PF101');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
    const fix = actions.find((a) => a.title === "Rename to 'retries'");
    assert.ok(fix?.edit, `the fix is offered among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(fix.isPreferred);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(document.getText(), /default_args = \{"owner": "data", "retries": 2\}/);
    await waitFor(() => !preflightDiagnostics(document.uri).some((d) => d.code === 'PF101'), 'PF101 to go away after the fix');
    await document.save();
  });

  it('shows the effective value of a default_args key for every task in a hover', async () => {
    const document = await openDagFile('dags/needs_fixes.py');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, '"owner"', 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /owner \(default_args\)/);
    assert.match(text, /\| extract \| `"data"` \| DAG default_args \|/);
  });

  it('completes operator arguments and trigger rules', async () => {
    const document = await openDagFile('dags/needs_fixes.py');
    const editor = vscode.window.activeTextEditor!;
    const at = positionOf(document, 'retries=5', 'retries=5'.length);
    await editor.edit((e) => e.insert(at, ', trigger_rule="one_'));
    const position = at.translate(0, ', trigger_rule="one_'.length);
    const rules = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
    const labels = rules.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(['one_success', 'one_failed', 'one_done'].every((l) => labels.includes(l)), labels.slice(0, 20).join(', '));

    await editor.edit((e) => e.insert(position, 'success", '));
    const argumentPosition = position.translate(0, 'success", '.length);
    const args = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, argumentPosition);
    const argumentLabels = args.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(argumentLabels.includes('execution_timeout') && argumentLabels.includes('env'), argumentLabels.slice(0, 20).join(', '));
    assert.ok(!argumentLabels.includes('task_id'), 'arguments already written are not offered again');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('goes from a task variable to the call that creates it', async () => {
    const document = await openDagFile('dags/needs_fixes.py');
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider', document.uri, positionOf(document, 'extract >> load', 1));
    const ranges = locations.map((l) => ('targetRange' in l ? l.targetRange : l.range));
    assert.ok(ranges.some((r) => document.getText(r).startsWith('BashOperator(task_id="extract"')));
  });

  it('puts Run locally and Graph above each DAG, and both commands answer', async () => {
    const document = await openDagFile('dags/two_dags.py');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
    const titles = lenses.map((l) => l.command?.title);
    assert.deepEqual(titles.filter((t) => t === '▶ Run locally').length, 2);
    assert.deepEqual(titles.filter((t) => t === 'Graph').length, 2);
    // The lens gives (uri, dagId); the options the questions would ask are added, so that nothing waits for a person.
    for (const lens of lenses.filter((l) => l.command?.command === 'preflight.runDag')) {
      const outcome = await vscode.commands.executeCommand<{ result?: { dag_id: string } }>(lens.command!.command, ...(lens.command!.arguments ?? []), { selection: 'next', dry: true });
      assert.equal(outcome?.result?.dag_id, lens.command!.arguments![1]);
    }
  });

  it('shows the next run in Seoul time above a scheduled DAG, and its preview opens', async () => {
    const document = await openDagFile('dags/two_dags.py');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
    const next = lenses.map((l) => l.command).filter((c) => c?.command === 'preflight.previewSchedule');
    assert.deepEqual(next.map((c) => c!.title.replace(/\d/g, '9')), ['Next run: 9999-99-99 99:99 Asia/Seoul (9999-99-99 99:99 UTC)', 'Not scheduled']);
    await vscode.commands.executeCommand(next[0]!.command, ...(next[0]!.arguments ?? []));
    const tab = await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Schedule: fan_out'), 'the schedule preview');
    await vscode.window.tabGroups.close(tab);
  });

  it('describes a schedule and its next runs in a hover', async () => {
    const document = await openDagFile('dags/two_dags.py');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, '"@daily"', 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /At 00:00 \(UTC time\)\*\* — CronTriggerTimetable/);
    assert.match(text, /\| runs at \(Asia\/Seoul\) \|/);
  });

  it('reports a dag_id defined in another file, and stops when that file changes', async () => {
    const otherUri = workspaceFile('dags/shared_id_b.py');
    await vscode.workspace.fs.writeFile(otherUri, new TextEncoder().encode(
      'from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\nwith DAG("shared_id", schedule=None):\n    EmptyOperator(task_id="b")\n'));
    const document = await openDagFile('dags/shared_id_a.py');
    const duplicate = await waitFor(() => preflightDiagnostics(document.uri).find((d) => d.code === 'PF302'), 'PF302 for shared_id');
    assert.match(duplicate.message, /shared_id_b\.py/);
    await vscode.workspace.fs.writeFile(otherUri, new TextEncoder().encode(
      'from airflow.sdk import DAG\nwith DAG("renamed_id", schedule=None):\n    pass\n'));
    await waitFor(() => !preflightDiagnostics(document.uri).some((d) => d.code === 'PF302'), 'PF302 to go away');
  });
});
