// The deployment commands in the real extension host, against a real Airflow 2.10 server started
// on 127.0.0.1 (test/shared/airflowServers.ts): the profile comes from `preflight.deployments`, the
// password goes to secret storage through the command, Check DAG on Deployment compares the
// deployment's copy with the file, and Trigger DAG on Deployment follows the run into the run
// history that the Runs view and the DAG panel read, with its log and XComs.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as vscode from 'vscode';
import type { describeCheck } from '../../src/core/remote/diff';
import type { RemoteDagRun } from '../../src/core/remote/api';
import { AirflowClient } from '../../src/node/airflowApi';
import type { RunHistoryEntry } from '../../src/node/runHistory';
import { eventually, startAirflow2, stopAllServers, type Server } from '../shared/airflowServers';
import { openDagFile, waitFor, workspaceFile } from './helpers';

const DEPLOYMENT = 'local-2.10';
const DAG_FILE = 'examples/af2_once_debug.py';
const DAG_ID = 'af2_once_debug';

describe('Airflow deployments', () => {
  let server: Server | undefined;

  before(async function () {
    this.timeout(240_000);
    const python = process.env.PREFLIGHT_TEST_AIRFLOW2_PYTHON;
    assert.ok(python, 'the launcher gives the Airflow 2.10 interpreter');
    server = await startAirflow2(python, workspaceFile(DAG_FILE).fsPath);
    const client = new AirflowClient({ baseUrl: server.url, api: 'v1', credentials: { kind: 'basic', username: server.username, password: server.password }, timeoutMs: 20_000, retries: 2 });
    await eventually(`${DAG_ID} is parsed by the deployment`, server, 150_000, async () => (await client.listDags()).find((d) => d.dagId === DAG_ID));
    // Triggering a paused DAG asks in a modal dialog, which a test cannot answer.
    await client.setPaused(DAG_ID, false);
    await vscode.workspace.getConfiguration('preflight').update('deployments', [{ name: DEPLOYMENT, url: server.url, api: 'v1', username: server.username }], vscode.ConfigurationTarget.Workspace);
  });

  after(async function () {
    this.timeout(60_000);
    await vscode.workspace.getConfiguration('preflight').update('deployments', undefined, vscode.ConfigurationTarget.Workspace);
    await stopAllServers();
    if (server) rmSync(server.home, { recursive: true, force: true });
  });

  it('keeps the password in secret storage and finds the deployment\'s copy of the DAG the same as the file', async function () {
    this.timeout(60_000);
    assert.equal(await vscode.commands.executeCommand<boolean>('preflight.remote.setCredentials', DEPLOYMENT, { password: server!.password }), true);
    const document = await openDagFile(DAG_FILE);
    const check = await vscode.commands.executeCommand<ReturnType<typeof describeCheck> | undefined>('preflight.remote.checkDag', document.uri, DAG_ID, DEPLOYMENT);
    assert.ok(check, 'the check answers');
    assert.equal(check.ok, true, check.lines.join('; '));
    const settings = JSON.stringify(vscode.workspace.getConfiguration('preflight').inspect('deployments'));
    assert.ok(!settings.includes(server!.password), 'the password is not in settings');
  });

  it('triggers the DAG with conf and follows its run to success into the run history, with its XComs and log', async function () {
    this.timeout(240_000);
    const document = await openDagFile(DAG_FILE);
    const run = await vscode.commands.executeCommand<RemoteDagRun | undefined>('preflight.remote.triggerDag', document.uri, DAG_ID, DEPLOYMENT, { source: 'host' });
    assert.ok(run, 'the run was triggered');
    assert.deepEqual(run.conf, { source: 'host' });
    const entry = await waitFor(async () => {
      const history = await vscode.commands.executeCommand<{ entries: RunHistoryEntry[] }>('preflight.runs.history');
      return history.entries.find((e) => e.remote?.runId === run.runId && e.status === 'finished');
    }, `the run ${run.runId} followed to its end`, 200_000);
    assert.equal(entry.remote?.deployment, DEPLOYMENT);
    const [finished] = entry.result!.runs;
    assert.equal(finished.state, 'success', JSON.stringify(finished));
    assert.deepEqual(Object.fromEntries(finished.tasks.map((t) => [t.task_id, t.state])), { print_context: 'success', say_hello: 'success' });
    assert.equal(finished.tasks.find((t) => t.task_id === 'print_context')?.xcom.return_value, 'context printed');
    assert.match(finished.tasks.find((t) => t.task_id === 'say_hello')!.log_tail, /hello from af2_once_debug, run manual__/);
  });
});
