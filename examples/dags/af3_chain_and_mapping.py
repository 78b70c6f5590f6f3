"""Airflow 3 DAG using ``chain(...)`` and dynamic task mapping.

Demonstrates:
- ``chain(start, [download_a, download_b], merge, process_files, end)``:
  a list inside ``chain`` fans out from the previous task and fans in to the
  next one,
- ``BashOperator.partial(task_id=...).expand(bash_command=[...])``: one mapped
  task that becomes three task instances at run time (map indexes 0, 1, 2).
"""
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, chain

with DAG(
    dag_id="af3_chain_and_mapping",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "airflow3", "mapping"],
) as dag:
    start = EmptyOperator(task_id="start")

    download_a = BashOperator(task_id="download_a", bash_command="echo downloading a.csv")
    download_b = BashOperator(task_id="download_b", bash_command="echo downloading b.csv")

    merge = BashOperator(task_id="merge", bash_command="echo merging a.csv b.csv")

    process_files = BashOperator.partial(task_id="process_files").expand(
        bash_command=[
            "echo processing part 1",
            "echo processing part 2",
            "echo processing part 3",
        ],
    )

    end = EmptyOperator(task_id="end")

    chain(start, [download_a, download_b], merge, process_files, end)
