"""Runs a task's callable or a callback for the engine, and reports what happened.

``execute`` rebuilds Airflow's context, sets the rendered template fields on the task, merges
``op_kwargs`` into the context and selects the callable's arguments as PythonOperator does
(§3.3), then calls it under ``execution_timeout``. The callable's return value is reported as is:
the engine interprets branch and short-circuit results. ``AirflowSkipException`` is a skip; any
other exception an error (``SystemExit`` per version, §4.3).
"""
from __future__ import annotations

import collections
import contextlib
import inspect
import itertools
import logging
import os
import signal
import threading

from preflight_worker import context as ctx
from preflight_worker import errors, runtime

log = logging.getLogger("airflow.task")


class WorkerState:
    def __init__(self, dags, version, capture):
        self.dags = {dag.dag_id: dag for dag in dags}
        self.version = version
        self.capture = capture
        #: The exceptions of recent failed tries, for their failure callbacks (see errors.rebuild).
        self.exceptions = collections.OrderedDict()

    def remember(self, error, exc):
        self.exceptions[(error["type"], error["message"])] = exc
        while len(self.exceptions) > 32:
            self.exceptions.popitem(last=False)

    def dag_for(self, dag_id):
        if dag_id in self.dags:
            return self.dags[dag_id]
        if len(self.dags) == 1:
            return next(iter(self.dags.values()))
        raise KeyError(f"DAG {dag_id!r} is not defined in {runtime.dag_file}")


def select_arguments(function, op_args, kwargs, version):
    """PythonOperator's ``KeywordParameters.determine`` (§3.3)."""
    signature = inspect.signature(function)
    for name, param in itertools.islice(signature.parameters.items(), len(op_args)):
        if version >= 3 and param.kind in (param.KEYWORD_ONLY, param.VAR_KEYWORD):
            continue
        if name in kwargs:
            raise ValueError(f"The key {name!r} in args is a part of kwargs and therefore reserved.")
    if any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
        return dict(kwargs)
    return {key: kwargs[key] for key in signature.parameters if key in kwargs}


def call(function, args, kwargs):
    """Call ``function``; a generator function is exhausted, its ``return`` value is the result."""
    if not inspect.isgeneratorfunction(function):
        return function(*args, **kwargs)
    generator = function(*args, **kwargs)
    while True:
        try:
            item = next(generator)
        except StopIteration as stop:
            return stop.value
        if type(item).__name__ != "Metadata":
            log.warning("Ignoring unknown data of %r received from task", type(item))


def _resolve_dag_params(value, context):
    if type(value).__name__ == "DagParam" and hasattr(value, "resolve"):
        return value.resolve(context)
    if isinstance(value, list):
        return [_resolve_dag_params(v, context) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolve_dag_params(v, context) for v in value)
    if isinstance(value, dict):
        return {k: _resolve_dag_params(v, context) for k, v in value.items()}
    return value


def _timeout_class():
    try:
        from airflow.exceptions import AirflowTaskTimeout

        return AirflowTaskTimeout
    except Exception:  # noqa: BLE001
        return TimeoutError


@contextlib.contextmanager
def execution_timeout(task):
    """Airflow's ``timeout()``: SIGALRM raises AirflowTaskTimeout in the task's thread."""
    seconds = getattr(task, "execution_timeout", None)
    seconds = seconds.total_seconds() if hasattr(seconds, "total_seconds") else None
    if not seconds or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    exc_class = _timeout_class()

    def on_alarm(signum, frame):
        raise exc_class(f"Timeout, PID: {os.getpid()}")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def task_environment(context, version):
    values = ctx.airflow_env(context, version)
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    runtime.push_context(context)
    real_stacks = _real_context_stacks()
    for stack in real_stacks:
        stack.append(context)
    try:
        yield
    finally:
        for stack in real_stacks:
            if stack and stack[-1] is context:
                stack.pop()
        runtime.pop_context()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _real_context_stacks():
    """Real Airflow's own current-context stacks, so its internals see the running context too."""
    import sys

    stacks = []
    for module_name in ("airflow.models.taskinstance", "airflow.sdk.definitions._internal.contextmanager"):
        stack = getattr(sys.modules.get(module_name), "_CURRENT_CONTEXT", None)
        if isinstance(stack, list):
            stacks.append(stack)
    return stacks


def _user_execute(task):
    """True when the task's class overrides ``execute`` in the user's own code."""
    for klass in type(task).__mro__:
        if "execute" in klass.__dict__:
            try:
                source = inspect.getsourcefile(klass.__dict__["execute"])
            except TypeError:
                return False
            return runtime.is_user_file(source or "")
    return False


