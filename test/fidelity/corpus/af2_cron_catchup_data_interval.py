# Rule §10.1: a 2.10 cron schedule is data-interval based: each run's logical date is the start of
# its interval and it runs at the interval's end; catchup=True creates every interval since start_date.
# fidelity-date: 2024-01-03T06:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="af2_cron_catchup_data_interval",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=True,
) as dag:
    BashOperator(
        task_id="interval",
        bash_command="echo {{ ds }}",
        # The run (dag.test(), a manual run) has another data interval than the scheduled run rendered.
        env={"START": "{{ data_interval_start }}", "END": "{{ data_interval_end }}"},
    )
