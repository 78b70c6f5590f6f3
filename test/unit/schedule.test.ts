// Timetables, named after the rule each test pins down. Expected runs come from
// shared/airflow-semantics.md §1.11 and §1.13, which were executed with Airflow's own timetable code.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { analyzeDagFile } from '../../src/core/dag/analyze';
import { CronSchedule, isCronError } from '../../src/core/schedule/cron';
import { describeSchedule } from '../../src/core/schedule/describe';
import { dagSchedule, isScheduleProblem, scheduledRuns } from '../../src/core/schedule/runs';

interface Expected {
  /** Each due run as `logical_date → run_after`, in UTC, `YYYY-MM-DDTHH:MM` (`Z` implied). */
  due: string[];
  next: string | null;
}

const short = (iso: string) => iso.slice(0, 16);

/** The runs of a one-DAG file whose DAG(...) arguments are `args`, at `now` on Airflow `airflow`. */
function check(args: string, airflow: AirflowVersion, now: string, expected: Expected, count = 100): void {
  const source = `import pendulum\nfrom datetime import timedelta\nfrom airflow import DAG\nwith DAG("d", ${args}):\n    pass\n`;
  const [dag] = analyzeDagFile(source).dags;
  const schedule = dagSchedule(dag, airflow);
  if (isScheduleProblem(schedule)) assert.fail(schedule.message);
  const { due, next } = scheduledRuns(schedule, { now: Date.parse(now), count });
  assert.deepEqual({
    due: due.map((r) => `${short(r.logical_date)} → ${short(r.run_after)}`),
    next: next ? `${short(next.logical_date)} → ${short(next.run_after)}` : null,
  }, expected);
}

const START = 'start_date=pendulum.datetime(2024, 1, 1, tz="UTC")';

describe('cron data intervals (Airflow 2.10 default)', () => {
  it('runs each interval at its end, logical date at its start (catchup=True)', () => check(`schedule="30 0 * * *", ${START}, catchup=True`, 2, '2024-01-03T12:00:00Z', {
    due: ['2024-01-01T00:30 → 2024-01-02T00:30', '2024-01-02T00:30 → 2024-01-03T00:30'],
    next: '2024-01-03T00:30 → 2024-01-04T00:30',
  }));

  it('catchup=False creates only the latest completed interval', () => check(`schedule="30 0 * * *", ${START}, catchup=False`, 2, '2024-01-03T12:00:00Z', {
    due: ['2024-01-02T00:30 → 2024-01-03T00:30'],
    next: '2024-01-03T00:30 → 2024-01-04T00:30',
  }));

  it('catchup defaults to True on 2.10', () => check(`schedule="30 0 * * *", ${START}`, 2, '2024-01-02T12:00:00Z', {
    due: ['2024-01-01T00:30 → 2024-01-02T00:30'],
    next: '2024-01-02T00:30 → 2024-01-03T00:30',
  }));

  it('aligns a start_date between ticks to the next tick', () => check('schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, 10, tz="UTC")', 2, '2024-01-03T01:00:00Z', {
    due: ['2024-01-02T00:00 → 2024-01-03T00:00'],
    next: '2024-01-03T00:00 → 2024-01-04T00:00',
  }));

  it('@weekly ticks on Sundays: the first interval after a Monday start is Sunday to Sunday', () => check('schedule="@weekly", start_date=pendulum.datetime(2024, 1, 1, tz="UTC")', 2, '2024-01-14T00:00:00Z', {
    due: ['2024-01-07T00:00 → 2024-01-14T00:00'],
    next: '2024-01-14T00:00 → 2024-01-21T00:00',
  }));

  it('end_date is inclusive on the logical date: the last interval may end after it', () => check(`schedule="@daily", ${START}, end_date=pendulum.datetime(2024, 1, 2, tz="UTC")`, 2, '2024-02-01T00:00:00Z', {
    due: ['2024-01-01T00:00 → 2024-01-02T00:00', '2024-01-02T00:00 → 2024-01-03T00:00'],
    next: null,
  }));

  it('count caps the due runs and the next one is the first not listed', () => check(`schedule="@daily", ${START}`, 2, '2024-02-01T00:00:00Z', {
    due: ['2024-01-01T00:00 → 2024-01-02T00:00'],
    next: '2024-01-02T00:00 → 2024-01-03T00:00',
  }, 1));
});

