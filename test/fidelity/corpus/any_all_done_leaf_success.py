# Rule §10.12: the run's state comes from its leaves: a failure absorbed by an all_done leaf makes a
# successful run.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_all_done_leaf_success",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    bad = BashOperator(task_id="bad", bash_command="exit 1")
    cleanup = BashOperator(task_id="cleanup", bash_command="echo cleaned", trigger_rule="all_done")
    bad >> cleanup
