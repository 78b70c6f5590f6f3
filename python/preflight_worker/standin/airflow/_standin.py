"""Machinery shared by the modules of the stand-in ``airflow`` package.

The stand-in lets DAG files import and describe without Apache Airflow installed. It follows
Airflow 2.10 or 3.x (``_preflight_runtime.airflow_major``, else ``PREFLIGHT_AIRFLOW``) where the
two differ in ways a DAG file can observe: which modules exist, which arguments are accepted, and
which exception a misuse raises. This module also provides the generic "mock" classes that any
other ``airflow.*`` import resolves to, so a DAG using providers that have no local meaning (cloud,
databases) still loads; its tasks are described with kind ``mock``.

It is registered as ``_preflight_standin`` too, so provider stand-ins that also load on top of a
real Airflow (see ``preflight_worker/patches.py``) can share the mock factory.
"""
from __future__ import annotations

import datetime as _dt
import importlib.abc
import importlib.machinery
import inspect
import os
import re
import sys
import types

sys.modules.setdefault("_preflight_standin", sys.modules[__name__])


def major():
    """The Airflow major version being imitated: 2 or 3."""
    runtime = sys.modules.get("_preflight_runtime")
    version = getattr(runtime, "airflow_major", None)
    if version in (2, 3):
        return version
    return 2 if os.environ.get("PREFLIGHT_AIRFLOW") == "2" else 3


def runtime():
    """The worker's shared state, or None outside the worker."""
    return sys.modules.get("_preflight_runtime")


def record_line(obj):
    rt = runtime()
    if rt is not None:
        rt.record_line(obj, rt.creation_line(2))


