"""What the worker changes in a real Apache Airflow so a local run behaves as the simulator needs.

* Slack and e-mail never leave the machine: SlackWebhookOperator / SlackWebhookHook / EmailOperator
  and ``airflow.utils.email.send_email`` report an ``alert`` instead.
* ``get_current_context()`` returns the running task's context, Variables and Connections come from
  local sources (``AIRFLOW_VAR_*`` / ``AIRFLOW_CONN_*`` / ``.preflight/*.json``), not a metastore.
* The lines where DAGs and tasks are created are recorded (``DAG.__init__`` / ``DAG.add_task``).
* A provider that is not installed still imports: the stand-in's module for it (Slack, SMTP,
  common SQL, standard) or a module of mocks.

Modules are patched when they are imported (a meta-path hook wraps their loader), so nothing is
imported eagerly; already-imported ones are patched at once. Every patch is best effort: a change
in Airflow's internals disables that patch, never the worker.
"""
from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys

from preflight_worker import runtime

STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin")


def _warn(what, exc):
    sys.stderr.write(f"[preflight] could not patch {what}: {type(exc).__name__}: {exc}\n")


def _get_current_context_for(original):
    def get_current_context():
        context = runtime.current_context()
        return context if context is not None else original()

    get_current_context._preflight_patched = True
    return get_current_context


def _patch_get_current_context(module):
    original = getattr(module, "get_current_context", None)
    if callable(original) and not getattr(original, "_preflight_patched", False):
        module.get_current_context = _get_current_context_for(original)


def _slack_text(text, blocks=None, attachments=None):
    if not text and (blocks or attachments):
        return json.dumps(blocks or attachments, default=str)
    return text


def _patch_slack_operator(module):
    cls = module.SlackWebhookOperator

    def execute(self, context):
        runtime.alert("slack", _slack_text(getattr(self, "message", ""), getattr(self, "blocks", None), getattr(self, "attachments", None)),
                      channel=getattr(self, "channel", None), username=getattr(self, "username", None),
                      conn_id=getattr(self, "slack_webhook_conn_id", None))

    cls.execute = execute


def _patch_slack_hook(module):
    cls = module.SlackWebhookHook

    def conn_id(self):
        return getattr(self, "slack_webhook_conn_id", None)

    def send_dict(self, body, *, headers=None):
        body = json.loads(body) if isinstance(body, str) else (body or {})
        runtime.alert("slack", _slack_text(body.get("text"), body.get("blocks"), body.get("attachments")),
                      channel=body.get("channel"), username=body.get("username"), conn_id=conn_id(self))

    def send(self, *, text=None, blocks=None, attachments=None, **kwargs):
        runtime.alert("slack", _slack_text(text, blocks, attachments), channel=kwargs.get("channel"),
                      username=kwargs.get("username"), conn_id=conn_id(self))

    def send_text(self, text, **kwargs):
        runtime.alert("slack", text, conn_id=conn_id(self))

    cls.send_dict, cls.send, cls.send_text = send_dict, send, send_text


def _patch_email_operator(module):
    cls = module.EmailOperator

    def execute(self, context):
        runtime.alert("email", f"{getattr(self, 'subject', '')}\n{getattr(self, 'html_content', '')}",
                      conn_id=getattr(self, "conn_id", None))

    cls.execute = execute


def _patch_send_email(module):
    def send_email(to, subject, html_content, *args, conn_id=None, **kwargs):
        runtime.alert("email", f"{subject}\n{html_content}", conn_id=conn_id)

    module.send_email = send_email


def _patch_variable(module):
    cls = module.Variable
    sentinel = object()

    def get(klass, key, default_var=sentinel, deserialize_json=False, default=sentinel, **kwargs):
        fallback = default if default_var is sentinel else default_var
        value = runtime.get_variable(key)
        if value is None:
            if fallback is not sentinel:
                return fallback
            raise KeyError(f"Variable {key} does not exist")
        return json.loads(value) if deserialize_json else value

    cls.get = classmethod(get)


