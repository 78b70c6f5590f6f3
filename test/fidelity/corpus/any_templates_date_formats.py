# Rule §10.7: the context's date strings: ds, ds_nodash, ts, ts_nodash, ts_nodash_with_tz, and the
# run id of a scheduled run.
# fidelity-date: 2024-01-02T00:30:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_date_formats",
    schedule="30 0 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    BashOperator(
        task_id="formats",
        bash_command="echo {{ ds }} {{ ds_nodash }} {{ ts }} {{ ts_nodash }} {{ ts_nodash_with_tz }}",
        env={"RUN_ID": "{{ run_id }}", "LOGICAL": "{{ logical_date }}", "DAG": "{{ dag.dag_id }}", "TASK": "{{ task.task_id }}"},
    )
