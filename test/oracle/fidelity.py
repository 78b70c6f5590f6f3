"""Fidelity oracle: the whole pipeline of a DAG file as real Apache Airflow runs it.

Usage (with a provisioned venv python, see scripts/airflow/provision.sh):

    python fidelity.py FILE [FILE...]

Each FILE is a DAG file of the fidelity corpus (test/fidelity/corpus/). Its header comments say
how to run it (``# fidelity-date: <ISO>`` the logical date to render and run, ``# fidelity-now:
<ISO>`` the "now" of the schedule, ``# fidelity-count: N`` how many due runs to list,
``# fidelity-conf: <JSON>`` the run's ``dag_run.conf``); see test/fidelity/README.md. Prints
exactly one JSON object to stdout:

    {"airflow": "<airflow.__version__>",
     "files": [{"file": FILE, "import_errors": {path: message},
                "dags": [{"dag_id",
                          "tasks": [{"task_id", "operator", "upstream": [...], "retries",
                                     "trigger_rule", "start_date"}],
                          "schedule": <one result of schedule.py>,
                          "render": <one result of render.py> | null (none asked, or render.py raised),
                          "run": {"state", "tasks": [{"task_id", "map_index", "state", "try_number"}],
                                  "xcom": {"<task_id>": {"<key>": value}},
                                  "callbacks": [<record>], "slack": [{"conn_id", "text"}],
                                  "error": str | null} | null}]}]}

The structure is what the DagBag holds (operator names as structure.py writes them; the task's
own ``retries``, ``trigger_rule`` and ``start_date`` after ``default_args`` and the DAG were
applied); the schedule and the rendered fields come from the schedule and render oracles beside
this script (schedule.py, render.py), called with the file's "now" and logical date; the run is ``dag.test()`` at the logical date on the
fresh SQLite metadata database of this process (``airflow db migrate`` once), with the file's conf.

Callbacks are observed without any network: the corpus's callbacks (test/fidelity/corpus/
fidelity_helpers/callbacks.py) append one JSON line per call to the file named by
``$FIDELITY_CALLBACK_LOG``, and ``SlackWebhookHook.send`` is replaced by a function that appends
the message it would post to that same file. Variables come from ``AIRFLOW_VAR_*`` environment
variables set here (``VARIABLES``), as the comparing test sets them for Preflight.

Airflow 3's ``dag.test()`` writes the DAG to the metadata DB from the ``dags-folder`` bundle, i.e.
by parsing ``$AIRFLOW_HOME/dags``; each file is linked there alone (with the helpers) while it runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO_ROOT, "scripts", "airflow"))
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr  # noqa: E402

#: Airflow Variables every corpus file may read; test/oracle/fidelity.test.ts sets the same ones.
VARIABLES = {"environment": "staging", "settings": '{"bucket": "raw-data", "limit": 5}'}
DEFAULT_NOW = "2024-01-10T12:00:00+00:00"
DEFAULT_COUNT = 20
HEADER = re.compile(r"^#\s*fidelity-(date|now|count|conf):\s*(.+?)\s*$")
HELPERS = "fidelity_helpers"


def read_header(path: str) -> dict:
    """The ``# fidelity-*:`` settings at the top of a corpus file."""
    settings = {"date": None, "now": DEFAULT_NOW, "count": DEFAULT_COUNT, "conf": None}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            match = HEADER.match(line)
            if match:
                key, value = match.groups()
                settings[key] = int(value) if key == "count" else json.loads(value) if key == "conf" else value
    return settings


def _iso(value):
    if value is None:
        return None
    import pendulum

    return pendulum.instance(value).in_timezone("UTC").isoformat()


def _structure(dag, structure_oracle) -> list:
    """Each task as the DagBag holds it; operator names as the structure oracle (structure.py) gives them."""
    return [
        {
            "task_id": task_id,
            "operator": structure_oracle._operator_name(task),
            "upstream": sorted(task.upstream_task_ids),
            "retries": task.retries,
            "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
            "start_date": _iso(task.start_date),
        }
        for task_id, task in dag.task_dict.items()
    ]


