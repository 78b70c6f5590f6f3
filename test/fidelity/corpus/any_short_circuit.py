# Rule §10.11: ShortCircuitOperator returning a falsy value skips the whole downstream subtree,
# all_done tasks included (ignore_downstream_trigger_rules=True).
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import ShortCircuitOperator

with DAG(
    dag_id="any_short_circuit",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    gate = ShortCircuitOperator(task_id="gate", python_callable=lambda: [])
    step = BashOperator(task_id="step", bash_command="echo step")
    always = BashOperator(task_id="always_after", bash_command="echo always", trigger_rule="all_done")
    gate >> step >> always
