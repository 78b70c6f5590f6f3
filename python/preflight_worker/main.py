"""The worker's life: start-up (choose Airflow, import the DAG file, describe it) and the request
loop. See worker.py for how it is started."""
from __future__ import annotations

import argparse
import os
import platform
import sys

from preflight_worker import runtime

sys.modules["_preflight_runtime"] = runtime

from preflight_worker import capture, describe, errors, execute, loader, protocol  # noqa: E402


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="worker.py")
    parser.add_argument("--file", required=True)
    parser.add_argument("--dags-folder", required=True)
    parser.add_argument("--airflow", type=int, choices=(2, 3), default=3)
    parser.add_argument("--stand-in", choices=("auto", "always"), default="auto")
    return parser.parse_args(argv)


def main(argv, out_fd, in_fd):
    args = _arguments(argv)
    runtime.airflow_major = args.airflow
    runtime.dag_file = os.path.realpath(args.file)
    runtime.dags_folder = os.path.realpath(args.dags_folder)
    runtime.codec = protocol.Codec()
    wire = runtime.wire = protocol.Wire(out_fd, in_fd)
    streams = capture.Capture()
    sys.stdout, sys.stderr = streams.stdout, streams.stderr

    try:
        airflow_version = loader.prepare_airflow(args.stand_in)
        if runtime.dags_folder not in sys.path:
            sys.path.append(runtime.dags_folder)
        module = loader.import_dag_file(runtime.dag_file)
        dags = loader.collect_dags(module)
        loader.validate(dags, args.airflow)
        described = [describe.describe_dag(dag) for dag in dags]
    except BaseException as exc:  # noqa: BLE001 - a DAG file may raise anything, even SystemExit
        wire.send({"type": "load_error", "error": errors.wire_error(exc)})
        sys.stderr.flush()
        os._exit(0)

    wire.send({
        "type": "ready",
        "airflow_version": airflow_version,
        "stand_in": airflow_version is None,
        "python": platform.python_version(),
        "dags": described,
    })
    state = execute.WorkerState(dags, args.airflow, streams)
    try:
        while True:
            message = wire.receive()
            if message is None or message.get("type") == "shutdown":
                break
            kind = message.get("type")
            if kind == "execute":
                execute.handle_execute(state, message)
            elif kind == "callback":
                execute.handle_callback(state, message)
            elif kind != "xcom_value":
                sys.stderr.write(f"[preflight] ignoring an unknown message: {kind!r}\n")
    except runtime.EngineGone:
        pass
    # Threads task code left behind must not keep the worker alive.
    os._exit(0)
