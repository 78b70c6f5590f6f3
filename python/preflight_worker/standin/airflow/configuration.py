"""``airflow.configuration.conf``: options from ``AIRFLOW__SECTION__KEY`` or Airflow's defaults."""
from __future__ import annotations

import os

from airflow import _standin

_DEFAULTS = {
    ("core", "default_timezone"): "utc",
    ("core", "dags_folder"): "",
    ("core", "default_task_retries"): "0",
    ("core", "default_task_retry_delay"): "300",
    ("core", "max_active_runs_per_dag"): "16",
    ("core", "max_active_tasks_per_dag"): "16",
    ("operators", "default_owner"): "airflow",
    ("operators", "default_queue"): "default",
    ("webserver", "base_url"): "http://localhost:8080",
    ("api", "base_url"): "http://localhost:8080/",
    ("scheduler", "catchup_by_default"): "True" if _standin.major() == 2 else "False",
    ("scheduler", "create_cron_data_intervals"): "True" if _standin.major() == 2 else "False",
}


class _Conf:
    def get(self, section, key, fallback=_standin.NOTSET, **kwargs):
        env = os.environ.get(f"AIRFLOW__{section.upper()}__{key.upper()}")
        if env is not None:
            return env
        if (section.lower(), key.lower()) in _DEFAULTS:
            return _DEFAULTS[(section.lower(), key.lower())]
        if fallback is not _standin.NOTSET:
            return fallback
        from airflow.exceptions import AirflowConfigException

        raise AirflowConfigException(f"section/key [{section}/{key}] not found in config")

    get_mandatory_value = get

    def getboolean(self, section, key, fallback=_standin.NOTSET, **kwargs):
        value = self.get(section, key, fallback=fallback)
        return value if isinstance(value, bool) else str(value).strip().lower() in ("t", "true", "1")

    def getint(self, section, key, fallback=_standin.NOTSET, **kwargs):
        return int(self.get(section, key, fallback=fallback))

    def getfloat(self, section, key, fallback=_standin.NOTSET, **kwargs):
        return float(self.get(section, key, fallback=fallback))

    def has_option(self, section, key):
        return self.get(section, key, fallback=None) is not None

    def __repr__(self):
        return "<AirflowConfigParser (Airflow Preflight stand-in)>"


conf = _Conf()
