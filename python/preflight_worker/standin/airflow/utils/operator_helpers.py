"""How PythonOperator picks the callable's arguments from the context (§3.3)."""
from __future__ import annotations

import inspect
import itertools

from airflow import _standin


class KeywordParameters:
    def __init__(self, kwargs, *, wildcard):
        self._kwargs = kwargs
        self._wildcard = wildcard

    @classmethod
    def determine(cls, func, args, kwargs):
        signature = inspect.signature(func)
        has_wildcard = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
        for name, param in itertools.islice(signature.parameters.items(), len(args)):
            # 3.1 skips keyword-only and **kwargs parameters in this check.
            if _standin.major() >= 3 and param.kind in (param.KEYWORD_ONLY, param.VAR_KEYWORD):
                continue
            if name in kwargs:
                raise ValueError(f"The key {name!r} in args is a part of kwargs and therefore reserved.")
        if has_wildcard:
            return cls(kwargs, wildcard=True)
        return cls({key: kwargs[key] for key in signature.parameters if key in kwargs}, wildcard=False)

    def unpacking(self):
        return self._kwargs

    serializing = unpacking


def determine_kwargs(func, args, kwargs):
    return KeywordParameters.determine(func, args, kwargs).unpacking()


def run_callable(func, args, kwargs, log):
    """Call ``func``; a generator function is exhausted and its ``return`` value is the result."""
    if not inspect.isgeneratorfunction(func):
        return func(*args, **kwargs)
    generator = func(*args, **kwargs)
    while True:
        try:
            item = next(generator)
        except StopIteration as stop:
            return stop.value
        if type(item).__name__ != "Metadata":
            log.warning("Ignoring unknown data of %r received from task", type(item))
