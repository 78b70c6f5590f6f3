"""Variables from local sources: ``AIRFLOW_VAR_<KEY>`` and ``.preflight/variables.json`` (the
worker's ``_preflight_runtime.get_variable``); ``Variable.set`` only lasts for the process."""
from __future__ import annotations

import json
import os

from airflow._standin import NOTSET, runtime


def _lookup(key):
    rt = runtime()
    if rt is not None:
        return rt.get_variable(key)
    return os.environ.get("AIRFLOW_VAR_" + str(key).upper())


class Variable:
    def __init__(self, key=None, val=None, description=None):
        self.key = key
        self.val = val
        self.description = description

    @classmethod
    def get(cls, key, default_var=NOTSET, deserialize_json=False, default=NOTSET):
        if default_var is NOTSET:
            default_var = default
        value = _lookup(key)
        if value is None:
            if default_var is not NOTSET:
                return default_var
            raise KeyError(f"Variable {key} does not exist")
        return json.loads(value) if deserialize_json else value

    @classmethod
    def set(cls, key, value, description=None, serialize_json=False, **kwargs):
        text = json.dumps(value, indent=2) if serialize_json else str(value)
        rt = runtime()
        if rt is not None:
            rt.set_variable(key, text)
        else:
            os.environ["AIRFLOW_VAR_" + str(key).upper()] = text

    @classmethod
    def setdefault(cls, key, default, description=None, deserialize_json=False):
        value = cls.get(key, default_var=None, deserialize_json=deserialize_json)
        if value is None:
            cls.set(key, default, description=description, serialize_json=deserialize_json)
            return default
        return value

    @classmethod
    def delete(cls, key, **kwargs):
        rt = runtime()
        if rt is not None:
            rt.set_variable(key, None)
