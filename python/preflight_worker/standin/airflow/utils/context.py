"""``airflow.utils.context.Context``: the task context is a plain dict here."""
from __future__ import annotations

Context = dict