def _jsonable(value):
    if value is None or type(value) in (str, bool, int, float):
        return value
    if type(value) in (list, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {k: _jsonable(v) for k, v in value.items()}
    return {"repr": repr(value)}


class _SlackRecorder:
    """Replaces ``SlackWebhookHook.send``: the message goes to the callback log, not to Slack."""

    def __init__(self) -> None:
        self.patched = None

    def install(self) -> None:
        try:
            from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook
        except ImportError:
            return

        def send(hook, *, text=None, blocks=None, **kwargs):
            _append_log({"kind": "slack", "conn_id": hook.slack_webhook_conn_id, "text": text})

        SlackWebhookHook.send = send
        SlackWebhookHook.send_text = lambda hook, text, **kwargs: send(hook, text=text)


def _append_log(entry: dict) -> None:
    with open(os.environ["FIDELITY_CALLBACK_LOG"], "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


class _Runner:
    """``dag.test()`` and what it left in the metadata DB."""

    def __init__(self, home: str, major: int) -> None:
        self.dags_folder = os.path.join(home, "dags")
        self.major = major

    def _link_alone(self, path: str) -> None:
        """``$AIRFLOW_HOME/dags`` holding the file and the helpers only (see the module docstring)."""
        for name in os.listdir(self.dags_folder):
            os.unlink(os.path.join(self.dags_folder, name))
        os.symlink(path, os.path.join(self.dags_folder, os.path.basename(path)))
        helpers = os.path.join(os.path.dirname(path), HELPERS)
        if os.path.isdir(helpers):
            os.symlink(helpers, os.path.join(self.dags_folder, HELPERS))
            with open(os.path.join(self.dags_folder, ".airflowignore"), "w", encoding="utf-8") as f:
                f.write(HELPERS + "\n")

    def run(self, dag, path: str, logical_date: str, conf) -> dict:
        import pendulum

        self._link_alone(path)
        when = pendulum.parse(logical_date).in_timezone("UTC")
        log = tempfile.NamedTemporaryFile(prefix="fidelity-callbacks-", suffix=".jsonl", delete=False)
        log.close()
        os.environ["FIDELITY_CALLBACK_LOG"] = log.name
        result = {"state": None, "tasks": [], "xcom": {}, "callbacks": [], "slack": [], "error": None}
        try:
            if self.major >= 3:
                dag_run = dag.test(logical_date=when, run_after=when, run_conf=conf)
            else:
                dag_run = dag.test(execution_date=when, run_conf=conf)
            self._collect(dag, dag_run, result)
        except Exception as exc:  # noqa: BLE001 -- dag.test() itself failing is an answer too
            traceback.print_exc()
            result["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            del os.environ["FIDELITY_CALLBACK_LOG"]
            with open(log.name, encoding="utf-8") as f:
                for line in f:
                    entry = json.loads(line)
                    (result["slack"] if entry.pop("kind", None) == "slack" else result["callbacks"]).append(entry)
            os.unlink(log.name)
        return result

    def _collect(self, dag, dag_run, result: dict) -> None:
        from airflow import settings

        session = settings.Session()
        try:
            from airflow.models.dagrun import DagRun

            run = session.query(DagRun).filter(DagRun.dag_id == dag.dag_id, DagRun.run_id == dag_run.run_id).one()
            result["state"] = str(getattr(run.state, "value", run.state))
            order = list(dag.task_dict)
            tis = sorted(run.get_task_instances(session=session), key=lambda ti: (order.index(ti.task_id), ti.map_index))
            result["tasks"] = [
                {
                    "task_id": ti.task_id,
                    "map_index": ti.map_index,
                    "state": None if ti.state is None else str(getattr(ti.state, "value", ti.state)),
                    "try_number": ti.try_number,
                }
                for ti in tis
            ]
            result["xcom"] = self._xcoms(session, dag.dag_id, dag_run.run_id)
        finally:
            session.close()

    def _xcoms(self, session, dag_id: str, run_id: str) -> dict:
        if self.major >= 3:
            from airflow.models.xcom import XComModel as XCom
            from airflow.sdk.bases.xcom import BaseXCom

            # What a task's xcom_pull gets: the Task SDK's deserializer over the stored JSON (core's
            # XComModel.deserialize_value would also parse a pushed string such as "42" into 42).
            deserialize = BaseXCom.deserialize_value
        else:
            from airflow.models.xcom import XCom

            # 2.10's XCom rows deserialize their value when loaded (BaseXCom.init_on_load).
            def deserialize(row):
                return row.value

        rows = session.query(XCom).filter(XCom.dag_id == dag_id, XCom.run_id == run_id).all()
        values: dict = {}
        for row in sorted(rows, key=lambda r: (r.task_id, r.map_index, r.key)):
            value = _jsonable(deserialize(row))
            if row.map_index >= 0:
                values.setdefault(row.task_id, {}).setdefault(row.key, []).append(value)
            else:
                values.setdefault(row.task_id, {})[row.key] = value
        return values


def _describe_file(path: str, oracles, render_af, schedule_af, runner, session) -> dict:
    render_oracle, schedule_oracle, structure_oracle = oracles
    relative = os.path.relpath(path, REPO_ROOT)
    entry: dict = {"file": relative, "import_errors": {}, "dags": []}
    settings = read_header(path)
    dags, import_errors, _ = render_af.load(path)
    entry["import_errors"] = {os.path.relpath(k, REPO_ROOT): v for k, v in import_errors.items()}
    for dag_id in sorted(dags):
        dag = dags[dag_id]
        described: dict = {"dag_id": dag_id, "tasks": _structure(dag, structure_oracle), "schedule": None, "render": None, "run": None}
        described["schedule"] = schedule_oracle._answer(
            schedule_af, {}, {"name": relative, "file": relative, "dag_id": dag_id, "now": settings["now"], "count": settings["count"]}
        )
        if settings["date"] is not None:
            case = {"name": relative, "file": relative, "dag_id": dag_id, "logical_date": settings["date"], "conf": settings["conf"]}
            try:
                described["render"] = render_oracle._answer(render_af, {}, session, case)
            except Exception:  # noqa: BLE001 -- the render oracle cannot render this DAG (see docs/fidelity.md)
                traceback.print_exc()
                session.rollback()
            render_af.clear_runs(session, dag_id)
            # dag.test() gets a DAG object of its own: rendering changes the tasks it renders.
            fresh, _, _ = render_af.load(path)
            described["run"] = runner.run(fresh[dag_id], path, settings["date"], settings["conf"])
            render_af.clear_runs(session, dag_id)
        entry["dags"].append(described)
    return entry


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: fidelity.py FILE [FILE...]", file=sys.stderr)
        return 2
    sys.dont_write_bytecode = True  # no __pycache__ beside the DAG files
    paths = [os.path.abspath(p) for p in argv]
    out = redirect_stdout_to_stderr()
    home = tempfile.mkdtemp(prefix="preflight-airflow-home-")
    try:
        prepare_airflow_env(home)
        os.environ.update({f"AIRFLOW_VAR_{name.upper()}": value for name, value in VARIABLES.items()})
        sys.path.insert(0, HERE)
        import render as render_oracle
        import schedule as schedule_oracle
        import structure as structure_oracle

        sys.path.remove(HERE)
        render_af = render_oracle._Airflow()
        schedule_af = schedule_oracle._Airflow()
        render_af.migrate()
        _SlackRecorder().install()
        session = render_af.session()
        runner = _Runner(home, render_af.major)
        files = []
        for path in paths:
            try:
                files.append(_describe_file(path, (render_oracle, schedule_oracle, structure_oracle), render_af, schedule_af, runner, session))
            except Exception as exc:  # noqa: BLE001 -- an oracle bug: say so in the answer, loudly
                traceback.print_exc()
                session.rollback()
                files.append({"file": os.path.relpath(path, REPO_ROOT), "import_errors": {"oracle": f"OracleError: {type(exc).__name__}: {exc}"}, "dags": []})
        session.close()
        out.write(json.dumps({"airflow": render_af.version, "files": files}))
        out.write("\n")
        out.flush()
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
