# Rule §10.15: a successful run calls the DAG's on_success_callback once, with reason "success".
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

from fidelity_helpers.callbacks import dag_callback

with DAG(
    dag_id="any_dag_success_callback",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    on_success_callback=dag_callback("dag_on_success_callback"),
    on_failure_callback=dag_callback("dag_on_failure_callback"),
) as dag:
    BashOperator(task_id="first", bash_command="echo one") >> BashOperator(task_id="second", bash_command="echo two")