describe('cron triggers (Airflow 3 default)', () => {
  it('runs at each tick, logical date = tick (catchup=True)', () => check(`schedule="30 0 * * *", ${START}, catchup=True`, 3, '2024-01-03T12:00:00Z', {
    due: ['2024-01-01T00:30 → 2024-01-01T00:30', '2024-01-02T00:30 → 2024-01-02T00:30', '2024-01-03T00:30 → 2024-01-03T00:30'],
    next: '2024-01-04T00:30 → 2024-01-04T00:30',
  }));

  it('catchup=False (the 3.x default) runs the most recent past tick at once', () => check(`schedule="30 0 * * *", ${START}`, 3, '2024-01-03T12:00:00Z', {
    due: ['2024-01-03T00:30 → 2024-01-03T00:30'],
    next: '2024-01-04T00:30 → 2024-01-04T00:30',
  }));

  it('without a start_date waits for the next tick when now is past the 10% buffer', () => check('schedule="30 0 * * *"', 3, '2024-01-03T12:00:00Z', {
    due: [],
    next: '2024-01-04T00:30 → 2024-01-04T00:30',
  }));

  it('without a start_date runs the past tick when now is within 5 minutes of it', () => check('schedule="30 0 * * *"', 3, '2024-01-03T00:33:00Z', {
    due: ['2024-01-03T00:30 → 2024-01-03T00:30'],
    next: '2024-01-04T00:30 → 2024-01-04T00:30',
  }));
});

describe('deltas', () => {
  it('2.10 data intervals start exactly at start_date with catchup=True', () => check('schedule=timedelta(days=1), start_date=pendulum.datetime(2024, 1, 1, 10, tz="UTC"), catchup=True', 2, '2024-01-03T11:00:00Z', {
    due: ['2024-01-01T10:00 → 2024-01-02T10:00', '2024-01-02T10:00 → 2024-01-03T10:00'],
    next: '2024-01-03T10:00 → 2024-01-04T10:00',
  }));

  it('2.10 catchup=False snaps to epoch multiples of the delta', () => check('schedule=timedelta(days=1), start_date=pendulum.datetime(2024, 1, 1, 10, tz="UTC"), catchup=False', 2, '2024-01-03T11:00:00Z', {
    due: ['2024-01-02T00:00 → 2024-01-03T00:00'],
    next: '2024-01-03T00:00 → 2024-01-04T00:00',
  }));

  it('2.10 without a schedule is daily from the start date', () => check(`${START}`, 2, '2024-01-02T12:00:00Z', {
    due: ['2024-01-01T00:00 → 2024-01-02T00:00'],
    next: '2024-01-02T00:00 → 2024-01-03T00:00',
  }));

  it('3.x without a schedule never runs', () => check(`${START}`, 3, '2024-01-02T12:00:00Z', { due: [], next: null }));
});

describe('@once', () => {
  it('runs once at the start date, whatever catchup says', () => {
    for (const airflow of [2, 3] as const) {
      check(`schedule="@once", ${START}, catchup=False`, airflow, '2024-02-01T00:00:00Z', { due: ['2024-01-01T00:00 → 2024-01-01T00:00'], next: null });
    }
  });
});

