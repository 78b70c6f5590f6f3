"""SQL operators: described with their template fields (``.sql`` files are templates); running
queries has no local meaning, so their kind is ``mock``."""
from __future__ import annotations

import sys

try:
    from airflow.sdk import BaseOperator
except ImportError:
    from airflow.models.baseoperator import BaseOperator


class BaseSQLOperator(BaseOperator):
    conn_id_field = "conn_id"
    template_fields = ("conn_id", "database", "hook_params")

    def __init__(self, *, conn_id=None, database=None, hook_params=None, retry_on_failure=True, **kwargs):
        super().__init__(**kwargs)
        self.conn_id = conn_id
        self.database = database
        self.hook_params = hook_params or {}
        self.retry_on_failure = retry_on_failure

    def execute(self, context):
        self.log.info("%s is not executed locally (no database).", type(self).__name__)


class SQLExecuteQueryOperator(BaseSQLOperator):
    template_fields = ("sql", "parameters", "conn_id", "database", "hook_params")
    template_ext = (".sql", ".json")
    template_fields_renderers = {"sql": "sql", "parameters": "json"}
    ui_color = "#cdaaed"

    def __init__(self, *, sql, autocommit=False, parameters=None, handler=None, output_processor=None,
                 split_statements=None, return_last=True, show_return_value_in_logs=False, requires_result_fetch=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.sql = sql
        self.autocommit = autocommit
        self.parameters = parameters
        self.handler = handler
        self.output_processor = output_processor
        self.split_statements = split_statements
        self.return_last = return_last
        self.show_return_value_in_logs = show_return_value_in_logs
        self.requires_result_fetch = requires_result_fetch


class SQLCheckOperator(BaseSQLOperator):
    template_fields = ("sql", "conn_id", "database", "hook_params")
    template_ext = (".hql", ".sql")

    def __init__(self, *, sql, parameters=None, **kwargs):
        super().__init__(**kwargs)
        self.sql = sql
        self.parameters = parameters


def __getattr__(name):
    standin = sys.modules.get("_preflight_standin")
    if standin is None:
        raise AttributeError(name)
    return standin.mock_attribute(__name__, name)
