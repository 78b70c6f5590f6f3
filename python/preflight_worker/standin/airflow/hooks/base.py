"""``BaseHook.get_connection`` reads local connections (see models/connection.py)."""
from __future__ import annotations

import logging


class BaseHook:
    conn_name_attr = None
    default_conn_name = None
    conn_type = None
    hook_name = None

    def __init__(self, logger_name=None, *args, **kwargs):
        self._logger_name = logger_name

    @property
    def log(self):
        return logging.getLogger(self._logger_name or f"airflow.task.hooks.{type(self).__module__}.{type(self).__name__}")

    @classmethod
    def get_connection(cls, conn_id):
        from airflow.models.connection import Connection

        return Connection.get_connection_from_secrets(conn_id)

    @classmethod
    def get_hook(cls, conn_id, hook_params=None):
        from airflow import _standin

        return _standin.MockHook(conn_id=conn_id)

    def get_conn(self):
        raise NotImplementedError()
