// "Run DAG Locally" in the editor: the command (from the CodeLens or the palette) and its questions,
// a progress notification that cancels, a log channel per DAG, the end-of-run message, and Clear on
// a task of a finished run. Every run, from here or from the Testing API, goes through
// `LocalRunner`, which records it in the history the Runs view shows.
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from './settings';
import { simulationSummary } from '../core/report/localRunReport';
import { resumeAfterClear, type RunResume } from '../core/sim/clear';
import type { SimulationEvent } from '../core/sim/types';
import { utcIso } from '../core/time/zones';
import { runDagLocally, type LocalRunOptions, type LocalRunOutcome, type LocalRunProblem, type RunSelection } from '../node/localRun';
import { runChoicesFrom, type RunChoices } from '../node/runArguments';
import { RunHistory, type RunHistoryEntry } from '../node/runHistory';
import type { AirflowVersionResolver } from './airflowVersion';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { DagTests, type TestProfileName } from './dagTests';
import { resolvePythonInterpreter } from './pythonInterpreter';
import { askDagChoice, askRunChoices } from './runQuestions';
import { RunStore } from './runStore';
import { openAlert, openTask, RUN_DOCUMENT_SCHEME, RunDocumentProvider, RUNS_VIEW, RunsTreeProvider, type AlertNode, type TaskNode } from './runsView';
import type { WorkspaceDagIndex } from './workspaceIndex';

/**
 * The interpreter that runs a DAG file's Python tasks and callbacks: `preflight.pythonPath`, else
 * the Python extension's interpreter for the file, else `python3`.
 */
export async function interpreterForRuns(dagFile: vscode.Uri): Promise<string> {
  return (await resolvePythonInterpreter(dagFile)).path;
}

/** One local run to make: which DAG, which runs, and how. */
export interface RunTarget extends RunChoices {
  readonly uri: vscode.Uri;
  readonly dagId: string;
  /** For a Clear: the run to resume, with the tasks that run again. */
  readonly resume?: RunResume;
  readonly cleared?: RunHistoryEntry['cleared'];
}

export type RunOutcome = LocalRunOutcome | { readonly problem: LocalRunProblem };

export interface RunExecution {
  readonly outcome: RunOutcome;
  /** The history entry of the run; undefined when it could not start. */
  readonly entryId?: string;
}

export interface RunHooks {
  readonly onEvent?: (event: SimulationEvent) => void;
  readonly signal?: AbortSignal;
}

function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

/** Runs DAGs with the engine and records each run in the history. */
export class LocalRunner {
  constructor(
    private readonly airflow: AirflowVersionResolver,
    private readonly analyses: DocumentAnalyses,
    private readonly store: RunStore,
    private readonly settings: Settings,
  ) {}

  async execute(target: RunTarget, hooks: RunHooks = {}): Promise<RunExecution> {
    const document = openDocument(target.uri);
    // The editor's model lists the tasks in the view from the start; the engine's DAG replaces it at the end.
    const model = document && isDagFile(document) ? this.analyses.get(document).model.dags.find((d) => d.dagId === target.dagId) : undefined;
    const entry = await this.store.begin({
      dagId: target.dagId,
      file: target.uri.fsPath,
      mode: target.dry ? 'dry' : 'real',
      selection: target.selection,
      conf: target.conf,
      tasks: model?.tasks.map((t) => ({ taskId: t.taskId, upstream: t.upstream, downstream: t.downstream, line: document!.positionAt(t.range.from).line + 1 })) ?? [],
      ...(target.cleared ? { cleared: target.cleared } : {}),
    });
    const options: LocalRunOptions = {
      file: target.uri.fsPath,
      // Python imports the file on disk, so only a dry run reads the editor's unsaved text.
      ...(target.dry && document ? { text: document.getText() } : {}),
      dagId: target.dagId,
      airflow: this.airflow.version,
      selection: target.selection,
      conf: target.conf,
      dry: target.dry,
      failTasks: target.failTasks,
      // A dry run runs no Python, so it does not ask the Python extension for an interpreter either.
      ...(target.dry ? {} : { python: await interpreterForRuns(target.uri) }),
      now: Date.now(),
      onEvent: (event) => {
        this.store.record(entry.id, event);
        hooks.onEvent?.(event);
      },
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(target.resume ? { resume: target.resume } : {}),
      // Alerts go out only when the user asked for it, and never from a workspace they do not trust.
      sendAlerts: this.settings.value.sendAlerts && vscode.workspace.isTrusted,
    };
    let outcome: RunOutcome;
    try {
      outcome = await runDagLocally(options);
    } catch (error) {
      await this.store.discard(entry.id);
      throw error;
    }
    if ('problem' in outcome) {
      await this.store.discard(entry.id);
      return { outcome };
    }
    await this.store.finish(entry.id, outcome);
    return { outcome, entryId: entry.id };
  }
}

