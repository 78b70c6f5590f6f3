// Diagnostics about when a DAG runs: invalid schedules, schedules Airflow's scheduler fails on,
// catchup storms, cron hours written as local time, and DST transitions the schedule runs into.
import type { DagModel } from '../dag/model';
import { argument } from '../dag/model';
import type { Diagnostic, Fix, SourceRange } from '../diagnostics';
import type { Tree } from '../python/syntax';
import { CronSearchFailure } from '../schedule/fastCron';
import { dagSchedule, isScheduleProblem, scheduledRuns, type DagSchedule, type ScheduledRuns } from '../schedule/runs';
import { instantOfWallTime, isKnownZone, isoInZone, utcIso, wallTime, wallTimeKind } from '../time/zones';
import type { RuleContext } from './rules';

/** More catchup runs than this on unpausing is worth a warning. */
const CATCHUP_WARNING = 30;
const CATCHUP_COUNT_LIMIT = 10_000;
const YEAR_MS = 366 * 86_400_000;

/** Zone words people write in comments and docs, the zone they mean, and how to name it in a message. */
const ZONE_WORDS: readonly (readonly [RegExp, string, string])[] = [
  [/\bKST\b|서울|한국|\bSeoul\b|\bKorea/i, 'Asia/Seoul', 'KST'],
  [/\bJST\b|\bTokyo\b|\bJapan/i, 'Asia/Tokyo', 'JST'],
  [/\bCET\b|\bCEST\b/, 'Europe/Berlin', 'CET'],
  [/\bEST\b|\bEDT\b|New York/i, 'America/New_York', 'New York time'],
  [/\bPST\b|\bPDT\b/, 'America/Los_Angeles', 'Los Angeles time'],
  [/\bIST\b/, 'Asia/Kolkata', 'IST'],
  [/\bSGT\b|\bSingapore\b/i, 'Asia/Singapore', 'SGT'],
  [/\bHKT\b|\bHong Kong\b/i, 'Asia/Hong_Kong', 'HKT'],
  [/\bAEST\b|\bAEDT\b|\bSydney\b/i, 'Australia/Sydney', 'Sydney time'],
];

/** Words that say a time is meant in some local zone, without saying which. */
const LOCAL_TIME = /\blocal(?:\s+|-)?time\b|현지\s*시간|한국\s*시간|로컬\s*시간/i;

