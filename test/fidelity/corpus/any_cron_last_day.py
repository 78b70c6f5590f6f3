# Rule §10.4: croniter's own syntax: "L" is the last day of the month.
# fidelity-now: 2024-05-15T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="any_cron_last_day",
    schedule="0 18 L * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=True,
) as dag:
    EmptyOperator(task_id="noop")
