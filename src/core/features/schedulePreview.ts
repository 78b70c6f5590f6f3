// "Preview Schedule" as a page: the runs of a DAG from its start date to its end date (or the next
// few), and what unpausing it now creates, in UTC and the user's zones. Pure: the editor passes the
// file, "now", the zones, the language and the page's nonce, and shows the HTML in a webview that
// follows the theme. The page is static HTML: no script runs in it.
import type { CheckedFile } from '../check';
import { describeSchedule, type Locale } from '../schedule/describe';
import { dagSchedule, futureRuns, isScheduleProblem, runsFromStartToEnd, scheduledRuns, type LocalRunTimes, type ScheduledRun } from '../schedule/runs';

/** The most runs one table lists; the rest are counted. */
export const MAX_PREVIEW_ROWS = 500;

export interface SchedulePreviewOptions {
  readonly now: number;
  /** The user's zones (`preflight.timezones`); UTC is always shown. */
  readonly zones: readonly string[];
  /** How many upcoming runs to list when the DAG has no end_date (default 10). */
  readonly n?: number;
  readonly locale?: Locale;
  /** The Content-Security-Policy nonce of the page's style sheet. */
  readonly nonce: string;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

function runsTable(runs: readonly ScheduledRun[], zones: readonly string[]): string {
  const zoneHeads = zones.map((z) => `<th>logical date (${escape(z)})</th><th>data interval (${escape(z)})</th><th>runs at (${escape(z)})</th>`).join('');
  const cells = (t: LocalRunTimes) => `<td>${t.logical_date}</td><td>${t.data_interval_start} – ${t.data_interval_end}</td><td>${t.run_after}</td>`;
  const rows = runs.map((r) => `<tr><td>${r.ds}</td>${cells(r)}${zones.map((z) => cells(r.local[z])).join('')}<td><code>${escape(r.run_id)}</code></td></tr>`);
  return `<table><thead><tr><th>ds</th><th>logical date (UTC)</th><th>data interval (UTC)</th><th>runs at (UTC)</th>${zoneHeads}<th>run id</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The page for one DAG of a file. */
export function schedulePreviewHtml(file: CheckedFile, dagId: string, options: SchedulePreviewOptions): string {
  const { now, nonce } = options;
  const n = options.n ?? 10;
  const dag = file.model.dags.find((d) => d.dagId === dagId);
  const schedule = dag ? dagSchedule(dag, file.airflow) : undefined;
  let body: string;
  if (!dag || !schedule) {
    body = `<p>No DAG <code>${escape(dagId)}</code> in ${escape(file.file)}.</p>`;
  } else if (isScheduleProblem(schedule)) {
    body = `<p>${escape(schedule.message)}</p>`;
  } else {
    const zones = options.zones.filter((z) => z !== 'UTC');
    const { due, failure } = scheduledRuns(schedule, { now, count: MAX_PREVIEW_ROWS + 1, zones });
    const active = schedule.maxActiveRuns !== undefined ? `, at most ${schedule.maxActiveRuns} active at once` : '';
    const dueCount = due.length > MAX_PREVIEW_ROWS ? `more than ${MAX_PREVIEW_ROWS}` : String(due.length);
    const catchupNote = schedule.restriction.catchup
      ? `<p class="catchup">catchup=True: unpausing now creates <strong>${dueCount}</strong> run${due.length === 1 ? '' : 's'}${due.length > 0 ? active : ''}.</p>`
      : `<p class="catchup">catchup=False: unpausing now creates <strong>${due.length > 0 ? 'the latest run only' : 'no run'}</strong>.</p>`;
    const failureNote = failure ? `<p class="failure">Airflow's scheduler fails computing the next run (${escape(failure)}): no further run is created.</p>` : '';
    let runs: string;
    if (schedule.restriction.latest !== null && schedule.restriction.earliest !== null) {
      // A DAG with an end: its whole life, from start_date to end_date.
      const all = runsFromStartToEnd(schedule, MAX_PREVIEW_ROWS, zones);
      const rest = all.total - all.runs.length;
      const more = rest > 0 ? `<p class="more">… and ${all.moreThanCounted ? 'more than ' : ''}${plural(rest, 'more run')}.</p>` : '';
      runs = `<h2>Runs from start_date to end_date (${all.moreThanCounted ? 'more than ' : ''}${all.total.toLocaleString('en-US')})</h2>${all.runs.length > 0 ? runsTable(all.runs, zones) : '<p>None.</p>'}${more}`;
    } else {
      const upcoming = futureRuns(schedule, now, n, zones);
      const shown = due.slice(0, MAX_PREVIEW_ROWS);
      const more = due.length > MAX_PREVIEW_ROWS ? `<p class="more">… and more.</p>` : '';
      const created = shown.length > 0 ? `<h2>Runs unpausing now creates (${dueCount})</h2>${runsTable(shown, zones)}${more}` : '';
      runs = `${created}<h2>Next ${plural(n, 'run')}</h2>${upcoming.length > 0 ? runsTable(upcoming, zones) : '<p>None.</p>'}`;
    }
    body = `<p>${escape(describeSchedule(schedule, options.locale))} — ${schedule.timetable.name}, Airflow ${file.airflow} rules, DAG zone ${escape(schedule.zone)}, computed at ${new Date(now).toISOString()}.</p>
${catchupNote}${failureNote}
${runs}`;
  }
  return `<!DOCTYPE html><html lang="${options.locale ?? 'en'}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: .9em; }
th, td { border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, transparent)); padding: .25em .75em; text-align: left; white-space: nowrap; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; }
h2 { font-size: 1em; margin-top: 1.5em; }
.failure { color: var(--vscode-errorForeground); }
</style></head><body><h1>${escape(dagId)}</h1>${body}</body></html>`;
}
