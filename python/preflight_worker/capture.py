"""What task code prints or logs while a request runs becomes ``log`` messages, line by line.

``sys.stdout`` and ``sys.stderr`` are replaced for the life of the worker by line-splitting
streams: during a request each complete line is sent as one ``log`` message for that request;
between requests text goes to fd 2 (the worker's stderr, which the engine keeps for diagnostics).
``fileno()`` is fd 1/2, both the worker's stderr, so subprocesses handed ``sys.stdout`` write there
too (and the engine forwards those lines). Logging goes to the same streams through one handler
installed on the root logger for the duration of a request.
"""
from __future__ import annotations

import io
import logging
import os
import threading

from preflight_worker import runtime

LOG_FORMAT = "{%(filename)s:%(lineno)d} %(levelname)s - %(message)s"


def _write_fd(fd, data):
    while data:
        written = os.write(fd, data)
        data = data[written:]


class _BinaryAdapter:
    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        self._stream.write(bytes(data).decode("utf-8", errors="backslashreplace"))
        return len(data)

    def flush(self):
        pass


class LineStream(io.TextIOBase):
    def __init__(self, fd, name):
        super().__init__()
        self._fd = fd
        self._name = name
        self._partial = ""
        self._lock = threading.RLock()

    @property
    def name(self):
        return self._name

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "backslashreplace"

    @property
    def buffer(self):
        return _BinaryAdapter(self)

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return self._fd

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            request_id = runtime.current_request()
            if request_id is None or runtime.wire is None:
                _write_fd(2, text.encode("utf-8", errors="backslashreplace"))
                return len(text)
            data = self._partial + text
            lines = data.split("\n")
            self._partial = lines.pop()
            for line in lines:
                runtime.wire.send({"type": "log", "id": request_id, "text": line})
        return len(text)

    def flush(self):
        pass

    def end_request(self, request_id):
        """Send an unterminated line as it is (at the end of a request, or before a log record)."""
        with self._lock:
            if self._partial and runtime.wire is not None:
                runtime.wire.send({"type": "log", "id": request_id, "text": self._partial})
            self._partial = ""


class _Handler(logging.Handler):
    """Logging records as log lines; an unfinished printed line is sent on its own first."""

    def __init__(self, stream, streams):
        super().__init__(logging.INFO)
        self._stream = stream
        self._streams = streams
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record):
        try:
            request_id = runtime.current_request()
            if request_id is not None:
                for stream in self._streams:
                    stream.end_request(request_id)
            self._stream.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never fail the task
            self.handleError(record)


class Capture:
    def __init__(self):
        self.stdout = LineStream(1, "<stdout>")
        self.stderr = LineStream(2, "<stderr>")
        self._handler = _Handler(self.stdout, (self.stdout, self.stderr))
        self._saved = None

    def start(self, request_id):
        runtime.set_request(request_id)
        root = logging.getLogger()
        self._saved = (root.handlers[:], root.level)
        root.handlers[:] = [self._handler]
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)

    def stop(self, request_id):
        self.stdout.end_request(request_id)
        self.stderr.end_request(request_id)
        runtime.set_request(None)
        if self._saved is not None:
            root = logging.getLogger()
            root.handlers[:], level = self._saved
            root.setLevel(level)
            self._saved = None
