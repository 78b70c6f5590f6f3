# Rule §10.10: every trigger rule downstream of one success and one failure: all_success becomes
# upstream_failed, one_failed/all_done/none_skipped/always run, one_done ignores nothing here.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

RULES = [
    "all_success", "all_failed", "all_done", "one_success", "one_failed", "one_done",
    "none_failed", "none_failed_min_one_success", "none_skipped", "all_skipped", "always",
]

with DAG(
    dag_id="any_trigger_rules_after_failure",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    ok = BashOperator(task_id="ok", bash_command="echo ok")
    bad = BashOperator(task_id="bad", bash_command="exit 1")
    for rule in RULES:
        [ok, bad] >> BashOperator(task_id=f"after_{rule}", bash_command=f"echo {rule}", trigger_rule=rule)
