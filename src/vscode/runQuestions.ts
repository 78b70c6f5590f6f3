// The questions "Run DAG Locally" asks when its caller did not answer them: which DAG, which logical
// date (the next run, a date, or a range as catchup creates), the run's conf, and whether to execute
// the tasks or only walk the DAG. Escape at any step cancels the run.
import * as vscode from 'vscode';
import type { CheckedFile } from '../core/check';
import type { DagModel } from '../core/dag/model';
import { dagSchedule, isScheduleProblem } from '../core/schedule/runs';
import { nextLogicalDate } from '../core/templates/fields';
import { utcIso } from '../core/time/zones';
import type { RunSelection } from '../node/localRun';
import { instantProblem, parseConf, parseInstant, rangeEndProblem, type RunChoices } from '../node/runArguments';
import { isDagFile, type DocumentAnalyses } from './analyses';

const STEPS = 3;

/** The DAG a command acts on: the file it was given (else the active one) and the DAG it was told (else picked). */
export interface DagChoice {
  readonly document: vscode.TextDocument;
  readonly file: CheckedFile;
  readonly dag: DagModel;
}

/**
 * Which file and DAG a run or deployment command is for, asking only what its caller did not say;
 * undefined, after saying why, when there is none. `onDisk` commands hand the file to a process.
 */
export async function askDagChoice(analyses: DocumentAnalyses, uri: unknown, dagId: unknown, options: { readonly title: string; readonly onDisk: boolean }): Promise<DagChoice | undefined> {
  const document = uri instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!document || !isDagFile(document)) {
    void vscode.window.showInformationMessage(`Airflow Preflight: open a DAG file first (${options.title}).`);
    return undefined;
  }
  if (options.onDisk && document.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage(`Airflow Preflight: ${options.title} needs the DAG file saved on disk.`);
    return undefined;
  }
  const file = analyses.get(document);
  const dags = file.model.dags;
  const chosen = typeof dagId === 'string' ? dagId
    : dags.length <= 1 ? dags[0]?.dagId
    : await vscode.window.showQuickPick(dags.map((d) => d.dagId), { title: options.title, placeHolder: 'Which DAG?', ignoreFocusOut: true });
  const dag = dags.find((d) => d.dagId === chosen);
  if (!dag) {
    if (dags.length === 0) void vscode.window.showInformationMessage('Airflow Preflight: this file defines no DAG.');
    return undefined;
  }
  return { document, file, dag };
}

async function askSelection(file: CheckedFile, dagId: string, now: number, title: string): Promise<RunSelection | undefined> {
  const dag = file.model.dags.find((d) => d.dagId === dagId);
  const schedule = dag ? dagSchedule(dag, file.airflow) : undefined;
  const scheduled = schedule !== undefined && !isScheduleProblem(schedule) && schedule.timetable.name !== 'NullTimetable' ? schedule : undefined;
  const next = dag ? nextLogicalDate(dag, file.airflow, now) : undefined;
  type Pick = vscode.QuickPickItem & { readonly kind_: 'next' | 'date' | 'range' };
  const picks: Pick[] = [
    { kind_: 'next', label: 'Next run', description: next !== undefined ? `logical date ${utcIso(next)}` : 'a manual run now: the DAG has no next scheduled run' },
    { kind_: 'date', label: 'A date…', description: 'the run of one logical date' },
    ...(scheduled ? [{ kind_: 'range' as const, label: 'A range (catchup)…', description: 'every scheduled run between two logical dates' }] : []),
  ];
  const picked = await vscode.window.showQuickPick(picks, { title, placeHolder: 'Which logical date?', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.kind_ === 'next') return { kind: 'next' };
  if (picked.kind_ === 'date') {
    const text = await vscode.window.showInputBox({
      title, prompt: 'The logical date, ISO 8601 with its offset', value: utcIso(next ?? now), ignoreFocusOut: true, validateInput: instantProblem,
    });
    return text === undefined ? undefined : { kind: 'date', logicalDate: parseInstant(text)! };
  }
  const earliest = scheduled?.restriction.earliest;
  const fromText = await vscode.window.showInputBox({
    title, prompt: 'From logical date (ISO 8601 with its offset); the runs start at the DAG\'s start_date at the earliest',
    value: utcIso(earliest ?? now), ignoreFocusOut: true, validateInput: instantProblem,
  });
  if (fromText === undefined) return undefined;
  const from = parseInstant(fromText)!;
  const toText = await vscode.window.showInputBox({
    title, prompt: 'To logical date (ISO 8601 with its offset), included', value: utcIso(Math.max(from, next ?? now)), ignoreFocusOut: true,
    validateInput: (value) => rangeEndProblem(from, value),
  });
  return toText === undefined ? undefined : { kind: 'range', from, to: parseInstant(toText)! };
}

async function askConf(title: string): Promise<Record<string, unknown> | undefined> {
  const text = await vscode.window.showInputBox({
    title, prompt: 'dag_run.conf as a JSON object; empty for none', placeHolder: '{"key": "value"}', ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseConf(value);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseConf(text);
  return 'conf' in parsed ? parsed.conf : undefined;
}

/** Real or dry; in an untrusted workspace only dry, and the pick says why. */
async function askDry(title: string, python: string): Promise<boolean | undefined> {
  type Pick = vscode.QuickPickItem & { readonly dry: boolean };
  const dry: Pick = { dry: true, label: 'Dry run (execute nothing)', description: 'renders the templates and walks the DAG; every task succeeds unless forced to fail' };
  const picks: Pick[] = vscode.workspace.isTrusted
    ? [{ dry: false, label: 'Real run', description: `executes Bash tasks, and Python tasks with ${python}` }, dry]
    : [{ ...dry, detail: 'This workspace is not trusted, so Preflight runs no code from it: only dry runs are possible.' }];
  const picked = await vscode.window.showQuickPick(picks, { title, placeHolder: 'Execute the tasks?', ignoreFocusOut: true });
  return picked?.dry;
}

/** The choices of a run of `dagId`, or undefined when the user cancelled. */
export async function askRunChoices(file: CheckedFile, dagId: string, now: number, python: string): Promise<RunChoices | undefined> {
  const title = (step: number) => `Run ${dagId} locally (${step}/${STEPS})`;
  const selection = await askSelection(file, dagId, now, title(1));
  if (!selection) return undefined;
  const conf = await askConf(title(2));
  if (!conf) return undefined;
  const dry = await askDry(title(3), python);
  if (dry === undefined) return undefined;
  return { selection, conf, dry, failTasks: [] };
}
