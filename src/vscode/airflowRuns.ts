// "Run DAG with Local Airflow" in the editor: one DAG run made by the real Airflow of the file's
// interpreter (`dag.test()`, src/node/airflowDagsTest.ts), recorded in the RunStore as a live run so
// that the Runs view, the DAG panel's graph and grid and the task details follow it as the local
// runs of the simulator, with Airflow's log in a channel of its own per DAG. It executes workspace
// code, so it is refused in an untrusted workspace.
import * as vscode from 'vscode';
import { simulationSummary } from '../core/report/localRunReport';
import type { SimulationEvent } from '../core/sim/types';
import { nextLogicalDate } from '../core/templates/fields';
import { utcIso } from '../core/time/zones';
import { runDagWithAirflow, type AirflowRunOutcome, type AirflowRunProblem } from '../node/airflowDagsTest';
import { installedAirflowVersion } from '../node/python';
import { instantProblem, parseConf, parseInstant } from '../node/runArguments';
import { isDagFile, type DocumentAnalyses } from './analyses';
import { toRange } from './convert';
import { interpreterForRuns } from './localRuns';
import { onDidChangePythonExtensionInterpreter } from './pythonInterpreter';
import type { RunStore } from './runStore';
import { askDagChoice } from './runQuestions';
import { RUNS_VIEW } from './runsView';

export const RUN_WITH_AIRFLOW_COMMAND = 'preflight.runDagWithAirflow';

/** The third argument of the command: when given, nothing is asked (the integration tests use it). */
interface AirflowRunArguments {
  /** The logical date, ISO 8601 with its offset; default: the DAG's next run. */
  readonly date?: string;
  readonly conf?: Readonly<Record<string, unknown>>;
  /** An AIRFLOW_HOME instead of the one the editor inherited. */
  readonly airflowHome?: string;
}

type Outcome = AirflowRunOutcome | { readonly problem: AirflowRunProblem };

function argumentsFrom(value: unknown): AirflowRunArguments | { readonly error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'the run options must be an object' };
  const { date, conf, airflowHome } = value as Record<string, unknown>;
  if (date !== undefined && (typeof date !== 'string' || instantProblem(date) !== undefined)) return { error: `date: ${instantProblem(String(date))}` };
  if (conf !== undefined && (typeof conf !== 'object' || conf === null || Array.isArray(conf))) return { error: 'conf must be a JSON object' };
  if (airflowHome !== undefined && typeof airflowHome !== 'string') return { error: 'airflowHome must be a path' };
  return value as AirflowRunArguments;
}

/** Writes one event of the run to its log channel. */
function logEvent(channel: vscode.LogOutputChannel, event: SimulationEvent): void {
  if (event.kind === 'log') {
    for (const line of (event.text ?? '').replace(/\r?\n$/, '').split(/\r?\n/)) channel.info(`[${event.task_id}] ${line}`);
  } else if (event.kind === 'task') {
    const text = `${event.task_id}: ${event.state}${event.try_number ? `, try ${event.try_number}` : ''}`;
    if (event.state === 'failed') channel.error(text);
    else if (event.state === 'up_for_retry' || event.state === 'upstream_failed') channel.warn(text);
    else channel.info(text);
  } else if (event.kind === 'run') {
    channel.info(`run ${event.run_id}: ${event.state}`);
  }
}

