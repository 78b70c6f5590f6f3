"""``BaseBranchOperator``: subclasses implement ``choose_branch(context)``."""
from __future__ import annotations

from airflow.models.baseoperator import BaseOperator
from airflow.operators.python import BranchMixIn


class BaseBranchOperator(BaseOperator, BranchMixIn):
    def choose_branch(self, context):
        raise NotImplementedError

    def execute(self, context):
        return self.choose_branch(context)
