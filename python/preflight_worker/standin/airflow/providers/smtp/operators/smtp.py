"""EmailOperator of the SMTP provider (Airflow 3's home for it); ``execute`` reports the mail to the
simulator as an alert instead of sending it."""
from __future__ import annotations

import sys

try:
    from airflow.sdk import BaseOperator
except ImportError:
    from airflow.models.baseoperator import BaseOperator


class EmailOperator(BaseOperator):
    template_fields = ("to", "from_email", "subject", "html_content", "files", "cc", "bcc", "mime_subtype",
                       "mime_charset", "conn_id", "custom_headers")
    template_fields_renderers = {"html_content": "html"}
    template_ext = (".html",)
    ui_color = "#e6faf9"

    def __init__(self, *, to, from_email=None, subject=None, html_content=None, files=None, cc=None, bcc=None,
                 mime_subtype="mixed", mime_charset="utf-8", conn_id="smtp_default", custom_headers=None,
                 auth_type="basic", **kwargs):
        super().__init__(**kwargs)
        self.to = to
        self.from_email = from_email
        self.subject = subject
        self.html_content = html_content
        self.files = files or []
        self.cc = cc
        self.bcc = bcc
        self.mime_subtype = mime_subtype
        self.mime_charset = mime_charset
        self.conn_id = conn_id
        self.custom_headers = custom_headers
        self.auth_type = auth_type

    def execute(self, context):
        runtime = sys.modules.get("_preflight_runtime")
        if runtime is not None:
            runtime.alert("email", f"{self.subject}\n{self.html_content}", conn_id=self.conn_id)
