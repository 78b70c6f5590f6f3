"""Render oracle: every task's templated fields, rendered by real Apache Airflow for a scheduled run.

Usage (with a provisioned venv python, see scripts/airflow/provision.sh):

    python render.py CASES_JSON_FILE

CASES_JSON_FILE holds a JSON list of cases
``{"name", "file", "dag_id", "logical_date": "<ISO 8601 with offset>", "conf": {...} | null,
"variables": {"<name>": "<value>"}?, "connections": {"<conn_id>": "<URI or JSON>"}?}``
(``file`` relative to the repository root). Prints exactly one JSON object to stdout:

    {"airflow": "<airflow.__version__>",
     "results": [{"name", "dag_id", "logical_date", "run_id": str | null,
                  "data_interval_start": str | null, "data_interval_end": str | null,
                  "error": "<ExceptionType: message>" | null,
                  "tasks": [{"task_id",
                             "fields": {"<template field>": <rendered value>, ...},
                             "errors": {"<template field>": "<ExceptionType: message>", ...}}]}]}

``logical_date``/``data_interval_*`` are UTC ``isoformat()``; in error texts the repository's
absolute path is written ``<repo>``. What Python prints of some objects differs from one run or
machine to the next; rendered strings and error texts are written with those parts made fixed
(``_without_run_specifics``): memory addresses (``<... object at 0x7f...>``) are dropped, as are
module file paths (``<module 'airflow.macros' from '...'>``), every ``UUID('...')`` is the nil
UUID and trace ids in ``'traceparent': '00-...-...-00'`` are zeros. ``error`` is set (and ``tasks`` is
[]) when the case cannot be set up at all: the file does not import, the dag_id is missing, the
logical date is not one the DAG's timetable schedules, or Airflow refuses to create the run.
Tasks are in ``dag.task_dict`` order (definition order); fields in the operator's
``template_fields`` order. A field whose raw value is falsy is left out of both maps (Airflow
skips it and leaves it as it is). A rendered value is written as JSON when it is a str, int,
float, bool or None, a list/tuple of such values (tuples become lists) or a dict with str keys;
anything else (at any depth) becomes ``{"repr": repr(value)}``.

How the run is made (the scheduler's and the worker's own code paths, on a fresh SQLite
metadata database made once per invocation with ``airflow.utils.db.upgradedb()``, which is what
``airflow db migrate`` runs):

* The DAG file is loaded with a real ``DagBag``. The scheduler works on the *serialized* DAG:
  2.10 a ``SerializedDAG`` round trip; 3.x the DAG is written to the metadata DB as the DAG
  processor does (``DagBundlesManager.sync_bundles_to_db`` + ``sync_bag_to_db``: DagModel,
  serialized DAG, DagVersion) and read back with ``SerializedDagModel.get(...).dag``.
  The data interval is the one that DAG's timetable gives a *scheduled* run at that logical
  date: ``next_dagrun_info`` (3.x ``next_dagrun_info_v2``) with no previous run and
  ``TimeRestriction(earliest=logical_date, latest=<DAG end_date>, catchup=True)``, i.e. the
  first run the timetable schedules at or after the logical date. If that run's logical date
  is not exactly ``logical_date`` (or the date is before the DAG's start_date), the case is
  an error: the scheduler never makes such a run.
* The run is created as the scheduler creates it, with the wall clock frozen at
  ``logical_date + 1 hour`` for everything below:
  2.10 ``dag.create_dagrun(run_type=SCHEDULED, execution_date=..., data_interval=...,
  state=QUEUED, external_trigger=False, conf=conf)`` (run id from the timetable's
  ``generate_run_id``); 3.x ``create_dagrun(run_id=timetable.generate_run_id(run_type=
  SCHEDULED, run_after=..., data_interval=...), logical_date=..., data_interval=...,
  run_after=..., run_type=SCHEDULED, triggered_by=TIMETABLE, state=QUEUED, conf=conf)``.
  ``conf`` is the case's ``conf`` (the scheduler itself passes none; ``dag_run.conf`` is ``{}``
  then). Then, as the scheduler does, the run is set RUNNING with ``start_date = now`` and
  its task instances go through ``DagRun.schedule_tis`` (which sets ``try_number`` to 1).
* The template context is the worker's: 2.10 the task instance set RUNNING with
  ``start_date = now`` (``TaskInstance._check_and_change_state_before_execution``; the worker's
  host name and pid are left out), ``ti.task = ti.task.prepare_for_execution()``,
  ``ti.get_template_context(ignore_param_exceptions=False, session=...)``, ``task.params =
  context["params"]``, ``jinja_env = dag.get_template_env()`` (``TaskInstance._run_raw_task`` /
  ``_execute_task_with_callbacks``); 3.x the task from the DagBag, ``prepare_for_execution()``,
  and ``RuntimeTaskInstance.get_template_context()`` built from the DB rows as ``airflow tasks
  render`` does (``airflow.cli.commands.task_command._get_template_context``) but with what the
  task runner's ``parse`` adds: the run context's ``max_tries``, ``start_date = now`` and
  ``state=RUNNING`` (not its DAG bundle object, and not the host name ``_prepare`` sets), then
  ``jinja_env = task.dag.get_template_env()`` (task runner ``_prepare``).
* Rendering is Airflow's ``Templater._do_render_template_fields`` -- the loop inside
  ``render_template_fields`` / ``ti.render_templates()`` -- called once per template field, in
  ``template_fields`` order, on the same task object, context, Jinja environment and
  ``seen_oids`` set. Airflow's loop stops at the first failing field (the task fails); calling
  it per field gives the same outcome for every field up to and including the first failure,
  and also shows what each later field would give on its own. A failure while building the
  context fails every (non-empty) field with that error.
* Values are the rendered attributes themselves. The UI's Rendered Template tab shows the
  same values after ``serialize_template_field`` (non-JSON values as ``str()``, long strings
  truncated); that last step is not applied here.

The wall clock is frozen with ``time_machine.travel(now, tick=False)`` and the process time zone
is UTC (``TZ=UTC``), so ``macros.datetime.now()`` and friends are deterministic. Variables and
connections come only from the case: its ``variables`` and ``connections`` are set as
``AIRFLOW_VAR_<NAME>`` / ``AIRFLOW_CONN_<CONN_ID>`` environment variables (Airflow's
environment secrets backend, which both versions read first) while the case runs; inherited
``AIRFLOW_VAR_*`` / ``AIRFLOW_CONN_*`` / ``AIRFLOW__*`` settings are removed and the metadata DB
has none. Airflow 3 task code normally reaches
the API server through the supervisor; there is none here, so context values that need it
(``prev_*_success``, ``ti.xcom_pull``) fail -- the fixtures do not use them.

Everything Airflow (or a DAG file) writes to stdout is redirected to stderr at the file
descriptor level, so stdout carries the JSON only. AIRFLOW_HOME is a fresh temporary directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import traceback
from datetime import timedelta

# The shared set-up of the oracle scripts (scripts/airflow/oracle_env.py).
sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/airflow")))
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOCK_OFFSET = timedelta(hours=1)  # "now" = logical_date + 1 hour

_RUN_SPECIFIC = [
    (re.compile(r" at 0x[0-9a-fA-F]+>"), ">"),
    (re.compile(r"(<module '[\w.]+') from '[^']*'>"), r"\1>"),
    (re.compile(r"UUID\('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'\)"), "UUID('00000000-0000-0000-0000-000000000000')"),
    (re.compile(r"'traceparent': '00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}'"), "'traceparent': '00-" + "0" * 32 + "-" + "0" * 16 + "-00'"),
]


def _without_run_specifics(text: str) -> str:
    """The text with what differs between runs and machines made fixed (see the module docstring)."""
    for pattern, replacement in _RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text


def _exception_text(exc: BaseException) -> str:
    """``ExceptionType: message``, with the repository's absolute path written as ``<repo>``."""
    return _without_run_specifics(f"{type(exc).__name__}: {exc}".replace(REPO_ROOT, "<repo>"))


