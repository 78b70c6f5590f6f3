// Wall-clock times in IANA zones, with the platform's time zone database (Intl), which the core may
// use because it is part of JavaScript itself.
import type { DateTimeValue } from '../python/values';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat | undefined {
  if (!formatters.has(zone)) {
    try {
      formatters.set(zone, new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      }));
    } catch {
      return undefined;
    }
  }
  return formatters.get(zone);
}

/** The zone's offset from UTC, in milliseconds, at the instant `epochMs`; undefined for an unknown zone. */
export function zoneOffsetMs(zone: string, epochMs: number): number | undefined {
  const format = formatter(zone);
  if (!format) return undefined;
  const parts = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in a zone (naive times are UTC, as Airflow's default_timezone).
 * The offset is refined once, which is exact outside DST transitions; times inside a gap or fold are
 * resolved by the schedule code, which follows pendulum's rules.
 */
export function toEpochMs(value: DateTimeValue): number | undefined {
  const wall = Date.UTC(value.year, value.month - 1, value.day, value.hour, value.minute, value.second);
  if (!value.tz || value.tz === 'UTC') return wall;
  const first = zoneOffsetMs(value.tz, wall);
  if (first === undefined) return undefined;
  const second = zoneOffsetMs(value.tz, wall - first)!;
  return wall - second;
}

/** `2024-01-01T00:30:00+00:00`, the UTC ISO form Airflow prints. */
export function utcIso(epochMs: number): string {
  return isoInZone(epochMs, 'UTC');
}

const DAY_MS = 86_400_000;

/** The wall-clock time (as epoch ms of the same fields in UTC) of an instant in a zone. */
export function wallTime(epochMs: number, zone: string): number {
  return zone === 'UTC' ? epochMs : epochMs + (zoneOffsetMs(zone, epochMs) ?? 0);
}

/**
 * The instant of a wall-clock time in a zone, resolved as Airflow's `make_aware` does with
 * pendulum: an ambiguous time (the fold when clocks go back) is its second occurrence (`fold=1`),
 * and a time that does not exist (the gap when clocks go forward) is pushed forward by the gap.
 */
export function instantOfWallTime(wallMs: number, zone: string): number {
  if (zone === 'UTC') return wallMs;
  const before = zoneOffsetMs(zone, wallMs - DAY_MS) ?? 0;
  const after = zoneOffsetMs(zone, wallMs + DAY_MS) ?? 0;
  if (before === after) return wallMs - before;
  const withBefore = wallMs - before;
  const withAfter = wallMs - after;
  const beforeValid = zoneOffsetMs(zone, withBefore) === before;
  const afterValid = zoneOffsetMs(zone, withAfter) === after;
  if (beforeValid && afterValid) return Math.max(withBefore, withAfter);
  if (beforeValid) return withBefore;
  if (afterValid) return withAfter;
  // In the gap: pendulum adds the gap to the wall time and takes the later offset, which is the
  // wall time read with the earlier offset.
  return withBefore;
}

/** `2024-01-01T09:30:00+09:00`: an instant in a zone, as Python's `isoformat()` writes it. */
export function isoInZone(epochMs: number, zone: string): string {
  const offset = zone === 'UTC' ? 0 : zoneOffsetMs(zone, epochMs) ?? 0;
  const wall = new Date(epochMs + offset).toISOString();
  const millis = epochMs % 1000;
  const base = wall.slice(0, 19) + (millis ? `.${String(Math.abs(millis) * 1000).padStart(6, '0')}` : '');
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  return `${base}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Whether a zone name is known to the platform's time zone database. */
export function isKnownZone(zone: string): boolean {
  return zone === 'UTC' || zoneOffsetMs(zone, 0) !== undefined;
}

/** Whether a wall-clock time exists once, twice (a DST fold) or not at all (a DST gap) in a zone. */
export function wallTimeKind(wallMs: number, zone: string): 'normal' | 'gap' | 'fold' {
  if (zone === 'UTC') return 'normal';
  const before = zoneOffsetMs(zone, wallMs - DAY_MS) ?? 0;
  const after = zoneOffsetMs(zone, wallMs + DAY_MS) ?? 0;
  if (before === after) return 'normal';
  const beforeValid = zoneOffsetMs(zone, wallMs - before) === before;
  const afterValid = zoneOffsetMs(zone, wallMs - after) === after;
  return beforeValid && afterValid ? 'fold' : !beforeValid && !afterValid ? 'gap' : 'normal';
}
