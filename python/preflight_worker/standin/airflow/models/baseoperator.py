"""``BaseOperator``: task construction as Airflow does it, and the dependency helpers.

What matters for describing a DAG the way Airflow sees it:

* ``default_args`` (§6.1): DAG, then enclosing TaskGroups (inner wins), then the operator's own
  ``default_args=``; each value is applied only to parameters that some ``__init__`` in the
  operator's class hierarchy accepts and that were not passed explicitly. Like Airflow, every
  ``__init__`` is wrapped (``_apply_defaults``) and applies the defaults of its own signature.
* validation Airflow performs at construction: keyword-only arguments, missing and unknown
  arguments, task ids, trigger rules, ``execution_timeout``, ``retries`` and ``pool_slots``.
* TaskGroup id prefixes, joining the DAG of the task an edge connects to, XComArg edges from
  templated fields, and ``.partial().expand()`` (the task is marked mapped).
"""
from __future__ import annotations

import copy
import functools
import inspect
import logging
import warnings
from collections.abc import Mapping
from datetime import timedelta

from airflow import _standin
from airflow.models.taskmixin import DependencyMixin, task_list
from airflow.models.xcom_arg import XComArg, PlainXComArg

_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _merged_defaults(dag, task_group, task_params, task_default_args):
    from airflow.models.param import ParamsDict

    args = copy.copy(dag.default_args) if dag is not None else {}
    params = copy.deepcopy(dag.params) if dag is not None else ParamsDict()
    if task_group is not None and task_group.default_args:
        if not isinstance(task_group.default_args, Mapping):
            raise TypeError("default_args must be a mapping")
        args.update(task_group.default_args)
    if task_params:
        if not isinstance(task_params, Mapping):
            raise TypeError("params must be a mapping")
        params.update(task_params)
    if task_default_args:
        if not isinstance(task_default_args, Mapping):
            raise TypeError("default_args must be a mapping")
        args.update(task_default_args)
        params.update(task_default_args.get("params") or {})
    return args, params


def _apply_defaults(func):
    signature = inspect.signature(func)
    accepted = [n for n, p in signature.parameters.items() if n != "self" and p.kind not in _VARIADIC]
    required = {n for n, p in signature.parameters.items()
                if n != "self" and p.kind not in _VARIADIC and p.default is inspect.Parameter.empty}

    @functools.wraps(func)
    def apply_defaults(self, *args, **kwargs):
        if args:
            raise _standin.misuse("AirflowException", "Use keyword arguments when initializing operators")
        from airflow._standin import DagContext, TaskGroupContext

        dag = kwargs.get("dag")
        if dag is None:
            dag = DagContext.current()
            if dag is not None:
                kwargs["dag"] = dag
        task_group = kwargs.get("task_group")
        if dag is not None and task_group is None:
            task_group = TaskGroupContext.current(dag)
            if task_group is not None:
                kwargs["task_group"] = task_group
        default_args, params = _merged_defaults(dag, task_group, kwargs.pop("params", None), kwargs.pop("default_args", None))
        for name in accepted:
            if name not in kwargs and name in default_args:
                kwargs[name] = default_args[name]
        missing = set() if kwargs.get("_preflight_mapped_validation") else required.difference(kwargs)
        if len(missing) == 1:
            raise _standin.misuse("AirflowException", f"missing keyword argument {missing.pop()!r}")
        if missing:
            raise _standin.misuse("AirflowException", "missing keyword arguments " + ", ".join(repr(a) for a in sorted(missing)))
        if params:
            kwargs["params"] = params
        outermost = not self.__dict__.get("_preflight_initializing")
        if outermost:
            self.__dict__["_preflight_initializing"] = True
        try:
            result = func(self, **kwargs, default_args=default_args)
        finally:
            if outermost:
                self.__dict__["_preflight_initializing"] = False
        if outermost:
            self._set_xcomargs_dependencies()
            _standin.record_line(self)
        return result

    apply_defaults._preflight_wrapped = True
    return apply_defaults


class _PartialDescriptor:
    """``Operator.partial(...)`` on the class; an error on an instance, as in Airflow."""

    def __get__(self, obj, cls):
        if obj is not None:
            def fail(*args, **kwargs):
                raise TypeError("partial can only be called on Operator classes, not Tasks themselves")

            return fail
        return functools.partial(OperatorPartial, cls)