def _local_connection(cls, conn_id):
    source = runtime.get_connection_source(conn_id)
    if source is None:
        from airflow.exceptions import AirflowNotFoundException

        raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
    fields = runtime.connection_fields(source)
    return cls(conn_id=conn_id, **{k: v for k, v in fields.items() if v is not None or k == "conn_type"})


def _patch_connection(module, method):
    cls = module.Connection
    setattr(cls, method, classmethod(lambda klass, conn_id, *a, **k: _local_connection(klass, conn_id)))


def _patch_dag(module):
    cls = module.__dict__.get("DAG")  # not getattr: Airflow 3's airflow.models.dag warns on access
    if not isinstance(cls, type) or getattr(cls, "_preflight_patched", False):
        return
    init, add_task = cls.__init__, cls.add_task

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        runtime.record_line(self)

    @functools.wraps(add_task)
    def patched_add_task(self, task, *args, **kwargs):
        result = add_task(self, task, *args, **kwargs)
        runtime.record_line(task)
        return result

    cls.__init__, cls.add_task = __init__, patched_add_task
    cls._preflight_patched = True


PATCHES = {
    "airflow.models.dag": _patch_dag,
    "airflow.sdk.definitions.dag": _patch_dag,
    "airflow.operators.python": _patch_get_current_context,
    "airflow.providers.standard.operators.python": _patch_get_current_context,
    "airflow.sdk": _patch_get_current_context,
    "airflow.sdk.definitions.context": _patch_get_current_context,
    "airflow.providers.slack.operators.slack_webhook": _patch_slack_operator,
    "airflow.providers.slack.hooks.slack_webhook": _patch_slack_hook,
    "airflow.operators.email": _patch_email_operator,
    "airflow.providers.smtp.operators.smtp": _patch_email_operator,
    "airflow.utils.email": _patch_send_email,
    "airflow.models.variable": _patch_variable,
    "airflow.sdk.definitions.variable": _patch_variable,
    "airflow.models.connection": lambda m: _patch_connection(m, "get_connection_from_secrets"),
    "airflow.sdk.definitions.connection": lambda m: _patch_connection(m, "get"),
}


def _apply(name, module):
    if getattr(module, "__preflight_mock__", False) or module.__dict__.get("__preflight_patched__"):
        return
    try:
        PATCHES[name](module)
        module.__dict__["__preflight_patched__"] = True
    except Exception as exc:  # noqa: BLE001
        _warn(name, exc)


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _apply(self._name, module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class PatchingFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: finds the patched modules through the other finders and wraps
    their loader so the patch runs right after the module's own code."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, fullname)
                return spec
        return None


class ProviderFallbackFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: a provider module nothing else provides comes from the stand-in
    (when it has a file for it) or is a module of mocks."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("airflow.providers."):
            return None
        parts = fullname.split(".")
        base = os.path.join(STANDIN, *parts)
        if os.path.isfile(os.path.join(base, "__init__.py")):
            return importlib.util.spec_from_file_location(fullname, os.path.join(base, "__init__.py"),
                                                          submodule_search_locations=[base])
        if os.path.isfile(base + ".py"):
            return importlib.util.spec_from_file_location(fullname, base + ".py")
        standin = sys.modules["_preflight_standin"]
        return importlib.machinery.ModuleSpec(fullname, standin.MockLoader(), is_package=True)


def load_standin_core():
    """The stand-in's ``_standin`` module as ``_preflight_standin`` (mock classes for providers)."""
    if "_preflight_standin" in sys.modules:
        return sys.modules["_preflight_standin"]
    spec = importlib.util.spec_from_file_location("_preflight_standin", os.path.join(STANDIN, "airflow", "_standin.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["_preflight_standin"] = module
    spec.loader.exec_module(module)
    return module


def install():
    load_standin_core()
    sys.meta_path.insert(0, PatchingFinder())
    sys.meta_path.append(ProviderFallbackFinder())
    for name in PATCHES:
        module = sys.modules.get(name)
        if module is not None:
            _apply(name, module)
