import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AirflowRunOutcome, AirflowRunProblem } from '../../src/node/airflowDagsTest';
import type { LocalRunOutcome, LocalRunProblem } from '../../src/node/localRun';
import type { RunHistoryEntry } from '../../src/node/runHistory';
import type { TestItemSnapshot, TestVerdicts } from '../../src/vscode/dagTests';
import { openDagFile, waitFor } from './helpers';

type Outcome = LocalRunOutcome | { problem: LocalRunProblem } | undefined;

async function runDag(relative: string, dagId: string, options: unknown): Promise<LocalRunOutcome> {
  const document = await openDagFile(relative);
  const outcome = await vscode.commands.executeCommand<Outcome>('preflight.runDag', document.uri, dagId, options);
  assert.ok(outcome && 'result' in outcome, `a result, not ${JSON.stringify(outcome)}`);
  return outcome;
}

function states(outcome: LocalRunOutcome): Record<string, Record<string, string>> {
  return Object.fromEntries(outcome.result.runs.map((r) => [r.run_id, Object.fromEntries(r.tasks.map((t) => [t.task_id, t.state]))]));
}

async function testItem(dagId: string, tasks: number): Promise<TestItemSnapshot> {
  return waitFor(async () => {
    const items = await vscode.commands.executeCommand<TestItemSnapshot[]>('preflight.testing.items');
    return items.find((i) => i.label === dagId && i.children.length === tasks);
  }, `the test item of ${dagId} with its ${tasks} tasks`);
}

function verdictsByLabel(item: TestItemSnapshot, verdicts: TestVerdicts): Record<string, { outcome: string; message?: string }> {
  const labels = new Map([[item.id, item.label], ...item.children.map((c) => [c.id, c.label] as const)]);
  return Object.fromEntries(Object.entries(verdicts).map(([id, verdict]) => [labels.get(id) ?? id, verdict]));
}

describe('Run DAG Locally', () => {
  it('runs a catchup range dry from explicit arguments and returns the outcome', async () => {
    const outcome = await runDag('dags/two_dags.py', 'fan_out', { selection: { from: '2024-01-01T00:00:00+00:00', to: '2024-01-03T00:00:00+00:00' }, dry: true });
    assert.equal(outcome.result.mode, 'dry');
    const all = { task1: 'success', task2: 'success', task3: 'success' };
    assert.deepEqual(states(outcome), {
      'scheduled__2024-01-01T00:00:00+00:00': all,
      'scheduled__2024-01-02T00:00:00+00:00': all,
      'scheduled__2024-01-03T00:00:00+00:00': all,
    });
  });

  it('makes one manual run of a DAG without a schedule for the next run', async () => {
    const outcome = await runDag('dags/two_dags.py', 'taskflow_etl', { selection: 'next', dry: true });
    assert.equal(outcome.result.runs.length, 1);
    assert.match(outcome.result.runs[0].run_id, /^manual__/);
    assert.equal(outcome.result.runs[0].state, 'success');
  });

  it('executes Bash tasks for real, with the logical date rendered and the last line pushed as XCom', async () => {
    const outcome = await runDag('dags/bash_tasks.py', 'bash_ok', { selection: { date: '2024-01-02T00:00:00+00:00' }, dry: false });
    assert.equal(outcome.result.mode, 'real');
    const [run] = outcome.result.runs;
    assert.equal(run.run_id, 'scheduled__2024-01-02T00:00:00+00:00');
    assert.equal(run.state, 'success');
    const hello = run.tasks.find((t) => t.task_id === 'hello')!;
    assert.equal(hello.xcom.return_value, 'hello 2024-01-02');
    assert.match(hello.log_tail, /hello 2024-01-02/);
    assert.equal(hello.line, 7);
  });

  it('reports failed, skipped and upstream_failed tasks of a real run', async () => {
    const outcome = await runDag('dags/bash_tasks.py', 'bash_mixed', { selection: 'next' });
    const [run] = outcome.result.runs;
    assert.equal(run.state, 'failed');
    assert.deepEqual(Object.values(states(outcome))[0], { ok: 'success', fails: 'failed', skipped: 'skipped', after_failure: 'upstream_failed' });
  });

  it('keeps each run in the history file in workspace storage', async () => {
    const outcome = await runDag('dags/bash_tasks.py', 'bash_ok', { selection: 'next', dry: true });
    const history = await vscode.commands.executeCommand<{ file: string; entries: RunHistoryEntry[] }>('preflight.runs.history');
    const entry = history.entries.find((e) => e.result?.runs[0]?.run_id === outcome.result.runs[0].run_id && e.mode === 'dry');
    assert.ok(entry, 'the run is in the history');
    assert.equal(entry.status, 'finished');
    assert.deepEqual(entry.tasks.map((t) => t.taskId), ['hello', 'count']);
    const onDisk = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(history.file)))) as { format: number; entries: RunHistoryEntry[] };
    assert.equal(onDisk.format, 1);
    assert.ok(onDisk.entries.some((e) => e.id === entry.id), 'the history file holds the run');
  });

  it('refuses options it cannot read, without running anything', async () => {
    const document = await openDagFile('dags/bash_tasks.py');
    const outcome = await vscode.commands.executeCommand<Outcome>('preflight.runDag', document.uri, 'bash_ok', { selection: { date: 'tomorrow' } });
    assert.equal(outcome, undefined);
  });
});

