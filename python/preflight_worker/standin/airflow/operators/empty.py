"""EmptyOperator: the scheduler marks it success without running it (§3.9)."""
from __future__ import annotations

from airflow.models.baseoperator import BaseOperator


class EmptyOperator(BaseOperator):
    ui_color = "#e8f7e4"

    def execute(self, context):
        pass
