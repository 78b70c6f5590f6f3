# Rule §10.13: a Bash task failing on every try uses retries + 1 attempts; exit code 99 skips instead.
# fidelity-date: 2024-01-02T00:00:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_bash_retries_exit_code",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=0)},
) as dag:
    BashOperator(task_id="fails", bash_command="echo trying; exit 2")
    BashOperator(task_id="skips", bash_command="echo skipping; exit 99")
    BashOperator(task_id="custom_skip", bash_command="exit 5", skip_on_exit_code=[5])
