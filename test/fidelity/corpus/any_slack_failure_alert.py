# Rule §10.15: a Slack failure alert through SlackWebhookHook in on_failure_callback fires once for
# the failed task (not for its upstream_failed downstream).
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

from fidelity_helpers.slack import slack_failure_alert

with DAG(
    dag_id="any_slack_failure_alert",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"on_failure_callback": slack_failure_alert},
) as dag:
    load = BashOperator(task_id="load", bash_command="echo loading; exit 1")
    publish = BashOperator(task_id="publish", bash_command="echo publish")
    load >> publish