function describeSelection(selection: RunSelection): string {
  switch (selection.kind) {
    case 'next':
      return 'the next run';
    case 'date':
      return `logical date ${utcIso(selection.logicalDate)}`;
    case 'range':
      return `the runs from ${utcIso(selection.from)} to ${utcIso(selection.to)}`;
  }
}

/** Writes one engine event to a run's log channel; with several runs, each line names its run. */
function logEvent(channel: vscode.LogOutputChannel, event: SimulationEvent, severalRuns: boolean): void {
  const where = (taskId: string | undefined) => (severalRuns ? [event.run_id, taskId].filter(Boolean).join(' ') : taskId ?? event.run_id);
  switch (event.kind) {
    case 'run':
      channel.info(`run ${event.run_id}: ${event.state}`);
      return;
    case 'task': {
      const text = `${where(event.task_id)}: ${event.state}${event.try_number ? `, try ${event.try_number}` : ''}${event.text ? ` — ${event.text}` : ''}`;
      if (event.state === 'failed') channel.error(text);
      else if (event.state === 'up_for_retry' || event.state === 'upstream_failed') channel.warn(text);
      else channel.info(text);
      return;
    }
    case 'log':
      for (const line of (event.text ?? '').replace(/\r?\n$/, '').split(/\r?\n/)) channel.info(`[${where(event.task_id)}] ${line}`);
      return;
    case 'alert':
      channel.warn(`alert from ${event.task_id ?? 'the DAG'} in ${event.run_id}:\n${event.text ?? ''}`);
      return;
  }
}

/** The command, its messages and log channels, and Clear. */
export class LocalRuns implements vscode.Disposable {
  /** One channel per DAG, named after it; each run starts with a header line. */
  private readonly channels = new Map<string, vscode.LogOutputChannel>();

  constructor(
    private readonly runner: LocalRunner,
    private readonly analyses: DocumentAnalyses,
    private readonly store: RunStore,
    private readonly showRuns: (entryId: string) => Promise<void>,
  ) {}

  /**
   * `preflight.runDag(uri?, dagId?, options?)`: asks what it is not told, runs, and resolves to the
   * engine's outcome (undefined when the user cancelled a question), which the integration tests read.
   */
  async runDag(uri?: unknown, dagId?: unknown, options?: unknown): Promise<RunOutcome | undefined> {
    const target = await askDagChoice(this.analyses, uri, dagId, { title: 'Run DAG Locally', onDisk: true });
    if (!target) return undefined;
    const { document, file } = target;
    const chosen = target.dag.dagId;
    let choices: RunChoices;
    if (options !== undefined) {
      const parsed = runChoicesFrom(options);
      if ('error' in parsed) {
        void vscode.window.showErrorMessage(`Airflow Preflight: ${parsed.error}`);
        return undefined;
      }
      choices = parsed;
    } else {
      const asked = await askRunChoices(file, chosen, Date.now(), await interpreterForRuns(document.uri));
      if (!asked) return undefined;
      choices = asked;
    }
    if (!choices.dry && !vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(`Airflow Preflight: this workspace is not trusted, so ${chosen} runs dry: no task is executed.`);
      choices = { ...choices, dry: true };
    }
    return this.runWithProgress({ uri: document.uri, dagId: chosen, ...choices });
  }

