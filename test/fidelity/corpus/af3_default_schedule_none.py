# Rule §10.2: Airflow 3's default schedule is None: the DAG is never scheduled.
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(dag_id="af3_default_schedule_none", start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as dag:
    EmptyOperator(task_id="noop")