describe('DST: cron runs on wall-clock time in the DAG zone', () => {
  it('Europe/Amsterdam spring gap: 0 2 * * * on 2024-03-31 fires at 03:00 CEST (01:00Z)', () => check(
    'schedule="0 2 * * *", start_date=pendulum.datetime(2024, 3, 30, tz="Europe/Amsterdam"), catchup=True', 3, '2024-04-01T12:00:00Z', {
      due: ['2024-03-30T01:00 → 2024-03-30T01:00', '2024-03-31T01:00 → 2024-03-31T01:00', '2024-04-01T00:00 → 2024-04-01T00:00'],
      next: '2024-04-02T00:00 → 2024-04-02T00:00',
    }));

  it('Europe/Amsterdam autumn fold: 30 2 * * * on 2024-10-27 fires once, at the second 02:30 (01:30Z)', () => check(
    'schedule="30 2 * * *", start_date=pendulum.datetime(2024, 10, 26, tz="Europe/Amsterdam"), catchup=True', 3, '2024-10-28T12:00:00Z', {
      due: ['2024-10-26T00:30 → 2024-10-26T00:30', '2024-10-27T01:30 → 2024-10-27T01:30', '2024-10-28T01:30 → 2024-10-28T01:30'],
      next: '2024-10-29T01:30 → 2024-10-29T01:30',
    }));

  it('Europe/Amsterdam autumn fold: 30 * * * * fires in both 02:30s', () => check(
    'schedule="30 * * * *", start_date=pendulum.datetime(2024, 10, 27, 1, tz="Europe/Amsterdam"), catchup=True', 3, '2024-10-27T02:45:00Z', {
      due: ['2024-10-26T23:30 → 2024-10-26T23:30', '2024-10-27T00:30 → 2024-10-27T00:30', '2024-10-27T01:30 → 2024-10-27T01:30', '2024-10-27T02:30 → 2024-10-27T02:30'],
      next: '2024-10-27T03:30 → 2024-10-27T03:30',
    }));

  it('America/New_York midnight is 04:00Z before 2024-11-03 and 05:00Z after', () => check(
    'schedule="0 0 * * *", start_date=pendulum.datetime(2024, 11, 2, tz="America/New_York"), catchup=True', 3, '2024-11-04T06:00:00Z', {
      due: ['2024-11-02T04:00 → 2024-11-02T04:00', '2024-11-03T04:00 → 2024-11-03T04:00', '2024-11-04T05:00 → 2024-11-04T05:00'],
      next: '2024-11-05T05:00 → 2024-11-05T05:00',
    }));

  it('Asia/Seoul has no DST: 30 0 * * * is 15:30Z the day before, all year', () => check(
    'schedule="30 0 * * *", start_date=pendulum.datetime(2024, 3, 30, tz="Asia/Seoul"), catchup=True', 3, '2024-03-31T16:00:00Z', {
      due: ['2024-03-29T15:30 → 2024-03-29T15:30', '2024-03-30T15:30 → 2024-03-30T15:30', '2024-03-31T15:30 → 2024-03-31T15:30'],
      next: '2024-04-01T15:30 → 2024-04-01T15:30',
    }));

  it('a UTC cron is 09:30 in Seoul: ds stays the UTC date', () => {
    const [dag] = analyzeDagFile(`import pendulum\nfrom airflow import DAG\nwith DAG("d", schedule="30 0 * * *", ${START}, catchup=True):\n    pass\n`).dags;
    const schedule = dagSchedule(dag, 2);
    if (isScheduleProblem(schedule)) assert.fail(schedule.message);
    const [run] = scheduledRuns(schedule, { now: Date.parse('2024-01-02T01:00:00Z'), zones: ['Asia/Seoul'] }).due;
    assert.deepEqual(run, {
      run_id: 'scheduled__2024-01-01T00:30:00+00:00',
      logical_date: '2024-01-01T00:30:00+00:00',
      data_interval_start: '2024-01-01T00:30:00+00:00',
      data_interval_end: '2024-01-02T00:30:00+00:00',
      run_after: '2024-01-02T00:30:00+00:00',
      ds: '2024-01-01',
      local: {
        'Asia/Seoul': {
          logical_date: '2024-01-01T09:30:00+09:00',
          data_interval_start: '2024-01-01T09:30:00+09:00',
          data_interval_end: '2024-01-02T09:30:00+09:00',
          run_after: '2024-01-02T09:30:00+09:00',
        },
      },
    });
  });
});