class OperatorPartial:
    def __init__(self, operator_class, **kwargs):
        if "task_id" not in kwargs:
            raise TypeError("partial() missing 1 required keyword-only argument: 'task_id'")
        self.operator_class = operator_class
        self.kwargs = kwargs

    def _accepted(self):
        names = set()
        for klass in self.operator_class.__mro__:
            init = klass.__dict__.get("__init__")
            if init is not None:
                params = inspect.signature(init).parameters
                if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()) and getattr(klass, "_preflight_mock", False):
                    return None
                names.update(params)
        return names

    def expand(self, **mapped):
        if not mapped:
            raise TypeError("no arguments to expand against")
        accepted = self._accepted()
        name = self.operator_class.__name__
        for key in mapped:
            if key in self.kwargs:
                raise ValueError(f"{name}.expand() got an unmappable or already specified argument: {key}")
            if accepted is not None and key not in accepted:
                raise TypeError(f"{name}.expand() got an unexpected keyword argument {key!r}")
        return self._create(dict(mapped), mapped)

    def expand_kwargs(self, kwargs, *, strict=True):
        return self._create({"_preflight_mapped_validation": True}, {"__expand_kwargs__": kwargs})

    def _create(self, extra, expand):
        op = self.operator_class(**self.kwargs, **extra)
        op._preflight_mapped = True
        op._preflight_expand = expand
        for ref in XComArg.iter_xcom_references(expand):
            op.set_upstream(ref.operator)
        return op


_BASE_ONLY_V2 = ("task_concurrency",)