_QUALIFIED_TYPE = re.compile(r"^(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)(?=:|$)")


def _error_from_import_message(message: str) -> str:
    """``ExceptionType: message`` out of a DagBag import error (a traceback, or already short)."""
    text = str(message).rstrip()
    lines = text.splitlines()
    if lines and lines[0].startswith("Traceback"):
        body = [i for i, line in enumerate(lines) if line.startswith(" ")]
        if body:
            lines = lines[body[-1] + 1 :]
    if lines:
        lines[0] = _QUALIFIED_TYPE.sub(r"\1", lines[0])
    return "\n".join(lines).strip()


class CaseError(Exception):
    """The case cannot be set up (reported as the case's ``error``)."""


def _to_utc(value):
    if value is None:
        return None
    import pendulum

    return pendulum.instance(value).in_timezone("UTC")


def _iso(value) -> str | None:
    return None if value is None else _to_utc(value).isoformat()


class _Airflow:
    """The version-specific pieces: loading, the metadata DB, creating the run, the context."""

    def __init__(self) -> None:
        import airflow

        self.version = airflow.__version__
        self.major = int(self.version.split(".")[0])
        try:
            from airflow.dag_processing.dagbag import DagBag  # Airflow >= 3.1
        except ImportError:
            from airflow.models.dagbag import DagBag  # Airflow 2.x, 3.0
        self.DagBag = DagBag
        from airflow.utils.types import DagRunType

        self.SCHEDULED = DagRunType.SCHEDULED
        if self.major >= 3:
            from airflow._shared.timezones import timezone
        else:
            from airflow.utils import timezone
        self.timezone = timezone
        import time_machine

        self.time_machine = time_machine
        self._synced: set = set()

    # -- metadata database ---------------------------------------------------------------

    def migrate(self) -> None:
        """``airflow db migrate`` on the fresh SQLite file (an empty DB is created from the ORM)."""
        from airflow.utils import db

        db.upgradedb()

    def session(self):
        from airflow import settings

        return settings.Session()

    def clear_runs(self, session, dag_id: str) -> None:
        """Forget every run of ``dag_id`` (each case starts from a DAG without any runs)."""
        from sqlalchemy import delete

        from airflow.models.dagrun import DagRun
        from airflow.models.taskinstance import TaskInstance

        session.rollback()
        session.execute(delete(TaskInstance).where(TaskInstance.dag_id == dag_id))
        session.execute(delete(DagRun).where(DagRun.dag_id == dag_id))
        session.commit()
        session.expunge_all()

    # -- loading -------------------------------------------------------------------------

    def load(self, path: str):
        """DagBag for one file: (dags by id, import errors, the bag)."""
        import inspect

        kwargs = {}
        if "include_examples" in inspect.signature(self.DagBag.__init__).parameters:
            kwargs["include_examples"] = False
        folder = os.path.dirname(path)
        sys.path.append(folder)  # Airflow puts DAGS_FOLDER on sys.path.
        try:
            bag = self.DagBag(dag_folder=path, **kwargs)
            return dict(bag.dags), {str(k): str(v) for k, v in bag.import_errors.items()}, bag
        finally:
            try:
                sys.path.remove(folder)
            except ValueError:
                pass

    # -- the scheduled run ---------------------------------------------------------------

    def scheduled_info(self, dag, logical_date):
        """The DagRunInfo the timetable gives the scheduled run at ``logical_date``."""
        from airflow.timetables.base import TimeRestriction

        start = dag.start_date
        if start is None:
            starts = [t.start_date for t in dag.tasks if t.start_date is not None]
            start = min(starts) if starts else None
        if start is not None and logical_date < _to_utc(start):
            raise CaseError(
                f"ValueError: logical date {logical_date.isoformat()} is before the DAG's start_date "
                f"{_iso(start)}; the scheduler makes no such run"
            )
        restriction = TimeRestriction(earliest=logical_date, latest=dag.end_date, catchup=True)
        timetable = dag.timetable
        if self.major >= 3:
            info = timetable.next_dagrun_info_v2(last_dagrun_info=None, restriction=restriction)
        else:
            info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
        if info is None or info.logical_date is None or _to_utc(info.logical_date) != logical_date:
            got = None if info is None else _iso(info.logical_date)
            raise CaseError(
                f"ValueError: {type(timetable).__name__} schedules no run with logical date "
                f"{logical_date.isoformat()} (first scheduled run at or after it: {got})"
            )
        return info

    def scheduler_dag(self, bag, dag, session):
        """The DAG as the scheduler sees it: after a trip through the serialized_dag table.

        2.10: ``SerializedDAG`` round trip. 3.x: the DAG is written to the metadata DB as the DAG
        processor does (``DagBundlesManager.sync_bundles_to_db`` + ``sync_bag_to_db``: DagModel,
        serialized DAG, DagVersion) and read back (``SerializedDagModel.get(...).dag``).
        """
        if self.major < 3:
            from airflow.serialization.serialized_objects import SerializedDAG

            return SerializedDAG.from_dict(json.loads(json.dumps(SerializedDAG.to_dict(dag))))
        from airflow.dag_processing.bundles.manager import DagBundlesManager
        from airflow.dag_processing.dagbag import sync_bag_to_db
        from airflow.models.serialized_dag import SerializedDagModel

        key = id(bag)
        if key not in self._synced:
            DagBundlesManager().sync_bundles_to_db(session=session)
            session.commit()
            sync_bag_to_db(bag, "dags-folder", None, session=session)
            session.commit()
            self._synced.add(key)
        model = SerializedDagModel.get(dag.dag_id, session=session)
        if model is None:
            raise CaseError(f"RuntimeError: DAG {dag.dag_id!r} was not written to the metadata DB")
        return model.dag

    def create_run(self, sched_dag, info, conf, session):
        """The scheduler's DagRun, set RUNNING, its task instances scheduled."""
        from airflow.utils.state import DagRunState

        if self.major >= 3:
            from airflow.utils.types import DagRunTriggeredByType

            run = sched_dag.create_dagrun(
                run_id=sched_dag.timetable.generate_run_id(
                    run_type=self.SCHEDULED,
                    run_after=info.run_after,
                    data_interval=info.data_interval,
                    partition_key=getattr(info, "partition_key", None),
                ),
                logical_date=info.logical_date,
                data_interval=info.data_interval,
                run_after=info.run_after,
                conf=conf,
                run_type=self.SCHEDULED,
                triggered_by=DagRunTriggeredByType.TIMETABLE,
                state=DagRunState.QUEUED,
                partition_key=getattr(info, "partition_key", None),
                partition_date=getattr(info, "partition_date", None),
                session=session,
            )
        else:
            run = sched_dag.create_dagrun(
                run_type=self.SCHEDULED,
                execution_date=info.logical_date,
                state=DagRunState.QUEUED,
                data_interval=info.data_interval,
                external_trigger=False,
                conf=conf,
                session=session,
            )
        session.flush()
        # SchedulerJobRunner._start_queued_dagruns (_update_state)
        run.state = DagRunState.RUNNING
        run.start_date = self.timezone.utcnow()
        session.flush()
        # DagRun.update_state -> schedule_tis, for every task instance (dependencies play no part
        # in rendering): try_number 0 -> 1, state SCHEDULED.
        tis = run.get_task_instances(session=session)
        run.dag = sched_dag
        for ti in tis:
            ti.task = sched_dag.get_task(ti.task_id)
        run.schedule_tis(tis, session=session)
        session.commit()
        return run

    # -- the worker's context ------------------------------------------------------------

    def worker_task_and_context(self, dag, run, task_id, session):
        """(the task object that gets rendered, its template context, the Jinja environment)."""
        from airflow.utils.state import TaskInstanceState

        if self.major >= 3:
            from airflow.api_fastapi.execution_api.datamodels.taskinstance import DagRun, TaskInstance, TIRunContext
            from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

            ti = run.get_task_instance(task_id, session=session)
            ti.refresh_from_task(run.dag.get_task(task_id))  # the scheduler's (serialized) task
            ti.dag_model  # noqa: B018 -- loaded eagerly, as airflow tasks render does
            _ = ti.dag_run.consumed_asset_events
            task = dag.get_task(task_id).prepare_for_execution()
            # task_command._get_template_context, plus what task_runner.parse sets: max_tries, start_date, state.
            runtime_ti = RuntimeTaskInstance.model_construct(
                **TaskInstance.model_validate(ti, from_attributes=True).model_dump(exclude_unset=True),
                task=task,
                _ti_context_from_server=TIRunContext(
                    dag_run=DagRun.model_validate(ti.dag_run, from_attributes=True),
                    max_tries=ti.max_tries,
                    variables=[],
                    connections=[],
                    xcom_keys_to_clear=[],
                ),
                max_tries=ti.max_tries,
                start_date=self.timezone.utcnow(),
                state=TaskInstanceState.RUNNING,
            )
            context = runtime_ti.get_template_context()
            jinja_env = task.dag.get_template_env()
            return task, context, jinja_env
        ti = run.get_task_instance(task_id, session=session)
        ti.refresh_from_task(dag.get_task(task_id))
        # TaskInstance._check_and_change_state_before_execution, without the host name and pid.
        ti.state = TaskInstanceState.RUNNING
        ti.start_date = self.timezone.utcnow()
        ti.task = ti.task.prepare_for_execution()
        context = ti.get_template_context(ignore_param_exceptions=False, session=session)
        task = ti.task
        task.params = context["params"]
        jinja_env = task.get_dag().get_template_env()
        return task, context, jinja_env

    def set_current_context(self, context):
        """Rendering happens inside ``set_current_context(context)`` (2.10 ``TaskInstance.
        _execute_task_with_callbacks``; 3.x task runner ``run``)."""
        if self.major >= 3:
            from airflow.sdk.execution_time.context import set_current_context
        else:
            from airflow.models.taskinstance import set_current_context
        return set_current_context(context)


