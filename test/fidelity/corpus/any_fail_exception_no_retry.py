# Rule §10.13: AirflowFailException fails the task at once whatever its retries; the retry callback
# never fires.
# fidelity-date: 2024-01-02T00:00:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.operators.python import PythonOperator

from fidelity_helpers.callbacks import task_callback


def _give_up():
    raise AirflowFailException("bad input, retrying will not help")


with DAG(
    dag_id="any_fail_exception_no_retry",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 3, "retry_delay": timedelta(seconds=0)},
) as dag:
    PythonOperator(
        task_id="give_up",
        python_callable=_give_up,
        on_retry_callback=task_callback("on_retry_callback"),
        on_failure_callback=task_callback("on_failure_callback"),
    )