class BaseOperator(DependencyMixin):
    template_fields = ()
    template_ext = ()
    template_fields_renderers = {}
    ui_color = "#fff"
    ui_fgcolor = "#000"
    custom_operator_name = None
    shallow_copy_attrs = ()
    partial = _PartialDescriptor()
    _preflight_mapped = False
    _preflight_expand = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_preflight_wrapped", False):
            cls.__init__ = _apply_defaults(init)

    def __init__(
        self,
        task_id,
        owner="airflow",
        email=None,
        email_on_retry=True,
        email_on_failure=True,
        retries=0,
        retry_delay=timedelta(seconds=300),
        retry_exponential_backoff=False,
        max_retry_delay=None,
        start_date=None,
        end_date=None,
        depends_on_past=False,
        ignore_first_depends_on_past=_standin.major() == 2,
        wait_for_past_depends_before_skipping=False,
        wait_for_downstream=False,
        dag=None,
        params=None,
        default_args=None,
        priority_weight=1,
        weight_rule="downstream",
        queue="default",
        pool=None,
        pool_slots=1,
        sla=None,
        execution_timeout=None,
        on_execute_callback=None,
        on_failure_callback=None,
        on_success_callback=None,
        on_retry_callback=None,
        on_skipped_callback=None,
        pre_execute=None,
        post_execute=None,
        trigger_rule="all_success",
        resources=None,
        run_as_user=None,
        map_index_template=None,
        max_active_tis_per_dag=None,
        max_active_tis_per_dagrun=None,
        executor=None,
        executor_config=None,
        do_xcom_push=True,
        multiple_outputs=False,
        inlets=None,
        outlets=None,
        task_group=None,
        doc=None,
        doc_md=None,
        doc_json=None,
        doc_yaml=None,
        doc_rst=None,
        task_display_name=None,
        logger_name=None,
        allow_nested_operators=True,
        **kwargs,
    ):
        from airflow.utils.trigger_rule import TriggerRule

        kwargs.pop("_preflight_mapped_validation", None)
        if _standin.major() == 2:
            for name in _BASE_ONLY_V2:
                kwargs.pop(name, None)
        else:
            kwargs.pop("render_template_as_native_obj", None)
            kwargs.pop("retry_policy", None)
        _standin.validate_key(task_id)
        if kwargs:
            raise _standin.misuse(
                "AirflowException",
                f"Invalid arguments were passed to {type(self).__name__} (task_id: {task_id}). "
                f"Invalid arguments were:\n**kwargs: {kwargs}",
            )
        self.task_id = task_group.child_id(task_id) if task_group is not None else task_id
        self.owner = owner
        self.email = email
        self.email_on_retry = email_on_retry
        self.email_on_failure = email_on_failure
        if execution_timeout is not None and not isinstance(execution_timeout, timedelta):
            raise ValueError(f"execution_timeout must be timedelta object but passed as type: {type(execution_timeout)}")
        self.execution_timeout = execution_timeout
        self.on_execute_callback = on_execute_callback
        self.on_failure_callback = on_failure_callback
        self.on_success_callback = on_success_callback
        self.on_retry_callback = on_retry_callback
        self.on_skipped_callback = on_skipped_callback
        self._pre_execute_hook = pre_execute
        self._post_execute_hook = post_execute
        self.start_date = _standin.to_utc(start_date)
        self.end_date = _standin.to_utc(end_date)
        if _standin.major() == 2:
            if trigger_rule == "none_failed_or_skipped":
                trigger_rule = "none_failed_min_one_success"
            if trigger_rule == "dummy":
                trigger_rule = "always"
        if not TriggerRule.is_valid(trigger_rule):
            dag_id = dag.dag_id if dag is not None else ""
            rules = TriggerRule.all_triggers() if _standin.major() == 2 else [rule.value for rule in TriggerRule]
            raise _standin.misuse(
                "AirflowException", f"The trigger_rule must be one of {rules},'{dag_id}.{task_id}'; received '{trigger_rule}'.", ValueError
            )
        self.trigger_rule = TriggerRule(trigger_rule)
        self.depends_on_past = bool(depends_on_past or wait_for_downstream)
        self.ignore_first_depends_on_past = ignore_first_depends_on_past
        self.wait_for_past_depends_before_skipping = wait_for_past_depends_before_skipping
        self.wait_for_downstream = wait_for_downstream
        if retries is not None and not isinstance(retries, int):
            try:
                parsed = int(retries)
            except (TypeError, ValueError):
                raise _standin.misuse("AirflowException", f"'retries' type must be int, not {type(retries).__name__}")
            warnings.warn(f"Implicitly converting 'retries' from {retries!r} to int", UserWarning, stacklevel=3)
            retries = parsed
        self.retries = retries
        self.queue = queue
        self.pool = pool or "default_pool"
        self.pool_slots = pool_slots
        if self.pool_slots < 1:
            in_dag = f" in dag {dag.dag_id}" if dag is not None else ""
            raise ValueError(f"pool slots for {self.task_id}{in_dag} cannot be less than 1")
        self.sla = sla
        self.retry_delay = _standin.as_timedelta(retry_delay)
        self.retry_exponential_backoff = retry_exponential_backoff
        self.max_retry_delay = _standin.as_timedelta(max_retry_delay)
        self.params = params if params is not None else _empty_params()
        self.priority_weight = priority_weight
        self.weight_rule = weight_rule
        self.resources = resources
        self.run_as_user = run_as_user
        self.map_index_template = map_index_template
        self.max_active_tis_per_dag = max_active_tis_per_dag
        self.max_active_tis_per_dagrun = max_active_tis_per_dagrun
        self.executor = executor
        self.executor_config = executor_config or {}
        self.do_xcom_push = do_xcom_push
        self.multiple_outputs = multiple_outputs
        self.inlets = list(inlets) if isinstance(inlets, (list, tuple)) else ([inlets] if inlets else [])
        self.outlets = list(outlets) if isinstance(outlets, (list, tuple)) else ([outlets] if outlets else [])
        self.doc, self.doc_md, self.doc_json, self.doc_yaml, self.doc_rst = doc, doc_md, doc_json, doc_yaml, doc_rst
        self.task_display_name = task_display_name
        self.logger_name = logger_name
        self.allow_nested_operators = allow_nested_operators
        self.upstream_task_ids = set()
        self.downstream_task_ids = set()
        self._dag = None
        self.task_group = None
        if task_group is not None:
            task_group.add(self)
        if dag is not None:
            dag.add_task(self)

    # --- identity --------------------------------------------------------------------------------

    @property
    def dag(self):
        return self._dag

    @dag.setter
    def dag(self, dag):
        if dag is not None and self._dag is not dag:
            dag.add_task(self)

    def has_dag(self):
        return self._dag is not None

    @property
    def dag_id(self):
        return self._dag.dag_id if self._dag is not None else f"adhoc_{self.owner}"

    @property
    def node_id(self):
        return self.task_id

    @property
    def label(self):
        group = self.task_group
        if group is not None and group.group_id and group.prefix_group_id and self.task_id.startswith(group.group_id + "."):
            return self.task_id[len(group.group_id) + 1:]
        return self.task_id

    @property
    def operator_name(self):
        return self.custom_operator_name or type(self).__name__

    @property
    def task_type(self):
        return type(self).__name__

    @property
    def roots(self):
        return [self]

    @property
    def leaves(self):
        return [self]

    @property
    def output(self):
        return PlainXComArg(self)

    @property
    def log(self):
        klass = type(self)
        return logging.getLogger(f"airflow.task.operators.{klass.__module__}.{klass.__name__}")

    def __repr__(self):
        return f"<Task({type(self).__name__}): {self.task_id}>"

    # --- relationships ---------------------------------------------------------------------------

    @property
    def upstream_list(self):
        return [self._dag.task_dict[t] for t in sorted(self.upstream_task_ids)] if self._dag else []

    @property
    def downstream_list(self):
        return [self._dag.task_dict[t] for t in sorted(self.downstream_task_ids)] if self._dag else []

    def get_direct_relative_ids(self, upstream=False):
        return self.upstream_task_ids if upstream else self.downstream_task_ids

    def get_direct_relatives(self, upstream=False):
        return self.upstream_list if upstream else self.downstream_list

    def set_upstream(self, task_or_task_list, edge_modifier=None):
        self._set_relatives(task_or_task_list, upstream=True)

    def set_downstream(self, task_or_task_list, edge_modifier=None):
        self._set_relatives(task_or_task_list, upstream=False)

    def _set_relatives(self, other, upstream):
        from airflow.utils.edgemodifier import EdgeModifier

        items = list(other) if isinstance(other, (list, tuple, set, frozenset)) else [other]
        tasks = []
        for item in items:
            if isinstance(item, EdgeModifier):
                if upstream:
                    item.set_downstream(self)
                else:
                    item.set_upstream(self)
                continue
            tasks.extend(task_list(item, upstream))
        if not tasks:
            return
        dags = []
        for task in [self, *tasks]:
            if task._dag is not None and task._dag not in dags:
                dags.append(task._dag)
        word = "DAG" if _standin.major() == 2 else "Dag"
        if len(dags) > 1:
            raise _standin.misuse("AirflowException", f"Tried to set relationships between tasks in more than one {word}: {set(dags)}", RuntimeError)
        if not dags:
            raise _standin.misuse(
                "AirflowException",
                f"Tried to create relationships between tasks that don't have {word}s yet. "
                f"Set the {word} for at least one task and try again: {[self, *tasks]}",
                ValueError,
            )
        dag = dags[0]
        if self._dag is None:
            dag.add_task(self)
        for task in tasks:
            if task._dag is None:
                dag.add_task(task)
            if upstream:
                task.downstream_task_ids.add(self.task_id)
                self.upstream_task_ids.add(task.task_id)
            else:
                self.downstream_task_ids.add(task.task_id)
                task.upstream_task_ids.add(self.task_id)

    def _set_xcomargs_dependencies(self):
        for field in self.template_fields:
            value = getattr(self, field, None)
            for ref in XComArg.iter_xcom_references(value):
                self.set_upstream(ref.operator)

    # --- running ---------------------------------------------------------------------------------

    def execute(self, context):
        raise NotImplementedError()

    def pre_execute(self, context):
        if self._pre_execute_hook is not None:
            self._pre_execute_hook(context)

    def post_execute(self, context, result=None):
        if self._post_execute_hook is not None:
            self._post_execute_hook(context, result)

    def on_kill(self):
        pass

    def render_template_fields(self, context, jinja_env=None):
        pass

    def dry_run(self):
        pass


