"""PythonOperator and its relatives (§3.3-3.5). ``execute`` follows Airflow: op_kwargs are merged
into the context, the callable receives the context keys it names (or all with ``**kwargs``)."""
from __future__ import annotations

import warnings

from airflow import _standin
from airflow.models.baseoperator import BaseOperator
from airflow.utils.operator_helpers import determine_kwargs, run_callable


def get_current_context():
    runtime = _standin.runtime()
    context = runtime.current_context() if runtime is not None else None
    if context is None:
        from airflow.exceptions import AirflowException

        raise AirflowException(
            "Current context was requested but no context was found! Are you running within an airflow task?"
        )
    return context


class SkipMixin:
    def skip(self, *args, **kwargs):
        pass

    def skip_all_except(self, *args, **kwargs):
        pass


class BranchMixIn(SkipMixin):
    def do_branch(self, context, branches_to_execute):
        return branches_to_execute


class PythonOperator(BaseOperator):
    template_fields = ("templates_dict", "op_args", "op_kwargs")
    template_fields_renderers = {"templates_dict": "json", "op_args": "py", "op_kwargs": "py"}
    ui_color = "#ffefeb"
    shallow_copy_attrs = ("python_callable", "op_kwargs")

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, templates_dict=None, templates_exts=None,
                 show_return_value_in_logs=True, **kwargs):
        if _standin.major() == 2 and kwargs.pop("provide_context", None):
            warnings.warn("provide_context is deprecated as of 2.0 and is no longer required", DeprecationWarning, stacklevel=2)
        super().__init__(**kwargs)
        if not callable(python_callable):
            from airflow.exceptions import AirflowException

            raise AirflowException("`python_callable` param must be callable")
        self.python_callable = python_callable
        self.op_args = op_args or ()
        self.op_kwargs = op_kwargs or {}
        self.templates_dict = templates_dict
        if templates_exts:
            self.template_ext = templates_exts
        self.show_return_value_in_logs = show_return_value_in_logs

    def execute(self, context):
        context.update(self.op_kwargs)
        context["templates_dict"] = self.templates_dict
        self.op_kwargs = self.determine_kwargs(context)
        return self.execute_callable()

    def determine_kwargs(self, context):
        return determine_kwargs(self.python_callable, self.op_args, context)

    def execute_callable(self):
        return run_callable(self.python_callable, self.op_args, self.op_kwargs, self.log)


class BranchPythonOperator(PythonOperator, BranchMixIn):
    """Returns the task id(s) to follow; the simulator's engine does the skipping."""


class ShortCircuitOperator(PythonOperator, SkipMixin):
    def __init__(self, *, ignore_downstream_trigger_rules=True, **kwargs):
        super().__init__(**kwargs)
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules


class _BasePythonVirtualenvOperator(PythonOperator):
    def __init__(self, *, serializer=None, use_dill=False, string_args=None, expect_airflow=True,
                 skip_on_exit_code=None, env_vars=None, inherit_env=True, **kwargs):
        super().__init__(**kwargs)
        self.serializer = serializer
        self.string_args = string_args or []
        self.expect_airflow = expect_airflow
        self.skip_on_exit_code = skip_on_exit_code
        self.env_vars = env_vars
        self.inherit_env = inherit_env


class PythonVirtualenvOperator(_BasePythonVirtualenvOperator):
    """Runs the callable in this interpreter locally (Airflow builds a virtualenv for it)."""

    template_fields = ("templates_dict", "op_args", "op_kwargs", "requirements", "index_urls", "venv_cache_path")
    template_ext = (".txt",)

    def __init__(self, *, requirements=None, python_version=None, system_site_packages=True,
                 pip_install_options=None, index_urls=None, venv_cache_path=None, **kwargs):
        super().__init__(**kwargs)
        self.requirements = requirements or []
        self.python_version = python_version
        self.system_site_packages = system_site_packages
        self.pip_install_options = pip_install_options
        self.index_urls = index_urls
        self.venv_cache_path = venv_cache_path


class ExternalPythonOperator(_BasePythonVirtualenvOperator):
    template_fields = ("python", "templates_dict", "op_args", "op_kwargs")

    def __init__(self, *, python, expect_pendulum=False, **kwargs):
        super().__init__(**kwargs)
        self.python = python
        self.expect_pendulum = expect_pendulum


class BranchPythonVirtualenvOperator(PythonVirtualenvOperator, BranchMixIn):
    pass


class BranchExternalPythonOperator(ExternalPythonOperator, BranchMixIn):
    pass