describe('cron expressions as croniter reads them', () => {
  const ticks = (expression: string, from: string, n: number) => {
    const cron = CronSchedule.parse(expression);
    if (isCronError(cron)) assert.fail(cron.message);
    const out: string[] = [];
    for (let t = Date.parse(from); out.length < n;) out.push(new Date((t = cron.nextWall(t))).toISOString().slice(0, 19));
    return out;
  };

  it('restricting both day fields means either (day-of-month OR day-of-week)', () =>
    assert.deepEqual(ticks('0 0 1 * MON', '2024-01-20T00:00:00Z', 3), ['2024-01-22T00:00:00', '2024-01-29T00:00:00', '2024-02-01T00:00:00']));

  it('expands Airflow\'s presets, @quarterly included', () => assert.deepEqual(ticks('@quarterly', '2024-01-01T00:00:00Z', 2), ['2024-04-01T00:00:00', '2024-07-01T00:00:00']));

  it('reads a sixth field as seconds, last', () =>
    assert.deepEqual(ticks('0 0 * * * 30', '2024-01-01T00:00:00Z', 2), ['2024-01-01T00:00:30', '2024-01-02T00:00:30']));

  it('locates the bad field of an invalid expression', () => {
    const error = CronSchedule.parse('30 25 * * *');
    assert.ok(isCronError(error));
    assert.deepEqual(error.field, { index: 1, from: 3, to: 5 });
    assert.match(error.message, /hour/);
    const columns = CronSchedule.parse('* * *');
    assert.ok(isCronError(columns) && /Exactly 5, 6 or 7 columns/.test(columns.message));
  });

  it('reads L<d> in the weekday as the last such weekday of the month, and refuses 5L as croniter does', () => {
    assert.deepEqual(ticks('0 0 * * L5', '2024-01-01T00:00:00Z', 3), ['2024-01-26T00:00:00', '2024-02-23T00:00:00', '2024-03-29T00:00:00']);
    assert.deepEqual(ticks('0 0 * * L7', '2024-01-01T00:00:00Z', 1), ['2024-01-28T00:00:00']);
    const refused = CronSchedule.parse('0 0 * * 5L');
    assert.ok(isCronError(refused) && !refused.unsupported);
    assert.deepEqual(refused.field, { index: 4, from: 8, to: 10 });
  });

  it('reads W15 as 15W, and W only alone in its field', () => {
    assert.deepEqual(ticks('0 0 W15 * *', '2024-06-01T00:00:00Z', 2), ticks('0 0 15W * *', '2024-06-01T00:00:00Z', 2));
    assert.deepEqual(ticks('0 0 W15 * *', '2024-06-01T00:00:00Z', 2), ['2024-06-14T00:00:00', '2024-07-15T00:00:00']);
    const list = CronSchedule.parse('0 0 1,15W * *');
    assert.ok(isCronError(list) && /'W' can only be used with a single day value/.test(list.message));
  });

  it('beside #, L<d> or W, both day fields must match together, not either', () => {
    // Only the first Mondays, not every 1st; only the weekdays nearest the 15th, not every Monday.
    assert.deepEqual(ticks('0 0 1 * MON#1', '2024-01-02T00:00:00Z', 3), ['2024-02-05T00:00:00', '2024-03-04T00:00:00', '2024-04-01T00:00:00']);
    assert.deepEqual(ticks('0 0 15W * MON', '2024-01-01T00:00:00Z', 2), ['2024-01-15T00:00:00', '2024-02-15T00:00:00']);
    assert.deepEqual(ticks('0 0 L * L5', '2024-01-01T00:00:00Z', 2), ['2024-01-26T00:00:00', '2024-02-23T00:00:00']);
    for (const never of ['0 0 1 * L5', '0 0 15W * SAT', '0 0 30 2 *']) {
      const cron = CronSchedule.parse(never);
      assert.ok(!isCronError(cron) && cron.neverFires, `${never} never fires`);
    }
  });

  it('reads a seventh field as the year, after the seconds', () => {
    assert.deepEqual(ticks('0 6 1 1 * 30 2026,2030', '2024-01-01T00:00:00Z', 2), ['2026-01-01T06:00:30', '2030-01-01T06:00:30']);
    const cron = CronSchedule.parse('0 6 1 1 * 0 2026');
    if (isCronError(cron)) assert.fail(cron.message);
    assert.throws(() => cron.nextWall(Date.parse('2026-06-01T00:00:00Z')), { name: 'CroniterBadDateError', message: 'failed to find next date' });
    assert.throws(() => cron.prevWall(Date.parse('2025-06-01T00:00:00Z')), { name: 'CroniterBadDateError', message: 'failed to find prev date' });
    const outside = CronSchedule.parse('0 0 1 1 * 0 2100');
    assert.ok(isCronError(outside) && !outside.unsupported && outside.field?.index === 6);
  });

  it('a year field that croniter accepts but Preflight cannot evaluate is not called invalid', () => {
    const wrapping = CronSchedule.parse('0 0 1 1 * 0 2030-2025');
    assert.ok(isCronError(wrapping) && wrapping.unsupported);
    assert.match(wrapping.message, /^Airflow Preflight cannot evaluate the year field '2030-2025' \(croniter accepts it\)/);
    const [dag] = analyzeDagFile(`import pendulum\nfrom airflow import DAG\nwith DAG("d", schedule="0 0 1 1 * 0 2030-2025", ${START}):\n    pass\n`).dags;
    const problem = dagSchedule(dag, 3);
    assert.ok(isScheduleProblem(problem) && !problem.invalid);
  });

  it('reads ranges and lists as croniter 7 does: repeats, wrap-around, equal ends for the whole cycle', () => {
    assert.deepEqual(ticks('0 0 * * 0,7', '2024-01-01T00:00:00Z', 2), ['2024-01-07T00:00:00', '2024-01-14T00:00:00']);
    assert.deepEqual(ticks('0 0 1 NOV-FEB *', '2024-01-15T00:00:00Z', 3), ['2024-02-01T00:00:00', '2024-11-01T00:00:00', '2024-12-01T00:00:00']);
    assert.deepEqual(ticks('0 4-4 * * *', '2024-01-01T00:00:00Z', 2), ['2024-01-01T01:00:00', '2024-01-01T02:00:00']);
    // `5/2` ends at Saturday (croniter's weekday maximum), so it never reaches Sunday.
    assert.deepEqual(ticks('0 0 * * 5/2', '2024-01-01T00:00:00Z', 2), ['2024-01-05T00:00:00', '2024-01-12T00:00:00']);
  });
});