  /** Clear on a task of a finished run: the task and its downstream run again, the others keep their results. */
  async clearTask(node: Pick<TaskNode, 'entryId' | 'runId' | 'taskId'>): Promise<RunOutcome | undefined> {
    const entry = this.store.entry(node.entryId);
    const run = entry?.result?.runs.find((r) => r.run_id === node.runId);
    if (!entry || !run || entry.status !== 'finished') return undefined;
    if (entry.remote) {
      // A run on a deployment is cleared there, and followed again, by the deployment commands.
      await vscode.commands.executeCommand('preflight.remote.clearTask', node);
      return undefined;
    }
    if (entry.engine === 'airflow') {
      // The simulator resuming a run that real Airflow made would mix two engines' results in one run.
      void vscode.window.showInformationMessage(`Airflow Preflight: ${run.run_id} was made by Airflow itself; run ${entry.dagId} with local Airflow again to re-run ${node.taskId}.`);
      return undefined;
    }
    const resume = resumeAfterClear(entry, run, node.taskId);
    const downstream = resume.cleared.length - 1;
    const answer = await vscode.window.showWarningMessage(
      `Clear ${node.taskId}${downstream > 0 ? ` and ${downstream} downstream task${downstream === 1 ? '' : 's'}` : ''} in ${run.run_id}?`,
      { modal: true, detail: `${resume.cleared.join(', ')} run again; the other tasks of the run keep their states and XComs.` },
      'Clear',
    );
    if (answer !== 'Clear') return undefined;
    let dry = entry.mode === 'dry';
    if (!dry && !vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(`Airflow Preflight: this workspace is not trusted, so the cleared tasks of ${entry.dagId} run dry: no task is executed.`);
      dry = true;
    }
    return this.runWithProgress({
      uri: vscode.Uri.file(entry.file),
      dagId: entry.dagId,
      selection: { kind: 'date', logicalDate: Date.parse(run.logical_date) },
      conf: run.conf,
      dry,
      failTasks: [],
      resume,
      cleared: { runId: run.run_id, taskId: node.taskId, tasks: resume.cleared },
    });
  }

  private channel(dagId: string): vscode.LogOutputChannel {
    let channel = this.channels.get(dagId);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`Preflight run: ${dagId}`, { log: true });
      this.channels.set(dagId, channel);
    }
    return channel;
  }

  private async runWithProgress(target: RunTarget): Promise<RunOutcome> {
    const channel = this.channel(target.dagId);
    const what = target.cleared ? `cleared ${target.cleared.tasks.join(', ')} in ${target.cleared.runId}` : describeSelection(target.selection);
    channel.info(`── ${target.dry ? 'Dry run' : 'Run'} of ${target.dagId}: ${what}${Object.keys(target.conf).length > 0 ? `, conf ${JSON.stringify(target.conf)}` : ''} ──`);
    if (!target.dry && openDocument(target.uri)?.isDirty) channel.warn('Python runs the file as saved on disk: the unsaved changes in the editor are not part of this run.');
    const severalRuns = target.selection.kind === 'range';
    const execution = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Airflow Preflight: ${target.dry ? 'dry run of' : 'running'} ${target.dagId}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancellation = token.onCancellationRequested(() => {
          channel.warn('Cancelled: stopping the running tasks');
          abort.abort();
        });
        try {
          return await this.runner.execute(target, {
            signal: abort.signal,
            onEvent: (event) => {
              logEvent(channel, event, severalRuns);
              if (event.kind === 'task' && event.state === 'running') {
                progress.report({ message: `${event.task_id}${severalRuns ? ` in ${event.run_id}` : ''}, try ${event.try_number ?? 1}` });
              }
            },
          });
        } finally {
          cancellation.dispose();
        }
      },
    );
    const { outcome } = execution;
    if ('problem' in outcome) this.reportProblem(target, outcome.problem, channel);
    else this.reportResult(outcome, execution.entryId!, channel);
    return outcome;
  }

  private reportResult(outcome: LocalRunOutcome, entryId: string, channel: vscode.LogOutputChannel): void {
    const { result } = outcome;
    const summary = simulationSummary(result);
    const how = result.mode === 'dry' ? 'nothing executed'
      : outcome.structure === 'static' ? 'Bash tasks only, run without Python'
      : outcome.airflowInstalled ? `the DAG file imported with Airflow ${outcome.airflowInstalled}` : 'the DAG file imported with Preflight\'s stand-in for Airflow';
    if (summary.ok) channel.info(`${summary.text} (${how})`);
    else channel.error(`${summary.text} (${how})`);
    for (const warning of result.warnings) channel.warn(warning);
    const message = `Airflow Preflight: ${summary.text}`;
    const shown = summary.ok ? vscode.window.showInformationMessage(message, 'Show Runs', 'Show Log') : vscode.window.showErrorMessage(message, 'Show Runs', 'Show Log');
    // Not awaited: the command resolves with the outcome while the message waits for the user.
    void shown.then((choice) => {
      if (choice === 'Show Runs') void this.showRuns(entryId);
      if (choice === 'Show Log') channel.show(true);
    });
  }

  private reportProblem(target: RunTarget, problem: LocalRunProblem, channel: vscode.LogOutputChannel): void {
    const file = problem.file && (isAbsolute(problem.file) ? problem.file : join(dirname(target.uri.fsPath), problem.file));
    const where = file ? `${vscode.workspace.asRelativePath(file)}${problem.line ? `:${problem.line}` : ''}` : undefined;
    const text = `cannot run ${target.dagId}: ${where ? `${where}: ` : ''}${problem.message}`;
    channel.error(text);
    const open = where ? `Open ${where}` : undefined;
    const dryInstead = problem.dryRunPossible && !target.dry ? 'Dry Run Instead' : undefined;
    const actions = [open, dryInstead].filter((a): a is string => a !== undefined);
    void vscode.window.showErrorMessage(`Airflow Preflight: ${text}`, ...actions).then((choice) => {
      if (choice === open && file) {
        const position = new vscode.Position(Math.max(0, (problem.line ?? 1) - 1), 0);
        void vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(position, position) });
      }
      if (choice === dryInstead) void this.runWithProgress({ ...target, dry: true });
    });
  }

  dispose(): void {
    this.channels.forEach((channel) => channel.dispose());
    this.channels.clear();
  }
}

