"""``DagRun`` for type hints; the live one is the worker's (see context.py)."""
from __future__ import annotations


class DagRun:
    pass
