# Rule §10.15: Airflow 2's DummyOperator is EmptyOperator: marked success without running; the run
# with only such tasks succeeds.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.dummy import DummyOperator

with DAG(
    dag_id="af2_dummy_operator",
    schedule_interval="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    DummyOperator(task_id="start") >> DummyOperator(task_id="end")