/**
 * Local runs in the editor: the history and its Runs view, the command, Clear, and the Testing API,
 * each owned by the extension context. The hidden `preflight.runs.history`, `preflight.testing.items`
 * and `preflight.testing.run` commands let the integration tests read what the user would see.
 */
export function registerLocalRuns(
  context: vscode.ExtensionContext,
  airflow: AirflowVersionResolver,
  analyses: DocumentAnalyses,
  index: WorkspaceDagIndex,
  output: vscode.LogOutputChannel,
  settings: Settings,
): RunStore {
  const storage = context.storageUri ?? context.globalStorageUri;
  const history = new RunHistory(vscode.Uri.joinPath(storage, 'runs.json').fsPath, (message) => output.warn(message));
  const store = new RunStore(history);
  const tree = new RunsTreeProvider(store);
  const treeView = vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const documents = new RunDocumentProvider(tree, store);
  const runner = new LocalRunner(airflow, analyses, store, settings);
  const showRuns = async (entryId: string) => {
    await vscode.commands.executeCommand(`${RUNS_VIEW}.focus`);
    const node = tree.firstRunOf(entryId);
    if (node) await treeView.reveal(node, { select: true, focus: true, expand: true });
  };
  const runs = new LocalRuns(runner, analyses, store, showRuns);
  const tests = new DagTests(runner, analyses, index);
  context.subscriptions.push(
    store,
    tree,
    treeView,
    documents,
    runs,
    tests,
    vscode.workspace.registerTextDocumentContentProvider(RUN_DOCUMENT_SCHEME, documents),
    vscode.commands.registerCommand('preflight.runDag', (uri?: unknown, dagId?: unknown, options?: unknown) => runs.runDag(uri, dagId, options)),
    // From the Runs view with its tree node, and from the DAG panel with the task instance's ids.
    vscode.commands.registerCommand('preflight.runs.clearTask', (node: Pick<TaskNode, 'entryId' | 'runId' | 'taskId'>) => runs.clearTask(node)),
    vscode.commands.registerCommand('preflight.runs.clearHistory', () => store.clear()),
    vscode.commands.registerCommand('preflight.runs.openTask', (node: TaskNode) => openTask(tree, node)),
    vscode.commands.registerCommand('preflight.runs.openAlert', (node: AlertNode) => openAlert(tree, node)),
    vscode.commands.registerCommand('preflight.runs.history', async () => {
      await store.ready;
      return { file: store.historyFile, entries: store.entries };
    }),
    vscode.commands.registerCommand('preflight.testing.items', () => tests.snapshot()),
    vscode.commands.registerCommand('preflight.testing.run', (ids: readonly string[], profile: TestProfileName) => tests.runItems(ids, profile)),
  );
  return store;
}