def _run(task, context, version):
    callable_ = getattr(task, "python_callable", None)
    if callable_ is not None and not _user_execute(task):
        op_args = list(getattr(task, "op_args", None) or ())
        op_kwargs = dict(getattr(task, "op_kwargs", None) or {})
        context.update(op_kwargs)
        if hasattr(task, "templates_dict"):
            context["templates_dict"] = task.templates_dict
        kwargs = select_arguments(callable_, op_args, context, version)
        value = call(callable_, op_args, kwargs)
        if getattr(task, "show_return_value_in_logs", True):
            log.info("Done. Returned value was: %s", value)
        else:
            log.info("Done. Returned value not shown")
        return value
    if callable(getattr(task, "choose_branch", None)) and not _user_execute(task):
        return task.choose_branch(context)
    return task.execute(context)


def outcome_of(exc, version):
    names = errors.class_names(exc)
    if "AirflowSkipException" in names:
        return {"kind": "skip", "message": str(exc)}
    if isinstance(exc, SystemExit):
        if version == 2 and exc.code in (0, None):
            return {"kind": "returned", "value": None}
        return {"kind": "error", "error": errors.wire_error(exc, "SystemExit", f"Task failed due to SystemExit({exc.code})")}
    return {"kind": "error", "error": errors.wire_error(exc)}


def end_of_stderr(request_id):
    """Mark the end of a request on stderr: what task code (and the processes it waited for) wrote
    there before the marker belongs to this request's log."""
    try:
        os.write(2, f"\0PREFLIGHT_END {request_id}\0\n".encode())
    except OSError:
        pass  # task code closed fd 2; the engine stops waiting for the marker after a moment


def _answer_captured(state, message, work, answer):
    """Run ``work`` with the request's output captured as its log, then send ``answer`` of its result."""
    request_id = message["id"]
    version = int(message.get("airflow") or state.version)
    state.capture.start(request_id)
    try:
        result = work(state, message, version)
    finally:
        state.capture.stop(request_id)
        end_of_stderr(request_id)
    runtime.wire.send({"id": request_id, **answer(result)})


def handle_execute(state, message):
    _answer_captured(state, message, _execute, lambda outcome: {"type": "result", "outcome": outcome})


def _execute(state, message, version):
    try:
        dag = state.dag_for(message["run"]["dag_id"])
        task = dag.get_task(message["task_id"])
        context = ctx.build(dag, task, message["run"], message.get("params"), message.get("try_number", 1),
                            message.get("max_tries", 0), version)
        # A mapped task instance knows its index, as Airflow's ti.map_index does.
        context["ti"].map_index = message.get("map_index", -1)
        rendered = runtime.codec.decode(message.get("rendered") or {})
    except BaseException as exc:  # noqa: BLE001 - reported, never raised
        return outcome_of(exc, version)
    saved = {}
    try:
        for name, value in rendered.items():
            saved[name] = getattr(task, name, None)
            setattr(task, name, _resolve_dag_params(value, context))
        for name in ("op_args", "op_kwargs"):
            if hasattr(task, name) and name not in rendered:
                saved[name] = getattr(task, name)
                setattr(task, name, _resolve_dag_params(getattr(task, name), context))
        with task_environment(context, version):
            try:
                with execution_timeout(task):
                    value = _run(task, context, version)
            except BaseException as exc:
                if "AirflowTaskTimeout" in errors.class_names(exc):
                    with contextlib.suppress(Exception):
                        task.on_kill()
                raise
        return {"kind": "returned", "value": runtime.codec.encode(value)}
    except runtime.EngineGone:
        raise
    except BaseException as exc:  # noqa: BLE001 - task code may raise anything
        outcome = outcome_of(exc, version)
        if outcome["kind"] == "error":
            state.remember(outcome["error"], exc)
        return outcome
    finally:
        for name, value in saved.items():
            with contextlib.suppress(Exception):
                setattr(task, name, value)


def handle_callback(state, message):
    _answer_captured(state, message, _callback, lambda error: {"type": "callback_result", "error": error})


def _callback(state, message, version):
    name = message["name"]
    try:
        dag = state.dag_for(message["run"]["dag_id"])
        owner = dag.get_task(message["task_id"]) if message.get("task_id") else dag
        callbacks = getattr(owner, name, None)
        callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else ([callbacks] if callbacks else [])
        context_task_id = message.get("task_id") or message.get("context_task_id")
        if context_task_id:
            context = ctx.build(dag, dag.get_task(context_task_id), message["run"], message.get("params"),
                                message.get("try_number", 1), 0, version)
        else:
            context = {"dag": dag, "run_id": message["run"]["run_id"]}
        if message.get("task_id"):
            exception = errors.rebuild(message.get("exception"), state.exceptions)
            if exception is not None or (version >= 3 and name != "on_execute_callback"):
                context["exception"] = exception
        else:
            context["reason"] = message.get("reason")
    except BaseException as exc:  # noqa: BLE001
        return errors.wire_error(exc)
    first_error = None
    with task_environment(context, version) if "ti" in context else contextlib.nullcontext():
        for callback in callbacks:
            try:
                callback(context)
            except runtime.EngineGone:
                raise
            except BaseException as exc:  # noqa: BLE001 - Airflow logs a callback's error and moves on
                log.exception("Error when executing %s callback", name)
                if first_error is None:
                    first_error = errors.wire_error(exc)
    return first_error
