"""SlackWebhookOperator whose ``execute`` reports the message as an alert (see the hook)."""
from __future__ import annotations

import sys

try:
    from airflow.sdk import BaseOperator
except ImportError:
    from airflow.models.baseoperator import BaseOperator

from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook


def _major():
    return getattr(sys.modules.get("_preflight_runtime"), "airflow_major", 3)


class SlackWebhookOperator(BaseOperator):
    template_fields = ("message", "attachments", "blocks", "channel", "username", "proxy") + (
        ("slack_webhook_conn_id",) if _major() >= 3 else ())

    def __init__(self, *, slack_webhook_conn_id, message="", attachments=None, blocks=None, channel=None,
                 username=None, icon_emoji=None, icon_url=None, proxy=None, timeout=None, retry_handlers=None, **kwargs):
        super().__init__(**kwargs)
        self.slack_webhook_conn_id = slack_webhook_conn_id
        self.message = message
        self.attachments = attachments
        self.blocks = blocks
        self.channel = channel
        self.username = username
        self.icon_emoji = icon_emoji
        self.icon_url = icon_url
        self.proxy = proxy
        self.timeout = timeout
        self.retry_handlers = retry_handlers

    @property
    def hook(self):
        return SlackWebhookHook(slack_webhook_conn_id=self.slack_webhook_conn_id, proxy=self.proxy,
                                timeout=self.timeout, retry_handlers=self.retry_handlers)

    def execute(self, context):
        self.hook.send(text=self.message, attachments=self.attachments, blocks=self.blocks, channel=self.channel,
                       username=self.username, icon_emoji=self.icon_emoji, icon_url=self.icon_url)
