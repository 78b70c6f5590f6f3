"""Airflow 1 module name, still importable (deprecated) in 2.10."""
from __future__ import annotations

from airflow import _standin

if _standin.major() >= 3:
    raise ModuleNotFoundError("No module named 'airflow.operators.dummy_operator'", name="airflow.operators.dummy_operator")

from airflow.operators.empty import EmptyOperator  # noqa: E402

DummyOperator = EmptyOperator
