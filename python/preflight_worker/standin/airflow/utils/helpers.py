"""``airflow.utils.helpers``: chain helpers kept importable from their Airflow 1 home."""
from __future__ import annotations

from airflow.models.baseoperator import chain, chain_linear, cross_downstream  # noqa: F401
