# Rule §10.6: a daily cron at 02:30 in Berlin across the October 2023 fold runs once per day, at
# the first 02:30; times are converted to UTC.
# fidelity-now: 2023-11-01T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="any_dst_fall_back",
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2023, 10, 26, tz="Europe/Berlin"),
    catchup=True,
) as dag:
    EmptyOperator(task_id="noop")