class ArgNotSet:
    """Airflow's NOTSET sentinel: "the caller passed nothing", distinct from None."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "NOTSET"


NOTSET = ArgNotSet()


def misuse(v2_class_name, message, v3_class=TypeError):
    """The exception Airflow raises for a misuse: an AirflowException subclass in 2.10, and a
    builtin (TypeError/ValueError) in 3.x where the task SDK replaced them."""
    if major() >= 3:
        return v3_class(message)
    from airflow import exceptions

    return getattr(exceptions, v2_class_name)(message)


_KEY = re.compile(r"^[\w.-]+$")
_GROUP_KEY = re.compile(r"^[\w-]+$")


def validate_key(key, max_length=250):
    if not isinstance(key, str):
        raise TypeError(f"The key has to be a string and is {type(key)}:{key}")
    if len(key) > max_length:
        raise misuse("AirflowException", f"The key has to be less than {max_length} characters", ValueError)
    if not _KEY.match(key):
        chars = "dashes, dots and underscores" if major() == 2 else "dashes, dots, and underscores"
        raise misuse("AirflowException", f"The key {key!r} has to be made of alphanumeric characters, {chars} exclusively", ValueError)


def validate_group_key(key, max_length=200):
    if not isinstance(key, str):
        raise TypeError("The key has to be a string")
    if len(key) > max_length:
        raise misuse("AirflowException", f"The key has to be less than {max_length} characters", ValueError)
    if not _GROUP_KEY.match(key):
        chars = "dashes and underscores" if major() == 2 else "dashes, and underscores"
        raise misuse("AirflowException", f"The key {key!r} has to be made of alphanumeric characters, {chars} exclusively", ValueError)


class DagContext:
    """The DAGs entered with ``with DAG(...)`` and those Airflow auto-registers on exit."""

    stack = []
    autoregistered = []

    @classmethod
    def push(cls, dag):
        cls.stack.append(dag)

    @classmethod
    def pop(cls):
        dag = cls.stack.pop() if cls.stack else None
        if dag is not None and getattr(dag, "auto_register", True) and dag not in cls.autoregistered:
            cls.autoregistered.append(dag)
        return dag

    @classmethod
    def current(cls):
        return cls.stack[-1] if cls.stack else None


class TaskGroupContext:
    stack = []

    @classmethod
    def current(cls, dag):
        if cls.stack:
            return cls.stack[-1]
        return dag.task_group if dag is not None else None


# Context keys a TaskFlow parameter may be named after (it then defaults to None), per version.
CONTEXT_KEYS = {
    2: frozenset(
        "conf conn dag dag_run data_interval_end data_interval_start ds ds_nodash exception execution_date "
        "expanded_ti_count inlet_events inlets logical_date macros map_index_template next_ds next_ds_nodash "
        "next_execution_date outlet_events outlets params prev_data_interval_end_success "
        "prev_data_interval_start_success prev_ds prev_ds_nodash prev_end_date_success prev_execution_date "
        "prev_execution_date_success prev_start_date_success reason run_id task task_instance "
        "task_instance_key_str templates_dict test_mode ti tomorrow_ds tomorrow_ds_nodash "
        "triggering_dataset_events try_number ts ts_nodash ts_nodash_with_tz var yesterday_ds "
        "yesterday_ds_nodash".split()
    ),
    3: frozenset(
        "conn dag dag_run data_interval_end data_interval_start ds ds_nodash exception expanded_ti_count "
        "inlet_events inlets logical_date macros map_index_template outlet_events outlets params "
        "prev_data_interval_end_success prev_data_interval_start_success prev_end_date_success "
        "prev_start_date_success reason run_id start_date task task_instance task_instance_key_str "
        "task_reschedule_count templates_dict test_mode ti triggering_asset_events try_number ts ts_nodash "
        "ts_nodash_with_tz var".split()
    ),
}


def context_keys():
    return CONTEXT_KEYS[major()]


# --- Dates ---------------------------------------------------------------------------------------


def utc():
    import pendulum

    return pendulum.timezone("UTC")


def to_utc(value):
    """Airflow stores start/end dates in UTC; naive ones are taken as ``[core] default_timezone``
    (UTC); strings are parsed (``default_args["start_date"]`` may be one)."""
    if value is None:
        return None
    import pendulum

    if isinstance(value, str):
        value = pendulum.parse(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=utc())
        return pendulum.instance(value.astimezone(utc()))
    if isinstance(value, _dt.date):
        return pendulum.datetime(value.year, value.month, value.day, tz="UTC")
    return value


def as_timedelta(value):
    if value is None or isinstance(value, _dt.timedelta):
        return value
    return _dt.timedelta(seconds=value)


# --- Mocks for everything else -------------------------------------------------------------------


def _base_operator():
    try:
        from airflow.sdk import BaseOperator
    except ImportError:
        from airflow.models.baseoperator import BaseOperator
    return BaseOperator


_mock_classes = {}


def _base_parameters(base):
    params = set()
    for klass in base.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params.update(inspect.signature(init).parameters)
        except (TypeError, ValueError):
            pass
    params.discard("self")
    params.discard("kwargs")
    params.discard("args")
    return params


def mock_operator_class(module_name, name):
    """A generic operator standing for ``module_name.name``: it accepts any keyword argument,
    treats every non-BaseOperator argument as a template field (so XComArgs passed to it become
    edges, as they usually are templated), and does nothing when executed."""
    key = (module_name, name)
    if key in _mock_classes:
        return _mock_classes[key]
    base = _base_operator()
    base_params = _base_parameters(base)

    def __init__(self, *args, **kwargs):
        own = {k: kwargs.pop(k) for k in list(kwargs) if k not in base_params}
        for attr, value in own.items():
            try:
                setattr(self, attr, value)
            except Exception:  # noqa: BLE001 - a read-only attribute of the base class
                pass
        self.template_fields = tuple(own)
        self._preflight_mock_kwargs = own
        base.__init__(self, *args, **kwargs)

    def execute(self, context):
        self.log.info("%s has no local behaviour in Airflow Preflight; nothing was executed.", type(self).__name__)

    cls = type(name, (base,), {"__init__": __init__, "execute": execute, "__module__": module_name,
                               "_preflight_mock": True, "template_fields": ()})
    _mock_classes[key] = cls
    return cls


class MockHook:
    """A hook of a provider that is not installed: constructing it works, using it does nothing."""

    def __init__(self, *args, **kwargs):
        self._args = args
        self._kwargs = kwargs

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _MockCallable(f"{type(self).__name__}.{name}")


class MockObject:
    """Any other class of a missing module (an Asset, a Label, a data class)."""

    def __init__(self, *args, **kwargs):
        self._args = args
        self._kwargs = kwargs
        for attr, value in kwargs.items():
            try:
                setattr(self, attr, value)
            except Exception:  # noqa: BLE001
                pass

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _MockCallable(f"{type(self).__name__}.{name}")

    def __repr__(self):
        return f"{type(self).__name__}(...)"


class _MockCallable:
    """A function of a missing module: calling it (or what it returns) yields another mock."""

    def __init__(self, name):
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # used as a bare decorator: keep the function
        return _MockCallable(self.__name__ + "()")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _MockCallable(f"{self.__name__}.{name}")

    def __repr__(self):
        return f"<mock {self.__name__}>"


def mock_attribute(module_name, name):
    if name.startswith("__"):
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
    if name[:1].isupper():
        if name.endswith(("Operator", "Sensor")):
            return mock_operator_class(module_name, name)
        if name.endswith(("Exception", "Error", "Warning")):
            key = (module_name, name)
            if key not in _mock_classes:
                try:
                    from airflow.exceptions import AirflowException as base
                except ImportError:
                    base = Exception
                base = DeprecationWarning if name.endswith("Warning") else base
                _mock_classes[key] = type(name, (base,), {"__module__": module_name})
            return _mock_classes[key]
        base = MockHook if name.endswith(("Hook", "Client")) else MockObject
        key = (module_name, name)
        if key not in _mock_classes:
            _mock_classes[key] = type(name, (base,), {"__module__": module_name})
        return _mock_classes[key]
    return _MockCallable(f"{module_name}.{name}")


def mock_getattr(module_name):
    """A module ``__getattr__`` that answers every missing name with a mock."""

    def __getattr__(name):
        return mock_attribute(module_name, name)

    return __getattr__


def mock_module(name):
    module = types.ModuleType(name, f"Stand-in for {name}, which is not installed.")
    module.__path__ = []
    module.__getattr__ = mock_getattr(name)
    module.__preflight_mock__ = True
    return module


class MockLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return mock_module(spec.name)

    def exec_module(self, module):
        pass


class MockFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: any ``airflow.*`` module that no file provides becomes a mock
    module (``prefixes`` narrows this, e.g. to ``airflow.providers.`` on top of a real Airflow)."""

    def __init__(self, prefixes=("airflow.",)):
        self.prefixes = prefixes

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(self.prefixes):
            return None
        return importlib.machinery.ModuleSpec(fullname, MockLoader(), is_package=True)


def install_finder(prefixes=("airflow.",)):
    if not any(isinstance(f, MockFinder) for f in sys.meta_path):
        sys.meta_path.append(MockFinder(prefixes))
