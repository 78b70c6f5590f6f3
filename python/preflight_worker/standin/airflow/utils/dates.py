"""``airflow.utils.dates``: ``days_ago`` exists in 2.10 only (removed in 3.0)."""
from __future__ import annotations

import datetime as _dt

from airflow import _standin

cron_presets = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}

if _standin.major() == 2:

    def days_ago(n, hour=0, minute=0, second=0, microsecond=0):
        """Midnight UTC ``n`` days ago, like Airflow 2's deprecated helper."""
        from airflow.utils import timezone

        today = timezone.utcnow().replace(hour=hour, minute=minute, second=second, microsecond=microsecond)
        return today - _dt.timedelta(days=n)
