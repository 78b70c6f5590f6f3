"""Airflow's task context for one try (§2.1 for 2.10, §2.2 for 3.x), and the ``ti`` / ``dag_run``
objects in it.

``ti.xcom_pull`` sends the keyword arguments to the engine and blocks until it answers: the engine
owns XCom and implements each version's pull semantics. Datetimes are pendulum DateTimes in UTC
(the stand-in's fallback pendulum when none is installed).
"""
from __future__ import annotations

import datetime as _dt
import socket
import threading
from urllib.parse import quote

from preflight_worker import runtime

_NOTSET = object()
_pull_lock = threading.Lock()


def parse_time(text):
    if not text:
        return None
    value = str(text).strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = _dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    parsed = parsed.astimezone(_dt.timezone.utc)
    try:
        import pendulum

        return pendulum.instance(parsed, tz="UTC")
    except Exception:  # noqa: BLE001 - no pendulum at all: an aware datetime does
        return parsed


def _ts_nodash_with_tz(value):
    return value.isoformat().replace("-", "").replace(":", "")


class _Accessor:
    """``var.value.NAME`` / ``var.json.NAME`` and ``conn.NAME``."""

    def __init__(self, getter):
        self._getter = getter

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._getter(name, _NOTSET)

    def get(self, name, default_var=_NOTSET, default=_NOTSET):
        return self._getter(name, default if default_var is _NOTSET else default_var)

    def __repr__(self):
        return "<accessor>"


def _variable(deserialize):
    import json

    def getter(key, default):
        value = runtime.get_variable(key)
        if value is None:
            if default is not _NOTSET:
                return default
            raise KeyError(f"Variable {key} does not exist")
        return json.loads(value) if deserialize else value

    return getter


def _connection(conn_id, default):
    try:
        try:
            from airflow.sdk import BaseHook
        except ImportError:
            from airflow.hooks.base import BaseHook
        return BaseHook.get_connection(conn_id)
    except Exception:
        if default is not _NOTSET:
            return default
        raise


def _macros(version):
    if version >= 3:
        try:
            import airflow.sdk.execution_time.macros as macros

            if not getattr(macros, "__preflight_mock__", False):  # the stand-in has only airflow.macros
                return macros
        except Exception:  # noqa: BLE001
            pass
    import airflow.macros as macros

    return macros


class DagRun:
    def __init__(self, dag, run, version):
        self.dag = dag
        self.dag_id = run["dag_id"]
        self.run_id = run["run_id"]
        self.run_type = run["run_type"]
        self.conf = dict(run.get("conf") or {})
        self.logical_date = parse_time(run.get("logical_date"))
        self.data_interval_start = parse_time(run.get("data_interval_start"))
        self.data_interval_end = parse_time(run.get("data_interval_end"))
        self.start_date = parse_time(run.get("start_date"))
        self.end_date = None
        self.state = "running"
        if version == 2:
            self.execution_date = self.logical_date
            self.external_trigger = self.run_type == "manual"
        else:
            self.run_after = self.data_interval_end or self.logical_date
            self.clear_number = 0
            self.triggered_by = "preflight"

    def get_task_instance(self, task_id, *args, **kwargs):
        return None

    def get_task_instances(self, *args, **kwargs):
        return []

    def __repr__(self):
        return f"<DagRun {self.dag_id} @ {self.logical_date}: {self.run_id}, state:{self.state}>"


