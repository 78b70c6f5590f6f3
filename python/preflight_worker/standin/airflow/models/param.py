"""DAG/task ``params``: Param values with a default (no JSON-schema validation locally)."""
from __future__ import annotations

import copy
from collections.abc import MutableMapping

from airflow._standin import NOTSET


class Param:
    def __init__(self, default=NOTSET, description=None, **schema):
        self.value = default
        self.description = description
        self.schema = schema

    def resolve(self, value=NOTSET, suppress_exception=False):
        final = self.value if value is NOTSET else value
        if final is NOTSET:
            if suppress_exception:
                return None
            from airflow.exceptions import ParamValidationError

            raise ParamValidationError("No value passed and Param has no default value")
        return final

    def dump(self):
        return {"value": None if self.value is NOTSET else self.value, "description": self.description, "schema": self.schema}

    @property
    def has_value(self):
        return self.value is not NOTSET

    def __repr__(self):
        return f"Param({self.value!r})"


class ParamsDict(MutableMapping):
    def __init__(self, dict_obj=None, suppress_exception=False):
        self.__dict = {}
        self.suppress_exception = suppress_exception
        for key, value in (dict_obj or {}).items():
            self[key] = value

    def __setitem__(self, key, value):
        if isinstance(value, Param):
            self.__dict[key] = value
        elif key in self.__dict:
            self.__dict[key] = Param(value, self.__dict[key].description, **self.__dict[key].schema)
        else:
            self.__dict[key] = Param(value)

    def __getitem__(self, key):
        return self.__dict[key].resolve(suppress_exception=self.suppress_exception)

    def __delitem__(self, key):
        del self.__dict[key]

    def __iter__(self):
        return iter(self.__dict)

    def __len__(self):
        return len(self.__dict)

    def __contains__(self, key):
        return key in self.__dict

    def __repr__(self):
        return repr(self.dump())

    def __copy__(self):
        return ParamsDict(dict(self.__dict), self.suppress_exception)

    def __deepcopy__(self, memo):
        return ParamsDict(copy.deepcopy(self.__dict, memo), self.suppress_exception)

    def get_param(self, key):
        return self.__dict[key]

    def items_params(self):
        return self.__dict.items()

    def update(self, *args, **kwargs):
        other = args[0] if args else {}
        if isinstance(other, ParamsDict):
            other = dict(other.items_params())
        for key, value in dict(other, **kwargs).items():
            self[key] = value

    def dump(self):
        return {key: (None if param.value is NOTSET else param.value) for key, param in self.__dict.items()}

    def validate(self):
        return {key: param.resolve() for key, param in self.__dict.items()}


class DagParam:
    """What an ``@dag`` function receives for each of its parameters: resolved at run time to the
    run's ``params`` (``dag_run.conf`` wins), so the same task can run with another value."""

    def __init__(self, current_dag, name, default=NOTSET):
        if default is not NOTSET:
            current_dag.params[name] = default
        self._name = name
        self._default = default
        self.current_dag = current_dag

    def iter_references(self):
        return ()

    def resolve(self, context):
        conf = getattr(context.get("dag_run"), "conf", None) or {}
        if self._name in conf:
            return conf[self._name]
        params = context.get("params") or {}
        if self._name in params:
            return params[self._name]
        if self._default is not NOTSET:
            return self._default
        from airflow.exceptions import AirflowException

        raise AirflowException(f"No value could be resolved for parameter {self._name}")

    def __repr__(self):
        return f"DagParam({self._name!r})"
