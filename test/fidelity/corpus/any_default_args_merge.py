# Rule §6.1: default_args apply to every task unless the task passes its own value; trigger_rule and
# retries from default_args are effective.
# fidelity-date: 2024-01-02T00:00:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

default_args = {"retries": 4, "retry_delay": timedelta(seconds=0), "trigger_rule": "all_done", "owner": "data"}

with DAG(
    dag_id="any_default_args_merge",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args=default_args,
) as dag:
    first = BashOperator(task_id="first", bash_command="echo first")
    second = BashOperator(task_id="second", bash_command="echo second", retries=1, trigger_rule="all_success")
    third = BashOperator(task_id="third", bash_command="echo {{ task.owner }} {{ task.retries }}")
    first >> second >> third
