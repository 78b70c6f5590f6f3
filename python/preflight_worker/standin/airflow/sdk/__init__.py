"""``airflow.sdk`` (Airflow 3's authoring interface). It does not exist in Airflow 2.10."""
from __future__ import annotations

from airflow import _standin

if _standin.major() < 3:
    raise ModuleNotFoundError("No module named 'airflow.sdk'", name="airflow.sdk")

from airflow._standin import NOTSET  # noqa: E402,F401
from airflow._taskflow import dag, setup, task, task_group, teardown  # noqa: E402,F401
from airflow.hooks.base import BaseHook  # noqa: E402,F401
from airflow.models.baseoperator import BaseOperator, BaseOperatorLink, chain, chain_linear, cross_downstream  # noqa: E402,F401
from airflow.models.connection import Connection  # noqa: E402,F401
from airflow.models.dag import DAG  # noqa: E402,F401
from airflow.models.param import Param, ParamsDict  # noqa: E402,F401
from airflow.models.variable import Variable  # noqa: E402,F401
from airflow.models.xcom_arg import XComArg  # noqa: E402,F401
from airflow.notifications.basenotifier import BaseNotifier  # noqa: E402,F401
from airflow.operators.python import get_current_context  # noqa: E402,F401
from airflow.utils.edgemodifier import EdgeModifier, Label  # noqa: E402,F401
from airflow.utils.state import DagRunState, TaskInstanceState  # noqa: E402,F401
from airflow.utils.task_group import TaskGroup  # noqa: E402,F401
from airflow.utils.trigger_rule import TriggerRule  # noqa: E402,F401

Context = dict

__getattr__ = _standin.mock_getattr(__name__)
