# Rule §10.4: a timedelta schedule is not aligned: with catchup the first run starts exactly at
# start_date (2.10: DeltaDataIntervalTimetable; 3.x: DeltaTriggerTimetable).
# fidelity-now: 2024-01-03T00:00:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="any_timedelta_catchup",
    schedule=timedelta(hours=8),
    start_date=pendulum.datetime(2024, 1, 1, 3, 17, tz="UTC"),
    catchup=True,
) as dag:
    EmptyOperator(task_id="noop")