class TaskInstance:
    """The ``ti`` of the context: identity, try numbers and XCom through the engine."""

    def __init__(self, task, dag_run, try_number, max_tries, version):
        self.task = task
        self.task_id = task.task_id
        self.dag_id = dag_run.dag_id
        self.run_id = dag_run.run_id
        self.dag_run = dag_run
        self.try_number = try_number
        self.max_tries = max_tries
        self.map_index = -1
        self.hostname = socket.getfqdn()
        self.state = "running"
        self.start_date = dag_run.start_date
        self.end_date = None
        self.logical_date = dag_run.logical_date
        self.operator = type(task).__name__
        self.pool = getattr(task, "pool", "default_pool")
        self.queue = getattr(task, "queue", "default")
        self.priority_weight = getattr(task, "priority_weight", 1)
        self._version = version
        self.context = None
        if version == 2:
            self.execution_date = dag_run.logical_date

    @property
    def log_url(self):
        run_id = quote(self.run_id)
        if self._version == 2:
            map_index = f"&map_index={self.map_index}" if self.map_index >= 0 else ""
            base_date = quote(self.execution_date.strftime("%Y-%m-%dT%H:%M:%S%z"))
            return (f"http://localhost:8080/dags/{self.dag_id}/grid?dag_run_id={run_id}&task_id={self.task_id}"
                    f"{map_index}&base_date={base_date}&tab=logs")
        try_number = f"?try_number={self.try_number}" if self.try_number and self.try_number > 0 else ""
        return f"http://localhost:8080/dags/{self.dag_id}/runs/{run_id}/tasks/{self.task_id}{try_number}"

    def _push(self, key, value):
        request_id = runtime.current_request()
        if runtime.wire is None or request_id is None:
            raise RuntimeError("xcom_push outside a running task")
        runtime.wire.send({"type": "xcom_push", "id": request_id, "key": str(key), "value": runtime.codec.encode(value)})

    def _pull(self, request):
        request_id = runtime.current_request()
        if runtime.wire is None or request_id is None:
            raise RuntimeError("xcom_pull outside a running task")
        encoded = {k: runtime.codec.encode(v) for k, v in request.items()}
        with _pull_lock:
            runtime.wire.send({"type": "xcom_pull", "id": request_id, "request": encoded})
            answer = runtime.wire.wait_for("xcom_value", request_id)
        if answer is None:
            raise runtime.EngineGone()
        if answer.get("error"):
            try:
                from airflow.exceptions import AirflowException
            except ImportError:
                AirflowException = RuntimeError
            raise AirflowException(str(answer["error"]))
        return runtime.codec.decode(answer.get("value"))

    def get_dagrun(self, session=None):
        return self.dag_run

    def get_template_context(self, session=None, ignore_param_exceptions=True):
        return self.context

    def __repr__(self):
        return f"<TaskInstance: {self.dag_id}.{self.task_id} {self.run_id} [{self.state}]>"


def _ids(task_ids):
    if isinstance(task_ids, (tuple, set, frozenset)):
        return list(task_ids)
    return task_ids


class TaskInstance2(TaskInstance):
    def xcom_push(self, key, value, execution_date=None, session=None):
        self._push(key, value)

    def xcom_pull(self, task_ids=None, dag_id=None, key="return_value", include_prior_dates=False, session=None, *,
                  map_indexes=None, default=None):
        return self._pull({"task_ids": _ids(task_ids), "dag_id": dag_id, "key": key,
                           "include_prior_dates": include_prior_dates, "default": default, "map_indexes": map_indexes})


class TaskInstance3(TaskInstance):
    def xcom_push(self, key, value):
        self._push(key, value)

    def xcom_pull(self, task_ids=None, dag_id=None, key="return_value", include_prior_dates=False, *,
                  map_indexes=_NOTSET, default=None, run_id=None):
        request = {"task_ids": _ids(task_ids), "dag_id": dag_id, "key": key,
                   "include_prior_dates": include_prior_dates, "default": default}
        if map_indexes is not _NOTSET:
            request["map_indexes"] = map_indexes
        if run_id is not None:
            request["run_id"] = run_id
        return self._pull(request)


