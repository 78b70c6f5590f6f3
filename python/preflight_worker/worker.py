"""Airflow Preflight's Python task worker: imports one DAG file and runs its Python tasks.

    python3 -u worker.py --file DAG.py --dags-folder DIR --airflow 2|3 [--stand-in auto|always]

The protocol (src/node/workerProtocol.ts) is JSON lines on the original stdin/stdout, which the
worker keeps as private duplicates before pointing fd 1 at stderr and fd 0 at /dev/null: what task
code prints, and what its subprocesses write, can never corrupt it. The worker answers ``ready``
(or ``load_error``) once the DAG file is imported, then one request at a time until ``shutdown``
or the end of stdin. Standard library only; Python >= 3.9.
"""
import os
import sys


def _private_fds():
    out_fd = os.dup(1)
    os.dup2(2, 1)
    in_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return out_fd, in_fd


def _import_worker_package():
    """Import ``preflight_worker`` without leaving its folder on sys.path, where its module names
    could shadow the user's (a DAG folder may well have a ``context.py``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    parent = os.path.dirname(here)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    sys.path.insert(0, parent)
    try:
        import preflight_worker.main as main
    finally:
        sys.path.remove(parent)
    return main


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    fds = _private_fds()
    sys.stdout = sys.stderr
    _import_worker_package().main(sys.argv[1:], *fds)
