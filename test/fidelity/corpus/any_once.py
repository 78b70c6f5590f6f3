# Rule §10.2: @once makes exactly one run at start_date whatever catchup says.
# fidelity-date: 2024-01-01T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_once",
    schedule="@once",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    BashOperator(task_id="hello", bash_command="echo once {{ ds }}")
