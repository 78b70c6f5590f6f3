"""Airflow 3 DAG with a TaskGroup, scheduled in the Asia/Seoul time zone.

Demonstrates:
- ``with TaskGroup("group") as g:`` with tasks inside (their task ids get the
  ``group.`` prefix, e.g. ``group.extract``),
- edges into and out of the group: ``start >> g >> end`` connects ``start``
  to every task of the group without an upstream inside the group, and every
  task without a downstream inside the group to ``end``,
- a timezone-aware ``start_date`` in ``Asia/Seoul`` (the cron runs at 09:30
  Seoul time),
- ``EmptyOperator`` from the standard provider.
"""
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup

with DAG(
    dag_id="af3_task_group",
    schedule="30 9 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Seoul"),
    catchup=False,
    tags=["example", "airflow3", "task_group"],
) as dag:
    start = EmptyOperator(task_id="start")

    with TaskGroup("group") as g:
        extract = BashOperator(task_id="extract", bash_command="echo extract {{ ds }}")
        transform = BashOperator(task_id="transform", bash_command="echo transform {{ ds }}")
        validate = BashOperator(task_id="validate", bash_command="echo validate {{ ds }}")

        extract >> transform

    end = EmptyOperator(task_id="end")

    start >> g >> end
