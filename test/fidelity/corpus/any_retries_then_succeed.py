# Rule §10.13: a task that fails its first try and succeeds on the retry ends success with try 2;
# on_retry_callback fires once, on_success_callback once; XComs are those of the last try.
# fidelity-date: 2024-01-02T00:00:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator

from fidelity_helpers.callbacks import task_callback


def _flaky(ti):
    ti.xcom_push(key=f"try_{ti.try_number}", value=ti.try_number)
    if ti.try_number < 2:
        raise RuntimeError("first try fails")
    return f"succeeded on try {ti.try_number}"


with DAG(
    dag_id="any_retries_then_succeed",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    PythonOperator(
        task_id="flaky",
        python_callable=_flaky,
        retries=3,
        retry_delay=timedelta(seconds=0),
        on_retry_callback=task_callback("on_retry_callback"),
        on_success_callback=task_callback("on_success_callback"),
        on_failure_callback=task_callback("on_failure_callback"),
    )
