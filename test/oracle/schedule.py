"""Schedule oracle: which scheduled runs real Apache Airflow creates by a frozen "now", and the next one.

Usage (with a provisioned venv python, see scripts/airflow/provision.sh):

    python schedule.py CASES_JSON_FILE

CASES_JSON_FILE holds a JSON list of cases
``{"name", "file", "dag_id", "now": "<ISO 8601 with offset>", "count": N}``
(``file`` relative to the repository root). Prints exactly one JSON object to stdout:

    {"airflow": "<airflow.__version__>",
     "results": [{"name", "dag_id", "timetable": "<timetable class name>" | null,
                  "due": [Run, ...], "next": Run | null,
                  "error": "<ExceptionType: message>" | null}]}

    Run = {"run_id", "logical_date", "data_interval_start", "data_interval_end", "run_after", "ds"}

All datetimes are ``isoformat()`` of UTC values ("2024-01-01T00:30:00+00:00"); ``ds`` is the
UTC logical date as ``%Y-%m-%d``; ``run_id`` comes from Airflow's own ``generate_run_id``.

What is computed, and how (the scheduler's own code paths, with the wall clock frozen at "now"):

* The DAG file is loaded with a real ``DagBag`` (as the DAG processor does), and the DAG is
  round-tripped through Airflow's serializer, because the scheduler works on the *serialized*
  DAG (2.10 ``SerializedDAG``; 3.x ``DagSerialization.from_dict`` -> core ``SerializedDAG``).
  A file that fails to import, a DAG that fails to serialize, or a missing dag_id gives
  ``error`` (``due`` [], ``next`` null; ``timetable`` null unless the DAG itself loaded).
* The model is: the DAG is deployed (first parsed, unpaused) at ``now``, and every created run
  finishes at once, so ``max_active_runs`` never holds creation back.
  The first ``DagRunInfo`` is what the DAG processor stores on first parse
  (``DagModel.calculate_dagrun_date_fields`` with no previous run); each following one is what
  the scheduler computes after creating a run, from that run (2.10: ``dag.next_dagrun_info(
  <the run's DataInterval>)``; 3.x: ``serdag.next_dagrun_info(last_automated_run_info=
  timetable.run_info_from_dag_run(<the run>))``). Both go through the DAG's own
  ``_time_restriction`` (start/end dates incl. task dates, catchup).
* ``due`` = the runs whose ``run_after <= now``, oldest first, at most ``count``.
  ``next`` = the chain's next ``DagRunInfo`` after the last due run: normally the first run with
  ``run_after > now``; when ``due`` was cut at ``count`` it is simply the following run (still due).
* The scheduler never creates a second run with the same logical date or run_id; and a
  timetable whose next run is not later than the last created one (``@continuous``: the next run
  starts when the current one *finishes*, and it needs ``max_active_runs=1``) cannot create it at
  the frozen instant. Either way the chain stops there with ``next`` null.
* If the DAG's ``next_dagrun_info`` returns None, the timetable is called once more directly
  (same arguments) to see whether it *raised* (Airflow logs and swallows that): if so, the
  exception is reported in ``error`` alongside the runs found so far.

"now" is frozen with ``time_machine.travel(now, tick=False)`` (the library Airflow's own tests
use); it patches ``time.time``, ``datetime.datetime.now/utcnow`` and everything built on them
(pendulum, ``airflow...timezone.utcnow``). A guard checks inside every frozen block that
Airflow's and pendulum's clocks read exactly ``now``.

Everything Airflow (or a DAG file) writes to stdout is redirected to stderr at the file
descriptor level, so stdout carries the JSON only. AIRFLOW_HOME is a fresh temporary directory;
inherited AIRFLOW__* settings are removed, so every ``[core]``/``[scheduler]`` default applies
(e.g. ``catchup_by_default``, ``create_cron_data_intervals``, ``default_timezone``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import traceback
from types import SimpleNamespace

# The shared set-up of the oracle scripts (scripts/airflow/oracle_env.py).
sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/airflow")))
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))






def _exception_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


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


class _Airflow:
    """The version-specific pieces: loading, serializing, next run info, run ids."""

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
            from airflow.serialization.serialized_objects import DagSerialization

            self._serializer = DagSerialization
        else:
            from airflow.serialization.serialized_objects import SerializedDAG
            from airflow.utils import timezone

            self._serializer = SerializedDAG
        self.timezone = timezone
        # The clock freezer Airflow's own tests use; pinned in scripts/airflow/requirements-*.txt.
        import time_machine

        self.time_machine = time_machine

    def load(self, path: str):
        """DagBag for one file: (dags by id, import errors)."""
        import inspect

        kwargs = {}
        if "include_examples" in inspect.signature(self.DagBag.__init__).parameters:
            kwargs["include_examples"] = False
        folder = os.path.dirname(path)
        sys.path.append(folder)  # Airflow puts DAGS_FOLDER on sys.path.
        try:
            bag = self.DagBag(dag_folder=path, **kwargs)
            return dict(bag.dags), {str(k): str(v) for k, v in bag.import_errors.items()}
        finally:
            try:
                sys.path.remove(folder)
            except ValueError:
                pass

    def serialize(self, dag):
        """What the scheduler works on: the DAG after a trip through the serialized_dag table."""
        data = json.loads(json.dumps(self._serializer.to_dict(dag)))
        return self._serializer.from_dict(data)

    def utcnow(self):
        return self.timezone.utcnow()

    def next_info(self, serdag, created):
        """(next DagRunInfo, the "last run" argument it was computed from) after run ``created``."""
        if self.major >= 3:
            last = None
            if created is not None:
                last = serdag.timetable.run_info_from_dag_run(dag_run=created)
            return serdag.next_dagrun_info(last_automated_run_info=last), last
        last = None if created is None else _data_interval(created)
        return serdag.next_dagrun_info(last), last

    def raised(self, serdag, last):
        """Call the timetable as ``next_dagrun_info`` does, to see the exception it swallowed."""
        try:
            if self.major >= 3:
                serdag.timetable.next_dagrun_info_v2(last_dagrun_info=last, restriction=serdag._time_restriction)
            else:
                serdag.timetable.next_dagrun_info(
                    last_automated_data_interval=last, restriction=serdag._time_restriction
                )
        except Exception as exc:  # noqa: BLE001
            return exc
        return None

    def create(self, serdag, info):
        """The DagRun row the scheduler creates for ``info`` (the fields we report, as stored)."""
        utc = _to_utc
        logical_date = utc(info.logical_date)
        interval = info.data_interval
        start = utc(interval.start) if interval is not None else None
        end = utc(interval.end) if interval is not None else None
        run_after = utc(info.run_after)
        if self.major >= 3:
            from airflow.timetables.base import DataInterval

            stored = DataInterval(start, end) if interval is not None else None
            run_id = serdag.timetable.generate_run_id(
                run_type=self.SCHEDULED,
                run_after=run_after,
                data_interval=stored,
                partition_key=getattr(info, "partition_key", None),
            )
        else:
            # DAG.create_dagrun(run_type=SCHEDULED, execution_date=DagModel.next_dagrun, ...)
            from airflow.timetables.base import DataInterval

            run_id = serdag.timetable.generate_run_id(
                run_type=self.SCHEDULED,
                logical_date=self.timezone.coerce_datetime(logical_date),
                data_interval=DataInterval(start, end) if interval is not None else None,
            )
        return SimpleNamespace(
            run_id=run_id,
            logical_date=logical_date,
            data_interval_start=start,
            data_interval_end=end,
            run_after=run_after,
            partition_key=getattr(info, "partition_key", None),
            partition_date=utc(getattr(info, "partition_date", None)),
        )


def _to_utc(value):
    if value is None:
        return None
    import pendulum

    return pendulum.instance(value).in_timezone("UTC")


def _data_interval(run):
    from airflow.timetables.base import DataInterval

    if run.data_interval_start is None or run.data_interval_end is None:
        return None
    return DataInterval(run.data_interval_start, run.data_interval_end)


def _iso(value) -> str | None:
    return None if value is None else _to_utc(value).isoformat()


def _describe(run) -> dict:
    return {
        "run_id": run.run_id,
        "logical_date": _iso(run.logical_date),
        "data_interval_start": _iso(run.data_interval_start),
        "data_interval_end": _iso(run.data_interval_end),
        "run_after": _iso(run.run_after),
        "ds": None if run.logical_date is None else _to_utc(run.logical_date).strftime("%Y-%m-%d"),
    }


def _parse_now(text: str):
    import pendulum

    now = pendulum.parse(text)
    if now.tzinfo is None:
        raise ValueError(f"'now' must carry a UTC offset: {text!r}")
    return now.in_timezone("UTC")


def _check_frozen(af: _Airflow, now) -> None:
    import time

    import pendulum

    readings = {
        "airflow utcnow": af.utcnow(),
        "pendulum.now": pendulum.now("UTC"),
        "pendulum DateTime.utcnow": pendulum.DateTime.utcnow().replace(tzinfo=pendulum.UTC),
        "time.time": pendulum.from_timestamp(time.time()),
    }
    for what, value in readings.items():
        if _to_utc(value) != now:
            raise RuntimeError(f"clock not frozen: {what} = {value!r}, want {now!r}")


def _chain(af: _Airflow, serdag, now, count: int):
    """(due runs, next run or None, swallowed timetable error or None) as of the frozen ``now``."""
    due: list = []
    taken: set = set()  # logical dates and run ids of the runs created so far
    info, last = af.next_info(serdag, None)
    error = None
    following = None
    while True:
        if info is None:
            exc = af.raised(serdag, last)
            error = None if exc is None else _exception_text(exc)
            break
        run = af.create(serdag, info)
        if due and (
            ("logical_date", run.logical_date) in taken
            or ("run_id", run.run_id) in taken
            or run.run_after <= due[-1].run_after
        ):
            break  # the scheduler cannot create this one now (see module docstring)
        if run.run_after > now or len(due) >= count:
            following = run
            break
        due.append(run)
        taken.update({("logical_date", run.logical_date), ("run_id", run.run_id)})
        info, last = af.next_info(serdag, run)
    return due, following, error


def _answer(af: _Airflow, bags: dict, case: dict) -> dict:
    name, dag_id = case["name"], case["dag_id"]
    result = {"name": name, "dag_id": dag_id, "timetable": None, "due": [], "next": None, "error": None}
    path = os.path.normpath(os.path.join(REPO_ROOT, case["file"]))
    if path not in bags:
        if not os.path.isfile(path):
            bags[path] = ({}, {path: f"FileNotFoundError: {case['file']}"})
        else:
            try:
                bags[path] = af.load(path)
            except Exception as exc:  # noqa: BLE001
                bags[path] = ({}, {path: _exception_text(exc)})
    dags, import_errors = bags[path]
    dag = dags.get(dag_id)
    if dag is None:
        if import_errors:
            result["error"] = "\n".join(_error_from_import_message(m) for m in import_errors.values())
        else:
            result["error"] = f"DagNotFound: no DAG {dag_id!r} in {case['file']}"
        return result
    try:
        serdag = af.serialize(dag)
    except Exception as exc:  # noqa: BLE001 -- serialization failures are import errors to Airflow
        result["error"] = _exception_text(exc)
        return result
    result["timetable"] = type(serdag.timetable).__name__
    now = _parse_now(case["now"])
    count = int(case.get("count", 10))
    with af.time_machine.travel(now, tick=False):
        _check_frozen(af, now)
        due, following, error = _chain(af, serdag, now, count)
        _check_frozen(af, now)
    result["due"] = [_describe(r) for r in due]
    result["next"] = None if following is None else _describe(following)
    result["error"] = error
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: schedule.py CASES_JSON_FILE", file=sys.stderr)
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
        bags: dict = {}
        results = []
        for case in cases:
            try:
                results.append(_answer(af, bags, case))
            except Exception as exc:  # noqa: BLE001 -- an oracle bug: say so in the answer, loudly
                traceback.print_exc()
                results.append(
                    {
                        "name": case.get("name"),
                        "dag_id": case.get("dag_id"),
                        "timetable": None,
                        "due": [],
                        "next": None,
                        "error": "OracleError: " + _exception_text(exc),
                    }
                )
        out.write(json.dumps({"airflow": af.version, "results": results}, indent=1))
        out.write("\n")
        out.flush()
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
