"""TaskFlow (§3.10): ``@task`` functions become operators when called, ``@task_group`` functions
TaskGroups, ``@dag`` functions DAGs.

Calling a decorated function inside a DAG creates a ``_PythonDecoratedOperator`` (or its bash,
branch, short-circuit... sibling) whose ``op_args``/``op_kwargs`` are the call's arguments, and
returns an XComArg for its ``return_value``. Task ids get Airflow's ``__1``, ``__2`` suffixes;
parameters named like context keys default to None; ``multiple_outputs`` is inferred from a
Mapping return annotation.
"""
from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Mapping

from airflow import _standin
from airflow._standin import DagContext, TaskGroupContext
from airflow.models.baseoperator import BaseOperator
from airflow.models.xcom_arg import PlainXComArg, XComArg
from airflow.operators.bash import BashOperator
from airflow.operators.python import (
    BranchExternalPythonOperator,
    BranchPythonOperator,
    BranchPythonVirtualenvOperator,
    ExternalPythonOperator,
    PythonOperator,
    PythonVirtualenvOperator,
    ShortCircuitOperator,
)

def get_unique_task_id(task_id, dag=None, task_group=None):
    dag = dag or DagContext.current()
    if dag is None:
        return task_id
    task_group = task_group or TaskGroupContext.current(dag)
    tg_task_id = task_group.child_id(task_id) if task_group is not None else task_id
    if tg_task_id not in dag.task_ids:
        return task_id
    prefix = re.split(r"__\d+$", tg_task_id)[0]
    suffixes = [0]
    for existing in dag.task_ids:
        match = re.match(rf"^{re.escape(prefix)}__(\d+)$", existing)
        if match:
            suffixes.append(int(match.group(1)))
    core = re.split(r"__\d+$", task_id)[0]
    return f"{core}__{max(suffixes) + 1}"


class DecoratedOperator(BaseOperator):
    template_fields = ("op_args", "op_kwargs")

    def __init__(self, *, python_callable, task_id, op_args=None, op_kwargs=None, kwargs_to_upstream=None, **kwargs):
        task_id = get_unique_task_id(task_id, kwargs.get("dag"), kwargs.get("task_group"))
        op_args = list(op_args or ())
        op_kwargs = dict(op_kwargs or {})
        signature = inspect.signature(python_callable)
        keys = _standin.context_keys()
        for param in signature.parameters.values():
            if param.name in keys and param.default not in (None, inspect.Parameter.empty):
                raise ValueError(f"Context key parameter {param.name} can't have a default other than None")
        signature = signature.replace(parameters=[
            p.replace(default=None) if p.name in keys else p for p in signature.parameters.values()
        ])
        if kwargs.get("_preflight_mapped_validation") or getattr(self, "_preflight_partial_bind", False):
            signature.bind_partial(*op_args, **op_kwargs)
        else:
            signature.bind(*op_args, **op_kwargs)
        self.python_callable = python_callable
        self.op_args = op_args
        self.op_kwargs = op_kwargs
        upstream = dict(kwargs_to_upstream or {})
        super().__init__(task_id=task_id, **upstream, **kwargs)
        self.op_args = op_args
        self.op_kwargs = op_kwargs


class _PythonDecoratedOperator(DecoratedOperator, PythonOperator):
    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         kwargs_to_upstream={"python_callable": python_callable, "op_args": op_args, "op_kwargs": op_kwargs},
                         **kwargs)


class _BranchPythonDecoratedOperator(_PythonDecoratedOperator, BranchPythonOperator):
    custom_operator_name = "@task.branch"


class _ShortCircuitDecoratedOperator(_PythonDecoratedOperator, ShortCircuitOperator):
    custom_operator_name = "@task.short_circuit"


class _PythonVirtualenvDecoratedOperator(_PythonDecoratedOperator, PythonVirtualenvOperator):
    template_fields = PythonVirtualenvOperator.template_fields
    custom_operator_name = "@task.virtualenv"


class _BranchPythonVirtualenvDecoratedOperator(_PythonDecoratedOperator, BranchPythonVirtualenvOperator):
    template_fields = PythonVirtualenvOperator.template_fields
    custom_operator_name = "@task.branch_virtualenv"


class _PythonExternalDecoratedOperator(_PythonDecoratedOperator, ExternalPythonOperator):
    template_fields = ExternalPythonOperator.template_fields
    custom_operator_name = "@task.external_python"


class _BranchExternalPythonDecoratedOperator(_PythonDecoratedOperator, BranchExternalPythonOperator):
    template_fields = ExternalPythonOperator.template_fields
    custom_operator_name = "@task.branch_external_python"


