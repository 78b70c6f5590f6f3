# Rule §10.10: when every upstream skipped: none_failed and all_skipped run, none_failed_min_one_success
# and all_success are skipped, one_done waits for nothing and is skipped.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

RULES = ["all_success", "all_done", "one_success", "one_done", "none_failed", "none_failed_min_one_success", "all_skipped", "always"]

with DAG(
    dag_id="any_trigger_rules_all_skipped",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    first = BashOperator(task_id="first", bash_command="exit 99")
    second = BashOperator(task_id="second", bash_command="exit 99")
    for rule in RULES:
        [first, second] >> BashOperator(task_id=f"after_{rule}", bash_command=f"echo {rule}", trigger_rule=rule)
