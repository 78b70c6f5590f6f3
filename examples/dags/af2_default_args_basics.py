"""Airflow 2 basics: a DAG whose settings come from ``default_args``.

Demonstrates:
- ``default_args`` with owner / depends_on_past / start_date / end_date /
  email_on_failure / retries / retry_delay (the DAG takes its start_date and
  end_date from default_args),
- ``schedule_interval=`` (Airflow 2 spelling),
- ``DummyOperator`` from ``airflow.operators.dummy``,
- a Jinja-templated ``BashOperator`` that uses ``execution_date`` and ``ds``,
- a per-task override of ``retries``,
- ``print_date >> [sleep, templated] >> end`` fan-out / fan-in.
"""
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.dummy import DummyOperator

default_args = {
    "owner": "airflow",
    "depends_on_past": False,
    "start_date": pendulum.datetime(2024, 1, 1, tz="UTC"),
    "end_date": pendulum.datetime(2024, 1, 31, tz="UTC"),
    "email": ["data-team@example.com"],
    "email_on_failure": False,
    "email_on_retry": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

templated_command = """
{% for i in range(3) %}
    echo "execution_date: {{ execution_date }}"
    echo "ds: {{ ds }}, ds + 7 days: {{ macros.ds_add(ds, 7) }}"
{% endfor %}
"""

with DAG(
    dag_id="af2_default_args_basics",
    default_args=default_args,
    description="default_args basics (Airflow 2 style)",
    schedule_interval="@daily",
    catchup=False,
    tags=["example", "airflow2"],
) as dag:
    start = DummyOperator(task_id="start")

    print_date = BashOperator(
        task_id="print_date",
        bash_command="date",
    )

    sleep = BashOperator(
        task_id="sleep",
        bash_command="sleep 5",
        retries=3,
    )

    templated = BashOperator(
        task_id="templated",
        bash_command=templated_command,
    )

    end = DummyOperator(task_id="end")

    start >> print_date >> [sleep, templated] >> end
