# Rule §7.4: a classic operator mapped with partial().expand(); each instance pushes its output,
# and expanding over an empty list skips the mapped task.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_mapping_classic",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    BashOperator.partial(task_id="echo_each").expand(bash_command=["echo one", "echo two", "echo three"])
    BashOperator.partial(task_id="echo_none").expand(bash_command=[])
