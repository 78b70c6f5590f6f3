# Rule §10.15: a SlackWebhookOperator task posts its rendered message (here recorded, not sent).
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

with DAG(
    dag_id="any_slack_webhook_operator_task",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    count = BashOperator(task_id="count", bash_command="echo 42")
    notify = SlackWebhookOperator(
        task_id="notify",
        slack_webhook_conn_id="slack_ops",
        message="Loaded {{ ti.xcom_pull(task_ids='count') }} rows for {{ ds }}",
    )
    count >> notify
