"""Runs one DAG run with the real Airflow of this interpreter (``dag.test()``) and streams it.

    python3 -u dags_test.py --file DAG.py --dag-id ID [--logical-date ISO] [--conf JSON]

This is what ``airflow dags test`` does, for one DAG file: the DagBag imports the file, the DAG's
``test()`` creates a manual run in the metadata database of ``AIRFLOW_HOME`` (the caller's
environment decides which, as it does for the ``airflow`` command) and runs every task in this
process. The progress is written as JSON lines on the original stdout, which this script keeps as a
private duplicate before pointing fds 1 and 2 at a pipe: what Airflow, the DAG file and the tasks'
subprocesses print is read back from that pipe and sent as ``log`` events, attributed to the task
running at the time, so nothing anyone prints can corrupt the event stream.

Events (one JSON object a line; src/node/airflowDagsTest.ts reads them):
``started`` (the Airflow version, home and database), ``problem`` (why the run cannot start: no
Airflow, no metadata database, an import error with its file and line, no such DAG), ``dag`` (the
tasks in order with their edges), ``run`` (the DAG run as created), ``task`` (a task instance's
state changed), ``log``, ``error`` (a try's exception, from Airflow's listener hooks), and ``end``
(the run's final row, every task instance, every XCom and the rendered templated fields). Standard library only until Airflow is
imported; Python >= 3.9.
"""
import argparse
import codecs
import datetime
import importlib.util
import inspect
import json
import os
import re
import shlex
import sys
import threading
import traceback

# A task's log ends where this line goes through the pipe: every byte before it belongs to the task.
_MARK = "\0PREFLIGHT_MARK {}\0"
_MARK_PATTERN = re.compile(r"\x00PREFLIGHT_MARK (\d+)\x00")
# How long a task's end waits for its output to be read (a subprocess may hold the pipe open).
_MARK_WAIT_S = 2.0
_LOG_CHUNK_BYTES = 16 * 1024


class Events:
    """The private event channel; safe to write from the main and the log-reading threads."""

    def __init__(self, fd):
        self._out = os.fdopen(fd, "w", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def send(self, event):
        line = json.dumps(event, default=_json_default, ensure_ascii=False)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


def _json_default(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)


def _iso(value):
    return value.isoformat() if value is not None else None


def _state(value):
    """A state enum or string as Airflow's lower-case name; ``none`` for no state."""
    if value is None:
        return "none"
    return str(getattr(value, "value", value))


class Output:
    """fds 1 and 2 redirected into a pipe whose lines become ``log`` events of the current task."""

    def __init__(self, events):
        self._events = events
        self.current = None  # (task_id, map_index, try_number) while a task runs
        self._marks = {}
        self._mark_lock = threading.Lock()
        self._next_mark = 1
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._reader = threading.Thread(target=self._read, args=(read_fd,), name="preflight-log-reader", daemon=True)
        self._reader.start()

    def _send(self, text, owner):
        if not text:
            return
        event = {"type": "log", "text": text, "task_id": None, "map_index": -1, "try_number": None}
        if owner is not None:
            event["task_id"], event["map_index"], event["try_number"] = owner
        self._events.send(event)

    def _read(self, fd):
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            chunk = os.read(fd, _LOG_CHUNK_BYTES)
            pending += decoder.decode(chunk, final=not chunk)
            while True:
                match = _MARK_PATTERN.search(pending)
                if not match:
                    break
                mark = int(match.group(1))
                before = pending[: match.start()]
                # A task's last line may lack its newline; the next owner's text starts on a line of its own.
                self._send(before if not before or before.endswith("\n") else before + "\n", self._owner_of(mark))
                pending = pending[match.end():].lstrip("\n")
                self._release(mark)
            # Whole lines go out as they come; a partial line waits for its end.
            cut = pending.rfind("\n") + 1
            if cut:
                self._send(pending[:cut], self.current)
                pending = pending[cut:]
            if not chunk:
                break
        self._send(pending, self.current)

    def _owner_of(self, mark):
        with self._mark_lock:
            return self._marks.get(mark, (None, None))[1]

    def _release(self, mark):
        with self._mark_lock:
            event = self._marks.pop(mark, (None, None))[0]
        if event is not None:
            event.set()

    def drain(self, owner=None):
        """Waits until everything written so far is read and attributed to the current owner, then
        attributes what follows to ``owner`` (a task's (task_id, map_index, try_number), or the run)."""
        sys.stdout.flush()
        sys.stderr.flush()
        done = threading.Event()
        with self._mark_lock:
            mark = self._next_mark
            self._next_mark += 1
            self._marks[mark] = (done, self.current)
        os.write(1, (_MARK.format(mark) + "\n").encode("utf-8"))
        done.wait(_MARK_WAIT_S)
        self.current = owner


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="dags_test.py")
    parser.add_argument("--file", required=True)
    parser.add_argument("--dag-id", required=True)
    parser.add_argument("--logical-date", help="ISO 8601 with an offset; default: now")
    parser.add_argument("--conf", default="{}", help="dag_run.conf as JSON")
    return parser.parse_args(argv)