def _jsonable(value):
    if type(value) is str:
        return _without_run_specifics(value)
    if value is None or type(value) in (bool, int, float):
        return value
    if type(value) in (list, tuple):
        return [_jsonable(v) for v in value]
    if type(value) is dict and all(type(k) is str for k in value):
        return {k: _jsonable(v) for k, v in value.items()}
    return {"repr": _without_run_specifics(repr(value))}


def _is_skipped(value) -> bool:
    """Airflow's test: a falsy value is not rendered (a value without a truth value is)."""
    try:
        return not value
    except Exception:  # noqa: BLE001
        return False


def _render_task(af: _Airflow, dag, run, task_id: str, session) -> dict:
    out: dict = {"task_id": task_id, "fields": {}, "errors": {}}
    template_fields = list(dag.get_task(task_id).template_fields)
    try:
        task, context, jinja_env = af.worker_task_and_context(dag, run, task_id, session)
    except Exception as exc:  # noqa: BLE001 -- the task fails before rendering anything
        traceback.print_exc()
        raw = dag.get_task(task_id)
        for name in template_fields:
            if not _is_skipped(getattr(raw, name, None)):
                out["errors"][name] = _exception_text(exc)
        return out
    seen_oids: set = set()
    with af.set_current_context(context):
        for name in template_fields:
            if _is_skipped(getattr(task, name)):
                continue
            try:
                task._do_render_template_fields(task, [name], context, jinja_env, seen_oids)
            except Exception as exc:  # noqa: BLE001
                out["errors"][name] = _exception_text(exc)
            else:
                out["fields"][name] = _jsonable(getattr(task, name))
    return out


