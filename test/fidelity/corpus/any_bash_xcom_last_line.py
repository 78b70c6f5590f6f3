# Rule §10.14: BashOperator pushes the last line of its output as return_value; templated pulls in a
# downstream command read it.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_bash_xcom_last_line",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    produce = BashOperator(task_id="produce", bash_command="echo first; echo second line")
    consume = BashOperator(task_id="consume", bash_command="echo got {{ ti.xcom_pull(task_ids='produce') }}")
    produce >> consume
