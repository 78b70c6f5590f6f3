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
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
