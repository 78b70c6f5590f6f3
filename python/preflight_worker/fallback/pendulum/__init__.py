"""A small stand-in for ``pendulum``, used only when the interpreter has no pendulum installed.

DAG files build their dates with ``pendulum.datetime(2024, 1, 1, tz="UTC")`` and Airflow hands
pendulum ``DateTime`` objects to task code. Airflow itself always ships pendulum, so this module is
only put at the *end* of ``sys.path`` when the stand-in ``airflow`` runs on a bare interpreter: a
real pendulum, when present, always wins. It covers the calls DAG files commonly make; anything
else raises AttributeError like a missing feature would.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import re as _re

try:
    from zoneinfo import ZoneInfo as _ZoneInfo
except ImportError:  # pragma: no cover - Python < 3.9 is not supported by the worker
    _ZoneInfo = None

__version__ = "0+preflight.fallback"


class Timezone(_ZoneInfo):
    """An IANA zone; ``name`` as pendulum spells it."""

    @property
    def name(self):
        return self.key

    def __repr__(self):
        return f"Timezone('{self.key}')"


class FixedTimezone(_dt.tzinfo):
    def __init__(self, offset, name=None):
        self._offset = _dt.timedelta(seconds=offset)
        sign = "-" if offset < 0 else "+"
        hours, rest = divmod(abs(offset), 3600)
        self._name = name or f"{sign}{hours:02d}:{rest // 60:02d}"

    @property
    def name(self):
        return self._name

    @property
    def offset(self):
        return int(self._offset.total_seconds())

    def utcoffset(self, dt):
        return self._offset

    def dst(self, dt):
        return _dt.timedelta(0)

    def tzname(self, dt):
        return self._name

    def __repr__(self):
        return f"FixedTimezone({self.offset}, name=\"{self._name}\")"


UTC = Timezone("UTC")


def timezone(name):
    if isinstance(name, _dt.tzinfo):
        return name
    if isinstance(name, (int, float)):
        return FixedTimezone(int(name * 3600) if abs(name) <= 24 else int(name))
    if name in ("UTC", "utc", "Etc/UTC"):
        return UTC
    if isinstance(name, str) and _re.match(r"^[+-]\d\d:?\d\d$", name):
        sign = -1 if name[0] == "-" else 1
        digits = name[1:].replace(":", "")
        return FixedTimezone(sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60))
    return Timezone(name)


def local_timezone():
    return _dt.datetime.now().astimezone().tzinfo


def _tz(tz):
    if tz is None:
        return None
    if tz == "local":
        return local_timezone()
    return timezone(tz)


def _add_months(value, months):
    month0 = value.month - 1 + months
    year = value.year + month0 // 12
    month = month0 % 12 + 1
    day = min(value.day, _calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


class Duration(_dt.timedelta):
    def in_seconds(self):
        return int(self.total_seconds())

    def in_minutes(self):
        return int(self.total_seconds() // 60)

    def in_hours(self):
        return int(self.total_seconds() // 3600)

    def in_days(self):
        return self.days

    def in_weeks(self):
        return self.days // 7


def duration(days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0, years=0, months=0):
    return Duration(days=days + years * 365 + months * 30, seconds=seconds, microseconds=microseconds,
                    milliseconds=milliseconds, minutes=minutes, hours=hours, weeks=weeks)


_TOKENS = _re.compile(r"\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|DD|Do|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|A|a|ZZ|Z|zz")


class DateTime(_dt.datetime):
    """A ``datetime`` with the pendulum methods DAG files use."""

    @property
    def timezone(self):
        return self.tzinfo

    tz = timezone

    @property
    def timezone_name(self):
        tz = self.tzinfo
        return getattr(tz, "name", None) or getattr(tz, "key", None) or (tz.tzname(self) if tz else None)

    @property
    def int_timestamp(self):
        return int(self.timestamp())

    @property
    def offset(self):
        off = self.utcoffset()
        return None if off is None else int(off.total_seconds())

    def add(self, years=0, months=0, weeks=0, days=0, hours=0, minutes=0, seconds=0, microseconds=0):
        value = _add_months(self, years * 12 + months) if (years or months) else self
        return value + _dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds, microseconds=microseconds)

    def subtract(self, years=0, months=0, weeks=0, days=0, hours=0, minutes=0, seconds=0, microseconds=0):
        return self.add(-years, -months, -weeks, -days, -hours, -minutes, -seconds, -microseconds)

    def in_timezone(self, tz):
        return self.astimezone(timezone(tz))

    in_tz = in_timezone

    def naive(self):
        return self.replace(tzinfo=None)

    def start_of(self, unit):
        if unit == "minute":
            return self.replace(second=0, microsecond=0)
        if unit == "hour":
            return self.replace(minute=0, second=0, microsecond=0)
        day = self.replace(hour=0, minute=0, second=0, microsecond=0)
        if unit == "day":
            return day
        if unit == "week":
            return day - _dt.timedelta(days=day.weekday())
        if unit == "month":
            return day.replace(day=1)
        if unit == "year":
            return day.replace(month=1, day=1)
        raise ValueError(f"Invalid unit {unit!r} for start_of()")

    def end_of(self, unit):
        nxt = {"minute": dict(minutes=1), "hour": dict(hours=1), "day": dict(days=1), "week": dict(weeks=1),
               "month": dict(months=1), "year": dict(years=1)}
        if unit not in nxt:
            raise ValueError(f"Invalid unit {unit!r} for end_of()")
        return self.start_of(unit).add(**nxt[unit]) - _dt.timedelta(microseconds=1)

    def to_date_string(self):
        return self.strftime("%Y-%m-%d")

    def to_time_string(self):
        return self.strftime("%H:%M:%S")

    def to_datetime_string(self):
        return self.strftime("%Y-%m-%d %H:%M:%S")

    def to_iso8601_string(self):
        text = self.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def format(self, fmt, locale=None):
        def token(match):
            if match.group(1) is not None:
                return match.group(1)
            t = match.group(0)
            off = self.strftime("%z")
            table = {
                "YYYY": f"{self.year:04d}", "YY": f"{self.year % 100:02d}", "MMMM": self.strftime("%B"),
                "MMM": self.strftime("%b"), "MM": f"{self.month:02d}", "M": str(self.month), "DD": f"{self.day:02d}",
                "D": str(self.day), "Do": f"{self.day}{_ordinal(self.day)}", "dddd": self.strftime("%A"),
                "ddd": self.strftime("%a"), "HH": f"{self.hour:02d}", "H": str(self.hour),
                "hh": f"{(self.hour % 12) or 12:02d}", "h": str((self.hour % 12) or 12), "mm": f"{self.minute:02d}",
                "m": str(self.minute), "ss": f"{self.second:02d}", "s": str(self.second),
                "A": "AM" if self.hour < 12 else "PM", "a": "am" if self.hour < 12 else "pm",
                "ZZ": off, "Z": f"{off[:3]}:{off[3:]}" if off else "", "zz": self.tzname() or "",
            }
            return table[t]

        return _TOKENS.sub(token, fmt)

    def diff(self, other=None, abs=True):
        seconds = ((other or now(self.tzinfo)) - self).total_seconds()
        return Duration(seconds=-seconds if abs and seconds < 0 else seconds)

    def is_past(self):
        return self < now(self.tzinfo or UTC)

    def is_future(self):
        return self > now(self.tzinfo or UTC)

    def date(self):
        return Date(self.year, self.month, self.day)


def _ordinal(day):
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


class Date(_dt.date):
    def add(self, years=0, months=0, weeks=0, days=0):
        value = _add_months(self, years * 12 + months) if (years or months) else self
        return value + _dt.timedelta(weeks=weeks, days=days)

    def subtract(self, years=0, months=0, weeks=0, days=0):
        return self.add(-years, -months, -weeks, -days)

    def to_date_string(self):
        return self.isoformat()


Time = _dt.time


def instance(dt, tz=UTC):
    if isinstance(dt, _dt.datetime):
        tzinfo = dt.tzinfo if dt.tzinfo is not None else _tz(tz)
        return DateTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, tzinfo=tzinfo, fold=dt.fold)
    if isinstance(dt, _dt.date):
        return Date(dt.year, dt.month, dt.day)
    raise TypeError(f"instance() expects a datetime, not {type(dt).__name__}")


def datetime(year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0, tz=UTC, fold=1, raise_on_unknown_times=False):
    return DateTime(year, month, day, hour, minute, second, microsecond, tzinfo=_tz(tz), fold=fold)


def local(year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0):
    return datetime(year, month, day, hour, minute, second, microsecond, tz=local_timezone())


def naive(year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0):
    return DateTime(year, month, day, hour, minute, second, microsecond)


def date(year, month, day):
    return Date(year, month, day)


def time(hour=0, minute=0, second=0, microsecond=0):
    return _dt.time(hour, minute, second, microsecond)


def now(tz=None):
    zone = _tz(tz) if tz is not None else local_timezone()
    return instance(_dt.datetime.now(zone))


def today(tz="local"):
    return now(tz).start_of("day")


def yesterday(tz="local"):
    return today(tz).subtract(days=1)


def tomorrow(tz="local"):
    return today(tz).add(days=1)


def from_timestamp(timestamp, tz=UTC):
    return instance(_dt.datetime.fromtimestamp(timestamp, _tz(tz) or UTC))


def parse(text, tz=UTC, strict=False, **options):
    value = str(text).strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if _re.match(r"^\d{8}$", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = _dt.datetime.fromisoformat(value.replace(" ", "T", 1))
    return instance(parsed, tz=tz)
