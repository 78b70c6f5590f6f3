# Rule §10.11: branching skips only the direct downstream tasks not chosen; the join with
# none_failed_min_one_success runs, tasks below the skipped branch are skipped by their rules.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator


def _choose(ds):
    return "weekday" if pendulum.parse(ds).day_of_week < 5 else "weekend"


with DAG(
    dag_id="any_branch_python",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    pick = BranchPythonOperator(task_id="pick", python_callable=_choose)
    weekday = BashOperator(task_id="weekday", bash_command="echo weekday")
    weekend = BashOperator(task_id="weekend", bash_command="echo weekend")
    weekend_report = BashOperator(task_id="weekend_report", bash_command="echo report")
    join = BashOperator(task_id="join", bash_command="echo joined", trigger_rule="none_failed_min_one_success")
    plain_join = BashOperator(task_id="plain_join", bash_command="echo plain")
    pick >> [weekday, weekend]
    weekend >> weekend_report
    [weekday, weekend_report] >> join
    [weekday, weekend] >> plain_join
