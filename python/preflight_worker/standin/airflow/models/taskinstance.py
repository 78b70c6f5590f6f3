"""Names DAG files import for type hints; the live TaskInstance is the worker's (see context.py)."""
from __future__ import annotations


class TaskInstance:
    pass


TaskInstanceKey = tuple
