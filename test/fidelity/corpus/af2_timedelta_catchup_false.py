# Rule §10.4: a timedelta schedule with catchup=False snaps to multiples of the delta counted from
# the Unix epoch, whatever the start_date's time.
# fidelity-now: 2024-01-10T13:30:00+00:00
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="af2_timedelta_catchup_false",
    schedule=timedelta(hours=6),
    start_date=pendulum.datetime(2024, 1, 1, 3, 17, tz="UTC"),
    catchup=False,
) as dag:
    EmptyOperator(task_id="noop")
