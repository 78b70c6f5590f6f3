"""Airflow 3 DAG reading the run's dates from the task context and templates.

Demonstrates (Airflow 3 spelling of the Airflow 2 patterns):
- a PythonOperator callable reading ``ds`` / ``ds_nodash`` / ``logical_date``
  from ``**kwargs`` and printing the weekday name of the logical date
  (``execution_date`` no longer exists in Airflow 3; use ``logical_date``),
- ``op_kwargs={"date": "{{ ds }}"}`` rendered before the callable runs,
- ``default_args`` with owner / depends_on_past / retries / retry_delay,
- ``print_weekday >> [print_date, echo_dates]`` fan-out.
"""
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

default_args = {
    "owner": "airflow",
    "depends_on_past": False,
    "email_on_failure": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


def _print_weekday(**kwargs):
    """Print the weekday name of the run's logical date."""
    ds = kwargs["ds"]
    ds_nodash = kwargs["ds_nodash"]
    logical_date = kwargs["logical_date"]
    weekday = logical_date.strftime("%A")
    print(f"ds={ds} ds_nodash={ds_nodash} weekday={weekday}")
    return weekday


def _print_date(date):
    """``date`` arrives already rendered from the "{{ ds }}" template."""
    print(f"Processing data for {date}")
    return date


with DAG(
    dag_id="af3_context_and_templates",
    default_args=default_args,
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "airflow3"],
) as dag:
    print_weekday = PythonOperator(
        task_id="print_weekday",
        python_callable=_print_weekday,
    )

    print_date = PythonOperator(
        task_id="print_date",
        python_callable=_print_date,
        op_kwargs={"date": "{{ ds }}"},
    )

    echo_dates = BashOperator(
        task_id="echo_dates",
        bash_command='echo "logical_date={{ logical_date }} ds_nodash={{ ds_nodash }}"',
    )

    print_weekday >> [print_date, echo_dates]
