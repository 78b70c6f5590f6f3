# Rule §10.4: a start_date between two cron ticks is rounded up to the next tick; the partial
# interval before it never runs.
# fidelity-now: 2024-01-06T12:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="any_start_not_on_tick",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2024, 1, 1, 10, 15, tz="UTC"),
    catchup=True,
) as dag:
    EmptyOperator(task_id="noop")
