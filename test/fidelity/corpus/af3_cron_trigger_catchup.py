# Rule §10.1: a 3.x cron schedule is a CronTriggerTimetable: logical date, data interval start and
# end and run_after are all the tick; catchup=True creates every tick since start_date.
# fidelity-date: 2024-01-03T06:00:00+00:00
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    dag_id="af3_cron_trigger_catchup",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=True,
) as dag:
    BashOperator(
        task_id="tick",
        bash_command="echo {{ ds }}",
        # The run (dag.test(), a manual run) has another data interval than the scheduled run rendered.
        env={"START": "{{ data_interval_start }}", "END": "{{ data_interval_end }}"},
    )
