"""``airflow.utils.timezone``: everything is UTC unless a zone is given."""
from __future__ import annotations

import datetime as dt

import pendulum

from airflow import _standin

utc = pendulum.timezone("UTC")


def utcnow():
    return pendulum.now("UTC")


def is_naive(value):
    return value.utcoffset() is None


def is_localized(value):
    return value.utcoffset() is not None


def convert_to_utc(value):
    return _standin.to_utc(value)


def coerce_datetime(value, tz=None):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz or utc)
    return pendulum.instance(value)


def make_aware(value, timezone=None):
    if value is None:
        return None
    if value.tzinfo is not None:
        raise ValueError(f"make_aware expects a naive datetime, got {value}")
    zone = pendulum.timezone(timezone) if isinstance(timezone, str) else (timezone or utc)
    return pendulum.instance(value.replace(tzinfo=zone))


def make_naive(value, timezone=None):
    zone = timezone or utc
    return value.astimezone(zone).replace(tzinfo=None)


def datetime(*args, **kwargs):
    if "tzinfo" not in kwargs:
        kwargs["tzinfo"] = utc
    return dt.datetime(*args, **kwargs)


def parse(string, timezone=None, **kwargs):
    return pendulum.parse(string, tz=timezone or utc)
