# Rule §10.13: attempts = retries + 1; on_retry_callback fires for each failed try but the last,
# on_failure_callback once at the end; a DAG failure callback gets reason "task_failure".
# fidelity-date: 2024-01-02T00:00:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator

from fidelity_helpers.callbacks import dag_callback, task_callback


def _always_fails():
    raise ValueError("the source is not ready")


with DAG(
    dag_id="any_retries_then_fail",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    on_failure_callback=dag_callback("dag_on_failure_callback"),
    default_args={
        "retries": 2,
        "retry_delay": timedelta(seconds=0),
        "on_retry_callback": task_callback("on_retry_callback"),
        "on_failure_callback": task_callback("on_failure_callback"),
    },
) as dag:
    flaky = PythonOperator(task_id="flaky", python_callable=_always_fails)
    after = PythonOperator(task_id="after", python_callable=lambda: "never")
    flaky >> after
