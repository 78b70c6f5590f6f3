"""``airflow.operators.dummy`` (2.10 only): DummyOperator is EmptyOperator under an old name."""
from __future__ import annotations

from airflow import _standin

if _standin.major() >= 3:
    raise ModuleNotFoundError("No module named 'airflow.operators.dummy'", name="airflow.operators.dummy")

from airflow.operators.empty import EmptyOperator  # noqa: E402

DummyOperator = EmptyOperator
