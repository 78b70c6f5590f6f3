# Rule §10.10: upstream_failed counts as a failure for the next rule down: all_failed after an
# upstream_failed task runs, one_done ignores upstream_failed.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_trigger_rules_upstream_failed",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    bad = BashOperator(task_id="bad", bash_command="exit 3")
    middle = BashOperator(task_id="middle", bash_command="echo middle")
    bad >> middle
    middle >> BashOperator(task_id="all_failed_after", bash_command="echo x", trigger_rule="all_failed")
    middle >> BashOperator(task_id="one_done_after", bash_command="echo x", trigger_rule="one_done")
    middle >> BashOperator(task_id="one_failed_after", bash_command="echo x", trigger_rule="one_failed")
    middle >> BashOperator(task_id="all_success_after", bash_command="echo x")
