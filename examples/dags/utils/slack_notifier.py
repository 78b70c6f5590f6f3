"""Slack failure alert used as an Airflow ``on_failure_callback``.

This module defines no DAG. It builds a short message from the task context
(dag id, task id, logical date / ds, log url) and sends it through the
``slack_default`` Slack webhook connection with ``SlackWebhookOperator``.

Usage in a DAG file::

    from utils.slack_notifier import task_fail_slack_alert

    default_args = {"on_failure_callback": task_fail_slack_alert}
"""
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

SLACK_CONN_ID = "slack_default"


def task_fail_slack_alert(context):
    """Post a Slack message describing the failed task instance."""
    ti = context.get("task_instance")
    dag_id = ti.dag_id
    task_id = ti.task_id
    logical_date = context.get("logical_date")
    ds = context.get("ds")
    log_url = ti.log_url

    slack_msg = (
        ":red_circle: Task failed.\n"
        f"*Dag*: {dag_id}\n"
        f"*Task*: {task_id}\n"
        f"*Logical date*: {logical_date} (ds={ds})\n"
        f"*Log url*: {log_url}"
    )

    failed_alert = SlackWebhookOperator(
        task_id="slack_failed_alert",
        slack_webhook_conn_id=SLACK_CONN_ID,
        message=slack_msg,
    )
    return failed_alert.execute(context=context)
