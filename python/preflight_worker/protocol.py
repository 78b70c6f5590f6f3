"""The JSON-lines wire to the engine (src/node/workerProtocol.ts) and how values cross it.

The worker writes on a private duplicate of its original stdout and reads a private duplicate of
its original stdin; fds 0 and 1 are pointed elsewhere, so neither task code nor the processes it
starts can read the engine's messages or corrupt the worker's. Values that JSON cannot hold are
sent as ``{"__opaque__": repr, "ref": n}``; the worker keeps the object and swaps it back when the
marker returns (in ``rendered`` or an XCom value). TaskFlow XComArgs are sent as
``{"__xcomarg__": {"task_id", "key"}}``.
"""
from __future__ import annotations

import collections
import json
import math
import os
import threading

_MAX_DEPTH = 64
_MAX_REPR = 2000


class Wire:
    def __init__(self, out_fd, in_fd):
        self._out = os.fdopen(out_fd, "w", encoding="utf-8", newline="\n")
        self._in = os.fdopen(in_fd, "r", encoding="utf-8", newline="\n")
        self._lock = threading.Lock()
        self._pending = collections.deque()
        self._read_lock = threading.Lock()

    def send(self, message):
        text = json.dumps(message, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        with self._lock:
            self._out.write(text + "\n")
            self._out.flush()

    def _read(self):
        while True:
            line = self._in.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                return message

    def receive(self):
        """The next message from the engine, or None once stdin is closed."""
        if self._pending:
            return self._pending.popleft()
        return self._read()

    def wait_for(self, kind, request_id):
        """Block until the engine answers ``request_id`` with a ``kind`` message; other messages are
        kept for the main loop. Returns None if stdin closes first."""
        with self._read_lock:
            for index, message in enumerate(self._pending):
                if message.get("type") == kind and message.get("id") == request_id:
                    del self._pending[index]
                    return message
            while True:
                message = self._read()
                if message is None:
                    return None
                if message.get("type") == kind and message.get("id") == request_id:
                    return message
                if message.get("type") == "xcom_value":
                    continue  # a late answer to a pull that was interrupted (e.g. by a timeout)
                self._pending.append(message)


class Codec:
    """JSON-able copies of Python values, with opaque markers for the rest."""

    def __init__(self):
        self._objects = {}
        self._next = 1

    def opaque(self, value):
        ref = self._next
        self._next += 1
        self._objects[ref] = value
        try:
            text = repr(value)
        except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not break the wire
            text = f"<{type(value).__name__} (repr failed: {exc})>"
        if len(text) > _MAX_REPR:
            text = text[:_MAX_REPR] + "..."
        return {"__opaque__": text, "ref": ref}

    def encode(self, value, _depth=0, _seen=None):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return value if math.isfinite(value) else self.opaque(value)
        reference = xcomarg_reference(value)
        if reference is not None:
            return {"__xcomarg__": reference}
        if _depth > _MAX_DEPTH:
            return self.opaque(value)
        seen = _seen or set()
        if id(value) in seen:
            return self.opaque(value)
        if isinstance(value, dict):
            seen = seen | {id(value)}
            return {_key(k): self.encode(v, _depth + 1, seen) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            seen = seen | {id(value)}
            return [self.encode(v, _depth + 1, seen) for v in value]
        return self.opaque(value)

    def decode(self, value):
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if isinstance(value, dict):
            if "__opaque__" in value and isinstance(value.get("ref"), int) and value["ref"] in self._objects:
                return self._objects[value["ref"]]
            return {k: self.decode(v) for k, v in value.items()}
        return value


def _key(key):
    # As json.dumps (and Airflow's XCom serialisation) turns dict keys into strings.
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return json.dumps(key) if not isinstance(key, float) or math.isfinite(key) else repr(key)
    return repr(key)


def xcomarg_reference(value):
    """``{"task_id", "key"}`` for a plain XComArg (real Airflow's or the stand-in's), else None."""
    names = {klass.__name__ for klass in type(value).__mro__}
    if "XComArg" not in names or not hasattr(value, "operator") or not hasattr(value, "key"):
        return None
    try:
        return {"task_id": value.operator.task_id, "key": value.key}
    except Exception:  # noqa: BLE001
        return None
