"""SlackWebhookHook that reports each message to the simulator as an alert, with no HTTP request.

Loaded by the stand-in and, on top of a real Airflow without the Slack provider, by the worker's
provider fallback: it only relies on public Airflow names and ``_preflight_runtime``.
"""
from __future__ import annotations

import json
import sys

try:
    from airflow.sdk import BaseHook
except ImportError:
    from airflow.hooks.base import BaseHook


def _alert(text, channel=None, username=None, conn_id=None, blocks=None, attachments=None):
    if not text and (blocks or attachments):
        text = json.dumps(blocks or attachments, default=str)
    runtime = sys.modules.get("_preflight_runtime")
    if runtime is not None:
        runtime.alert("slack", text, channel=channel, username=username, conn_id=conn_id)


class SlackWebhookHook(BaseHook):
    conn_name_attr = "slack_webhook_conn_id"
    default_conn_name = "slack_default"
    conn_type = "slackwebhook"
    hook_name = "Slack Incoming Webhook"

    def __init__(self, *, slack_webhook_conn_id="slack_default", timeout=None, proxy=None, retry_handlers=None, **extra_client_args):
        super().__init__()
        self.slack_webhook_conn_id = slack_webhook_conn_id
        self.timeout = timeout
        self.proxy = proxy
        self.retry_handlers = retry_handlers
        self.extra_client_args = extra_client_args

    def send_dict(self, body, *, headers=None):
        if isinstance(body, str):
            body = json.loads(body)
        body = body or {}
        _alert(body.get("text"), body.get("channel"), body.get("username"), self.slack_webhook_conn_id,
               body.get("blocks"), body.get("attachments"))

    def send(self, *, text=None, blocks=None, response_type=None, replace_original=None, delete_original=None,
             unfurl_links=None, unfurl_media=None, headers=None, attachments=None, **kwargs):
        _alert(text, kwargs.get("channel"), kwargs.get("username"), self.slack_webhook_conn_id, blocks, attachments)

    def send_text(self, text, *, unfurl_links=None, unfurl_media=None, headers=None):
        _alert(text, conn_id=self.slack_webhook_conn_id)

    def get_conn(self):
        return self
