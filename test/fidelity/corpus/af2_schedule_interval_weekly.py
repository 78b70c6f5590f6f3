# Rule §10.2: Airflow 2's deprecated schedule_interval still sets the schedule; @weekly is Sunday
# midnight.
# fidelity-now: 2024-02-01T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.dummy import DummyOperator

with DAG(
    dag_id="af2_schedule_interval_weekly",
    schedule_interval="@weekly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=True,
) as dag:
    DummyOperator(task_id="noop")
