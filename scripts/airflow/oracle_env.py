"""What every real-Airflow oracle script needs before it imports Airflow.

Each script prints exactly one JSON object on stdout and runs Airflow in a throwaway home whose
settings come from nowhere but here, so that its answers depend on the DAG files alone.
"""

from __future__ import annotations

import os
import sys
import time


def redirect_stdout_to_stderr():
    """Keep a private handle on the real stdout, then point fd 1 (and sys.stdout) at stderr.

    Airflow and DAG files print and log freely; only the oracle's JSON may reach stdout.
    """
    sys.stdout.flush()
    real_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(real_fd, "w", encoding="utf-8")


def prepare_airflow_env(home: str) -> None:
    """An AIRFLOW_HOME of SQLite and defaults, in UTC, with nothing inherited from the caller."""
    env = os.environ
    env["AIRFLOW_HOME"] = home
    # Configuration, Variables and Connections from the caller's environment would change answers.
    for key in list(env):
        if key.startswith(("AIRFLOW__", "AIRFLOW_VAR_", "AIRFLOW_CONN_")) or key == "AIRFLOW_CONFIG":
            del env[key]
    dags = os.path.join(home, "dags")
    os.makedirs(dags, exist_ok=True)
    env.update(
        {
            "TZ": "UTC",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": dags,
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:///" + os.path.join(home, "airflow.db"),
            "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": os.path.join(home, "logs"),
            "AIRFLOW__SCHEDULER__CHILD_PROCESS_LOG_DIRECTORY": os.path.join(home, "logs", "scheduler"),
            "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS": "True",
        }
    )
    time.tzset()
