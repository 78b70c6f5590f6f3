"""WireDag / WireTask (src/node/workerProtocol.ts) from DAG objects, real Airflow's or the stand-in's.

Everything is read from the objects after the DAG file was imported, so values are the effective
ones Airflow would use: default_args already merged, TaskGroup prefixes applied, XComArg edges set.
Attribute access is duck-typed so that Airflow 2.10, 3.x and the stand-in all describe alike.
"""
from __future__ import annotations

import datetime as _dt
import enum
import re

from preflight_worker import runtime

TASK_CALLBACKS = ("on_execute_callback", "on_success_callback", "on_failure_callback", "on_retry_callback", "on_skipped_callback")
DAG_CALLBACKS = ("on_success_callback", "on_failure_callback")


def is_mapped(task):
    if getattr(task, "_preflight_mapped", False):
        return True
    flag = getattr(type(task), "_is_mapped", None)
    if isinstance(flag, bool):
        return flag
    return any(klass.__name__ == "MappedOperator" for klass in type(task).__mro__)


def operator_class(task):
    if is_mapped(task) and isinstance(getattr(task, "operator_class", None), type):
        return task.operator_class
    return type(task)


def operator_name(task):
    custom = getattr(operator_class(task), "custom_operator_name", None)
    if isinstance(custom, str) and custom:
        return custom
    if is_mapped(task) and not isinstance(getattr(task, "operator_class", None), type):
        name = getattr(task, "_operator_name", None)
        if isinstance(name, str) and name:
            return name
    return operator_class(task).__name__


def _has(value):
    if value is None:
        return False
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return True


def kind_of(task):
    names = {klass.__name__ for klass in operator_class(task).__mro__}
    if "BashOperator" in names:
        return "bash"
    if names & {"BranchMixIn", "BaseBranchOperator", "BranchPythonOperator"}:
        return "branch"
    if "ShortCircuitOperator" in names:
        return "short_circuit"
    if "EmptyOperator" in names:
        busy = any(_has(getattr(task, n, None)) for n in ("on_execute_callback", "on_success_callback", "outlets"))
        return "mock" if busy else "empty"
    if "PythonOperator" in names and not getattr(operator_class(task), "_preflight_mock", False):
        return "python"
    return "mock"


def _seconds(value):
    if value is None:
        return None
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _iso(value):
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.isoformat()
    return str(value)


def _emails(value):
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return [e.strip() for e in re.split(r"[,;]", value) if e.strip()]
    return [str(e) for e in value]


def _text(value):
    """An enum member's value (Airflow's TriggerRule is a str Enum whose str() differs by version)."""
    if isinstance(value, enum.Enum):
        return value.value
    return value


def tz_name(tz):
    if tz is None:
        return "UTC"
    for attr in ("name", "key", "zone"):
        value = getattr(tz, attr, None)
        if isinstance(value, str) and value:
            return value
    if tz is _dt.timezone.utc:
        return "UTC"
    name = tz.tzname(None) if hasattr(tz, "tzname") else None
    return name or str(tz)


def _field_value(task, name):
    value = getattr(task, name, None)
    if is_mapped(task) and not hasattr(task, "_preflight_mapped"):
        expand = getattr(getattr(task, "expand_input", None), "value", None) or {}
        partial = getattr(task, "partial_kwargs", None) or {}
        if name in expand:
            value = expand[name]
        elif name in partial:
            value = partial[name]
    if type(value).__name__ in ("SetDuringExecution", "ArgNotSet"):
        return None  # @task.bash's command: only the callable knows it, when the task runs
    return value


def _expand(task):
    if not is_mapped(task):
        return None
    expand = getattr(task, "_preflight_expand", None)
    if expand is None:
        # A mapped TaskFlow task keeps its expanded arguments in op_kwargs_expand_input; Airflow 3
        # leaves its expand_input empty.
        expand = getattr(getattr(task, "op_kwargs_expand_input", None), "value", None) or None
    if expand is None:
        expand = getattr(getattr(task, "expand_input", None), "value", None)
    if expand is None:
        return None
    return runtime.codec.encode(dict(expand) if isinstance(expand, dict) else {"__expand_kwargs__": expand})


