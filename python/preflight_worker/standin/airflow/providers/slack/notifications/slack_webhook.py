"""SlackWebhookNotifier (``send_slack_webhook_notification``): a callback that reports its rendered
text as a Slack alert."""
from __future__ import annotations

try:
    from airflow.sdk import BaseNotifier
except ImportError:
    from airflow.notifications.basenotifier import BaseNotifier

from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook


class SlackWebhookNotifier(BaseNotifier):
    template_fields = ("slack_webhook_conn_id", "text", "attachments", "blocks", "proxy", "timeout")

    def __init__(self, *, slack_webhook_conn_id="slack_default", text="This is a default message",
                 blocks=None, unfurl_links=None, unfurl_media=None, proxy=None, timeout=None, attachments=None,
                 retry_handlers=None, **kwargs):
        super().__init__()
        self.slack_webhook_conn_id = slack_webhook_conn_id
        self.text = text
        self.blocks = blocks
        self.unfurl_links = unfurl_links
        self.unfurl_media = unfurl_media
        self.proxy = proxy
        self.timeout = timeout
        self.attachments = attachments
        self.retry_handlers = retry_handlers

    def notify(self, context):
        SlackWebhookHook(slack_webhook_conn_id=self.slack_webhook_conn_id).send(
            text=self.text, blocks=self.blocks, attachments=self.attachments)


send_slack_webhook_notification = SlackWebhookNotifier
