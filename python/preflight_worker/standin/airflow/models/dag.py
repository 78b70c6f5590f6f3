"""``DAG``: what the simulator needs from a DAG object, with the constructor's version-specific
argument checks (3.x removed ``schedule_interval``, ``timetable``, ``concurrency``...)."""
from __future__ import annotations

import copy
import datetime as _dt
import os
import sys

from airflow import _standin
from airflow._standin import NOTSET, DagContext

_COMMON = set(
    "access_control auto_register catchup dag_display_name dagrun_timeout default_args description doc_md "
    "end_date is_paused_upon_creation jinja_environment_kwargs max_active_runs max_active_tasks "
    "max_consecutive_failed_dag_runs on_failure_callback on_success_callback owner_links params "
    "render_template_as_native_obj schedule sla_miss_callback start_date tags template_searchpath "
    "template_undefined user_defined_filters user_defined_macros".split()
)
_ALLOWED = {
    2: _COMMON | {"concurrency", "default_view", "fail_stop", "full_filepath", "orientation", "schedule_interval", "timetable"},
    3: _COMMON | {"allowed_run_types", "deadline", "disable_bundle_versioning", "fail_fast", "rerun_with_latest_version", "task_group"},
}


def _zone_of(value):
    if isinstance(value, str):
        import pendulum

        value = pendulum.parse(value)
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return value.tzinfo
    return None


