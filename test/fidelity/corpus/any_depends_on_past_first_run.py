# Rule §9 (ignore_first_depends_on_past): depends_on_past does not hold back the DAG's first run;
# wait_for_downstream implies depends_on_past.
# fidelity-date: 2024-01-01T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_depends_on_past_first_run",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=True,
    default_args={"depends_on_past": True},
) as dag:
    first = BashOperator(task_id="first", bash_command="echo {{ ds }}")
    second = BashOperator(task_id="second", bash_command="echo second", wait_for_downstream=True)
    first >> second
