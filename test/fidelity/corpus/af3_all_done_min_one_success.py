# Rule §10.10 (3.1+): all_done_min_one_success runs when everything upstream is done and one
# succeeded, and is skipped when an upstream skipped.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    dag_id="af3_all_done_min_one_success",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    ok = BashOperator(task_id="ok", bash_command="echo ok")
    bad = BashOperator(task_id="bad", bash_command="exit 1")
    skip = BashOperator(task_id="skip", bash_command="exit 99")
    [ok, bad] >> BashOperator(task_id="after_failure", bash_command="echo x", trigger_rule="all_done_min_one_success")
    [ok, skip] >> BashOperator(task_id="after_skip", bash_command="echo x", trigger_rule="all_done_min_one_success")