BaseOperator.__init__ = _apply_defaults(BaseOperator.__init__)


def _empty_params():
    from airflow.models.param import ParamsDict

    return ParamsDict()


class BaseOperatorLink:
    name = ""

    def get_link(self, operator, *, ti_key=None):
        return ""


# --- chain helpers (§7.2) --------------------------------------------------------------------------


def _is_list(value):
    return isinstance(value, (list, tuple))


def chain(*tasks):
    for up, down in zip(tasks, tasks[1:]):
        if not _is_list(up) and not _is_list(down):
            up.set_downstream(down)
        elif not _is_list(up):
            for item in down:
                up.set_downstream(item)
        elif not _is_list(down):
            for item in up:
                item.set_downstream(down)
        else:
            if len(up) != len(down):
                from airflow.exceptions import AirflowException

                raise AirflowException(f"Chain not supported for different length Iterable. Got {len(up)} and {len(down)}.")
            for a, b in zip(up, down):
                a.set_downstream(b)


def chain_linear(*elements):
    if not elements:
        raise ValueError("No tasks provided; nothing to do.")
    created = False
    for up, down in zip(elements, elements[1:]):
        for a in (up if _is_list(up) else [up]):
            for b in (down if _is_list(down) else [down]):
                a.set_downstream(b)
                created = True
    if not created:
        raise ValueError("No dependencies were set. Did you forget to expand with `*`?")


def cross_downstream(from_tasks, to_tasks):
    for task in from_tasks:
        task.set_downstream(to_tasks)
