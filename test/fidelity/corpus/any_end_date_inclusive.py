# Rule §10.5: end_date is inclusive on the logical date (2.10) or tick (3.x); the last 2.10 run's
# interval ends after end_date.
# fidelity-now: 2024-02-01T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="any_end_date_inclusive",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    end_date=pendulum.datetime(2024, 1, 5, tz="UTC"),
    catchup=True,
) as dag:
    EmptyOperator(task_id="noop")
