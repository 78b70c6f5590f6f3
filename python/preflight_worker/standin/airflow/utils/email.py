"""``airflow.utils.email.send_email`` reports the mail to the simulator instead of sending it."""
from __future__ import annotations

import sys


def send_email(to, subject, html_content, files=None, dryrun=False, cc=None, bcc=None, mime_subtype="mixed",
               mime_charset="utf-8", conn_id=None, custom_headers=None, **kwargs):
    runtime = sys.modules.get("_preflight_runtime")
    if runtime is not None:
        runtime.alert("email", f"{subject}\n{html_content}", conn_id=conn_id)


send_email_smtp = send_email
