"""Process-wide state shared by the worker, the stand-in ``airflow`` package and the patches.

The module is registered in ``sys.modules`` as ``_preflight_runtime`` before anything else is
imported, so stand-in modules (which may be loaded on top of a real Airflow, where the worker
package is not on ``sys.path``) reach it with a plain ``import _preflight_runtime``. Outside the
worker the stand-in finds no such module and its hooks do nothing.
"""
from __future__ import annotations

import json
import os
import sys
import threading

#: The Airflow major version whose behaviour the run simulates (``--airflow``).
airflow_major = 3
#: Absolute path of the DAG file being simulated, and the DAGs folder (on sys.path).
dag_file = None
dags_folder = None
#: The ``protocol.Wire`` once the worker talks to the engine, and the value codec it uses.
wire = None
codec = None


class EngineGone(BaseException):
    """The engine closed the worker's stdin while task code waited for an answer."""

_local = threading.local()
_lock = threading.Lock()
_request = {"id": None}
_contexts = []
_realpaths = {}


def set_request(request_id):
    """The engine request (execute or callback) whose logs, alerts and XComs are in progress."""
    _request["id"] = request_id


def current_request():
    return _request["id"]


def push_context(context):
    _contexts.append(context)


def pop_context():
    if _contexts:
        _contexts.pop()


def current_context():
    """The context of the task callable now running (``get_current_context()``), or None."""
    return _contexts[-1] if _contexts else None


def realpath(path):
    cached = _realpaths.get(path)
    if cached is None:
        cached = _realpaths[path] = os.path.realpath(path) if path else ""
    return cached


def is_dag_file(path):
    return bool(dag_file) and realpath(path) == dag_file


def is_user_file(path):
    """Files the user wrote: the DAG file and anything in the DAGs folder (helper modules)."""
    if not path or path.startswith("<"):
        return False
    real = realpath(path)
    if real == dag_file:
        return True
    if dags_folder and real.startswith(os.path.join(dags_folder, "")):
        # The stand-in and the worker may live inside a DAGs folder during development.
        return os.sep + "preflight_worker" + os.sep not in real
    return False


def creation_line(depth=1):
    """1-based line of the innermost frame in the DAG file on the current stack, or None.

    Called while a task or DAG is constructed: the frame is the user's call that created it,
    even when a helper module or a TaskFlow decorator sits in between. Frames of an ``__init__``
    in the DAG file (a custom operator class calling ``super().__init__``) are passed over in
    favour of the line that instantiated it.
    """
    if not dag_file:
        return None
    frame = sys._getframe(depth)
    fallback = None
    while frame is not None:
        if is_dag_file(frame.f_code.co_filename):
            if frame.f_code.co_name not in ("__init__", "__new__"):
                return frame.f_lineno
            fallback = fallback or frame.f_lineno
        frame = frame.f_back
    return fallback


_lines = {}


def record_line(obj, line=None):
    """Remember where ``obj`` (a task or DAG) was created; the first record wins."""
    key = id(obj)
    if key not in _lines:
        _lines[key] = (obj, line if line is not None else creation_line(2))


def line_of(obj):
    entry = _lines.get(id(obj))
    return entry[1] if entry and entry[0] is obj else None


def alert(kind, text, channel=None, username=None, conn_id=None):
    """Report a Slack message or e-mail that task code sent; the engine decides what happens."""
    payload = {"kind": kind, "text": "" if text is None else str(text), "channel": channel, "username": username, "conn_id": conn_id}
    request_id = current_request()
    if wire is None or request_id is None:
        sys.stderr.write(f"[preflight] {kind} alert outside a task: {payload['text']}\n")
        return
    wire.send({"type": "alert", "id": request_id, "alert": payload})


# --- Variables and Connections from local sources ------------------------------------------------


def _preflight_folder():
    start = os.path.dirname(dag_file) if dag_file else dags_folder
    folder = os.path.abspath(start or os.getcwd())
    for _ in range(8):
        candidate = os.path.join(folder, ".preflight")
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


def _read_json(name):
    folder = _preflight_folder()
    if not folder:
        return {}
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


_set_variables = {}


def get_variable(key):
    """A Variable's text as Airflow would find it locally: set in this process, ``AIRFLOW_VAR_<KEY>``
    (Airflow asks the environment backend before the metastore), ``.preflight/variables.json``.
    None when it does not exist."""
    if key in _set_variables:
        return _set_variables[key]
    env = os.environ.get("AIRFLOW_VAR_" + str(key).upper())
    if env is not None:
        return env
    variables = _read_json("variables.json")
    if key in variables:
        value = variables[key]
        return value if isinstance(value, str) else json.dumps(value)
    return None


def set_variable(key, value):
    _set_variables[key] = value


def connection_fields(source):
    """Airflow's connection forms -- a URI (``postgres://user:pass@host:5432/db?sslmode=require``),
    a JSON text or a dict -- as Connection constructor arguments (``extra`` as JSON text)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    if isinstance(source, str) and source.strip().startswith("{"):
        source = json.loads(source)
    if isinstance(source, dict):
        fields = {k: source.get(k) for k in ("conn_type", "description", "host", "login", "password", "schema", "port")}
        extra = source.get("extra")
        fields["extra"] = json.dumps(extra) if isinstance(extra, dict) else extra
        return fields
    parts = urlsplit(str(source).strip())
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    extra = query.pop("__extra__", None) or (json.dumps(query) if query else None)
    return {
        "conn_type": parts.scheme.replace("-", "_") or None,
        "host": unquote(parts.hostname) if parts.hostname else None,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "schema": unquote(path) if path else None,
        "port": parts.port,
        "extra": extra,
    }


def get_connection_source(conn_id):
    """``AIRFLOW_CONN_<ID>`` (URI or JSON) or ``.preflight/connections.json``: text or dict, or None."""
    env = os.environ.get("AIRFLOW_CONN_" + str(conn_id).upper())
    if env is not None:
        return env
    return _read_json("connections.json").get(conn_id)