def _parse_logical_date(text: str):
    import pendulum

    value = pendulum.parse(text)
    if value.tzinfo is None:
        raise CaseError(f"ValueError: 'logical_date' must carry a UTC offset: {text!r}")
    return value.in_timezone("UTC")


def _check_frozen(af: _Airflow, now) -> None:
    import datetime as dt
    import time

    import pendulum

    readings = {
        "airflow utcnow": af.timezone.utcnow(),
        "pendulum.now": pendulum.now("UTC"),
        "time.time": pendulum.from_timestamp(time.time()),
        "datetime.now (local)": dt.datetime.now().replace(tzinfo=dt.timezone.utc),
    }
    for what, value in readings.items():
        if _to_utc(value) != now:
            raise RuntimeError(f"clock not frozen: {what} = {value!r}, want {now!r}")


@contextlib.contextmanager
def _secrets_in_environment(case: dict):
    """The case's Variables and Connections as ``AIRFLOW_VAR_*`` / ``AIRFLOW_CONN_*``, while it runs."""
    names = {f"AIRFLOW_VAR_{name.upper()}": value for name, value in (case.get("variables") or {}).items()}
    names.update({f"AIRFLOW_CONN_{conn_id.upper()}": value for conn_id, value in (case.get("connections") or {}).items()})
    os.environ.update(names)
    try:
        yield
    finally:
        for name in names:
            del os.environ[name]


