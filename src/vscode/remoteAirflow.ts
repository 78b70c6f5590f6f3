// Airflow deployments in the editor: connection profiles from `preflight.deployments`, credentials in
// VS Code's secret storage (never in settings), and commands that check the DAG in the editor
// against a deployment, trigger it there with conf, follow the run into the Runs view, the graph and
// the grid, and clear one of its tasks. The work is done by src/node/airflowApi.ts; this is the glue.
import * as vscode from 'vscode';
import type { RemoteDagRun, RemoteTaskInstance } from '../core/remote/api';
import { describeCheck } from '../core/remote/diff';
import { parseProfiles, type Credentials, type DeploymentProfile } from '../core/remote/profile';
import { progressEvents, remoteRunResult, type RemoteTaskDetails } from '../core/remote/runResult';
import { FINISHED_STATES } from '../core/sim/types';
import { AirflowApiError, AirflowClient, type RunProgress } from '../node/airflowApi';
import type { HistoryTask } from '../node/runHistory';
import type { DocumentAnalyses } from './analyses';
import { askDagChoice, type DagChoice } from './runQuestions';
import type { RunStore } from './runStore';

/** How often a followed run is polled, and how long it is followed before the editor gives up. */
const POLL_MS = 3000;
const FOLLOW_LIMIT_MS = 6 * 60 * 60 * 1000;
/** The tail of each task's log kept with a finished remote run, as a local run keeps its own. */
const LOG_TAIL_CHARS = 16 * 1024;