def _problem(events, code, message, **extra):
    events.send({"type": "problem", "code": code, "message": message, **extra})


def _location_in(text, path):
    """The last ``File "<path>", line N`` of a traceback text that names the DAG file."""
    real = os.path.realpath(path)
    line = None
    for match in re.finditer(r'File "([^"]+)", line (\d+)', text):
        if os.path.realpath(match.group(1)) == real:
            line = int(match.group(2))
    return line


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()


def _airflow_home():
    """The home Airflow resolved ($AIRFLOW_HOME, else ~/airflow), as ``airflow`` commands use it."""
    from airflow.configuration import AIRFLOW_HOME

    return AIRFLOW_HOME


def _database_url():
    from airflow import settings

    url = settings.engine.url
    return url.render_as_string(hide_password=True) if hasattr(url, "render_as_string") else repr(url)


def _database_problem(python):
    """Why the metadata database cannot hold a run (no tables, migrations not applied), or None."""
    from airflow import settings
    from sqlalchemy import inspect as sql_inspect

    shown = _database_url()
    home = _airflow_home()
    command = f"AIRFLOW_HOME={shlex.quote(str(home))} {shlex.quote(python)} -m airflow db migrate"
    details = {"airflow_home": home, "database": shown, "command": command}
    try:
        tables = set(sql_inspect(settings.engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - any driver error means the database is unreachable
        return ("database_unreachable", f"Airflow cannot open its metadata database {shown}: {type(exc).__name__}: {exc}", details)
    if "dag_run" not in tables or "task_instance" not in tables:
        return ("database_missing", f"The Airflow metadata database {shown} (AIRFLOW_HOME={home}) has no Airflow tables", details)
    from airflow.utils import db

    try:
        db.check_migrations(1)
    except TimeoutError:
        return ("database_outdated", f"The Airflow metadata database {shown} (AIRFLOW_HOME={home}) was made by another Airflow version: its migrations are not applied", details)
    return None


def _task_rows(session_factory, dag_id, run_id):
    from airflow.models.taskinstance import TaskInstance
    from sqlalchemy import select

    with session_factory() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state, TaskInstance.try_number,
                   TaskInstance.start_date, TaskInstance.end_date, TaskInstance.operator)
            .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        ).all()
    return [
        {"task_id": r[0], "map_index": r[1], "state": _state(r[2]), "try_number": r[3] or 0,
         "start": _iso(r[4]), "end": _iso(r[5]), "operator": r[6]}
        for r in rows
    ]


def _xcoms(session_factory, dag_id, run_id):
    try:
        from airflow.models.xcom import XComModel as XComRow  # Airflow 3: rows hold the serialized value

        def value_of(row):
            return XComRow.deserialize_value(row)
    except ImportError:
        from airflow.models.xcom import XCom as XComRow  # Airflow 2: loading a row deserializes it (init_on_load)

        def value_of(row):
            return row.value
    from sqlalchemy import select

    found = []
    with session_factory() as session:
        for row in session.scalars(select(XComRow).where(XComRow.dag_id == dag_id, XComRow.run_id == run_id)):
            try:
                value = value_of(row)
                json.dumps(value)
            except Exception:  # noqa: BLE001 - a value JSON cannot hold is shown as Python prints it
                try:
                    value = repr(value_of(row))
                except Exception as exc:  # noqa: BLE001
                    value = f"<cannot read: {type(exc).__name__}: {exc}>"
            found.append({"task_id": row.task_id, "map_index": row.map_index, "key": row.key, "value": value})
    return found


def _rendered_fields(session_factory, dag_id, run_id):
    """The templated fields as Airflow rendered them for each task instance of the run."""
    from airflow.models.renderedtifields import RenderedTaskInstanceFields as Rendered
    from sqlalchemy import select

    with session_factory() as session:
        rows = session.execute(
            select(Rendered.task_id, Rendered.map_index, Rendered.rendered_fields)
            .where(Rendered.dag_id == dag_id, Rendered.run_id == run_id)
        ).all()
    return [{"task_id": r[0], "map_index": r[1], "fields": r[2] or {}} for r in rows]


