# Rule §7.3/§10.11: branching to a TaskGroup id follows the group's root tasks.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator
from airflow.utils.task_group import TaskGroup

with DAG(
    dag_id="any_branch_to_group",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    pick = BranchPythonOperator(task_id="pick", python_callable=lambda: "full")
    with TaskGroup("full") as full:
        extract = BashOperator(task_id="extract", bash_command="echo extract")
        load = BashOperator(task_id="load", bash_command="echo load")
        extract >> load
    quick = BashOperator(task_id="quick", bash_command="echo quick")
    pick >> [full, quick]