def describe_task(task):
    group = getattr(task, "task_group", None)
    group_id = getattr(group, "group_id", None) if group is not None else None
    fields = tuple(getattr(task, "template_fields", ()) or ())
    trigger_rule = getattr(task, "trigger_rule", "all_success")
    return {
        "task_id": task.task_id,
        "operator": operator_name(task),
        "kind": kind_of(task),
        "upstream": sorted(task.upstream_task_ids),
        "downstream": sorted(task.downstream_task_ids),
        "trigger_rule": str(_text(trigger_rule)),
        "retries": int(getattr(task, "retries", 0) or 0),
        "retry_delay_s": _seconds(getattr(task, "retry_delay", None)) or 0.0,
        "retry_exponential_backoff": bool(getattr(task, "retry_exponential_backoff", False)),
        "max_retry_delay_s": _seconds(getattr(task, "max_retry_delay", None)),
        "depends_on_past": bool(getattr(task, "depends_on_past", False)),
        "wait_for_downstream": bool(getattr(task, "wait_for_downstream", False)),
        "ignore_first_depends_on_past": bool(getattr(task, "ignore_first_depends_on_past", False)),
        "execution_timeout_s": _seconds(getattr(task, "execution_timeout", None)),
        "do_xcom_push": bool(getattr(task, "do_xcom_push", True)),
        "multiple_outputs": bool(getattr(task, "multiple_outputs", False)),
        "ignore_downstream_trigger_rules": bool(getattr(task, "ignore_downstream_trigger_rules", True)),
        "start_date": _iso(getattr(task, "start_date", None)),
        "owner": getattr(task, "owner", None),
        "email": _emails(getattr(task, "email", None)),
        "callbacks": [n for n in TASK_CALLBACKS if _has(getattr(task, n, None))],
        # The task's params: Airflow has merged the DAG's into them already.
        "params": _params(task),
        "template_fields": {name: runtime.codec.encode(_field_value(task, name)) for name in fields},
        "template_ext": [str(e) for e in (getattr(task, "template_ext", ()) or ())],
        "group": group_id or None,
        "line": runtime.line_of(task),
        # Mapping facts the engine needs for .partial().expand().
        "mapped": is_mapped(task),
        "expand": _expand(task),
        "bash": _bash_options(task) if kind_of(task) == "bash" else None,
    }


def _bash_options(task):
    """BashOperator's skip_on_exit_code (an int, a list of ints, or None) and append_env."""
    skip = getattr(task, "skip_on_exit_code", 99)
    if skip is not None and not isinstance(skip, int):
        skip = [code for code in skip if isinstance(code, int)]
    return {"skip_on_exit_code": skip, "append_env": bool(getattr(task, "append_env", False))}


def _groups(dag):
    groups = {}

    def walk(group):
        for child in getattr(group, "children", {}).values():
            if hasattr(child, "children") and not hasattr(child, "task_id"):
                groups[child.group_id] = [t.task_id for t in child.roots]
                walk(child)

    walk(getattr(dag, "task_group", None))
    return groups


def _params(owner):
    """The values of a DAG's or task's params."""
    params = getattr(owner, "params", None) or {}
    values = {}
    for key in params:
        try:
            param = params.get_param(key) if hasattr(params, "get_param") else None
            value = param.value if param is not None else params[key]
        except Exception:  # noqa: BLE001 - a Param without a value
            value = None
        if type(value).__name__ == "ArgNotSet":
            value = None
        values[key] = runtime.codec.encode(value)
    return values


def describe_dag(dag):
    owner = getattr(dag, "owner", None)
    return {
        "dag_id": dag.dag_id,
        "timezone": tz_name(getattr(dag, "timezone", None)),
        "catchup": bool(getattr(dag, "catchup", False)),
        "max_active_runs": int(getattr(dag, "max_active_runs", 16) or 16),
        "max_active_tasks": int(getattr(dag, "max_active_tasks", 16) or 16),
        "params": _params(dag),
        "owner": owner or None,
        "render_template_as_native_obj": bool(getattr(dag, "render_template_as_native_obj", False)),
        "callbacks": [n for n in DAG_CALLBACKS if _has(getattr(dag, n, None))],
        "task_groups": _groups(dag),
        "tasks": [describe_task(task) for task in dag.task_dict.values()],
        "line": runtime.line_of(dag),
    }


def check_cycle(dag, version):
    """Airflow's DAG-bag cycle check (``airflow.utils.dag_cycle_tester.check_cycle``)."""
    new, in_progress, done = 0, 1, 2
    visited = {}
    tasks = dag.task_dict
    word = "DAG" if version == 2 else "Dag"
    for start in tasks:
        if visited.get(start) == done:
            continue
        path = [start]
        while path:
            current = path[-1]
            if visited.get(current, new) == new:
                visited[current] = in_progress
            child = None
            for adjacent in sorted(tasks[current].downstream_task_ids):
                state = visited.get(adjacent, new)
                if state == in_progress:
                    return f"Cycle detected in {word}: {dag.dag_id}. Faulty task: {current}"
                if state == new:
                    child = adjacent
                    break
            if child is None:
                visited[current] = done
                path.pop()
            else:
                path.append(child)
    return None
