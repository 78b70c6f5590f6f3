"""Cron oracle: the ticks croniter (the version Airflow pins) gives for cron expressions.

Usage (with a provisioned venv python, see scripts/airflow/provision.sh):

    python cron_ticks.py CASES_JSON_FILE

CASES_JSON_FILE holds ``{"starts": ["<naive ISO 8601>", ...], "ticks": N, "expressions": [...]}``.
Prints exactly one JSON object to stdout:

    {"croniter": "<croniter version>",
     "results": [{"expression", "from": [{"start", "next": [...], "prev": [...]}, ...]}]}

For each expression and start, ``next``/``prev`` are the first N ticks after/before the start,
stepped as Airflow's ``_cron.py`` steps them (``croniter(expression, start_time=<naive>)`` then
``get_next``/``get_prev`` with ``datetime``), as naive ``isoformat()`` wall-clock times. Where croniter
raises, the list ends with ``"<ExceptionType>"``: at its first entry when the constructor refuses the
expression (Airflow then refuses the DAG), later when it finds no more dates (the scheduler fails).
"""

from __future__ import annotations

import datetime
import json
import sys
from importlib.metadata import version


def _ticks(expression: str, start: datetime.datetime, count: int, backwards: bool) -> list[str]:
    from croniter import croniter

    found: list[str] = []
    try:
        cron = croniter(expression, start_time=start)
        step = cron.get_prev if backwards else cron.get_next
        for _ in range(count):
            found.append(step(datetime.datetime).isoformat())
    except Exception as exc:  # noqa: BLE001 -- the exception's type is the answer
        found.append(type(exc).__name__)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: cron_ticks.py CASES_JSON_FILE", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        cases = json.load(f)
    starts = [datetime.datetime.fromisoformat(s) for s in cases["starts"]]
    results = [
        {
            "expression": expression,
            "from": [
                {
                    "start": start.isoformat(),
                    "next": _ticks(expression, start, cases["ticks"], backwards=False),
                    "prev": _ticks(expression, start, cases["ticks"], backwards=True),
                }
                for start in starts
            ],
        }
        for expression in cases["expressions"]
    ]
    sys.stdout.write(json.dumps({"croniter": version("croniter"), "results": results}, indent=1))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