/** The deployments of `preflight.deployments`, read once and again only when the setting changes. */
class DeploymentSettings implements vscode.Disposable {
  private current: DeploymentProfile[];
  private readonly subscription: vscode.Disposable;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('preflight.deployments')) this.current = this.read();
    });
  }

  get profiles(): readonly DeploymentProfile[] {
    return this.current;
  }

  private read(): DeploymentProfile[] {
    const { profiles, problems } = parseProfiles(vscode.workspace.getConfiguration('preflight').get<unknown>('deployments', []));
    for (const problem of problems) this.output.warn(`preflight.deployments: ${problem}`);
    return profiles;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * Credentials by deployment, in secret storage. The key holds the URL too, so that a profile whose
 * URL is changed to another host never sends that host the old host's password.
 */
class DeploymentSecrets {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(profile: DeploymentProfile): string {
    return `preflight.deployment:${profile.name}:${profile.baseUrl}`;
  }

  async get(profile: DeploymentProfile): Promise<Credentials> {
    const stored = await this.secrets.get(this.key(profile));
    if (!stored) return { kind: 'none' };
    try {
      const value = JSON.parse(stored) as { username?: unknown; password?: unknown; token?: unknown };
      if (profile.auth === 'token' && typeof value.token === 'string') return { kind: 'token', token: value.token };
      if (profile.auth === 'basic' && typeof value.password === 'string') {
        return { kind: 'basic', username: profile.username ?? (typeof value.username === 'string' ? value.username : ''), password: value.password };
      }
    } catch {
      // Not ours or damaged: ask again.
    }
    return { kind: 'none' };
  }

  async set(profile: DeploymentProfile, value: { readonly username?: string; readonly password?: string; readonly token?: string }): Promise<void> {
    await this.secrets.store(this.key(profile), JSON.stringify(value));
  }
}

function historyTasks(target: DagChoice): HistoryTask[] {
  return target.dag.tasks.map((t) => ({ taskId: t.taskId, upstream: t.upstream, downstream: t.downstream, line: target.document.positionAt(t.range.from).line + 1 }));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the Runs view and the DAG panel pass for a task instance. */
interface TaskInstanceNode {
  readonly entryId: string;
  readonly runId: string;
  readonly taskId: string;
}

class RemoteAirflow {
  private readonly secrets: DeploymentSecrets;

  constructor(
    private readonly settings: DeploymentSettings,
    secretStorage: vscode.SecretStorage,
    private readonly analyses: DocumentAnalyses,
    private readonly store: RunStore,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.secrets = new DeploymentSecrets(secretStorage);
  }

  private async askDeployment(title: string, name?: unknown): Promise<DeploymentProfile | undefined> {
    const profiles = this.settings.profiles;
    if (typeof name === 'string') {
      const named = profiles.find((p) => p.name === name);
      if (!named) void vscode.window.showErrorMessage(`Airflow Preflight: no deployment named '${name}' in preflight.deployments.`);
      return named;
    }
    if (profiles.length === 0) {
      const choice = await vscode.window.showInformationMessage('Airflow Preflight: add a deployment to the preflight.deployments setting first (a name and the URL of its API server).', 'Open Settings');
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'preflight.deployments');
      return undefined;
    }
    if (profiles.length === 1) return profiles[0];
    const picked = await vscode.window.showQuickPick(profiles.map((p) => ({ label: p.name, description: p.baseUrl, profile: p })), { title, placeHolder: 'Which deployment?', ignoreFocusOut: true });
    return picked?.profile;
  }

  private askDag(title: string, uri?: unknown, dagId?: unknown): Promise<DagChoice | undefined> {
    return askDagChoice(this.analyses, uri, dagId, { title, onDisk: false });
  }

  private async client(profile: DeploymentProfile): Promise<AirflowClient | undefined> {
    let credentials = await this.secrets.get(profile);
    if (credentials.kind === 'none') {
      const choice = await vscode.window.showWarningMessage(`Airflow Preflight: no credentials for ${profile.name} yet.`, 'Set Credentials', 'Continue Without');
      if (choice === 'Set Credentials') {
        if (!(await this.setCredentials(profile.name))) return undefined;
        credentials = await this.secrets.get(profile);
      } else if (choice !== 'Continue Without') {
        return undefined;
      }
    }
    return new AirflowClient({
      baseUrl: profile.baseUrl, api: profile.api, credentials, timeoutMs: profile.timeoutMs, retries: profile.retries,
      log: (line) => this.output.debug(`${profile.name}: ${line}`),
    });
  }

  private fail(profile: DeploymentProfile, error: unknown): void {
    const text = errorText(error);
    this.output.error(`${profile.name}: ${text}`);
    const actions = error instanceof AirflowApiError && (error.kind === 'unauthorized' || error.kind === 'forbidden') ? ['Set Credentials'] : [];
    void vscode.window.showErrorMessage(`Airflow Preflight: ${text}`, ...actions).then((choice) => {
      if (choice === 'Set Credentials') void this.setCredentials(profile.name);
    });
  }

  /**
   * `preflight.remote.setCredentials(name?, credentials?)`: a password (and user name, if the profile
   * has none) or a token, into secret storage. Scripts and tests pass `{ username?, password }` or
   * `{ token }`; command arguments are not logged or kept by VS Code.
   */
  async setCredentials(name?: unknown, given?: unknown): Promise<boolean> {
    const profile = await this.askDeployment('Set Deployment Credentials', name);
    if (!profile) return false;
    if (given !== undefined) {
      const value = typeof given === 'object' && given !== null ? (given as Record<string, unknown>) : {};
      const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
      const credentials = profile.auth === 'token' ? { token: text('token') } : { username: text('username') ?? profile.username, password: text('password') };
      if (Object.values(credentials).some((v) => v === undefined)) {
        void vscode.window.showErrorMessage(`Airflow Preflight: the credentials for ${profile.name} need ${profile.auth === 'token' ? 'a token' : 'a user name and a password'}.`);
        return false;
      }
      await this.secrets.set(profile, credentials);
      return true;
    }
    if (profile.auth === 'token') {
      const token = await vscode.window.showInputBox({ title: `Token for ${profile.name}`, prompt: profile.baseUrl, password: true, ignoreFocusOut: true });
      if (!token) return false;
      await this.secrets.set(profile, { token });
    } else {
      const username = profile.username ?? (await vscode.window.showInputBox({ title: `User name for ${profile.name}`, prompt: profile.baseUrl, ignoreFocusOut: true }));
      if (!username) return false;
      const password = await vscode.window.showInputBox({ title: `Password of ${username} on ${profile.name}`, prompt: profile.baseUrl, password: true, ignoreFocusOut: true });
      if (password === undefined) return false;
      await this.secrets.set(profile, { username, password });
    }
    void vscode.window.showInformationMessage(`Airflow Preflight: credentials for ${profile.name} are kept in VS Code's secret storage.`);
    return true;
  }

  /** `preflight.remote.checkDag(uri?, dagId?, deployment?)`: whether the deployment has the DAG as the file has it. */
  async checkDag(uri?: unknown, dagId?: unknown, deployment?: unknown): Promise<ReturnType<typeof describeCheck> | undefined> {
    const target = await this.askDag('Check DAG on Deployment', uri, dagId);
    const profile = target && (await this.askDeployment('Check DAG on Deployment', deployment));
    const client = profile && (await this.client(profile));
    if (!target || !profile || !client) return undefined;
    try {
      const check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Checking ${target.dag.dagId} on ${profile.name}` },
        () => client.checkDag(target.dag.dagId, target.document.uri.fsPath, target.dag.tasks));
      const described = describeCheck(check);
      for (const line of described.lines) this.output.info(`${profile.name}: ${line}`);
      for (const error of check.importErrors) this.output.error(`${profile.name}: import error in ${error.filename}:\n${error.stackTrace}`);
      const message = `Airflow Preflight (${profile.name}): ${described.lines.join('; ')}`;
      if (described.ok) void vscode.window.showInformationMessage(message);
      else void vscode.window.showWarningMessage(message, 'Show Output').then((choice) => choice && this.output.show(true));
      return described;
    } catch (error) {
      this.fail(profile, error);
      return undefined;
    }
  }

  /** `preflight.remote.triggerDag(uri?, dagId?, deployment?, conf?)`: triggers the DAG with conf and follows the run. */
  async triggerDag(uri?: unknown, dagIdArgument?: unknown, deployment?: unknown, confArgument?: unknown): Promise<RemoteDagRun | undefined> {
    const target = await this.askDag('Trigger DAG on Deployment', uri, dagIdArgument);
    const profile = target && (await this.askDeployment('Trigger DAG on Deployment', deployment));
    const client = profile && (await this.client(profile));
    if (!target || !profile || !client) return undefined;
    const conf = typeof confArgument === 'object' && confArgument !== null && !Array.isArray(confArgument) ? (confArgument as Record<string, unknown>) : await askConf(target.dag.dagId);
    if (!conf) return undefined;
    const dagId = target.dag.dagId;
    try {
      const check = await client.checkDag(dagId, target.document.uri.fsPath, target.dag.tasks);
      const described = describeCheck(check);
      if (!check.known) {
        this.fail(profile, new Error(described.lines.join('; ')));
        return undefined;
      }
      // A deployment running another version of the DAG is worth knowing before its run is read as this file's.
      if (!described.ok) {
        const goOn = await vscode.window.showWarningMessage(`Airflow Preflight (${profile.name}): ${described.lines.join('; ')}`, { modal: true }, 'Trigger Anyway');
        if (goOn !== 'Trigger Anyway') return undefined;
      }
      let unpause = false;
      if (check.paused) {
        const choice = await vscode.window.showWarningMessage(`${dagId} is paused on ${profile.name}: a triggered run stays queued until the DAG is unpaused.`, { modal: true }, 'Unpause and Trigger', 'Trigger Paused');
        if (!choice) return undefined;
        unpause = choice === 'Unpause and Trigger';
      }
      const { run, paused } = await client.trigger(dagId, { conf, unpause });
      this.output.info(`${profile.name}: triggered ${dagId} as ${run.runId}${paused ? ' (the DAG is paused: the run waits)' : ''}`);
      void this.follow(profile, client, dagId, target.document.uri.fsPath, run, historyTasks(target));
      return run;
    } catch (error) {
      this.fail(profile, error);
      return undefined;
    }
  }

  /**
   * `preflight.remote.clearTask(node)`: clears a task of a remote run on its deployment (with its
   * downstream tasks) and follows the run again.
   */
  async clearTask(node?: TaskInstanceNode): Promise<string[] | undefined> {
    const entry = node ? this.store.entry(node.entryId) : undefined;
    if (!node || !entry?.remote) {
      void vscode.window.showInformationMessage('Airflow Preflight: choose a task of a run on a deployment, in the Runs view or the DAG panel.');
      return undefined;
    }
    const profile = this.settings.profiles.find((p) => p.name === entry.remote!.deployment && p.baseUrl === entry.remote!.baseUrl);
    if (!profile) {
      void vscode.window.showErrorMessage(`Airflow Preflight: the deployment ${entry.remote.deployment} (${entry.remote.baseUrl}) is no longer in preflight.deployments.`);
      return undefined;
    }
    const answer = await vscode.window.showWarningMessage(`Clear ${node.taskId} and its downstream tasks in ${node.runId} on ${profile.name}?`, { modal: true, detail: 'They run again on the deployment.' }, 'Clear');
    if (answer !== 'Clear') return undefined;
    const client = await this.client(profile);
    if (!client) return undefined;
    try {
      const cleared = await client.clearTasks(entry.dagId, node.runId, [node.taskId], true);
      this.output.info(`${profile.name}: cleared ${cleared.join(', ')} in ${node.runId}`);
      void this.follow(profile, client, entry.dagId, entry.file, await client.dagRun(entry.dagId, node.runId), entry.tasks, { runId: node.runId, taskId: node.taskId, tasks: cleared });
      return cleared;
    } catch (error) {
      this.fail(profile, error);
      return undefined;
    }
  }

  /** Follows a remote run into the RunStore as a live run, and keeps its result (logs, XComs) once it ends. */
  private async follow(profile: DeploymentProfile, client: AirflowClient, dagId: string, file: string, run: RemoteDagRun, tasks: readonly HistoryTask[], cleared?: { runId: string; taskId: string; tasks: readonly string[] }): Promise<void> {
    const entry = await this.store.begin({
      dagId,
      file,
      mode: 'real',
      selection: { kind: 'date', logicalDate: Date.parse(run.logicalDate ?? run.start ?? new Date().toISOString()) },
      conf: run.conf,
      tasks,
      remote: { deployment: profile.name, baseUrl: profile.baseUrl, runId: run.runId },
      ...(cleared ? { cleared } : {}),
    });
    let previous: RunProgress | undefined;
    const abort = new AbortController();
    try {
      const done = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Airflow Preflight: ${dagId} on ${profile.name}`, cancellable: true },
        async (progress, token) => {
          const cancellation = token.onCancellationRequested(() => abort.abort());
          try {
            return await client.follow(dagId, run.runId, {
              intervalMs: POLL_MS,
              timeoutMs: FOLLOW_LIMIT_MS,
              signal: abort.signal,
              onUpdate: (update) => {
                for (const event of progressEvents(previous, update)) this.store.record(entry.id, event);
                previous = update;
                const active = update.tasks.filter((t) => !FINISHED_STATES.has(t.state) && t.state !== 'none').map((t) => t.taskId);
                progress.report({ message: `${update.run.state}${active.length > 0 ? `: ${active.join(', ')}` : ''}` });
              },
            });
          } finally {
            cancellation.dispose();
          }
        },
      );
      const details = await this.details(client, dagId, run.runId, done.tasks);
      const result = remoteRunResult(await client.apiVersion(), done.run, done.tasks, details, tasks.map((t) => t.taskId));
      await this.store.finish(entry.id, { result, dag: { tasks } });
      const text = `${dagId} ${done.run.state} on ${profile.name} (${done.run.runId})`;
      this.output.info(`${profile.name}: ${text}`);
      if (done.run.state === 'success') void vscode.window.showInformationMessage(`Airflow Preflight: ${text}`);
      else void vscode.window.showErrorMessage(`Airflow Preflight: ${text}`);
    } catch (error) {
      // The run goes on on the deployment: what was seen of it stays in the history.
      if (previous) {
        const result = remoteRunResult(await client.apiVersion(), previous.run, previous.tasks, new Map(), tasks.map((t) => t.taskId));
        await this.store.finish(entry.id, { result, dag: { tasks } });
      } else {
        await this.store.discard(entry.id);
      }
      if (!(error instanceof AirflowApiError && error.kind === 'cancelled')) this.fail(profile, error);
      else this.output.info(`${profile.name}: stopped following ${run.runId}; it goes on on the deployment`);
    }
  }

  /** Each finished task's log tail (its last try) and XComs; what cannot be read is logged and left out. */
  private async details(client: AirflowClient, dagId: string, runId: string, tasks: readonly RemoteTaskInstance[]): Promise<Map<string, RemoteTaskDetails>> {
    const details = new Map<string, RemoteTaskDetails>();
    for (const task of tasks.filter((t) => t.mapIndex < 0 && t.tryNumber > 0)) {
      try {
        const log = await client.log(dagId, runId, task.taskId, task.tryNumber);
        const xcom: Record<string, unknown> = {};
        for (const key of await client.xcomKeys(dagId, runId, task.taskId)) xcom[key] = (await client.xcom(dagId, runId, task.taskId, key)).value;
        details.set(task.taskId, { logTail: log.slice(-LOG_TAIL_CHARS), xcom });
      } catch (error) {
        this.output.warn(`cannot read the log or XComs of ${task.taskId} in ${runId}: ${errorText(error)}`);
      }
    }
    return details;
  }
}