class Progress:
    """Task instance states read from the metadata database at each step of ``dag.test()``."""

    def __init__(self, events, session_factory, dag_id):
        self._events = events
        self._session_factory = session_factory
        self._dag_id = dag_id
        self.run_id = None
        self._seen = {}

    def emit(self, task_id, map_index, state, try_number, start=None, end=None):
        key = (task_id, map_index)
        if self._seen.get(key) == (state, try_number):
            return
        self._seen[key] = (state, try_number)
        self._events.send({"type": "task", "task_id": task_id, "map_index": map_index, "state": state,
                           "try_number": try_number, "start": start, "end": end})

    def poll(self):
        if self.run_id is None:
            return []
        rows = _task_rows(self._session_factory, self._dag_id, self.run_id)
        for row in sorted(rows, key=lambda r: (r["end"] or "~", r["task_id"], r["map_index"])):
            self.emit(row["task_id"], row["map_index"], row["state"], row["try_number"], row["start"], row["end"])
        return rows


def _error_listener(events, output):
    """A listener object for Airflow's task-instance hooks: a failed try's exception, located."""
    from airflow.listeners import hookimpl

    class ErrorListener:
        @hookimpl
        def on_task_instance_failed(self, task_instance, error):
            if error is None:
                return
            owner = output.current
            if isinstance(error, BaseException):
                described = {"type": type(error).__name__, "message": str(error),
                             "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__))}
            else:
                # Airflow 2 may hand over the error as its message alone.
                described = {"type": "Error", "message": str(error)}
            events.send({"type": "error", "task_id": getattr(task_instance, "task_id", owner and owner[0]),
                         "map_index": getattr(task_instance, "map_index", -1),
                         "try_number": owner[2] if owner else getattr(task_instance, "try_number", None),
                         "error": described})

    return ErrorListener()


def _register_listener(listener):
    """Registers with every listener manager the running Airflow calls from dag.test()."""
    managers = []
    try:
        from airflow.sdk.listener import get_listener_manager as sdk_manager  # Airflow 3: the task runner's

        managers.append(sdk_manager())
    except ImportError:
        pass
    try:
        from airflow.listeners.listener import get_listener_manager  # Airflow 2, and Airflow 3's core

        manager = get_listener_manager()
        if not any(m is manager for m in managers):
            managers.append(manager)
    except ImportError:
        pass
    for manager in managers:
        manager.add_listener(listener)


def _wrap_run_task(module, output, progress):
    """``dag.test()`` runs each task through the module's ``_run_task``: before it the task is
    running, after it its state is in the database and its output has all been read."""
    original = module._run_task

    def run_task(*args, **kwargs):
        ti = kwargs.get("ti") if "ti" in kwargs else args[0]
        progress.poll()
        output.drain((ti.task_id, ti.map_index, ti.try_number))
        progress.emit(ti.task_id, ti.map_index, "running", ti.try_number, _iso(datetime.datetime.now(datetime.timezone.utc)))
        try:
            return original(*args, **kwargs)
        finally:
            output.drain()
            progress.poll()

    module._run_task = run_task


def _wrap_run_creation(events, progress, major):
    """Learns the run id from the function ``dag.test()`` creates its DagRun with."""
    if major >= 3:
        import airflow.models.dagrun as module

        name = "get_or_create_dagrun"
    else:
        import airflow.models.dag as module

        name = "_get_or_create_dagrun"
    original = getattr(module, name)

    def create(*args, **kwargs):
        run = original(*args, **kwargs)
        progress.run_id = run.run_id
        events.send({"type": "run", **_run_row(run)})
        return run

    setattr(module, name, create)


def _run_row(run):
    interval_start = getattr(run, "data_interval_start", None)
    interval_end = getattr(run, "data_interval_end", None)
    return {
        "run_id": run.run_id,
        "run_type": _state(getattr(run, "run_type", None)),
        "state": _state(run.state),
        "logical_date": _iso(getattr(run, "logical_date", None) or getattr(run, "execution_date", None)),
        "data_interval_start": _iso(interval_start),
        "data_interval_end": _iso(interval_end),
        "start": _iso(run.start_date),
        "end": _iso(run.end_date),
        "conf": run.conf or {},
    }


def _point_dags_folder_at(file):
    """Airflow 3's ``dag.test()`` serializes the DAG from the DAG bundle of the DAGs folder: a file
    outside that folder makes the file's own folder the DAGs folder of this run (only in this
    process). Returns the folder used when it changed."""
    from airflow import settings
    from airflow.configuration import conf

    folder = os.path.realpath(settings.DAGS_FOLDER)
    real = os.path.realpath(file)
    if real.startswith(folder + os.sep):
        return None
    own = os.path.dirname(real)
    settings.DAGS_FOLDER = own
    conf.set("core", "dags_folder", own)
    return own


def _test_arguments(dag, logical_date, conf):
    """``dag.test``'s date argument: ``execution_date`` in Airflow 2.10, ``logical_date`` in 3.x."""
    parameters = inspect.signature(dag.test).parameters
    date_name = "logical_date" if "logical_date" in parameters else "execution_date"
    arguments = {"run_conf": conf or None}
    if logical_date is not None:
        arguments[date_name] = logical_date
    return arguments


def run(args, events, output):
    python = sys.executable
    if importlib.util.find_spec("airflow") is None:
        _problem(events, "airflow_missing", f"apache-airflow is not installed for {python}", python=python)
        return 2
    try:
        logical_date = datetime.datetime.fromisoformat(args.logical_date.replace("Z", "+00:00")) if args.logical_date else None
        conf = json.loads(args.conf)
    except ValueError as exc:
        _problem(events, "bad_arguments", str(exc))
        return 2
    try:
        import airflow
        from airflow import settings
    except Exception as exc:  # noqa: BLE001 - a broken install must say what broke
        _problem(events, "airflow_broken", f"apache-airflow is installed for {python} but does not import: {type(exc).__name__}: {exc}",
                 python=python, traceback=traceback.format_exc())
        return 2
    version = str(getattr(airflow, "__version__", "unknown"))
    major = int(version.split(".")[0]) if version[:1].isdigit() else 3
    database = _database_problem(python)
    if database is not None:
        code, message, details = database
        _problem(events, code, message, **details)
        return 2
    events.send({"type": "started", "airflow_version": version, "python": python,
                 "airflow_home": _airflow_home(), "database": _database_url()})

    if major >= 3:
        from airflow.dag_processing.dagbag import DagBag

        moved = _point_dags_folder_at(args.file)
        if moved:
            events.send({"type": "log", "task_id": None, "map_index": -1, "try_number": None,
                         "text": f"[preflight] {args.file} is outside the DAGs folder: this run uses {moved} as the DAGs folder\n"})
    else:
        from airflow.models.dagbag import DagBag

    # Airflow 2's DagBag would add the example DAGs unless told not to; Airflow 3's has no such option.
    extra = {"include_examples": False} if "include_examples" in inspect.signature(DagBag).parameters else {}
    bag = DagBag(dag_folder=args.file, safe_mode=False, **extra)
    output.drain()
    if bag.import_errors:
        path, text = next(iter(bag.import_errors.items()))
        line = _location_in(text, args.file)
        _problem(events, "import_error", _last_line(text), file=path, traceback=text, **({"line": line} if line else {}))
        return 2
    dag = bag.dags.get(args.dag_id)
    if dag is None:
        found = ", ".join(sorted(bag.dags)) or "none"
        _problem(events, "dag_not_found", f"{args.file} defines no DAG '{args.dag_id}' (found: {found})", file=args.file)
        return 2
    events.send({"type": "dag", "dag_id": dag.dag_id, "tasks": [
        {"task_id": task.task_id, "operator": type(task).__name__,
         "upstream": sorted(task.upstream_task_ids), "downstream": sorted(task.downstream_task_ids)}
        for task in dag.tasks
    ]})

    from sqlalchemy.orm import sessionmaker

    # A session of its own: dag.test() keeps one open, which these reads must not disturb.
    session_factory = sessionmaker(bind=settings.engine, expire_on_commit=False)
    progress = Progress(events, session_factory, dag.dag_id)
    _register_listener(_error_listener(events, output))
    if major >= 3:
        import airflow.sdk.definitions.dag as test_module
    else:
        import airflow.models.dag as test_module
    _wrap_run_task(test_module, output, progress)
    _wrap_run_creation(events, progress, major)

    run_row = dag.test(**_test_arguments(dag, logical_date, conf))
    output.drain()
    tasks = progress.poll()
    with session_factory() as session:
        from airflow.models.dagrun import DagRun
        from sqlalchemy import select

        final = session.scalar(select(DagRun).where(DagRun.dag_id == dag.dag_id, DagRun.run_id == run_row.run_id))
        events.send({"type": "end", "run": _run_row(final or run_row), "tasks": tasks,
                     "xcom": _xcoms(session_factory, dag.dag_id, run_row.run_id),
                     "rendered": _rendered_fields(session_factory, dag.dag_id, run_row.run_id)})
    return 0


def main(argv):
    args = _arguments(argv)
    sys.stdout.flush()
    events = Events(os.dup(1))
    crash_fd = os.dup(2)
    output = Output(events)
    sys.dont_write_bytecode = True
    try:
        code = run(args, events, output)
    except BaseException as exc:  # noqa: BLE001 - DAG code and Airflow may raise anything, even SystemExit
        text = traceback.format_exc()
        os.write(crash_fd, text.encode("utf-8", "replace"))
        line = _location_in(text, args.file)
        _problem(events, "crashed", f"{type(exc).__name__}: {exc}", traceback=text, **({"file": args.file, "line": line} if line else {}))
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    # Threads that Airflow or task code left behind must not keep the process alive.
    os._exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
