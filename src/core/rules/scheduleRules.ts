// Diagnostics about when a DAG runs: invalid schedules, catchup storms, cron hours written as local
// time, and DST transitions the schedule runs into.
import type { DagModel } from '../dag/model';
import { argument } from '../dag/model';
import type { Diagnostic, Fix, SourceRange } from '../diagnostics';
import { dagSchedule, isScheduleProblem, scheduledRuns, type DagSchedule } from '../schedule/runs';
import { instantOfWallTime, isoInZone, utcIso, wallTime, wallTimeKind } from '../time/zones';
import type { RuleContext } from './rules';

/** More catchup runs than this on unpausing is worth a warning. */
const CATCHUP_WARNING = 30;
const CATCHUP_COUNT_LIMIT = 10_000;
const YEAR_MS = 366 * 86_400_000;

/** Zone words people write in comments, and the zone they mean. */
const ZONE_WORDS: readonly [RegExp, string][] = [
  [/\bKST\b|서울|한국|\bSeoul\b/i, 'Asia/Seoul'],
  [/\bJST\b|\bTokyo\b/i, 'Asia/Tokyo'],
  [/\bCET\b|\bCEST\b/, 'Europe/Berlin'],
  [/\bEST\b|\bEDT\b|New York/i, 'America/New_York'],
  [/\bPST\b|\bPDT\b/, 'America/Los_Angeles'],
  [/\bIST\b/, 'Asia/Kolkata'],
];

export function scheduleDiagnostics(context: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of context.model.dags) {
    const schedule = dagSchedule(dag, context.airflow);
    if (isScheduleProblem(schedule)) {
      if (schedule.invalid) found.push(invalidSchedule(context.text, schedule.message, schedule.range, schedule.cron?.field));
      continue;
    }
    if (context.now !== undefined) found.push(...catchupStorm(dag, schedule, context));
    found.push(...localHour(context.text, schedule));
    found.push(...dstTransitions(schedule, context.now));
  }
  return found;
}

