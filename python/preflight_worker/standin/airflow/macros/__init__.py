"""``macros`` in templates and the task context (§2.4)."""
from __future__ import annotations

import json  # noqa: F401
import time  # noqa: F401
import uuid  # noqa: F401
from datetime import datetime, timedelta  # noqa: F401
from random import random  # noqa: F401

try:
    import dateutil  # noqa: F401
except ImportError:  # pragma: no cover
    dateutil = None


def ds_add(ds, days):
    """``ds_add("2015-01-01", 5)`` -> ``"2015-01-06"``."""
    if not days:
        return str(ds)
    value = datetime.strptime(str(ds), "%Y-%m-%d") + timedelta(days=days)
    return value.strftime("%Y-%m-%d")


def ds_format(ds, input_format, output_format):
    return datetime.strptime(str(ds), input_format).strftime(output_format)


def datetime_diff_for_humans(dt, since=None):
    import pendulum

    delta = (since or pendulum.now("UTC")) - dt
    seconds = int(abs(delta.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size or unit == "second":
            count = seconds // size
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"{text} ago" if delta.total_seconds() >= 0 else f"in {text}"
