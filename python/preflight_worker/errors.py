"""Python exceptions as the engine's WireError, and where in the user's files they came from."""
from __future__ import annotations

import os
import traceback

from preflight_worker import runtime

_HERE = os.path.dirname(os.path.abspath(__file__))
_WORKER_FILES = {os.path.join(_HERE, name) for name in os.listdir(_HERE) if name.endswith(".py")}

NO_RETRY = ("AirflowFailException", "AirflowSensorTimeout")


def class_names(exc):
    return {klass.__name__ for klass in type(exc).__mro__}


def _frames(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def user_location(exc):
    """(file, line) of the innermost frame of the traceback in a user file, else None."""
    found = None
    for frame in _frames(exc.__traceback__):
        filename = frame.tb_frame.f_code.co_filename
        if runtime.is_user_file(filename):
            found = (runtime.realpath(filename), frame.tb_lineno)
    if isinstance(exc, SyntaxError) and exc.filename and runtime.is_user_file(exc.filename):
        found = (runtime.realpath(exc.filename), exc.lineno)
    return found


def _trimmed(tb):
    """The traceback without the worker's own frames on top (they say nothing to the user)."""
    while tb is not None and (tb.tb_frame.f_code.co_filename.startswith("<frozen")
                              or os.path.abspath(tb.tb_frame.f_code.co_filename) in _WORKER_FILES):
        tb = tb.tb_next
    return tb


def wire_error(exc, type_name=None, message=None):
    text = "".join(traceback.format_exception(type(exc), exc, _trimmed(exc.__traceback__)))
    error = {
        "type": type_name or type(exc).__name__,
        "message": str(exc) if message is None else message,
        "traceback": text,
        "retryable": not (class_names(exc) & set(NO_RETRY)),
    }
    location = user_location(exc) or getattr(exc, "preflight_location", None)
    if location and location[1] is not None:
        error["file"], error["line"] = location
    return error


def rebuild(wire, cache=None):
    """An exception object for a WireError, for the ``exception`` of a failure callback: the
    original object when this worker raised it, else an instance of a class of that name."""
    if not wire:
        return None
    if cache is not None:
        cached = cache.get((wire.get("type"), wire.get("message")))
        if cached is not None:
            return cached
    name = str(wire.get("type") or "Exception")
    message = str(wire.get("message") or "")
    klass = None
    try:
        import airflow.exceptions as airflow_exceptions

        klass = getattr(airflow_exceptions, name, None)
    except Exception:  # noqa: BLE001
        klass = None
    if klass is None:
        import builtins

        klass = getattr(builtins, name, None)
    if isinstance(klass, type) and issubclass(klass, BaseException):
        try:
            return klass(message)
        except Exception:  # noqa: BLE001 - exceptions with other constructors
            pass
    return type(name, (Exception,), {"__module__": "preflight"})(message)