class DAG:
    def __init__(self, dag_id=None, description=None, **kwargs):
        from airflow.models.param import ParamsDict
        from airflow.utils.task_group import TaskGroup

        version = _standin.major()
        for name in kwargs:
            if name not in _ALLOWED[version]:
                raise TypeError(f"DAG.__init__() got an unexpected keyword argument '{name}'")
        if dag_id is None:
            raise TypeError("DAG.__init__() missing 1 required positional argument: 'dag_id'")
        _standin.validate_key(dag_id)
        self.dag_id = dag_id
        self.description = description
        default_args = kwargs.get("default_args")
        if version == 2 and default_args is not None and not isinstance(default_args, dict):
            raise TypeError("default_args must be a dict")
        self.default_args = copy.deepcopy(default_args or {})  # 3.x fails on a non-dict below, at .get
        self.params = ParamsDict(kwargs.get("params") or {})
        if "params" in self.default_args:
            self.params.update(self.default_args["params"])
            del self.default_args["params"]

        start_date = kwargs.get("start_date")
        if start_date is None and self.default_args.get("start_date") is not None:
            start_date = self.default_args["start_date"]
        end_date = kwargs.get("end_date") or self.default_args.get("end_date")
        self.timezone = _zone_of(start_date) or _zone_of(self.default_args.get("start_date")) or _standin.utc()
        self.start_date = _standin.to_utc(start_date)
        self.end_date = _standin.to_utc(end_date)

        schedule = kwargs.get("schedule", NOTSET)
        if version == 2:
            passed = [n for n in ("schedule_interval", "timetable", "schedule")
                      if kwargs.get(n, NOTSET) is not NOTSET and not (n == "timetable" and kwargs[n] is None)]
            if len(passed) > 1:
                raise ValueError("At most one allowed for args 'schedule_interval', 'timetable', and 'schedule'.")
            schedule = kwargs[passed[0]] if passed else _dt.timedelta(days=1)
            if passed and schedule and self.start_date is None:
                raise ValueError("DAG is missing the start_date parameter")
            self.schedule_interval = schedule
        elif schedule is NOTSET:
            schedule = None
        self.schedule = schedule

        from airflow.configuration import conf

        catchup = kwargs.get("catchup")
        self.catchup = conf.getboolean("scheduler", "catchup_by_default") if catchup is None else bool(catchup)
        if version >= 3 and self.catchup and self.start_date is None and schedule is not None and schedule != "@once" and isinstance(schedule, (str, _dt.timedelta)):
            raise ValueError("start_date is required when catchup=True")
        self.max_active_tasks = kwargs.get("max_active_tasks", kwargs.get("concurrency", 16))
        self.max_active_runs = kwargs.get("max_active_runs", 16)
        if schedule == "@continuous" and self.max_active_runs > 1:
            if version == 2:
                from airflow.exceptions import AirflowException

                raise AirflowException(
                    "Invalid max_active_runs: <class 'airflow.timetables.simple.ContinuousTimetable'> requires max_active_runs <= 1"
                )
            raise ValueError("Invalid max_active_runs: ContinuousTimetable requires max_active_runs <= 1")
        self.on_success_callback = kwargs.get("on_success_callback")
        self.on_failure_callback = kwargs.get("on_failure_callback")
        self.sla_miss_callback = kwargs.get("sla_miss_callback")
        self.render_template_as_native_obj = bool(kwargs.get("render_template_as_native_obj", False))
        self.tags = kwargs.get("tags") or []
        self.doc_md = kwargs.get("doc_md")
        self.template_searchpath = kwargs.get("template_searchpath")
        self.user_defined_macros = kwargs.get("user_defined_macros")
        self.user_defined_filters = kwargs.get("user_defined_filters")
        self.jinja_environment_kwargs = kwargs.get("jinja_environment_kwargs")
        self.dagrun_timeout = kwargs.get("dagrun_timeout")
        self.is_paused_upon_creation = kwargs.get("is_paused_upon_creation")
        self.auto_register = kwargs.get("auto_register", True)
        self.fail_stop = bool(kwargs.get("fail_stop", kwargs.get("fail_fast", False)))
        self.fail_fast = self.fail_stop
        self.max_consecutive_failed_dag_runs = kwargs.get("max_consecutive_failed_dag_runs", 0)
        self.owner_links = kwargs.get("owner_links") or {}
        self.access_control = kwargs.get("access_control")
        self.dag_display_name = kwargs.get("dag_display_name") or dag_id
        self.task_dict = {}
        self.task_group = TaskGroup.create_root(self)
        runtime = _standin.runtime()
        self.fileloc = getattr(runtime, "dag_file", None) or os.path.abspath(sys._getframe(1).f_code.co_filename)
        _standin.record_line(self)

    # --- tasks -----------------------------------------------------------------------------------

    def add_task(self, task):
        from airflow._standin import TaskGroupContext
        from airflow.exceptions import DuplicateTaskIdFound

        # A task starts no earlier and ends no later than its DAG.
        if task.start_date is None:
            task.start_date = self.start_date
        elif self.start_date is not None:
            task.start_date = max(task.start_date, self.start_date)
        if task.end_date is None:
            task.end_date = self.end_date
        elif self.end_date is not None:
            task.end_date = min(task.end_date, self.end_date)
        if task.task_group is None:
            group = TaskGroupContext.current(self)
            if group is not None:
                task.task_id = group.child_id(task.task_id)
                group.add(task)
        existing = self.task_dict.get(task.task_id)
        if existing is task:
            return
        if (existing is not None and existing is not task) or task.task_id in self.task_group.used_group_ids:
            raise DuplicateTaskIdFound(f"Task id '{task.task_id}' has already been added to the DAG")
        self.task_dict[task.task_id] = task
        self.task_group.used_group_ids.add(task.task_id)
        task._dag = self

    def add_tasks(self, tasks):
        for task in tasks:
            self.add_task(task)

    @property
    def tasks(self):
        return list(self.task_dict.values())

    @property
    def task_ids(self):
        return list(self.task_dict)

    @property
    def task_count(self):
        return len(self.task_dict)

    def get_task(self, task_id):
        if task_id in self.task_dict:
            return self.task_dict[task_id]
        from airflow.exceptions import TaskNotFound

        raise TaskNotFound(f"Task {task_id} not found")

    def has_task(self, task_id):
        return task_id in self.task_dict

    @property
    def roots(self):
        return [t for t in self.tasks if not t.upstream_task_ids]

    @property
    def leaves(self):
        return [t for t in self.tasks if not t.downstream_task_ids]

    @property
    def owner(self):
        return ", ".join(sorted({t.owner for t in self.tasks}))

    @property
    def folder(self):
        return os.path.dirname(self.fileloc)

    @property
    def task_group_dict(self):
        return {k: v for k, v in self.task_group.get_task_group_dict().items() if k is not None}

    def param(self, name, default=NOTSET):
        from airflow.models.param import DagParam

        return DagParam(self, name, default)

    # --- what Airflow's DagBag and CLI call ------------------------------------------------------

    def validate(self):
        pass

    def test(self, *args, **kwargs):
        """``dag.test()`` runs the DAG in-process in Airflow; here the simulator runs it instead."""
        return None

    def cli(self):
        return None

    def __enter__(self):
        DagContext.push(self)
        return self

    def __exit__(self, *exc):
        DagContext.pop()

    def __repr__(self):
        return f"<DAG: {self.dag_id}>"

    def __deepcopy__(self, memo):
        return self