export class AirflowRuns implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.LogOutputChannel>();

  constructor(private readonly analyses: DocumentAnalyses, private readonly store: RunStore) {}

  private channel(dagId: string): vscode.LogOutputChannel {
    let channel = this.channels.get(dagId);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`Preflight Airflow run: ${dagId}`, { log: true });
      this.channels.set(dagId, channel);
    }
    return channel;
  }

  /** `preflight.runDagWithAirflow(uri?, dagId?, options?)`: resolves to the outcome, undefined when nothing ran. */
  async run(uri?: unknown, dagId?: unknown, options?: unknown): Promise<Outcome | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Airflow Preflight: Run DAG with Local Airflow executes the DAG file and its tasks, so it needs a trusted workspace. Run DAG Locally makes dry runs here.');
      return undefined;
    }
    const target = await askDagChoice(this.analyses, uri, dagId, { title: 'Run DAG with Local Airflow', onDisk: true });
    if (!target) return undefined;
    const { document, file } = target;
    const chosen = target.dag.dagId;
    let choices: AirflowRunArguments;
    if (options !== undefined) {
      const parsed = argumentsFrom(options);
      if ('error' in parsed) {
        void vscode.window.showErrorMessage(`Airflow Preflight: ${parsed.error}`);
        return undefined;
      }
      choices = parsed;
    } else {
      const asked = await this.ask(file, chosen);
      if (!asked) return undefined;
      choices = asked;
    }
    return this.runWithProgress(document, chosen, choices);
  }

  /** The logical date (the next run, or one typed) and the conf; undefined when the user cancelled. */
  private async ask(file: ReturnType<DocumentAnalyses['get']>, dagId: string): Promise<AirflowRunArguments | undefined> {
    const title = `Run ${dagId} with local Airflow`;
    const dag = file.model.dags.find((d) => d.dagId === dagId);
    const next = dag ? nextLogicalDate(dag, file.airflow, Date.now()) : undefined;
    const suggested = utcIso(next ?? Date.now());
    const date = await vscode.window.showInputBox({
      title: `${title} (1/2)`, prompt: `The logical date of the run, ISO 8601 with its offset${next !== undefined ? ' (the next scheduled run)' : ''}`,
      value: suggested, ignoreFocusOut: true, validateInput: instantProblem,
    });
    if (date === undefined) return undefined;
    const confText = await vscode.window.showInputBox({
      title: `${title} (2/2)`, prompt: 'dag_run.conf as a JSON object; empty for none', placeHolder: '{"key": "value"}', ignoreFocusOut: true,
      validateInput: (value) => {
        const parsed = parseConf(value);
        return 'error' in parsed ? parsed.error : undefined;
      },
    });
    if (confText === undefined) return undefined;
    const conf = parseConf(confText);
    return 'conf' in conf ? { date, conf: conf.conf } : undefined;
  }

  private async runWithProgress(document: vscode.TextDocument, dagId: string, choices: AirflowRunArguments): Promise<Outcome> {
    const channel = this.channel(dagId);
    const python = await interpreterForRuns(document.uri);
    const logicalDate = choices.date !== undefined ? parseInstant(choices.date) : undefined;
    const conf = choices.conf ?? {};
    channel.info(`── Airflow run of ${dagId} with ${python}: ${logicalDate !== undefined ? `logical date ${utcIso(logicalDate)}` : 'the next run'} ──`);
    if (document.isDirty) channel.warn('Airflow runs the file as saved on disk: the unsaved changes in the editor are not part of this run.');
    const model = this.analyses.get(document).model.dags.find((d) => d.dagId === dagId);
    const entry = await this.store.begin({
      dagId,
      file: document.uri.fsPath,
      mode: 'real',
      engine: 'airflow',
      selection: logicalDate !== undefined ? { kind: 'date', logicalDate } : { kind: 'next' },
      conf,
      tasks: model?.tasks.map((t) => ({ taskId: t.taskId, upstream: t.upstream, downstream: t.downstream, line: document.positionAt(t.range.from).line + 1 })) ?? [],
    });
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Airflow Preflight: Airflow runs ${dagId}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancellation = token.onCancellationRequested(() => {
          channel.warn('Cancelled: stopping Airflow and the tasks it started');
          abort.abort();
        });
        try {
          return await runDagWithAirflow({
            file: document.uri.fsPath,
            dagId,
            ...(logicalDate !== undefined ? { logicalDate } : {}),
            conf,
            python,
            ...(choices.airflowHome ? { airflowHome: choices.airflowHome } : {}),
            now: Date.now(),
            signal: abort.signal,
            onOutput: (text) => {
              for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) channel.info(line);
            },
            onEvent: (event) => {
              this.store.record(entry.id, event);
              logEvent(channel, event);
              if (event.kind === 'task' && event.state === 'running') progress.report({ message: `${event.task_id}, try ${event.try_number ?? 1}` });
            },
          });
        } catch (error) {
          await this.store.discard(entry.id);
          throw error;
        } finally {
          cancellation.dispose();
        }
      },
    );
    if ('problem' in outcome) {
      await this.store.discard(entry.id);
      this.reportProblem(dagId, outcome.problem, channel);
    } else {
      await this.store.finish(entry.id, outcome);
      this.reportResult(outcome, channel);
    }
    return outcome;
  }

  private reportResult(outcome: AirflowRunOutcome, channel: vscode.LogOutputChannel): void {
    const summary = simulationSummary(outcome.result);
    const how = `Airflow ${outcome.airflowVersion}, AIRFLOW_HOME=${outcome.airflowHome ?? '?'}`;
    if (summary.ok) channel.info(`${summary.text} (${how})`);
    else channel.error(`${summary.text} (${how})`);
    const message = `Airflow Preflight: ${summary.text} (${how})`;
    const shown = summary.ok ? vscode.window.showInformationMessage(message, 'Show Runs', 'Show Log') : vscode.window.showErrorMessage(message, 'Show Runs', 'Show Log');
    // Not awaited: the command resolves with the outcome while the message waits for the user.
    void shown.then((choice) => {
      if (choice === 'Show Runs') void vscode.commands.executeCommand(`${RUNS_VIEW}.focus`);
      if (choice === 'Show Log') channel.show(true);
    });
  }

  /** Says why Airflow could not run the DAG; a missing Airflow or database offers its set-up command. */
  private reportProblem(dagId: string, problem: AirflowRunProblem, channel: vscode.LogOutputChannel): void {
    const where = problem.file ? `${vscode.workspace.asRelativePath(problem.file)}${problem.line ? `:${problem.line}` : ''}: ` : '';
    const text = `cannot run ${dagId} with Airflow: ${where}${problem.message}`;
    channel.error(text);
    const open = problem.file ? 'Open File' : undefined;
    const copy = problem.command ? 'Copy Command' : undefined;
    const terminal = problem.command ? 'Run in Terminal' : undefined;
    const actions = [open, copy, terminal, 'Show Log'].filter((a): a is string => a !== undefined);
    void vscode.window.showErrorMessage(`Airflow Preflight: ${text}`, ...actions).then((choice) => {
      if (choice === open && problem.file) {
        const position = new vscode.Position(Math.max(0, (problem.line ?? 1) - 1), 0);
        void vscode.window.showTextDocument(vscode.Uri.file(problem.file), { selection: new vscode.Range(position, position) });
      }
      if (choice === copy && problem.command) void vscode.env.clipboard.writeText(problem.command);
      if (choice === terminal && problem.command) {
        // The user asked for it: the command is shown in a terminal of its own and runs there.
        const shell = vscode.window.createTerminal({ name: 'Airflow set-up' });
        shell.show();
        shell.sendText(problem.command);
      }
      if (choice === 'Show Log') channel.show(true);
    });
  }

  dispose(): void {
    this.channels.forEach((channel) => channel.dispose());
    this.channels.clear();
  }
}

