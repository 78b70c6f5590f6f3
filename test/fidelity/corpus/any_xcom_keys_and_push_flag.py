# Rule §10.14: explicit xcom_push keys, falsy return values (False, 0) are pushed, and
# do_xcom_push=False pushes no return value.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator


def _push(ti):
    ti.xcom_push(key="rows", value=[1, 2, 3])
    ti.xcom_push(key="meta", value={"ok": True})
    return False


with DAG(
    dag_id="any_xcom_keys_and_push_flag",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    push = PythonOperator(task_id="push", python_callable=_push)
    quiet = PythonOperator(task_id="quiet", python_callable=lambda: "hidden", do_xcom_push=False)
    pull = PythonOperator(
        task_id="pull",
        python_callable=lambda ti: [ti.xcom_pull(task_ids="push", key="rows"), ti.xcom_pull(task_ids="push"), ti.xcom_pull(task_ids="quiet")],
    )
    [push, quiet] >> pull