export function scheduleDiagnostics(context: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const dag of context.model.dags) {
    const schedule = dagSchedule(dag, context.airflow);
    if (isScheduleProblem(schedule)) {
      if (schedule.invalid) found.push(invalidSchedule(context.text, schedule.message, schedule.range, schedule.cron?.field));
      else if (schedule.neverScheduled) found.push({ code: 'PF505', severity: 'error', message: schedule.message, range: schedule.range ?? dag.selectionRange });
      continue;
    }
    if (context.now !== undefined) {
      const runs = scheduledRuns(schedule, { now: context.now, count: CATCHUP_COUNT_LIMIT + 1 });
      found.push(...catchupStorm(dag, schedule, runs, context));
      found.push(...schedulerFailure(dag, schedule, runs));
    }
    found.push(...localHour(context, dag, schedule));
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

/**
 * PF505: the DAG loads, but Airflow's scheduler raises computing its next run (croniter finds no
 * tick, e.g. past the last year of a seventh field), logs it and creates no further run.
 */
function schedulerFailure(dag: DagModel, schedule: DagSchedule, runs: ScheduledRuns): Diagnostic[] {
  if (!runs.failure) return [];
  const last = runs.due.at(-1);
  const which = last ? `the run after ${last.logical_date}` : 'its first run';
  const years = schedule.cron && schedule.cron.expression.split(/\s+/).length === 7 ? ' within the years of the seventh field' : '';
  return [{
    code: 'PF505',
    severity: 'error',
    message: `Airflow's scheduler fails computing ${which} (${runs.failure}): croniter finds no tick${years}, so no ${last ? 'further ' : ''}run is created.`,
    range: schedule.scheduleArgument?.range ?? dag.selectionRange,
  }];
}

/** PF502: unpausing a DAG with catchup=True creates a run for every interval since its start_date. */
function catchupStorm(dag: DagModel, schedule: DagSchedule, { due }: ScheduledRuns, context: RuleContext): Diagnostic[] {
  if (!schedule.restriction.catchup || schedule.restriction.earliest === null) return [];
  if (due.length <= CATCHUP_WARNING) return [];
  const count = due.length > CATCHUP_COUNT_LIMIT ? `more than ${CATCHUP_COUNT_LIMIT.toLocaleString('en-US')}` : due.length.toLocaleString('en-US');
  // Airflow creates them all, but queues and runs only max_active_runs at a time (§1.10).
  const active = schedule.maxActiveRuns !== undefined ? `, at most ${schedule.maxActiveRuns} active at once` : '';
  const catchup = argument(dag, 'catchup');
  const why = catchup ? 'catchup=True' : `catchup defaults to True on Airflow ${context.airflow}`;
  const fix: Fix = catchup
    ? { title: 'Set catchup=False', edits: [{ range: catchup.valueRange, newText: 'False' }], preferred: true }
    : { title: 'Add catchup=False', edits: [{ range: insertionPoint(context.text, dag), newText: ', catchup=False' }], preferred: true };
  return [{
    code: 'PF502',
    severity: 'warning',
    message: `Unpausing this DAG now creates ${count} runs${active} (${why}, from ${due[0].logical_date}). Set catchup=False to run only the latest interval.`,
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
 * PF503: the cron's hour looks like local time, but the cron runs in the DAG's zone (UTC unless
 * start_date says otherwise): a comment beside the schedule gives the same time in another zone
 * (`"0 9 * * *"  # 9am KST`), or the DAG's comments, description, doc_md or tags mention another
 * zone or "local time" while the hour is a literal. `"0 9 * * *"` really fires at 18:00 KST.
 */
function localHour(context: RuleContext, dag: DagModel, schedule: DagSchedule): Diagnostic[] {
  const { cron, scheduleArgument } = schedule;
  if (!cron || !scheduleArgument) return [];
  const [minute, hour] = cron.expression.split(/\s+/);
  if (!/^\d+$/.test(hour)) return [];
  const beside = statedBeside(context.text, scheduleArgument.range, schedule, minute, hour);
  if (beside) return [beside];
  const words = dagWords(context, dag);
  const named = ZONE_WORDS.map(([pattern, zone, label]) => ({ match: pattern.exec(words), zone, label })).find((z) => z.match)
    ?? ianaZoneIn(words);
  const time = /^\d+$/.test(minute) ? `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}` : `hour ${hour.padStart(2, '0')}`;
  const here = schedule.zone === 'UTC' ? 'UTC' : schedule.zone;
  const fix = (zone: string) => `give start_date the zone: pendulum.datetime(..., tz="${zone}")`;
  if (named && named.zone !== schedule.zone) {
    const sample = instantOfWallTime(Date.UTC(2024, 0, 15, Number(hour), /^\d+$/.test(minute) ? Number(minute) : 0), schedule.zone);
    const local = isoInZone(sample, named.zone);
    const there = /^\d+$/.test(minute) ? local.slice(11, 16) : `hour ${local.slice(11, 13)}`;
    // Text that names UTC, or already gives the real local time, shows the author knows.
    if (/\bUTC\b|\bGMT\b/i.test(words) || mentionsTime(words, Number(local.slice(11, 13)), /^\d+$/.test(minute) ? Number(minute) : undefined)) return [];
    const day = local.slice(0, 10) > isoInZone(sample, schedule.zone).slice(0, 10) ? ' the next day' : local.slice(0, 10) < isoInZone(sample, schedule.zone).slice(0, 10) ? ' the day before' : '';
    return [{
      code: 'PF503',
      severity: 'info',
      message: `"${cron.expression}" runs at ${time} ${here} = ${there} ${named.label}${day}: this DAG mentions ${named.label}, but the cron runs in ${here}. `
        + `To run at ${time} ${named.label}, ${fix(named.zone)}.`,
      range: scheduleArgument.range,
    }];
  }
  if (!named && LOCAL_TIME.test(words) && schedule.zone === 'UTC' && !/\bUTC\b|\bGMT\b/i.test(words)) {
    return [{
      code: 'PF503',
      severity: 'info',
      message: `"${cron.expression}" runs at ${time} UTC, not at ${time} local time as this DAG's text says: the cron runs in the DAG's zone (UTC). `
        + `To run at ${time} local time, ${fix('Area/City')}.`,
      range: scheduleArgument.range,
    }];
  }
  return [];
}

/** The comment beside the schedule gives its own time in a zone (`# 9am KST`): where the cron's time really falls there. */
function statedBeside(text: string, range: SourceRange, schedule: DagSchedule, minute: string, hour: string): Diagnostic | undefined {
  const lineEnd = text.indexOf('\n', range.to);
  const comment = /#(.*)$/.exec(text.slice(range.to, lineEnd < 0 ? text.length : lineEnd))?.[1];
  if (!comment || !/^\d+$/.test(minute)) return undefined;
  const named = ZONE_WORDS.map(([pattern, zone]) => ({ match: pattern.exec(comment), zone })).find((z) => z.match);
  if (!named?.match || named.zone === schedule.zone) return undefined;
  const zone = named.zone;
  // The time written right beside the zone word ("9am KST", "KST 09:00"), not any time of the comment.
  const before = comment.slice(0, named.match.index);
  const after = comment.slice(named.match.index + named.match[0].length);
  const stated = /(\d{1,2})(?::(\d{2}))?\s*(am|pm|시)?\s*$/i.exec(before) ?? /^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|시)?/i.exec(after);
  if (!stated) return undefined;
  let statedHour = Number(stated[1]);
  if (stated[3]?.toLowerCase() === 'pm' && statedHour < 12) statedHour += 12;
  if (stated[3]?.toLowerCase() === 'am' && statedHour === 12) statedHour = 0;
  const statedMinute = Number(stated[2] ?? 0);
  if (statedHour !== Number(hour) || statedMinute !== Number(minute)) return undefined;
  // Where the cron's time really falls in the zone the comment names, on a day without DST changes.
  const sample = instantOfWallTime(Date.UTC(2024, 0, 15, Number(hour), Number(minute)), schedule.zone);
  const there = isoInZone(sample, zone).slice(11, 16);
  return {
    code: 'PF503',
    severity: 'info',
    message: `This cron runs in ${schedule.zone}, so ${hour.padStart(2, '0')}:${minute.padStart(2, '0')} is ${there} in ${zone}. `
      + `To run at ${String(statedHour).padStart(2, '0')}:${String(statedMinute).padStart(2, '0')} ${zone} time, give start_date a zone: pendulum.datetime(..., tz="${zone}").`,
    range,
  };
}

/**
 * What the DAG says about itself in words: the comments inside its `DAG(...)` call or `with` block
 * (or decorated function), and its description, doc_md (the module docstring for `__doc__`) and tags.
 */
function dagWords(context: RuleContext, dag: DagModel): string {
  const { text } = context;
  const region = dagRegion(context.tree, dag);
  const lineEnd = text.indexOf('\n', region.to);
  const comments: string[] = [];
  // Every comment starts with '#': finding those in the text is much cheaper than walking the
  // region's tree, which for a large DAG is every node of every task. A '#' in a string is not one.
  const end = lineEnd < 0 ? text.length : lineEnd;
  for (let at = text.indexOf('#', region.from); at >= 0 && at < end; at = text.indexOf('#', at + 1)) {
    const node = context.tree.resolveInner(at, 1);
    if (node.name === 'Comment' && node.from === at) {
      comments.push(text.slice(node.from, node.to));
      at = node.to;
    }
  }
  const strings = (name: string): string[] => {
    const arg = argument(dag, name);
    if (!arg) return [];
    if (arg.value.kind === 'str') return [arg.value.value];
    if (arg.value.kind === 'list') return arg.value.items.flatMap((item) => (item.kind === 'str' ? [item.value] : []));
    if (text.slice(arg.valueRange.from, arg.valueRange.to) === '__doc__') return [/^\s*(?:#[^\n]*\n\s*)*[rRuU]?("""[\s\S]*?"""|'''[\s\S]*?''')/.exec(text)?.[1] ?? ''];
    return [];
  };
  return [...comments, ...strings('description'), ...strings('doc_md'), ...strings('tags')].join('\n');
}

/** The `with DAG(...):` statement or decorated function a DAG is written in, else its call. */
function dagRegion(tree: Tree, dag: DagModel): SourceRange {
  for (let node: ReturnType<Tree['resolveInner']> | null = tree.resolveInner(dag.range.from, 1); node; node = node.parent) {
    if ((node.name === 'WithStatement' || node.name === 'DecoratedStatement') && node.from <= dag.range.from && dag.range.to <= node.to) {
      return { from: node.from, to: node.to };
    }
  }
  return dag.range;
}

/** The words give this time of day: `9:30`, `09:30`, `9시 30분`, or for a whole hour `9am`, `9시`, `9:00`. */
function mentionsTime(words: string, hour: number, minute: number | undefined): boolean {
  const h = `0?${hour}`;
  const h12 = `0?${hour % 12 === 0 ? 12 : hour % 12}`;
  const m = minute === undefined ? '\\d{2}' : String(minute).padStart(2, '0');
  const patterns = [`\\b${h}:${m}\\b`, `\\b${h}시\\s*${minute ? `${minute}분` : ''}`];
  if (!minute) patterns.push(`\\b${h12}\\s*${hour < 12 ? 'am' : 'pm'}\\b`);
  return patterns.some((pattern) => new RegExp(pattern, 'i').test(words));
}

/** A zone written by its IANA name (`Asia/Seoul`). */
function ianaZoneIn(words: string): { zone: string; label: string } | undefined {
  for (const [name] of words.matchAll(/\b[A-Z][A-Za-z]+\/[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z_]+)?\b/g)) {
    if (isKnownZone(name)) return { zone: name, label: name };
  }
  return undefined;
}

/** PF504: the cron's wall time falls in a DST gap or fold of the DAG's zone within a year. */
function dstTransitions(schedule: DagSchedule, now: number | undefined): Diagnostic[] {
  const { cron, scheduleArgument, zone } = schedule;
  // Schedules that fire every hour step by elapsed time across DST: nothing is skipped or doubled.
  if (!cron || cron.coversEveryHour || zone === 'UTC' || !scheduleArgument) return [];
  const from = Math.max(schedule.restriction.earliest ?? now ?? 0, now ?? 0);
  const found: Diagnostic[] = [];
  const seen = new Set<string>();
  for (let wall = nextTick(cron, wallTime(from, zone)), steps = 0; wall !== undefined && wall - wallTime(from, zone) < YEAR_MS && steps < 2000; wall = nextTick(cron, wall), steps++) {
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

/** The next tick, or undefined where croniter finds none (a year field's last tick has passed). */
function nextTick(cron: NonNullable<DagSchedule['cron']>, wall: number): number | undefined {
  try {
    return cron.nextWall(wall);
  } catch (error) {
    if (error instanceof CronSearchFailure) return undefined;
    throw error;
  }
}
