# Rule §10.3: catchup=False with a start_date in the past still creates one run at once: the latest
# completed interval (2.10) or the latest past tick (3.x).
# fidelity-now: 2024-01-10T13:30:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="any_catchup_false_latest",
    schedule="0 */6 * * *",
    start_date=pendulum.datetime(2023, 6, 1, tz="UTC"),
    catchup=False,
) as dag:
    EmptyOperator(task_id="noop")
