# Rule §10.15: task callbacks run only for task instances that executed: none for upstream_failed;
# DAG on_failure_callback runs once with reason task_failure.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

from fidelity_helpers.callbacks import dag_callback, task_callback

with DAG(
    dag_id="any_callbacks_not_for_upstream_failed",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    on_failure_callback=dag_callback("dag_on_failure_callback"),
    on_success_callback=dag_callback("dag_on_success_callback"),
    default_args={"on_failure_callback": task_callback("on_failure_callback"), "on_success_callback": task_callback("on_success_callback")},
) as dag:
    ok = BashOperator(task_id="ok", bash_command="echo ok")
    bad = BashOperator(task_id="bad", bash_command="exit 1")
    never = BashOperator(task_id="never", bash_command="echo never")
    ok >> bad >> never
