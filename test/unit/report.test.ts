// The JSON of `preflight inspect`: dates as Airflow holds them (UTC ISO, or null when not known) and
// nothing guessed for what unknown **kwargs may pass.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFile } from '../../src/core/check';
import { inspectReport, type DagReport } from '../../src/core/dag/report';

const HEADER = `import os
import pendulum
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
`;

function dagReport(body: string): DagReport {
  const text = `${HEADER}${body}`;
  const checked = checkFile({ file: 'dag.py', text }, 3);
  return inspectReport('dag.py', text, checked.model, 3, checked.diagnostics).dags[0];
}

const dates = (args: string) => {
  const { start_date, end_date } = dagReport(`with DAG("d", schedule=None, ${args}):\n    EmptyOperator(task_id="a")\n`);
  return [start_date, end_date];
};

describe('inspect dates', () => {
  it('writes known datetimes in UTC, a naive one read as UTC', () => {
    assert.deepEqual(dates('start_date=pendulum.datetime(2024, 1, 1, 9, tz="Asia/Seoul"), end_date=datetime(2024, 6, 1)'),
      ['2024-01-01T00:00:00+00:00', '2024-06-01T00:00:00+00:00']);
  });

  it('parses a start_date string of default_args as Airflow does, but a DAG end_date comes only from DAG()', () => {
    assert.deepEqual(dates('default_args={"start_date": "2024-01-02", "end_date": pendulum.datetime(2025, 1, 1)}'),
      ['2024-01-02T00:00:00+00:00', null]);
  });

  it('is null for a clock read, an unknown value, a string given to DAG() and an unknown zone', () => {
    assert.deepEqual(dates('start_date=datetime.now(), end_date=os.environ["END"]'), [null, null]);
    assert.deepEqual(dates('start_date="2024-01-01", end_date=pendulum.datetime(2024, 1, 1, tz="Mars/Olympus")'), [null, null]);
  });
});

describe('inspect with unknown **kwargs', () => {
  it('leaves catchup, tags, retries and trigger_rule null unless written, instead of giving defaults', () => {
    const report = dagReport(`with DAG("d", default_args={"retries": 2}, **os.environ):
    EmptyOperator(task_id="a", **os.environ)
    EmptyOperator(task_id="b", retries=1, **os.environ)
    EmptyOperator(task_id="c")
`);
    assert.deepEqual([report.catchup, report.tags], [null, null]);
    assert.deepEqual(report.tasks.map((t) => [t.task_id, t.retries, t.trigger_rule]), [['a', null, null], ['b', 1, null], ['c', 2, 'all_success']]);
  });
});
