# Rule §10.2: Airflow 2.10's default schedule (none given) is a daily timedelta, and catchup is on
# by default.
# fidelity-now: 2024-01-05T06:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(dag_id="af2_default_schedule_daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as dag:
    EmptyOperator(task_id="noop")
