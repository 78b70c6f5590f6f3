# Rule §10.11: with ignore_downstream_trigger_rules=False a short-circuit skips only its direct
# downstream; further tasks follow their trigger rules.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import ShortCircuitOperator

with DAG(
    dag_id="any_short_circuit_respects_rules",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    gate = ShortCircuitOperator(task_id="gate", python_callable=lambda: False, ignore_downstream_trigger_rules=False)
    step = BashOperator(task_id="step", bash_command="echo step")
    always = BashOperator(task_id="always_after", bash_command="echo always", trigger_rule="all_done")
    plain = BashOperator(task_id="plain_after", bash_command="echo plain")
    gate >> step >> [always, plain]
    passed = ShortCircuitOperator(task_id="passed", python_callable=lambda: "yes")
    passed >> BashOperator(task_id="after_passed", bash_command="echo go")
