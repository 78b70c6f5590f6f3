// The Testing API's view of DAGs: every DAG of the workspace is a test, its tasks are its children.
// Running a DAG runs it locally (its next run, or one manual run when it has no schedule) and
// reports each task: success passes, skipped is skipped, failed and upstream_failed fail with the
// reason and the task's place in the file. Running one task runs its DAG and reports that task.
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { DagFileModel } from '../core/dag/model';
import type { SourceRange } from '../core/diagnostics';
import { LineIndex } from '../core/python/lines';
import { simulationSummary, taskVerdict, type TaskOutcome, type TaskVerdict } from '../core/report/localRunReport';
import { isDagFile, type DocumentAnalyses } from './analyses';
import type { LocalRunner } from './localRuns';
import type { WorkspaceDagIndex } from './workspaceIndex';

const REFRESH_DELAY_MS = 300;

interface ItemData {
  readonly uri: vscode.Uri;
  readonly dagId: string;
  readonly taskId?: string;
}

/** A test item as the hidden `preflight.testing.items` command returns it. */
export interface TestItemSnapshot {
  readonly id: string;
  readonly label: string;
  readonly uri: string;
  /** 1-based. */
  readonly line?: number;
  readonly children: readonly TestItemSnapshot[];
}

/** What a run reported, by test item id, as the hidden `preflight.testing.run` command returns it. */
export type TestVerdicts = Record<string, { readonly outcome: TaskOutcome; readonly message?: string }>;

export type TestProfileName = 'run' | 'dry';

interface PlannedDag {
  reportDag: boolean;
  readonly tasks: Set<vscode.TestItem>;
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

function toRange(lines: LineIndex, range: SourceRange): vscode.Range {
  const start = lines.position(range.from);
  const end = lines.position(range.to);
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

export class DagTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('preflight.dags', 'Airflow DAGs');
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly profiles: Record<TestProfileName, vscode.TestRunProfile>;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runner: LocalRunner, private readonly analyses: DocumentAnalyses, private readonly index: WorkspaceDagIndex) {
    this.profiles = {
      run: this.controller.createRunProfile('Run locally', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token, 'run').then(() => undefined), true),
      dry: this.controller.createRunProfile('Dry run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token, 'dry').then(() => undefined), false),
    };
    this.controller.refreshHandler = () => this.syncAll();
    this.subscriptions = [
      index.onDidChange(() => this.syncAll()),
      vscode.workspace.onDidOpenTextDocument((d) => this.syncDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleSync(e.document)),
      // A closed document's DAGs come from the index again, as the file is on disk.
      vscode.workspace.onDidCloseTextDocument(() => this.syncAll()),
    ];
    this.syncAll();
  }

