"""Chooses real Airflow or the stand-in, imports the DAG file as Airflow's DagBag does, and finds
its DAGs.

Like the DagBag, the file is imported under a unique module name (``unusual_prefix_<sha1>_<name>``)
with ``sys.dont_write_bytecode`` set, under ``[core] dagbag_import_timeout`` (30 s), with the DAGs
folder on ``sys.path``. Its DAGs are the module's globals plus those registered by ``with DAG``
blocks and ``@dag`` calls; each is checked for cycles as the DagBag does.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import signal
import sys
import threading

from preflight_worker import patches, runtime
from preflight_worker.describe import check_cycle

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "standin")
FALLBACK = os.path.join(HERE, "fallback")


def _forget_airflow():
    for name in list(sys.modules):
        if name == "airflow" or name.startswith("airflow."):
            del sys.modules[name]


def prepare_airflow(stand_in):
    """Import real Airflow (patched) or install the stand-in; returns the real version or None."""
    if stand_in == "auto":
        try:
            import airflow

            if not os.path.abspath(getattr(airflow, "__file__", "") or "").startswith(STANDIN):
                patches.install()
                return str(getattr(airflow, "__version__", "unknown"))
        except Exception as exc:  # noqa: BLE001 - a broken install falls back to the stand-in
            if not isinstance(exc, ImportError):
                sys.stderr.write(f"[preflight] apache-airflow failed to import ({type(exc).__name__}: {exc}); using the stand-in\n")
        _forget_airflow()
    sys.path.insert(0, STANDIN)
    try:
        import pendulum  # noqa: F401
    except ImportError:
        sys.path.append(FALLBACK)
    import airflow  # noqa: F401 - the stand-in

    return None


def module_name(path):
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()
    stem = re.sub(r"[.-]", "_", os.path.splitext(os.path.basename(path))[0])
    return f"unusual_prefix_{digest}_{stem}"


@contextlib.contextmanager
def import_timeout(path):
    seconds = float(os.environ.get("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "30") or 0)
    if seconds <= 0 or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        try:
            from airflow.exceptions import AirflowTaskTimeout
        except Exception:  # noqa: BLE001
            AirflowTaskTimeout = TimeoutError
        raise AirflowTaskTimeout(f"DagBag import timeout for {path} after {seconds}s.")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def import_dag_file(path):
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # Real Airflow registers DAGs left by `with DAG` / `@dag` only while this names the module.
    for context in _dag_contexts():
        context.current_autoregister_module_name = name
    try:
        with import_timeout(path):
            spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _dag_classes():
    classes = []
    for module_name_, attr in (("airflow.models.dag", "DAG"), ("airflow.sdk.definitions.dag", "DAG"), ("airflow.sdk", "DAG")):
        module = sys.modules.get(module_name_)
        cls = vars(module).get(attr) if module is not None else None
        if isinstance(cls, type) and cls not in classes:
            classes.append(cls)
    return tuple(classes)


def _dag_contexts():
    contexts = []
    for module_name_ in ("airflow._standin", "airflow.models.dag", "airflow.sdk.definitions._internal.contextmanager"):
        try:
            module = sys.modules.get(module_name_) or importlib.import_module(module_name_)
        except Exception:  # noqa: BLE001 - not this version's module
            continue
        context = getattr(module, "DagContext", None)
        if context is not None and context not in contexts:
            contexts.append(context)
    return contexts


def _autoregistered():
    found = []
    for context in _dag_contexts():
        for attr in ("autoregistered", "autoregistered_dags"):
            for entry in list(getattr(context, attr, None) or ()):
                found.append(entry[0] if isinstance(entry, tuple) else entry)
    return found


def collect_dags(module):
    classes = _dag_classes()
    dags = []
    for value in list(vars(module).values()) + _autoregistered():
        if classes and isinstance(value, classes) and all(value is not d for d in dags):
            dags.append(value)
    # Creation order, as the file reads.
    order = {id(obj): index for index, (obj, _line) in enumerate(runtime._lines.values())}
    dags.sort(key=lambda d: order.get(id(d), len(order)))
    return dags


class DagCycleError(Exception):
    pass


def validate(dags, version):
    """What the DagBag checks after import: Airflow's own ``validate()`` and cycles."""
    AirflowDagCycleException = DagCycleError
    for module_name_ in ("airflow.sdk.exceptions", "airflow.exceptions"):
        try:
            AirflowDagCycleException = importlib.import_module(module_name_).AirflowDagCycleException
            break
        except Exception:  # noqa: BLE001
            continue
    for dag in dags:
        validate_ = getattr(dag, "validate", None)
        if callable(validate_):
            try:
                validate_()
            except Exception as error:
                error.preflight_location = (runtime.dag_file, runtime.line_of(dag))
                raise
        message = check_cycle(dag, version)
        if message:
            error = AirflowDagCycleException(message)
            error.preflight_location = (runtime.dag_file, runtime.line_of(dag))
            raise error
