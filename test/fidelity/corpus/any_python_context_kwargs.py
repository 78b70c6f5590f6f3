# Rule §10.9: PythonOperator passes only the context keys the callable names (all of them with
# **kwargs), and op_kwargs win over context keys.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator


def _named(ds, params):
    return f"{ds} {params['who']}"


def _override(ds):
    return ds


def _everything(**kwargs):
    return sorted(k for k in ("ds", "ti", "dag_run", "params", "ts") if k in kwargs)


with DAG(
    dag_id="any_python_context_kwargs",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    params={"who": "ops"},
) as dag:
    PythonOperator(task_id="named", python_callable=_named)
    PythonOperator(task_id="override", python_callable=_override, op_kwargs={"ds": "not-a-date"})
    PythonOperator(task_id="everything", python_callable=_everything)