  private syncAll(): void {
    const files = new Map<string, { uri: vscode.Uri; model: DagFileModel; lines: LineIndex }>();
    for (const file of this.index.files()) files.set(file.uri.toString(), file);
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== 'file' || !isDagFile(document)) continue;
      const checked = this.analyses.get(document);
      files.set(document.uri.toString(), { uri: document.uri, model: checked.model, lines: new LineIndex(checked.text) });
    }
    const stale: string[] = [];
    this.controller.items.forEach((item) => {
      const uri = this.data.get(item)?.uri.toString();
      if (!uri || !files.has(uri)) stale.push(item.id);
    });
    stale.forEach((id) => this.controller.items.delete(id));
    for (const file of files.values()) this.syncFile(file.uri, file.model, file.lines);
  }

  private scheduleSync(document: vscode.TextDocument): void {
    if (document.uri.scheme !== 'file') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.syncDocument(document);
    }, REFRESH_DELAY_MS));
  }

  private syncDocument(document: vscode.TextDocument): void {
    if (document.uri.scheme !== 'file' || document.isClosed) return;
    if (!isDagFile(document)) {
      this.syncFile(document.uri, undefined, undefined);
      return;
    }
    const checked = this.analyses.get(document);
    this.syncFile(document.uri, checked.model, new LineIndex(checked.text));
  }

  /** Makes the items of one file match its DAGs, keeping the items (and their results) that remain. */
  private syncFile(uri: vscode.Uri, model: DagFileModel | undefined, lines: LineIndex | undefined): void {
    const key = uri.toString();
    const dags = new Map((model?.dags ?? []).map((d) => [`${key}::${d.dagId}`, d]));
    const stale: string[] = [];
    this.controller.items.forEach((item) => {
      if (this.data.get(item)?.uri.toString() === key && !dags.has(item.id)) stale.push(item.id);
    });
    stale.forEach((id) => this.controller.items.delete(id));
    if (!lines) return;
    for (const [id, dag] of dags) {
      const item = this.controller.items.get(id) ?? this.createItem(id, dag.dagId, { uri, dagId: dag.dagId });
      item.range = toRange(lines, dag.selectionRange);
      item.description = vscode.workspace.asRelativePath(uri);
      this.controller.items.add(item);
      const tasks = new Map(dag.tasks.map((t) => [`${id}::${t.taskId}`, t]));
      item.children.replace([...tasks].map(([taskItemId, task]) => {
        const child = item.children.get(taskItemId) ?? this.createItem(taskItemId, task.taskId, { uri, dagId: dag.dagId, taskId: task.taskId });
        child.range = toRange(lines, task.range);
        child.description = task.operator;
        return child;
      }));
    }
  }

  private createItem(id: string, label: string, data: ItemData): vscode.TestItem {
    const item = this.controller.createTestItem(id, label, data.uri);
    this.data.set(item, data);
    return item;
  }

  private find(id: string): vscode.TestItem | undefined {
    const [uri, dagId] = id.split('::');
    const dag = this.controller.items.get(`${uri}::${dagId}`);
    return dag && dag.id !== id ? dag.children.get(id) : dag;
  }

  /** Which DAGs to run, and which of their items to report. */
  private plan(request: vscode.TestRunRequest): Map<vscode.TestItem, PlannedDag> {
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const included: vscode.TestItem[] = [];
    if (request.include) included.push(...request.include);
    else this.controller.items.forEach((item) => included.push(item));
    const plan = new Map<vscode.TestItem, PlannedDag>();
    const planned = (dag: vscode.TestItem) => plan.get(dag) ?? plan.set(dag, { reportDag: false, tasks: new Set() }).get(dag)!;
    for (const item of included) {
      const data = this.data.get(item);
      if (!data || excluded.has(item.id)) continue;
      if (data.taskId === undefined) {
        const dag = planned(item);
        dag.reportDag = true;
        item.children.forEach((child) => {
          if (!excluded.has(child.id)) dag.tasks.add(child);
        });
      } else if (item.parent) {
        planned(item.parent).tasks.add(item);
      }
    }
    return plan;
  }

  /** Runs the request's DAGs one after another, so their output reads in order. */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, profile: TestProfileName): Promise<TestVerdicts> {
    const run = this.controller.createTestRun(request);
    const verdicts: TestVerdicts = {};
    const dry = profile === 'dry' || !vscode.workspace.isTrusted;
    if (profile === 'run' && dry) run.appendOutput('This workspace is not trusted, so the DAGs run dry: no task is executed.\r\n');
    try {
      for (const [dagItem, planned] of this.plan(request)) {
        if (token.isCancellationRequested) break;
        await this.runDag(run, dagItem, planned, dry, token, verdicts);
      }
    } finally {
      run.end();
    }
    return verdicts;
  }

  private async runDag(run: vscode.TestRun, dagItem: vscode.TestItem, planned: PlannedDag, dry: boolean, token: vscode.CancellationToken, verdicts: TestVerdicts): Promise<void> {
    const { uri, dagId } = this.data.get(dagItem)!;
    const taskItems = new Map([...planned.tasks].map((item) => [this.data.get(item)!.taskId!, item]));
    const reported = [...(planned.reportDag ? [dagItem] : []), ...planned.tasks];
    reported.forEach((item) => run.enqueued(item));
    if (planned.reportDag) run.started(dagItem);
    const abort = new AbortController();
    const cancellation = token.onCancellationRequested(() => abort.abort());
    const started = Date.now();
    let execution;
    try {
      execution = await this.runner.execute({ uri, dagId, selection: { kind: 'next' }, conf: {}, dry, failTasks: [] }, {
        signal: abort.signal,
        onEvent: (event) => {
          const item = event.kind === 'task' && event.state === 'running' && event.task_id ? taskItems.get(event.task_id) : undefined;
          if (item) run.started(item);
        },
      });
    } finally {
      cancellation.dispose();
    }
    const { outcome } = execution;
    if ('problem' in outcome) {
      const { problem } = outcome;
      const message = new vscode.TestMessage(problem.message);
      if (problem.file) {
        const file = isAbsolute(problem.file) ? problem.file : join(dirname(uri.fsPath), problem.file);
        message.location = new vscode.Location(vscode.Uri.file(file), new vscode.Position(Math.max(0, (problem.line ?? 1) - 1), 0));
      }
      run.appendOutput(crlf(`${dagId}: ${problem.message}\n`), message.location, dagItem);
      for (const item of reported) {
        run.errored(item, message);
        verdicts[item.id] = { outcome: 'errored', message: problem.message };
      }
      return;
    }
    const { result, dag } = outcome;
    const [dagRun] = result.runs;
    run.appendOutput(crlf(`${dagId}: ${result.mode === 'dry' ? 'dry run' : 'run'} ${dagRun.run_id} ${dagRun.state}\n`), undefined, dagItem);
    for (const [taskId, item] of taskItems) {
      const instance = dagRun.tasks.find((t) => t.task_id === taskId);
      const line = instance?.line ?? dag.tasks.find((t) => t.taskId === taskId)?.line;
      const location = item.range ? new vscode.Location(uri, item.range) : line !== undefined ? new vscode.Location(uri, new vscode.Position(line - 1, 0)) : undefined;
      if (instance?.log_tail) run.appendOutput(crlf(`── ${dagId}.${taskId}: ${instance.state}${instance.try_number > 0 ? `, try ${instance.try_number}` : ''} ──\n${instance.log_tail.replace(/\n?$/, '\n')}`), location, item);
      const verdict = taskVerdict(dagRun, dag, taskId);
      this.report(run, item, verdict, instance?.duration_ms ?? undefined, location);
      verdicts[item.id] = verdict;
    }
    if (planned.reportDag) {
      const summary = simulationSummary(result);
      const verdict: TaskVerdict = summary.ok ? { outcome: 'passed' } : { outcome: 'failed', message: summary.text };
      this.report(run, dagItem, verdict, Date.now() - started, dagItem.range ? new vscode.Location(uri, dagItem.range) : undefined);
      verdicts[dagItem.id] = verdict;
    }
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, verdict: TaskVerdict, duration: number | undefined, location: vscode.Location | undefined): void {
    const message = () => {
      const result = new vscode.TestMessage(verdict.message ?? verdict.outcome);
      if (location) result.location = location;
      return result;
    };
    switch (verdict.outcome) {
      case 'passed':
        run.passed(item, duration);
        return;
      case 'skipped':
        run.skipped(item);
        return;
      case 'failed':
        run.failed(item, message(), duration);
        return;
      case 'errored':
        run.errored(item, message(), duration);
        return;
    }
  }

  /** The items, for the integration tests. */
  snapshot(): TestItemSnapshot[] {
    const snap = (item: vscode.TestItem): TestItemSnapshot => {
      const children: TestItemSnapshot[] = [];
      item.children.forEach((child) => children.push(snap(child)));
      return { id: item.id, label: item.label, uri: item.uri?.toString() ?? '', ...(item.range ? { line: item.range.start.line + 1 } : {}), children };
    };
    const items: TestItemSnapshot[] = [];
    this.controller.items.forEach((item) => items.push(snap(item)));
    return items;
  }

  /** Runs items with a profile as the Testing view would, for the integration tests. */
  async runItems(ids: readonly string[], profile: TestProfileName): Promise<TestVerdicts> {
    const items = ids.map((id) => {
      const item = this.find(id);
      if (!item) throw new Error(`No test item ${id}`);
      return item;
    });
    const source = new vscode.CancellationTokenSource();
    try {
      return await this.run(new vscode.TestRunRequest(items, undefined, this.profiles[profile]), source.token, profile);
    } finally {
      source.dispose();
    }
  }

  dispose(): void {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.subscriptions.forEach((s) => s.dispose());
    this.controller.dispose();
  }
}