def _answer(af: _Airflow, bags: dict, session, case: dict) -> dict:
    name, dag_id = case["name"], case["dag_id"]
    result: dict = {
        "name": name,
        "dag_id": dag_id,
        "logical_date": case.get("logical_date"),
        "run_id": None,
        "data_interval_start": None,
        "data_interval_end": None,
        "error": None,
        "tasks": [],
    }
    path = os.path.normpath(os.path.join(REPO_ROOT, case["file"]))
    # Every case loads the file afresh, as each task run does in its own process: Airflow mutates a
    # DAG's params with dag_run.conf, which would otherwise leak into the next case.
    bags.pop(path, None)
    if path not in bags:
        if not os.path.isfile(path):
            bags[path] = ({}, {path: f"FileNotFoundError: {case['file']}"}, None)
        else:
            try:
                bags[path] = af.load(path)
            except Exception as exc:  # noqa: BLE001
                bags[path] = ({}, {path: _exception_text(exc)}, None)
    dags, import_errors, bag = bags[path]
    dag = dags.get(dag_id)
    if dag is None:
        if import_errors:
            result["error"] = "\n".join(_error_from_import_message(m) for m in import_errors.values())
        else:
            result["error"] = f"DagNotFound: no DAG {dag_id!r} in {case['file']}"
        return result
    try:
        logical_date = _parse_logical_date(case["logical_date"])
        result["logical_date"] = logical_date.isoformat()
        sched_dag = af.scheduler_dag(bag, dag, session)
        info = af.scheduled_info(sched_dag, logical_date)
    except CaseError as exc:
        result["error"] = str(exc)
        return result
    conf = case.get("conf")
    now = logical_date + CLOCK_OFFSET
    af.clear_runs(session, dag_id)
    with af.time_machine.travel(now, tick=False), _secrets_in_environment(case):
        _check_frozen(af, now)
        try:
            run = af.create_run(sched_dag, info, conf, session)
        except CaseError as exc:
            session.rollback()
            result["error"] = str(exc)
            return result
        except Exception as exc:  # noqa: BLE001 -- e.g. conf failing the DAG's params
            traceback.print_exc()
            session.rollback()
            result["error"] = _exception_text(exc)
            return result
        result["run_id"] = run.run_id
        result["data_interval_start"] = _iso(run.data_interval_start)
        result["data_interval_end"] = _iso(run.data_interval_end)
        for task_id in dag.task_dict:
            result["tasks"].append(_render_task(af, dag, run, task_id, session))
        _check_frozen(af, now)
    af.clear_runs(session, dag_id)
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: render.py CASES_JSON_FILE", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        cases = json.load(f)
    sys.dont_write_bytecode = True  # no __pycache__ beside the DAG files
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    out = redirect_stdout_to_stderr()
    home = tempfile.mkdtemp(prefix="preflight-airflow-home-")
    try:
        prepare_airflow_env(home)
        af = _Airflow()
        af.migrate()
        session = af.session()
        bags: dict = {}
        results = []
        for case in cases:
            try:
                results.append(_answer(af, bags, session, case))
            except Exception as exc:  # noqa: BLE001 -- an oracle bug: say so in the answer, loudly
                traceback.print_exc()
                session.rollback()
                results.append(
                    {
                        "name": case.get("name"),
                        "dag_id": case.get("dag_id"),
                        "logical_date": case.get("logical_date"),
                        "run_id": None,
                        "data_interval_start": None,
                        "data_interval_end": None,
                        "error": "OracleError: " + _exception_text(exc),
                        "tasks": [],
                    }
                )
        session.close()
        out.write(json.dumps({"airflow": af.version, "results": results}, indent=1))
        out.write("\n")
        out.flush()
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
