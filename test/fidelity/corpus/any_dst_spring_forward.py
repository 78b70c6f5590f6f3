# Rule §10.6: cron is evaluated in the DAG's zone (from start_date), across the March 2024 DST gap
# in New York; logical dates, ds and ts stay UTC.
# fidelity-now: 2024-03-13T12:00:00+00:00
# fidelity-date: 2024-03-10T06:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_dst_spring_forward",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2024, 3, 7, tz="America/New_York"),
    catchup=True,
) as dag:
    BashOperator(task_id="stamp", bash_command="echo {{ ds }} {{ ts }} {{ ts_nodash_with_tz }}")