async function askConf(dagId: string): Promise<Record<string, unknown> | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Trigger ${dagId}: dag_run.conf`,
    value: '{}',
    prompt: 'A JSON object',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? undefined : 'conf must be a JSON object';
      } catch (error) {
        return `not JSON: ${errorText(error)}`;
      }
    },
  });
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * The deployment commands, owned by the extension context. Remote runs go into `store` as live runs
 * and then as finished ones, so the Runs view and the DAG panel show them beside local runs.
 */
export function registerRemoteAirflow(context: vscode.ExtensionContext, analyses: DocumentAnalyses, store: RunStore, output: vscode.LogOutputChannel): void {
  const settings = new DeploymentSettings(output);
  const remote = new RemoteAirflow(settings, context.secrets, analyses, store, output);
  context.subscriptions.push(
    settings,
    vscode.commands.registerCommand('preflight.remote.setCredentials', (name?: unknown, credentials?: unknown) => remote.setCredentials(name, credentials)),
    vscode.commands.registerCommand('preflight.remote.checkDag', (uri?: unknown, dagId?: unknown, deployment?: unknown) => remote.checkDag(uri, dagId, deployment)),
    vscode.commands.registerCommand('preflight.remote.triggerDag', (uri?: unknown, dagId?: unknown, deployment?: unknown, conf?: unknown) => remote.triggerDag(uri, dagId, deployment, conf)),
    vscode.commands.registerCommand('preflight.remote.clearTask', (node?: TaskInstanceNode) => remote.clearTask(node)),
  );
}