class _BashDecoratedOperator(DecoratedOperator, BashOperator):
    """``@task.bash``: the function returns the command, so ``bash_command`` is only known when the
    task runs (it is NOTSET until then)."""

    template_fields = (*DecoratedOperator.template_fields, *BashOperator.template_fields)
    custom_operator_name = "@task.bash"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        kwargs.pop("multiple_outputs", None)
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         bash_command=_standin.NOTSET, multiple_outputs=False, **kwargs)


_mock_decorated = {}


def _mock_decorated_operator(name):
    """``@task.docker``, ``@task.kubernetes``... : a decorated operator with no local behaviour."""
    if name not in _mock_decorated:
        _mock_decorated[name] = type(f"_{name.title()}DecoratedOperator", (DecoratedOperator,), {
            "custom_operator_name": f"@task.{name}",
            "_preflight_mock": True,
            "execute": lambda self, context: None,
            "__init__": lambda self, *, python_callable, op_args=None, op_kwargs=None, **kwargs: DecoratedOperator.__init__(
                self, python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                **{k: v for k, v in kwargs.items() if k in _base_names()}),
        })
    return _mock_decorated[name]


@functools.lru_cache(maxsize=None)
def _base_names():
    return frozenset(inspect.signature(BaseOperator.__init__).parameters) | {"task_id", "dag", "task_group"}


def _infer_multiple_outputs(function):
    if "return" not in getattr(function, "__annotations__", {}):
        return False
    try:
        def fake():
            pass

        fake.__annotations__ = {"return": function.__annotations__["return"]}
        return_type = typing.get_type_hints(fake, function.__globals__).get("return", typing.Any)
    except (NameError, TypeError):
        return False
    ttype = getattr(return_type, "__origin__", return_type)
    return isinstance(ttype, type) and issubclass(ttype, Mapping)


class _TaskDecorator:
    def __init__(self, function, operator_class, multiple_outputs=None, kwargs=None, decorator_name="task"):
        if "self" in inspect.signature(function).parameters:
            raise TypeError(f"@{decorator_name} does not support methods")
        self.function = function
        self.operator_class = operator_class
        self.multiple_outputs = _infer_multiple_outputs(function) if multiple_outputs is None else multiple_outputs
        self.kwargs = dict(kwargs or {})
        self.kwargs.setdefault("task_id", function.__name__)
        self.decorator_name = decorator_name
        functools.update_wrapper(self, function)

    def _operator_kwargs(self, extra=None):
        kwargs = dict(self.kwargs)
        if extra:
            kwargs.update(extra)
        if self.operator_class is not _BashDecoratedOperator:
            kwargs.setdefault("multiple_outputs", self.multiple_outputs)
        return kwargs

    def __call__(self, *args, **kwargs):
        op = self.operator_class(python_callable=self.function, op_args=args, op_kwargs=kwargs, **self._operator_kwargs())
        if self.function.__doc__ and not getattr(op, "doc_md", None):
            op.doc_md = self.function.__doc__
        return PlainXComArg(op)

    def override(self, **kwargs):
        multiple_outputs = kwargs.pop("multiple_outputs", self.multiple_outputs)
        return _TaskDecorator(self.function, self.operator_class, multiple_outputs, {**self.kwargs, **kwargs}, self.decorator_name)

    def partial(self, **kwargs):
        return _PartialTask(self, kwargs)

    def expand(self, **mapped):
        return _PartialTask(self, {}).expand(**mapped)

    def expand_kwargs(self, kwargs, *, strict=True):
        return _PartialTask(self, {}).expand_kwargs(kwargs, strict=strict)


class _PartialTask:
    def __init__(self, decorator, kwargs):
        self.decorator = decorator
        self.kwargs = kwargs

    def expand(self, **mapped):
        if not mapped:
            raise TypeError("no arguments to expand against")
        keys = _standin.context_keys()
        for name in mapped:
            if name in keys:
                raise ValueError(f"cannot call expand() on task context variable {name!r}")
            if name in self.kwargs:
                raise TypeError(f"{self.decorator.function.__name__}.expand() got an unmappable or already specified argument: {name}")
        return self._create({**self.kwargs, **mapped}, mapped)

    def expand_kwargs(self, kwargs, *, strict=True):
        return self._create(dict(self.kwargs), {"__expand_kwargs__": kwargs}, partial_bind=True)

    def _create(self, op_kwargs, expand, partial_bind=False):
        d = self.decorator
        klass = d.operator_class
        if partial_bind:
            klass = type(klass.__name__, (klass,), {"_preflight_partial_bind": True, "__module__": klass.__module__})
        op = klass(python_callable=d.function, op_args=(), op_kwargs=op_kwargs, **d._operator_kwargs())
        op._preflight_mapped = True
        op._preflight_expand = expand
        for ref in XComArg.iter_xcom_references(expand):
            op.set_upstream(ref.operator)
        return PlainXComArg(op)


