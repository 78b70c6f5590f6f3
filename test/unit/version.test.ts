import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferAirflowVersion, majorVersion } from '../../src/core/airflow/version';

function check(source: string, expected: 2 | 3): void {
  assert.equal(inferAirflowVersion(source), expected, source);
}

describe('the Airflow version a file is written for', () => {
  it('is 3 for Airflow 3 modules, even beside Airflow 2 names', () => {
    check('from airflow.sdk import DAG\nDAG("d", schedule_interval="@daily")', 3);
    check('from airflow.providers.standard.operators.bash import BashOperator', 3);
  });

  it('is 2 for names only Airflow 2 has', () => {
    check('from airflow import DAG\nDAG("d", schedule_interval="@daily")', 2);
    check('from airflow.operators.dummy import DummyOperator', 2);
    check('print("{{ execution_date }}")', 2);
    check('from airflow.utils.dates import days_ago\nstart = days_ago(1)', 2);
    check('from airflow.operators.bash_operator import BashOperator', 2);
    check('from airflow.contrib.operators.ssh_operator import SSHOperator', 2);
    check('PythonOperator(task_id="a", python_callable=f, provide_context=True)', 2);
    check('from airflow.operators.bash import BashOperator\nfrom airflow.sensors.base import BaseSensorOperator', 3);
  });

  it('is 3, the current version, otherwise', () => check('from airflow import DAG\nfrom airflow.decorators import task', 3));

  it('reads major versions from version strings', () => {
    assert.deepEqual(['2.10.5', '3.3.2', ' 3.0.0rc1\n', '1.10.15', 'garbage'].map(majorVersion), [2, 3, 3, undefined, undefined]);
  });
});
