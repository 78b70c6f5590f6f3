"""Stand-in for the ``airflow`` package, used when Apache Airflow is not installed.

It implements what DAG files touch while being imported (DAGs, operators, TaskFlow, TaskGroups,
dependencies, default_args) closely enough that the worker can describe them as Airflow would, and
what task code touches while running (exceptions, Variables, ``get_current_context``). See
``_standin.py`` for how versions and unknown modules are handled.
"""
from __future__ import annotations

from airflow import _standin

__version__ = "2.10.5" if _standin.major() == 2 else "3.1.0"

_standin.install_finder()


def __getattr__(name):
    # Airflow imports these lazily from the top-level package too.
    if name == "DAG":
        from airflow.models.dag import DAG

        return DAG
    if name == "XComArg":
        from airflow.models.xcom_arg import XComArg

        return XComArg
    if name in ("Dataset", "Asset"):
        return _standin.mock_attribute("airflow", name)
    raise AttributeError(f"module 'airflow' has no attribute {name!r}")
