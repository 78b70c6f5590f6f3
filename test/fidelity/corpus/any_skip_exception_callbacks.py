# Rule §10.15: a task raising AirflowSkipException is skipped; 2.10 fires its on_success_callback
# (fixed in 3.0), both fire on_skipped_callback; a skipped downstream runs no callback.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.exceptions import AirflowSkipException
from airflow.operators.python import PythonOperator

from fidelity_helpers.callbacks import task_callback


def _skip():
    raise AirflowSkipException("nothing to do today")


with DAG(
    dag_id="any_skip_exception_callbacks",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={
        "on_success_callback": task_callback("on_success_callback"),
        "on_skipped_callback": task_callback("on_skipped_callback"),
        "on_execute_callback": task_callback("on_execute_callback"),
    },
) as dag:
    skip = PythonOperator(task_id="skip", python_callable=_skip)
    downstream = PythonOperator(task_id="downstream", python_callable=lambda: "never")
    skip >> downstream