def task_decorator_factory(python_callable=None, *, multiple_outputs=None, decorated_operator_class, decorator_name="task", **kwargs):
    if python_callable is not None and callable(python_callable):
        return _TaskDecorator(python_callable, decorated_operator_class, multiple_outputs, kwargs, decorator_name)
    if python_callable is not None:
        raise TypeError("No args allowed while using @task, use kwargs instead")

    def decorator(function):
        return _TaskDecorator(function, decorated_operator_class, multiple_outputs, kwargs, decorator_name)

    return decorator


class TaskDecoratorCollection:
    """``task``, ``task.python``, ``task.bash``, ``task.branch``, ``task.short_circuit``..."""

    _known = {
        "python": _PythonDecoratedOperator,
        "bash": _BashDecoratedOperator,
        "branch": _BranchPythonDecoratedOperator,
        "short_circuit": _ShortCircuitDecoratedOperator,
        "virtualenv": _PythonVirtualenvDecoratedOperator,
        "branch_virtualenv": _BranchPythonVirtualenvDecoratedOperator,
        "external_python": _PythonExternalDecoratedOperator,
        "branch_external_python": _BranchExternalPythonDecoratedOperator,
    }

    def __call__(self, python_callable=None, multiple_outputs=None, **kwargs):
        return task_decorator_factory(python_callable, multiple_outputs=multiple_outputs,
                                      decorated_operator_class=_PythonDecoratedOperator, decorator_name="task", **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        operator_class = self._known.get(name) or _mock_decorated_operator(name)

        def factory(python_callable=None, multiple_outputs=None, **kwargs):
            return task_decorator_factory(python_callable, multiple_outputs=multiple_outputs,
                                          decorated_operator_class=operator_class, decorator_name=f"task.{name}", **kwargs)

        return factory


task = TaskDecoratorCollection()


def setup(func=None, **kwargs):
    decorated = task(func, **kwargs) if func is not None else task(**kwargs)
    return decorated


def teardown(func=None, **kwargs):
    kwargs.setdefault("trigger_rule", "all_done_setup_success")
    return task(func, **kwargs) if func is not None else task(**kwargs)


# --- @task_group --------------------------------------------------------------------------------


class _TaskGroupFactory:
    def __init__(self, function, kwargs):
        self.function = function
        self.kwargs = dict(kwargs)
        self.kwargs.setdefault("group_id", function.__name__)
        functools.update_wrapper(self, function)

    def _create(self, args, kwargs, mapped=False):
        from airflow.utils.task_group import TaskGroup

        with TaskGroup(add_suffix_on_collision=True, **self.kwargs) as group:
            if self.function.__doc__ and not group.tooltip:
                group.tooltip = self.function.__doc__
            result = self.function(*args, **kwargs)
        if mapped:
            for op in group:
                op._preflight_mapped = True
        return group if result is None else result

    def __call__(self, *args, **kwargs):
        return self._create(args, kwargs)

    def override(self, **kwargs):
        return _TaskGroupFactory(self.function, {**self.kwargs, **kwargs})

    def partial(self, **kwargs):
        factory = self

        class _Partial:
            def expand(self, **mapped):
                return factory._create((), {**kwargs, **mapped}, mapped=True)

            def expand_kwargs(self, value):
                return factory._create((), dict(kwargs), mapped=True)

        return _Partial()

    def expand(self, **mapped):
        return self._create((), mapped, mapped=True)


def task_group(python_callable=None, **tg_kwargs):
    if callable(python_callable) and not tg_kwargs:
        return _TaskGroupFactory(python_callable, {})
    if python_callable is not None:
        tg_kwargs["group_id"] = python_callable

    def decorator(function):
        return _TaskGroupFactory(function, tg_kwargs)

    return decorator


# --- @dag ---------------------------------------------------------------------------------------


def dag(dag_id="", **dag_kwargs):
    """``@dag`` / ``@dag(...)``: calling the function creates the DAG (its parameters become DAG
    params) and runs the body inside ``with dag:``."""
    if callable(dag_id):
        return dag()(dag_id)

    def wrapper(function):
        @functools.wraps(function)
        def factory(*args, **kwargs):
            from airflow.models.dag import DAG

            bound = inspect.signature(function).bind(*args, **kwargs)
            bound.apply_defaults()
            with DAG(dag_id or function.__name__, **dag_kwargs) as dag_obj:
                if function.__doc__ and not dag_obj.doc_md:
                    dag_obj.doc_md = function.__doc__
                function(**{name: dag_obj.param(name, value) for name, value in bound.arguments.items()})
            return dag_obj

        return factory

    return wrapper
