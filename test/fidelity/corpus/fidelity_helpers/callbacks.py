"""Callbacks that leave a trace: each call appends one JSON line to ``$FIDELITY_CALLBACK_LOG``.

Both real Airflow (test/oracle/fidelity.py) and Preflight's local run (test/oracle/fidelity.test.ts)
point that variable at a file of their own, so the callbacks each of them fired can be compared.
Without the variable (an ordinary run) the callbacks do nothing.
"""
import json
import os


def _append(entry):
    path = os.environ.get("FIDELITY_CALLBACK_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


def task_callback(name):
    """A task callback recording its name, the task and the try it was called for."""

    def callback(context):
        ti = context["ti"]
        _append({"callback": name, "task_id": ti.task_id, "try_number": ti.try_number})

    return callback


def dag_callback(name):
    """A DAG callback recording its name and the run's reason."""

    def callback(context):
        _append({"callback": name, "task_id": None, "reason": context.get("reason")})

    return callback