/** PF501: Airflow refuses an invalid cron when it loads the DAG (AirflowTimetableInvalid). */
function invalidSchedule(text: string, message: string, range: SourceRange | undefined, field?: { from: number; to: number }): Diagnostic {
  let at = range ?? { from: 0, to: 0 };
  if (range && field) {
    // The field's position inside the string literal as written.
    const quote = text.slice(range.from, range.to).search(/["']/);
    if (quote >= 0) at = { from: range.from + quote + 1 + field.from, to: range.from + quote + 1 + field.to };
  }
  return { code: 'PF501', severity: 'error', message: `${message} Airflow refuses to load the DAG.`, range: at };
}

/** PF502: unpausing a DAG with catchup=True creates a run for every interval since its start_date. */
function catchupStorm(dag: DagModel, schedule: DagSchedule, context: RuleContext): Diagnostic[] {
  if (!schedule.restriction.catchup || schedule.restriction.earliest === null) return [];
  const { due } = scheduledRuns(schedule, { now: context.now!, count: CATCHUP_COUNT_LIMIT + 1 });
  if (due.length <= CATCHUP_WARNING) return [];
  const count = due.length > CATCHUP_COUNT_LIMIT ? `more than ${CATCHUP_COUNT_LIMIT.toLocaleString('en-US')}` : due.length.toLocaleString('en-US');
  const catchup = argument(dag, 'catchup');
  const why = catchup ? 'catchup=True' : `catchup defaults to True on Airflow ${context.airflow}`;
  const fix: Fix = catchup
    ? { title: 'Set catchup=False', edits: [{ range: catchup.valueRange, newText: 'False' }], preferred: true }
    : { title: 'Add catchup=False', edits: [{ range: insertionPoint(context.text, dag), newText: ', catchup=False' }], preferred: true };
  return [{
    code: 'PF502',
    severity: 'warning',
    message: `Unpausing this DAG now creates ${count} runs (${why}, from ${due[0].logical_date}). Set catchup=False to run only the latest interval.`,
    range: dag.selectionRange,
    fixes: [fix],
  }];
}

/** After the last argument of DAG(...) or @dag(...), where a new keyword argument goes. */
function insertionPoint(text: string, dag: DagModel): SourceRange {
  const last = dag.args.reduce<SourceRange | undefined>((end, a) => (!end || a.valueRange.to > end.to ? a.valueRange : end), undefined);
  const at = last ? last.to : text.indexOf('(', dag.selectionRange.from) + 1;
  return { from: at, to: at };
}

/**
 * PF503: a comment beside the schedule gives its time in a local zone, but the cron runs in the
 * DAG's zone (UTC unless start_date says otherwise): `"0 9 * * *"  # 9am KST` really fires at 18:00 KST.
 */
function localHour(text: string, schedule: DagSchedule): Diagnostic[] {
  const { cron, scheduleArgument } = schedule;
  if (!cron || !scheduleArgument) return [];
  const lineEnd = text.indexOf('\n', scheduleArgument.range.to);
  const comment = /#(.*)$/.exec(text.slice(scheduleArgument.range.to, lineEnd < 0 ? text.length : lineEnd))?.[1];
  if (!comment) return [];
  const named = ZONE_WORDS.map(([pattern, zone]) => ({ match: pattern.exec(comment), zone })).find((z) => z.match);
  if (!named?.match || named.zone === schedule.zone) return [];
  const zone = named.zone;
  const [minute, hour] = cron.expression.split(/\s+/);
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour)) return [];
  // The time written right beside the zone word ("9am KST", "KST 09:00"), not any time of the comment.
  const before = comment.slice(0, named.match.index);
  const after = comment.slice(named.match.index + named.match[0].length);
  const stated = /(\d{1,2})(?::(\d{2}))?\s*(am|pm|시)?\s*$/i.exec(before) ?? /^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|시)?/i.exec(after);
  if (!stated) return [];
  let statedHour = Number(stated[1]);
  if (stated[3]?.toLowerCase() === 'pm' && statedHour < 12) statedHour += 12;
  if (stated[3]?.toLowerCase() === 'am' && statedHour === 12) statedHour = 0;
  const statedMinute = Number(stated[2] ?? 0);
  if (statedHour !== Number(hour) || statedMinute !== Number(minute)) return [];
  // Where the cron's time really falls in the zone the comment names, on a day without DST changes.
  const sample = instantOfWallTime(Date.UTC(2024, 0, 15, Number(hour), Number(minute)), schedule.zone);
  const there = isoInZone(sample, zone).slice(11, 16);
  return [{
    code: 'PF503',
    severity: 'info',
    message: `This cron runs in ${schedule.zone}, so ${hour.padStart(2, '0')}:${minute.padStart(2, '0')} is ${there} in ${zone}. `
      + `To run at ${String(statedHour).padStart(2, '0')}:${String(statedMinute).padStart(2, '0')} ${zone} time, give start_date a zone: pendulum.datetime(..., tz="${zone}").`,
    range: scheduleArgument.range,
  }];
}

/** PF504: the cron's wall time falls in a DST gap or fold of the DAG's zone within a year. */
function dstTransitions(schedule: DagSchedule, now: number | undefined): Diagnostic[] {
  const { cron, scheduleArgument, zone } = schedule;
  // Schedules that fire every hour step by elapsed time across DST: nothing is skipped or doubled.
  if (!cron || cron.coversEveryHour || zone === 'UTC' || !scheduleArgument) return [];
  const from = Math.max(schedule.restriction.earliest ?? now ?? 0, now ?? 0);
  const found: Diagnostic[] = [];
  const seen = new Set<string>();
  for (let wall = cron.nextWall(wallTime(from, zone)), steps = 0; wall - wallTime(from, zone) < YEAR_MS && steps < 2000; wall = cron.nextWall(wall), steps++) {
    const kind = wallTimeKind(wall, zone);
    if (kind === 'normal') continue;
    const local = new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
    if (seen.has(kind)) continue;
    seen.add(kind);
    const runs = utcIso(instantOfWallTime(wall, zone));
    found.push({
      code: 'PF504',
      severity: 'info',
      message: kind === 'gap'
        ? `${local} does not exist in ${zone} (clocks go forward): Airflow runs at ${isoInZone(instantOfWallTime(wall, zone), zone)} (${runs}) instead.`
        : `${local} happens twice in ${zone} (clocks go back): Airflow runs once, at the second one (${runs}).`,
      range: scheduleArgument.range,
    });
  }
  return found;
}