describe('runs of croniter syntax', () => {
  it('a year field: the runs within its years', () => check(
    'schedule="0 6 * * * 0 2024-2025", start_date=pendulum.datetime(2024, 1, 2, tz="UTC"), catchup=True', 3, '2024-01-04T12:00:00Z', {
      due: ['2024-01-02T06:00 → 2024-01-02T06:00', '2024-01-03T06:00 → 2024-01-03T06:00', '2024-01-04T06:00 → 2024-01-04T06:00'],
      next: '2024-01-05T06:00 → 2024-01-05T06:00',
    }));

  it('a year field that runs out: the scheduler fails after the last run (CroniterBadDateError)', () => {
    const [dag] = analyzeDagFile(`import pendulum\nfrom airflow import DAG\nwith DAG("d", schedule="0 6 1 * * 0 2024", start_date=pendulum.datetime(2024, 10, 15, tz="UTC"), catchup=True):\n    pass\n`).dags;
    const schedule = dagSchedule(dag, 2);
    if (isScheduleProblem(schedule)) assert.fail(schedule.message);
    const runs = scheduledRuns(schedule, { now: Date.parse('2025-03-01T00:00:00Z') });
    assert.deepEqual(runs.due.map((r) => r.logical_date), ['2024-11-01T06:00:00+00:00']);
    assert.equal(runs.next, null);
    assert.equal(runs.failure, 'CroniterBadDateError: failed to find next date');
    assert.equal(scheduledRuns(schedule, { now: Date.parse('2024-11-15T00:00:00Z') }).failure, undefined);
  });

  it('a cron that never fires is a schedule Airflow loads but never runs, not an invalid one', () => {
    const [dag] = analyzeDagFile(`import pendulum\nfrom airflow import DAG\nwith DAG("d", schedule="0 0 31 2 *", ${START}):\n    pass\n`).dags;
    const problem = dagSchedule(dag, 2);
    assert.ok(isScheduleProblem(problem) && problem.neverScheduled && !problem.invalid);
  });
});

