"""Airflow 1 module name, still importable (deprecated) in 2.10."""
from __future__ import annotations

from airflow import _standin

if _standin.major() >= 3:
    raise ModuleNotFoundError("No module named 'airflow.operators.python_operator'", name="airflow.operators.python_operator")

from airflow.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator  # noqa: E402,F401