describe('DAGs in the Testing API', () => {
  it('lists each DAG with its tasks as children, at their lines', async () => {
    await openDagFile('dags/bash_tasks.py');
    const item = await testItem('bash_mixed', 4);
    assert.match(item.uri, /dags\/bash_tasks\.py$/);
    assert.equal(item.line, 11);
    assert.deepEqual(item.children.map((c) => [c.label, c.line]), [['ok', 12], ['fails', 13], ['skipped', 14], ['after_failure', 15]]);
    await testItem('fan_out', 3);
  });

  it('passes every task of a dry run', async () => {
    await openDagFile('dags/bash_tasks.py');
    const item = await testItem('bash_mixed', 4);
    const verdicts = await vscode.commands.executeCommand<TestVerdicts>('preflight.testing.run', [item.id], 'dry');
    assert.deepEqual(verdictsByLabel(item, verdicts), {
      bash_mixed: { outcome: 'passed' }, ok: { outcome: 'passed' }, fails: { outcome: 'passed' }, skipped: { outcome: 'passed' }, after_failure: { outcome: 'passed' },
    });
  });

  it('fails a failed task with its error, skips a skipped one, and names the failed upstream of an upstream_failed one', async () => {
    await openDagFile('dags/bash_tasks.py');
    const item = await testItem('bash_mixed', 4);
    const verdicts = verdictsByLabel(item, await vscode.commands.executeCommand<TestVerdicts>('preflight.testing.run', [item.id], 'run'));
    assert.deepEqual(verdicts.ok, { outcome: 'passed' });
    assert.equal(verdicts.fails.outcome, 'failed');
    assert.match(verdicts.fails.message!, /^AirflowException: .*exit code 3/);
    assert.equal(verdicts.skipped.outcome, 'skipped');
    assert.equal(verdicts.after_failure.outcome, 'failed');
    assert.match(verdicts.after_failure.message!, /^upstream_failed: fails failed \(AirflowException: /);
    assert.equal(verdicts.bash_mixed.outcome, 'failed');
    assert.match(verdicts.bash_mixed.message!, /failed: fails; upstream_failed: after_failure/);
  });

  it('runs the DAG of a single task item and reports only that task', async () => {
    await openDagFile('dags/bash_tasks.py');
    const item = await testItem('bash_ok', 2);
    const hello = item.children.find((c) => c.label === 'hello')!;
    const verdicts = await vscode.commands.executeCommand<TestVerdicts>('preflight.testing.run', [hello.id], 'run');
    assert.deepEqual(verdicts, { [hello.id]: { outcome: 'passed' } });
  });

  it('runs the Python tasks of an example in a worker of python3 and shows the Slack message its failure callback would send', async () => {
    const outcome = await runDag('examples/af2_slack_alert_on_failure.py', 'af2_slack_alert_on_failure', { selection: { date: '2024-01-01T00:00:00+00:00' }, dry: false });
    assert.equal(outcome.structure, 'python');
    const [run] = outcome.result.runs;
    assert.deepEqual(Object.fromEntries(run.tasks.map((t) => [t.task_id, t.state])), { start: 'success', check_input: 'failed' });
    assert.match(run.tasks[1].log_tail, /Checking input for 2024-01-01/);
    const [alert] = outcome.result.alerts;
    assert.equal(alert.kind, 'slack');
    assert.equal(alert.sent, false);
    assert.match(alert.text, /\*Task\*: check_input/);
  });

  it('reports the exception of a Python task as the failed test of that task', async () => {
    await openDagFile('examples/af2_slack_alert_on_failure.py');
    const item = await testItem('af2_slack_alert_on_failure', 2);
    const verdicts = verdictsByLabel(item, await vscode.commands.executeCommand<TestVerdicts>('preflight.testing.run', [item.id], 'run'));
    assert.deepEqual(verdicts.start, { outcome: 'passed' });
    assert.equal(verdicts.check_input.outcome, 'failed');
    assert.match(verdicts.check_input.message!, /^AirflowFailException: Input file is missing/);
  });

  it('imports the DAG with the real Airflow of preflight.pythonPath when it is set', async function () {
    this.timeout(240_000);
    const python = process.env.PREFLIGHT_TEST_AIRFLOW2_PYTHON;
    assert.ok(python, 'the launcher gives the Airflow 2.10 interpreter');
    const config = vscode.workspace.getConfiguration('preflight');
    await config.update('pythonPath', python, vscode.ConfigurationTarget.Workspace);
    try {
      const outcome = await runDag('examples/af2_slack_alert_on_failure.py', 'af2_slack_alert_on_failure', { selection: { date: '2024-01-01T00:00:00+00:00' }, dry: false });
      assert.equal(outcome.airflowInstalled, '2.10.5');
      assert.deepEqual(outcome.result.runs[0].tasks.map((t) => t.state), ['success', 'failed']);
      assert.match(outcome.result.alerts[0].text, /\*Dag\*: af2_slack_alert_on_failure/);
    } finally {
      await config.update('pythonPath', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

describe('Run DAG with Local Airflow', () => {
  type AirflowOutcome = AirflowRunOutcome | { problem: AirflowRunProblem } | undefined;
  const homes: string[] = [];
  const python = process.env.PREFLIGHT_TEST_AIRFLOW2_PYTHON;

  async function runWithAirflow(relative: string, dagId: string, options: unknown): Promise<Exclude<AirflowOutcome, undefined>> {
    const document = await openDagFile(relative);
    const outcome = await vscode.commands.executeCommand<AirflowOutcome>('preflight.runDagWithAirflow', document.uri, dagId, options);
    assert.ok(outcome, 'the command ran');
    return outcome;
  }

  /** A fresh AIRFLOW_HOME, migrated by Airflow itself when asked; asynchronously, so the extension host stays responsive. */
  async function home(migrate: boolean): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-host-airflow-'));
    homes.push(dir);
    if (migrate) {
      await promisify(execFile)(python!, ['-m', 'airflow', 'db', 'migrate'], { env: { ...process.env, AIRFLOW_HOME: dir, AIRFLOW__CORE__LOAD_EXAMPLES: 'False' }, timeout: 300_000 });
    }
    return dir;
  }

  before(async () => {
    assert.ok(python, 'the launcher gives the Airflow 2.10 interpreter');
    await vscode.workspace.getConfiguration('preflight').update('pythonPath', python, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('preflight').update('pythonPath', undefined, vscode.ConfigurationTarget.Workspace);
    homes.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('runs the DAG with dag.test() of Airflow 2.10 and keeps the run in the history as Airflow\'s', async function () {
    this.timeout(300_000);
    const outcome = await runWithAirflow('examples/af2_once_debug.py', 'af2_once_debug', { date: '2024-01-01T00:00:00+00:00', airflowHome: await home(true) });
    assert.ok(!('problem' in outcome), 'problem' in outcome ? outcome.problem.message : '');
    assert.equal(outcome.airflowVersion, '2.10.5');
    const [run] = outcome.result.runs;
    assert.equal(run.state, 'success');
    assert.deepEqual(Object.fromEntries(run.tasks.map((t) => [t.task_id, t.state])), { print_context: 'success', say_hello: 'success' });
    assert.equal(run.tasks.find((t) => t.task_id === 'say_hello')?.xcom.return_value, `hello from af2_once_debug, run ${run.run_id}`);
    const history = await vscode.commands.executeCommand<{ entries: RunHistoryEntry[] }>('preflight.runs.history');
    const entry = history.entries.find((e) => e.result?.runs[0]?.run_id === run.run_id && e.engine === 'airflow');
    assert.ok(entry, 'the run is in the history, marked as made by Airflow');
    assert.equal(entry.status, 'finished');
  });

  it('says how to migrate an AIRFLOW_HOME that has no metadata database, and records no run', async function () {
    this.timeout(120_000);
    const empty = await home(false);
    const before = (await vscode.commands.executeCommand<{ entries: RunHistoryEntry[] }>('preflight.runs.history')).entries.length;
    const outcome = await runWithAirflow('examples/af2_once_debug.py', 'af2_once_debug', { date: '2024-01-01T00:00:00+00:00', airflowHome: empty });
    assert.ok('problem' in outcome, 'a problem, not a run');
    assert.equal(outcome.problem.command, `AIRFLOW_HOME=${empty} ${python} -m airflow db migrate`);
    const after = (await vscode.commands.executeCommand<{ entries: RunHistoryEntry[] }>('preflight.runs.history')).entries.length;
    assert.equal(after, before);
  });
});