def build(dag, task, run, params, try_number, max_tries, version):
    """The context a task's code receives (without the PythonOperator additions)."""
    dag_run = DagRun(dag, run, version)
    ti = (TaskInstance2 if version == 2 else TaskInstance3)(task, dag_run, try_number, max_tries, version)
    logical = dag_run.logical_date
    ds = logical.strftime("%Y-%m-%d")
    ds_nodash = ds.replace("-", "")
    context = {
        "dag": dag,
        "task": task,
        "ti": ti,
        "task_instance": ti,
        "run_id": dag_run.run_id,
        "dag_run": dag_run,
        "params": dict(params or {}),
        "var": {"value": _Accessor(_variable(False)), "json": _Accessor(_variable(True))},
        "conn": _Accessor(_connection),
        "macros": _macros(version),
        "inlets": list(getattr(task, "inlets", None) or []),
        "outlets": list(getattr(task, "outlets", None) or []),
        "inlet_events": {},
        "outlet_events": {},
        "map_index_template": getattr(task, "map_index_template", None),
        "prev_start_date_success": None,
        "prev_end_date_success": None,
        "task_instance_key_str": f"{dag_run.dag_id}__{task.task_id}__{ds_nodash}",
        "logical_date": logical,
        "ds": ds,
        "ds_nodash": ds_nodash,
        "ts": logical.isoformat(),
        "ts_nodash": logical.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": _ts_nodash_with_tz(logical),
        "data_interval_start": dag_run.data_interval_start,
        "data_interval_end": dag_run.data_interval_end,
        "prev_data_interval_start_success": None,
        "prev_data_interval_end_success": None,
    }
    if version == 2:
        manual = dag_run.run_type == "manual"
        prev = logical if manual else parse_time(run.get("prev_logical_date"))
        nxt = logical if manual else parse_time(run.get("next_logical_date"))
        yesterday = logical - _dt.timedelta(days=1)
        tomorrow = logical + _dt.timedelta(days=1)
        try:
            from airflow.configuration import conf
        except Exception:  # noqa: BLE001
            conf = None
        context.update({
            "conf": conf,
            "execution_date": logical,
            "prev_ds": prev.strftime("%Y-%m-%d") if prev else None,
            "prev_ds_nodash": prev.strftime("%Y%m%d") if prev else None,
            "prev_execution_date": prev,
            "prev_execution_date_success": None,
            "next_ds": nxt.strftime("%Y-%m-%d") if nxt else None,
            "next_ds_nodash": nxt.strftime("%Y%m%d") if nxt else None,
            "next_execution_date": nxt,
            "yesterday_ds": yesterday.strftime("%Y-%m-%d"),
            "yesterday_ds_nodash": yesterday.strftime("%Y%m%d"),
            "tomorrow_ds": tomorrow.strftime("%Y-%m-%d"),
            "tomorrow_ds_nodash": tomorrow.strftime("%Y%m%d"),
            "test_mode": False,
            "expanded_ti_count": None,
            "triggering_dataset_events": {},
        })
    else:
        context.update({"task_reschedule_count": 0, "triggering_asset_events": {}})
    ti.context = context
    return context


def airflow_env(context, version):
    """``AIRFLOW_CTX_*`` as Airflow exports them before ``execute`` (§2.6), truthy values only."""
    task, ti = context["task"], context["ti"]
    email = getattr(task, "email", None)
    values = {
        "AIRFLOW_CTX_DAG_EMAIL": ",".join(email) if isinstance(email, (list, tuple)) else email,
        "AIRFLOW_CTX_DAG_OWNER": getattr(task, "owner", None),
        "AIRFLOW_CTX_DAG_ID": ti.dag_id,
        "AIRFLOW_CTX_TASK_ID": ti.task_id,
        ("AIRFLOW_CTX_EXECUTION_DATE" if version == 2 else "AIRFLOW_CTX_LOGICAL_DATE"): context["logical_date"].isoformat(),
        "AIRFLOW_CTX_TRY_NUMBER": str(ti.try_number),
        "AIRFLOW_CTX_DAG_RUN_ID": ti.run_id,
    }
    return {k: str(v) for k, v in values.items() if v}
