# Rule §10.14: xcom_pull with a list of task ids returns their values in that order, skipping
# tasks that pushed nothing (2.10) or giving None for them (3.x).
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator


def _pull(ti):
    return {"single": ti.xcom_pull(task_ids="a"), "listed": list(ti.xcom_pull(task_ids=["a", "b", "silent"]))}


with DAG(
    dag_id="any_xcom_list_pull",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    a = PythonOperator(task_id="a", python_callable=lambda: "from a")
    b = PythonOperator(task_id="b", python_callable=lambda: {"n": 2})
    silent = PythonOperator(task_id="silent", python_callable=lambda: None)
    pull = PythonOperator(task_id="pull", python_callable=_pull)
    [a, b, silent] >> pull
