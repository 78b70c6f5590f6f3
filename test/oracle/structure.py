"""Structure oracle: load DAG files through real Apache Airflow and dump their shape as JSON.

Usage (with a provisioned venv python, see scripts/airflow/provision.sh):

    python structure.py FILE [FILE...]

Prints exactly one JSON object to stdout:

    {"airflow": "<airflow.__version__>",
     "files": [{"file": FILE,
                "import_errors": {path: message},
                "dags": [{"dag_id": ...,
                          "tasks": [{"task_id": ..., "operator": ..., "upstream": [...],
                                     "mapped": bool, "in_mapped_group": bool}]}]}]}

* dags are sorted by dag_id; tasks keep the DAG's own order (dag.task_dict insertion order).
* "operator" is the operator class name, or the TaskFlow decorator name ("@task", "@task.bash",
  "@task.branch", ...) for decorated operators -- Airflow's own ``custom_operator_name``.
* "mapped" is true for a mapped operator (``.expand()`` / ``.partial().expand()``);
  "in_mapped_group" is true for a task inside an expanded (mapped) task group.

Everything Airflow (or a DAG file) writes to stdout is redirected to stderr at the file
descriptor level, so stdout carries the JSON only. AIRFLOW_HOME is a fresh temporary directory
(SQLite, no examples); DagBag parsing does not touch the database, so no ``airflow db migrate``.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import sys
import tempfile
import traceback

# The shared set-up of the oracle scripts (scripts/airflow/oracle_env.py).
sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/airflow")))
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr  # noqa: E402






def _import_dagbag():
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow >= 3.1

        return DagBag
    except ImportError:
        pass
    from airflow.models.dagbag import DagBag  # Airflow 2.x, 3.0

    return DagBag


def _is_mapped(task) -> bool:
    flag = getattr(task, "_is_mapped", None)
    if isinstance(flag, bool):
        return flag
    return any(c.__name__ == "MappedOperator" for c in type(task).__mro__)


def _operator_class(task):
    if _is_mapped(task):
        cls = getattr(task, "operator_class", None)
        if isinstance(cls, type):
            return cls
    return type(task)


def _operator_name(task) -> str:
    cls = _operator_class(task)
    custom = getattr(cls, "custom_operator_name", None)
    if isinstance(custom, str) and custom:
        return custom
    if _is_mapped(task):
        name = getattr(task, "_operator_name", None)
        if isinstance(name, str) and name and not isinstance(getattr(task, "operator_class", None), type):
            return name
    return cls.__name__


def _in_mapped_group(task) -> bool:
    getter = getattr(task, "get_closest_mapped_task_group", None)
    if getter is None:
        return False
    try:
        return getter() is not None
    except Exception:
        return False


def _describe_dag(dag) -> dict:
    tasks = []
    for task_id, task in dag.task_dict.items():
        tasks.append(
            {
                "task_id": task_id,
                "operator": _operator_name(task),
                "upstream": sorted(task.upstream_task_ids),
                "mapped": _is_mapped(task),
                "in_mapped_group": _in_mapped_group(task),
            }
        )
    return {"dag_id": dag.dag_id, "tasks": tasks}


def _purge_modules_under(folder: str) -> None:
    """Forget helper modules imported from a DAG folder so another folder's same-named ones load."""
    prefix = os.path.join(os.path.realpath(folder), "")
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None)
        if path and os.path.realpath(path).startswith(prefix):
            del sys.modules[name]


def _load_file(DagBag, dagbag_kwargs: dict, path: str) -> dict:
    entry = {"file": path, "import_errors": {}, "dags": []}
    abspath = os.path.abspath(path)
    if not os.path.isfile(abspath):
        entry["import_errors"][path] = f"FileNotFoundError: {path}"
        return entry
    folder = os.path.dirname(abspath)
    # Airflow appends DAGS_FOLDER to sys.path (settings.prepare_syspath*); do the same.
    sys.path.append(folder)
    try:
        bag = DagBag(dag_folder=abspath, **dagbag_kwargs)
        entry["import_errors"] = {str(k): str(v) for k, v in bag.import_errors.items()}
        entry["dags"] = [_describe_dag(bag.dags[d]) for d in sorted(bag.dags)]
    except BaseException as exc:  # noqa: BLE001 -- a DAG file may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        entry["import_errors"][abspath] = "".join(traceback.format_exception(exc))
    finally:
        try:
            sys.path.remove(folder)
        except ValueError:
            pass
        _purge_modules_under(folder)
    return entry


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: structure.py FILE [FILE...]", file=sys.stderr)
        return 2
    # Don't let modules that sit next to this script shadow the DAG folder's own.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    out = redirect_stdout_to_stderr()
    home = tempfile.mkdtemp(prefix="preflight-airflow-home-")
    try:
        prepare_airflow_env(home)
        import airflow

        DagBag = _import_dagbag()
        params = inspect.signature(DagBag.__init__).parameters
        kwargs = {}
        if "include_examples" in params:
            kwargs["include_examples"] = False
        files = [_load_file(DagBag, kwargs, p) for p in argv]
        result = {"airflow": airflow.__version__, "files": files}
        out.write(json.dumps(result, indent=None, sort_keys=False))
        out.write("\n")
        out.flush()
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
