"""``airflow.decorators``: TaskFlow's ``task``, ``dag``, ``task_group``, ``setup``, ``teardown``."""
from __future__ import annotations

from airflow._taskflow import dag, setup, task, task_group, teardown  # noqa: F401

__all__ = ["dag", "setup", "task", "task_group", "teardown"]
