# Rule §10.8: StrictUndefined: an unknown name fails the field, and the task fails when it runs;
# its downstream is upstream_failed.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_strict_undefined",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    broken = BashOperator(task_id="broken", bash_command="echo {{ no_such_name }}")
    fine = BashOperator(task_id="fine", bash_command="echo {{ ds }}")
    broken >> fine
