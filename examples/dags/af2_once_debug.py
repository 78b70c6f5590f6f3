"""Airflow 2 debug DAG that runs exactly once (``schedule_interval="@once"``).

Handy while learning: trigger it, look at the logs, and check which context
keys a PythonOperator callable receives through ``**kwargs``. It can also be
run without a scheduler with ``python af2_once_debug.py`` (``dag.test()``).
"""
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator


def _print_context(**kwargs):
    """Print the template context Airflow passes to the callable."""
    for key in sorted(kwargs):
        print(f"{key}: {kwargs[key]!r}")
    print("execution_date:", kwargs["execution_date"])
    return "context printed"


with DAG(
    dag_id="af2_once_debug",
    schedule_interval="@once",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "airflow2", "debug"],
) as dag:
    print_context = PythonOperator(
        task_id="print_context",
        python_callable=_print_context,
    )

    say_hello = BashOperator(
        task_id="say_hello",
        bash_command='echo "hello from {{ dag.dag_id }}, run {{ run_id }}"',
    )

    print_context >> say_hello


if __name__ == "__main__":
    dag.test()
