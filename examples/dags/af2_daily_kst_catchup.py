"""Airflow 2 daily DAG at 09:30 KST (``30 0 * * *`` in UTC) with catchup.

Demonstrates:
- a cron ``schedule_interval`` evaluated in UTC: 00:30 UTC is 09:30 KST,
- ``catchup=True`` with an ``end_date`` a few days after ``start_date``,
  so the scheduler back-fills the runs between the two dates,
- a PythonOperator callable reading ``ds`` / ``ds_nodash`` from ``**kwargs``
  and printing the weekday name of the logical date,
- a PythonOperator receiving ``op_kwargs={"date": "{{ ds }}"}`` (templated),
- ``execution_date`` used in a Bash template.
"""
from datetime import datetime, timedelta

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def _print_weekday(**kwargs):
    """Print the weekday name of the run's logical date."""
    ds = kwargs["ds"]  # e.g. "2024-01-01"
    ds_nodash = kwargs["ds_nodash"]  # e.g. "20240101"
    weekday = datetime.strptime(ds, "%Y-%m-%d").strftime("%A")
    print(f"ds={ds} ds_nodash={ds_nodash} weekday={weekday}")
    return weekday


def _print_date(date):
    """``date`` arrives already rendered from the "{{ ds }}" template."""
    print(f"Processing data for {date}")
    return date


with DAG(
    dag_id="af2_daily_kst_catchup",
    schedule_interval="30 0 * * *",  # 00:30 UTC == 09:30 KST
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    end_date=pendulum.datetime(2024, 1, 5, tz="UTC"),
    catchup=True,
    default_args={
        "owner": "airflow",
        "retries": 1,
        "retry_delay": timedelta(minutes=1),
    },
    tags=["example", "airflow2", "catchup"],
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

    echo_execution_date = BashOperator(
        task_id="echo_execution_date",
        bash_command='echo "execution_date={{ execution_date }} ds_nodash={{ ds_nodash }}"',
    )

    print_weekday >> print_date >> echo_execution_date
