// Cron expressions as Airflow reads them: its presets, then croniter's syntax (5 fields, or 6 with
// seconds last), evaluated on naive wall-clock time. cron-parser does the parsing and iteration; it
// is always run in UTC on wall-clock values, so that time zones and DST are handled by our own code
// exactly as Airflow's `_cron.py` does (see ./timetables.ts).
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { FastCron } from './fastCron';

/** `airflow/utils/dates.py` cron_presets, then croniter's own aliases. */
const PRESETS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@midnight': '0 0 * * *',
};

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week', 'second'];

export interface CronError {
  readonly message: string;
  /** The offending field's position in the expression as written, when one field is at fault. */
  readonly field?: { readonly index: number; readonly from: number; readonly to: number };
}

/** A valid cron expression, ready to step through naive wall-clock times. */
export class CronSchedule {
  private constructor(
    /** The expression as Airflow hands it to croniter (presets expanded). */
    readonly expression: string,
    /** The same in cron-parser's and cronstrue's order (seconds first). */
    readonly secondsFirst: string,
    /** Hour field `*`: Airflow then steps by elapsed time, so both hours of a DST fold run. */
    readonly coversEveryHour: boolean,
    /** The quick stepper, for expressions without `L` and `#`. */
    private readonly fast: FastCron | undefined,
  ) {}

  static parse(text: string): CronSchedule | CronError {
    const expression = PRESETS[text.trim()] ?? text.trim();
    const fields = expression.split(/\s+/).filter(Boolean);
    if (fields.length === 7) return { message: 'A seventh (year) cron field is not supported by Airflow Preflight.' };
    if (fields.length !== 5 && fields.length !== 6) {
      return { message: `Exactly 5, 6 or 7 columns has to be specified for iterator expression (got ${fields.length}).` };
    }
    // croniter refuses `L` in the day-of-week field (`5L`), which cron-parser would accept.
    if (/L/i.test(fields[4])) return locateError(text, fields, 'croniter does not accept L in the day-of-week field', 4);
    // croniter's `15W` (the weekday nearest the 15th) is not cron-parser syntax: those days are taken
    // out of the expression it parses and matched by the quick stepper.
    const nearest: number[] = [];
    const days = fields[2].split(',').filter((item) => {
      const w = /^(\d{1,2})W$/i.exec(item);
      if (w) nearest.push(Number(w[1]));
      return !w;
    });
    const parsedFields = nearest.length > 0 ? [...fields.slice(0, 2), days.length > 0 ? days.join(',') : String(nearest[0]), ...fields.slice(3)] : fields;
    // croniter puts seconds last; cron-parser first.
    const ordered = parsedFields.length === 6 ? [parsedFields[5], ...parsedFields.slice(0, 5)] : parsedFields;
    const parserExpression = ordered.join(' ');
    let parsed: CronExpression;
    try {
      parsed = CronExpressionParser.parse(parserExpression, { tz: 'UTC' });
    } catch (error) {
      return locateError(text, fields, error instanceof Error ? error.message : String(error));
    }
    const fast = FastCron.from(parsed, nearest, days.length > 0);
    if (nearest.length > 0 && !fast) return locateError(text, fields, 'W cannot be combined with L or #', 2);
    return new CronSchedule(expression, parserExpression, fields[1] === '*', fast);
  }

  private iterator(wallMs: number): CronExpression {
    return CronExpressionParser.parse(this.secondsFirst, { currentDate: new Date(wallMs), tz: 'UTC' });
  }

  /** Both day fields restricted: croniter then fires when either matches. */
  get daysEither(): boolean {
    const fields = this.expression.split(/\s+/);
    const restricted = (field: string) => field !== '*' && field !== '?';
    return restricted(fields[2]) && restricted(fields[4]);
  }

  /** The first tick strictly after a wall-clock time. */
  nextWall(wallMs: number): number {
    return this.fast ? this.fast.next(wallMs) : this.iterator(wallMs).next().getTime();
  }

  /** The last tick strictly before a wall-clock time. */
  prevWall(wallMs: number): number {
    return this.fast ? this.fast.prev(wallMs) : this.iterator(wallMs).prev().getTime();
  }

  /** The same steps through cron-parser alone: the reference the quick stepper is tested against. */
  referenceNextWall(wallMs: number): number {
    return this.iterator(wallMs).next().getTime();
  }

  referencePrevWall(wallMs: number): number {
    return this.iterator(wallMs).prev().getTime();
  }
}

/** Finds the field at fault (`known`, or by parsing each field alone with every other field a wildcard). */
function locateError(text: string, fields: string[], message: string, known?: number): CronError {
  const positions: { from: number; to: number }[] = [];
  let cursor = 0;
  for (const field of fields) {
    const from = text.indexOf(field, cursor);
    positions.push({ from, to: from + field.length });
    cursor = from + field.length;
  }
  if (known !== undefined) return { message: `Invalid ${FIELD_NAMES[known]} field '${fields[known]}': ${message}`, field: { index: known, ...positions[known] } };
  for (let index = 0; index < fields.length; index++) {
    const alone = fields.map((f, i) => (i === index ? f : '*'));
    const ordered = alone.length === 6 ? [alone[5], ...alone.slice(0, 5)] : alone;
    try {
      CronExpressionParser.parse(ordered.join(' '), { tz: 'UTC' });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { message: `Invalid ${FIELD_NAMES[index]} field '${fields[index]}': ${detail}`, field: { index, ...positions[index] } };
    }
  }
  return { message: `Invalid cron expression: ${message}` };
}

export function isCronError(value: CronSchedule | CronError): value is CronError {
  return !(value instanceof CronSchedule);
}
