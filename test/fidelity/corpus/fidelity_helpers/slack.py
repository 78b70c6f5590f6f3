"""A Slack failure alert posted through the ``slack_default`` webhook connection."""
from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook


def slack_failure_alert(context):
    """Post which task failed, for which ds, and why."""
    ti = context["ti"]
    text = f":red_circle: {ti.dag_id}.{ti.task_id} failed for {context['ds']}: {context.get('exception')}"
    SlackWebhookHook(slack_webhook_conn_id="slack_default").send(text=text)
