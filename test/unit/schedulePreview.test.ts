// The Preview Schedule page and the status bar's next run, from the pure functions the editor shows.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { checkFile } from '../../src/core/check';
import { dagAt, nextRunStatus } from '../../src/core/features/nextRun';
import { schedulePreviewHtml } from '../../src/core/features/schedulePreview';

const HEADER = 'import pendulum\nfrom airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n';
const START = 'start_date=pendulum.datetime(2024, 1, 1, tz="UTC")';

function page(args: string, options: { airflow?: AirflowVersion; now?: string; zones?: string[]; n?: number } = {}): string {
  const file = checkFile({ file: 'dag.py', text: `${HEADER}with DAG("d", ${args}):\n    EmptyOperator(task_id="t")\n` }, options.airflow ?? 3);
  return schedulePreviewHtml(file, 'd', { now: Date.parse(options.now ?? '2024-01-03T12:00:00Z'), zones: options.zones ?? ['UTC', 'Asia/Seoul'], n: options.n, nonce: 'n0nce' });
}

/** The rows of each table on the page, each as its cells' text. */
function tables(html: string): string[][][] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, table]) =>
    [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => [...row.matchAll(/<t[hd]>(?:<code>)?([\s\S]*?)(?:<\/code>)?<\/t[hd]>/g)].map(([, cell]) => cell)));
}

const headings = (html: string) => [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map(([, text]) => text);

describe('Preview Schedule page', () => {
  it('counts what unpausing now creates, with max_active_runs, and lists those runs and the next n', () => {
    const html = page(`schedule="30 0 * * *", ${START}, catchup=True, max_active_runs=2`, { n: 4 });
    assert.match(html, /catchup=True: unpausing now creates <strong>3<\/strong> runs, at most 2 active at once\./);
    assert.deepEqual(headings(html), ['Runs unpausing now creates (3)', 'Next 4 runs']);
    const [created, next] = tables(html);
    assert.equal(created.length - 1, 3);
    assert.equal(next.length - 1, 4);
    assert.deepEqual(next[1].slice(0, 5), ['2024-01-04', '2024-01-04T00:30:00+00:00', '2024-01-04T00:30:00+00:00 – 2024-01-04T00:30:00+00:00', '2024-01-04T00:30:00+00:00', '2024-01-04T09:30:00+09:00']);
  });

  it('lists ten next runs by default, and says catchup=False creates only the latest', () => {
    const html = page(`schedule="@hourly", ${START}, catchup=False`);
    assert.match(html, /catchup=False: unpausing now creates <strong>the latest run only<\/strong>/);
    assert.deepEqual(headings(html), ['Runs unpausing now creates (1)', 'Next 10 runs']);
    assert.equal(tables(html)[1].length - 1, 10);
  });

  it('has logical date, data interval and run time columns for UTC and every other zone', () => {
    const [head] = tables(page(`schedule="30 0 * * *", ${START}`, { zones: ['UTC', 'Asia/Seoul', 'Europe/Amsterdam'], n: 1 }))[0];
    assert.deepEqual(head, [
      'ds', 'logical date (UTC)', 'data interval (UTC)', 'runs at (UTC)',
      'logical date (Asia/Seoul)', 'data interval (Asia/Seoul)', 'runs at (Asia/Seoul)',
      'logical date (Europe/Amsterdam)', 'data interval (Europe/Amsterdam)', 'runs at (Europe/Amsterdam)',
      'run id',
    ]);
  });

  it('lists every run from start_date to end_date when there is one, whatever "now" is', () => {
    const html = page(`schedule="@daily", ${START}, end_date=pendulum.datetime(2024, 1, 10, tz="UTC"), catchup=False`, { airflow: 2, now: '2023-06-01T00:00:00Z' });
    assert.deepEqual(headings(html), ['Runs from start_date to end_date (10)']);
    const [runs] = tables(html);
    assert.deepEqual(runs.slice(1).map((r) => r[0]), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08', '2024-01-09', '2024-01-10']);
    assert.doesNotMatch(html, /… and/);
  });

  it('caps the runs from start_date to end_date at 500 and counts the rest', () => {
    const html = page(`schedule="@hourly", ${START}, end_date=pendulum.datetime(2024, 2, 1, tz="UTC")`, { zones: ['UTC'] });
    // 31 days of hours, and the run at end_date itself: end_date is inclusive.
    assert.deepEqual(headings(html), ['Runs from start_date to end_date (745)']);
    assert.equal(tables(html)[0].length - 1, 500);
    assert.match(html, /… and 245 more runs\./);
  });

  it('says why there is no table for a schedule Airflow does not run', () => {
    assert.match(page(`schedule="0 0 30 2 *", ${START}`), /croniter finds no date for &#39;0 0 30 2 \*&#39;/);
    assert.match(page(`schedule="0 6 1 * * 0 2024", start_date=pendulum.datetime(2024, 1, 15, tz="UTC"), catchup=True`, { now: '2025-03-01T00:00:00Z' }),
      /Airflow's scheduler fails computing the next run \(CroniterBadDateError: failed to find next date\)/);
  });

  it('is a static page whose only style sheet carries the nonce', () => {
    const html = page(`schedule="@daily", ${START}`);
    assert.match(html, /content="default-src 'none'; style-src 'nonce-n0nce';"/);
    assert.doesNotMatch(html, /<script/);
  });
});

describe('status bar: the next run of the DAG under the cursor', () => {
  const source = `${HEADER}with DAG("first", schedule="30 0 * * *", ${START}):\n    a = EmptyOperator(task_id="a")\n\n`
    + `# between the two DAGs\n\nwith DAG("second", schedule=None, ${START}):\n    b = EmptyOperator(task_id="b")\n`;
  const file = checkFile({ file: 'dag.py', text: source }, 3);
  const now = Date.parse('2024-01-03T12:00:00Z');

  it('finds the DAG by its call or one of its tasks, else the first DAG of the file', () => {
    assert.equal(dagAt(file, source.indexOf('"first"'))?.dagId, 'first');
    assert.equal(dagAt(file, source.indexOf('task_id="b"'))?.dagId, 'second');
    assert.equal(dagAt(file, source.indexOf('between'))?.dagId, 'first');
    assert.equal(dagAt(checkFile({ file: 'x.py', text: 'x = 1\n' }, 3), 0), undefined);
  });

  it('shows the next run in the first zone that is not UTC, then UTC', () => {
    assert.deepEqual(nextRunStatus(file, source.indexOf('task_id="a"'), ['UTC', 'Asia/Seoul'], now), {
      dagId: 'first',
      text: '$(calendar) first: next 2024-01-04 09:30 Asia/Seoul (2024-01-04 00:30 UTC)',
      tooltip: 'Next run: 2024-01-04 09:30 Asia/Seoul (2024-01-04 00:30 UTC)\nClick to preview the schedule of first.',
    });
    assert.equal(nextRunStatus(file, source.indexOf('"first"'), ['UTC'], now)?.text, '$(calendar) first: next 2024-01-04 00:30 UTC');
  });

  it('says a DAG without a schedule is not scheduled, and shows nothing for a schedule it cannot compute', () => {
    assert.equal(nextRunStatus(file, source.indexOf('"second"'), ['UTC'], now)?.text, '$(calendar) second: Not scheduled');
    const broken = checkFile({ file: 'dag.py', text: `${HEADER}with DAG("d", schedule="61 * * * *", ${START}):\n    pass\n` }, 3);
    assert.equal(nextRunStatus(broken, 0, ['UTC'], now), undefined);
  });
});
