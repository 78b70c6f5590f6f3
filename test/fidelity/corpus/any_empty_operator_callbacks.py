# Rule §10.15: an EmptyOperator without callbacks is marked success by the scheduler without
# running; one with a callback really runs it.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

from fidelity_helpers.callbacks import task_callback

with DAG(
    dag_id="any_empty_operator_callbacks",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    start = EmptyOperator(task_id="start")
    end = EmptyOperator(task_id="end", on_success_callback=task_callback("on_success_callback"))
    start >> end
