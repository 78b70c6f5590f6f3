"""Airflow 2 DAG that alerts Slack when a task fails.

Demonstrates:
- ``on_failure_callback`` set in ``default_args`` so every task uses it,
- the callback lives in a helper module next to the DAG files
  (``utils/slack_notifier.py``) and posts through ``SlackWebhookOperator``
  using the ``slack_default`` connection,
- a task raising ``AirflowFailException`` (fails immediately, no retries),
  which triggers the Slack alert.
"""
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.operators.dummy import DummyOperator
from airflow.operators.python import PythonOperator

from utils.slack_notifier import task_fail_slack_alert

default_args = {
    "owner": "airflow",
    "depends_on_past": False,
    "email_on_failure": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=1),
    "on_failure_callback": task_fail_slack_alert,
}


def _check_input(**kwargs):
    """Fail on purpose so the Slack alert is sent."""
    print(f"Checking input for {kwargs['ds']}")
    raise AirflowFailException("Input file is missing; failing without retry.")


with DAG(
    dag_id="af2_slack_alert_on_failure",
    default_args=default_args,
    schedule_interval=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "airflow2", "slack"],
) as dag:
    start = DummyOperator(task_id="start")

    check_input = PythonOperator(
        task_id="check_input",
        python_callable=_check_input,
    )

    start >> check_input
