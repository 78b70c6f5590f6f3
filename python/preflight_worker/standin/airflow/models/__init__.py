"""``airflow.models``: the classes DAG files import from here."""
from __future__ import annotations

from airflow import _standin
from airflow.models.baseoperator import BaseOperator, BaseOperatorLink  # noqa: F401
from airflow.models.connection import Connection  # noqa: F401
from airflow.models.dag import DAG  # noqa: F401
from airflow.models.dagrun import DagRun  # noqa: F401
from airflow.models.param import Param  # noqa: F401
from airflow.models.taskinstance import TaskInstance  # noqa: F401
from airflow.models.variable import Variable  # noqa: F401
from airflow.models.xcom import XCOM_RETURN_KEY, XCom  # noqa: F401
from airflow.models.xcom_arg import XComArg  # noqa: F401

__getattr__ = _standin.mock_getattr(__name__)