describe('max_active_runs', () => {
  const maxActiveRuns = (args: string) => {
    const [dag] = analyzeDagFile(`import pendulum\nfrom airflow import DAG\nLIMIT = int("4")\nwith DAG("d", schedule="@daily", ${START}${args}):\n    pass\n`).dags;
    const schedule = dagSchedule(dag, 2);
    if (isScheduleProblem(schedule)) assert.fail(schedule.message);
    return schedule.maxActiveRuns;
  };

  it('defaults to 16, [core] max_active_runs_per_dag', () => assert.equal(maxActiveRuns(''), 16));
  it('is read from the DAG', () => assert.equal(maxActiveRuns(', max_active_runs=2'), 2));
  it('is unknown when computed', () => assert.equal(maxActiveRuns(', max_active_runs=LIMIT'), undefined));
});

describe('schedules in words', () => {
  const describeArgs = (args: string, airflow: AirflowVersion, locale: 'en' | 'ko') => {
    const [dag] = analyzeDagFile(`import pendulum\nfrom datetime import timedelta\nfrom airflow import DAG\nwith DAG("d", ${args}):\n    pass\n`).dags;
    const schedule = dagSchedule(dag, airflow);
    if (isScheduleProblem(schedule)) assert.fail(schedule.message);
    return describeSchedule(schedule, locale);
  };

  it('names the zone the cron runs in, in English and Korean', () => {
    assert.equal(describeArgs(`schedule="30 0 * * *", ${START}`, 3, 'en'), 'At 00:30 (UTC time)');
    assert.equal(describeArgs('schedule="0 9 * * 1-5", start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Seoul")', 3, 'ko'), '09:00, 월요일부터 금요일까지 (Asia/Seoul 기준)');
  });

  it('says that both day fields mean either', () => {
    assert.equal(describeArgs(`schedule="0 0 1 * MON", ${START}`, 3, 'en'),
      'At 00:00, on day 1 of the month, and on Monday, when either the day of the month or the weekday matches (UTC time)');
    assert.equal(describeArgs(`schedule="0 0 1 * MON", ${START}`, 3, 'ko'),
      '00:00, 매월 1일, 월요일에, 일(日) 또는 요일 중 하나만 맞아도 실행 (UTC 기준)');
  });

  it('describes what croniter really fires on beside # and W, without the OR wording', () => {
    assert.equal(describeArgs(`schedule="0 0 1 * MON#1", ${START}`, 3, 'en'), 'At 00:00, on the first Monday of the month (UTC time)');
    assert.equal(describeArgs(`schedule="0 0 15W * MON", ${START}`, 3, 'ko'), '00:00, 매월 15일과 가장 가까운 평일 (UTC 기준)');
    assert.equal(describeArgs(`schedule="0 0 * * L5", ${START}`, 3, 'en'), 'At 00:00, on the last Friday of the month (UTC time)');
  });

  it('describes the schedules that are not cron', () => {
    assert.equal(describeArgs(`schedule=None, ${START}`, 3, 'en'), 'Never scheduled: runs only when triggered');
    assert.equal(describeArgs(`schedule=timedelta(hours=6), ${START}`, 2, 'en'), 'Every 6 hours');
    assert.equal(describeArgs(`schedule=timedelta(days=1, minutes=30), ${START}`, 3, 'en'), 'Every 1 day 30 minutes');
    assert.equal(describeArgs(`${START}`, 2, 'ko'), '1일마다');
    assert.equal(describeArgs(`schedule="@once", ${START}`, 2, 'ko'), '시작일에 한 번');
  });
});
