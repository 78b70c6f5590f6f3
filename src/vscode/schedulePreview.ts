// "Preview Schedule": the runs of a DAG from its start date, and what unpausing it now creates, as a
// table that follows the theme. The page is static HTML: no script runs in it.
import * as vscode from 'vscode';
import type { CheckedFile } from '../core/check';
import type { Locale } from '../core/schedule/describe';
import { describeSchedule } from '../core/schedule/describe';
import { dagSchedule, futureRuns, isScheduleProblem, scheduledRuns, type ScheduledRun } from '../core/schedule/runs';

const MAX_ROWS = 500;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function userLocale(): Locale {
  return vscode.env.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** The label of the next run: in the first zone that is not UTC, then UTC. */
export function nextRunLabel(file: CheckedFile, dagId: string, zones: readonly string[], now: number): string | undefined {
  const dag = file.model.dags.find((d) => d.dagId === dagId);
  if (!dag) return undefined;
  const schedule = dagSchedule(dag, file.airflow);
  if (isScheduleProblem(schedule)) return undefined;
  const local = zones.find((z) => z !== 'UTC');
  const [next] = futureRuns(schedule, now, 1, local ? [local] : []);
  if (!next) return schedule.timetable.name === 'NullTimetable' ? 'Not scheduled' : 'No next run';
  const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  return local ? `Next run: ${time(next.local[local].run_after)} ${local} (${time(next.run_after)} UTC)` : `Next run: ${time(next.run_after)} UTC`;
}

export function schedulePreviewHtml(file: CheckedFile, dagId: string, zones: readonly string[], now: number): string {
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const dag = file.model.dags.find((d) => d.dagId === dagId);
  const schedule = dag ? dagSchedule(dag, file.airflow) : undefined;
  let body: string;
  if (!dag || !schedule) {
    body = `<p>No DAG <code>${escape(dagId)}</code> in ${escape(file.file)}.</p>`;
  } else if (isScheduleProblem(schedule)) {
    body = `<p>${escape(schedule.message)}</p>`;
  } else {
    const local = zones.filter((z) => z !== 'UTC');
    const { due } = scheduledRuns(schedule, { now, count: MAX_ROWS, zones: local });
    const upcoming = futureRuns(schedule, now, 10, local);
    const table = (runs: ScheduledRun[]) => `<table><thead><tr><th>ds</th><th>logical date (UTC)</th><th>data interval (UTC)</th><th>runs at (UTC)</th>${local.map((z) => `<th>runs at (${escape(z)})</th>`).join('')}<th>run id</th></tr></thead><tbody>${
      runs.map((r) => `<tr><td>${r.ds}</td><td>${r.logical_date}</td><td>${r.data_interval_start} – ${r.data_interval_end}</td><td>${r.run_after}</td>${
        local.map((z) => `<td>${r.local[z].run_after}</td>`).join('')}<td><code>${escape(r.run_id)}</code></td></tr>`).join('')}</tbody></table>`;
    const catchupNote = schedule.restriction.catchup
      ? `<p>catchup=True: unpausing now creates <strong>${due.length >= MAX_ROWS ? `at least ${MAX_ROWS}` : due.length}</strong> run${due.length === 1 ? '' : 's'}.</p>`
      : `<p>catchup=False: unpausing now creates <strong>${due.length > 0 ? 'the latest run only' : 'no run'}</strong>.</p>`;
    body = `<p>${escape(describeSchedule(schedule, userLocale()))} — ${schedule.timetable.name}, Airflow ${file.airflow} rules, DAG zone ${escape(schedule.zone)}, computed at ${new Date(now).toISOString()}.</p>
${catchupNote}
<h2>Runs due now (${due.length >= MAX_ROWS ? `first ${MAX_ROWS}` : due.length})</h2>${due.length > 0 ? table(due) : '<p>None.</p>'}
<h2>Next runs</h2>${upcoming.length > 0 ? table(upcoming) : '<p>None.</p>'}`;
  }
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: .9em; }
th, td { border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, transparent)); padding: .25em .75em; text-align: left; white-space: nowrap; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; }
h2 { font-size: 1em; margin-top: 1.5em; }
</style></head><body><h1>${escape(dagId)}</h1>${body}</body></html>`;
}

/** Opens (or refreshes) the preview of one DAG's schedule beside the editor. */
export function openSchedulePreview(file: CheckedFile, dagId: string, zones: readonly string[]): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel('preflight.schedule', `Schedule: ${dagId}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: false, localResourceRoots: [] });
  panel.webview.html = schedulePreviewHtml(file, dagId, zones, Date.now());
  return panel;
}
