"""BaseNotifier: a callback object whose templated fields are rendered with the task context."""
from __future__ import annotations

import logging


def render(value, context):
    """Render a notifier's templated field with Jinja when jinja2 is installed (Airflow always has it)."""
    if isinstance(value, str) and "{" in value:
        try:
            import jinja2
        except ImportError:
            return value
        return jinja2.Environment().from_string(value).render(**context)
    if isinstance(value, (list, tuple)):
        return type(value)(render(v, context) for v in value)
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    return value


class BaseNotifier:
    template_fields = ()
    template_ext = ()

    @property
    def log(self):
        return logging.getLogger(f"airflow.task.notifiers.{type(self).__name__}")

    def render_template_fields(self, context, jinja_env=None):
        for field in self.template_fields:
            setattr(self, field, render(getattr(self, field, None), context))

    def notify(self, context):
        raise NotImplementedError

    def __call__(self, *args):
        context = args[0] if len(args) == 1 else {}
        self.render_template_fields(context)
        self.notify(context)