/**
 * "Run with Airflow" above each DAG, only where it can run: in a trusted workspace, when the file's
 * interpreter has apache-airflow. Each interpreter is asked once, again after it or the trust changes.
 */
export class AirflowRunCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly versions = new Map<string, Promise<string | undefined>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly analyses: DocumentAnalyses) {
    const forget = () => {
      this.versions.clear();
      this.changed.fire();
    };
    this.subscriptions = [
      vscode.workspace.onDidGrantWorkspaceTrust(forget),
      onDidChangePythonExtensionInterpreter(forget),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('preflight.pythonPath')) forget();
      }),
    ];
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.isTrusted || document.uri.scheme !== 'file' || !isDagFile(document)) return [];
    const python = await interpreterForRuns(document.uri);
    let version = this.versions.get(python);
    if (!version) {
      version = installedAirflowVersion(python);
      this.versions.set(python, version);
    }
    const installed = await version;
    if (!installed) return [];
    return this.analyses.get(document).model.dags.map((dag) => new vscode.CodeLens(toRange(document, dag.selectionRange), {
      title: `▶ Run with Airflow ${installed}`, command: RUN_WITH_AIRFLOW_COMMAND, arguments: [document.uri, dag.dagId],
    }));
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}

/** The command and its CodeLens, owned by the extension context; its runs go into `store` like the simulator's. */
export function registerAirflowRuns(context: vscode.ExtensionContext, analyses: DocumentAnalyses, store: RunStore): void {
  const runs = new AirflowRuns(analyses, store);
  const lenses = new AirflowRunCodeLensProvider(analyses);
  context.subscriptions.push(
    runs,
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, lenses),
    vscode.commands.registerCommand(RUN_WITH_AIRFLOW_COMMAND, (uri?: unknown, dagId?: unknown, options?: unknown) => runs.run(uri, dagId, options)),
  );
}
