"""``airflow.utils.types``: NOTSET and run types."""
from __future__ import annotations

from enum import Enum

from airflow._standin import NOTSET, ArgNotSet  # noqa: F401


class DagRunType(str, Enum):
    BACKFILL_JOB = "backfill"
    SCHEDULED = "scheduled"
    MANUAL = "manual"

    def __str__(self):
        return self.value
