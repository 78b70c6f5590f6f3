# Rule §7.3: TaskGroup ids prefix their tasks (nested groups compose), a group's default_args apply
# to its tasks, and group >> task wires the group's leaves.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.utils.task_group import TaskGroup

with DAG(
    dag_id="any_task_groups",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    start = BashOperator(task_id="start", bash_command="echo start")
    with TaskGroup("etl", default_args={"retries": 2}) as etl:
        extract = BashOperator(task_id="extract", bash_command="echo extract")
        with TaskGroup("clean") as clean:
            dedupe = BashOperator(task_id="dedupe", bash_command="echo dedupe")
            validate = BashOperator(task_id="validate", bash_command="echo validate", retries=0)
            dedupe >> validate
        extract >> clean
    with TaskGroup("flat", prefix_group_id=False) as flat:
        BashOperator(task_id="report", bash_command="echo report")
    end = BashOperator(task_id="end", bash_command="echo end")
    start >> etl >> flat >> end
