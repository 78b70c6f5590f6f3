"""Airflow 3 DAG: return a value from one task and pull it in the next ones.

Demonstrates:
- ``from airflow.sdk import DAG`` with ``schedule=`` (Airflow 3 spelling),
- operators from the standard provider
  (``airflow.providers.standard.operators.*``),
- a PythonOperator whose return value is pushed to XCom automatically,
- ``ti.xcom_pull(task_ids="task1")`` in a Python callable and in a Bash
  template,
- ``task1 >> [task2, task3]`` fan-out.
"""
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def _count_rows():
    """The return value is stored as the ``return_value`` XCom of task1."""
    rows = [3, 1, 4, 1, 5]
    return {"row_count": len(rows), "total": sum(rows)}


def _report_rows(ti):
    """Pull what task1 returned."""
    result = ti.xcom_pull(task_ids="task1")
    print(f"task1 counted {result['row_count']} rows, total {result['total']}")
    return result["row_count"]


with DAG(
    dag_id="af3_xcom_fan_out",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "airflow3", "xcom"],
) as dag:
    task1 = PythonOperator(
        task_id="task1",
        python_callable=_count_rows,
    )

    task2 = PythonOperator(
        task_id="task2",
        python_callable=_report_rows,
    )

    task3 = BashOperator(
        task_id="task3",
        bash_command="echo \"row_count={{ ti.xcom_pull(task_ids='task1')['row_count'] }}\"",
    )

    task1 >> [task2, task3]
