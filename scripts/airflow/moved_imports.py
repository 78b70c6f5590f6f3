"""Removed import paths: the Airflow 2 modules that Airflow 3 no longer has, and where their names went.

Regenerate the committed table (one-liner, from the repository root):

    sh scripts/airflow/provision.sh | sort | { read v2 py2; read v3 py3; "$py3" scripts/airflow/moved_imports.py "$py2" > src/core/airflow/moved-imports.json; }

Usage: run with the Airflow 3 interpreter, passing the Airflow 2.10 interpreter:

    AIRFLOW3_PYTHON scripts/airflow/moved_imports.py AIRFLOW2_PYTHON

Airflow 2.10 keeps its old module paths (``airflow.operators.bash_operator``, ``airflow.contrib.*``,
``airflow.hooks.http_hook``...) as shims listed in ``__deprecated_classes`` of the package's
``__init__.py``, each name pointing to its new home. Every such module that Airflow 3 cannot import
is listed, with each of its names:

    {"airflow2": "<airflow.__version__ of 2.10>", "airflow3": "<airflow.__version__ of 3>",
     "modules": {"<old module>": {"<name>": {"airflow2": "<module>.<name> as Airflow 2.10 maps it",
                                            "airflow3": "<module>.<name> importable on Airflow 3" | null}}}}

"airflow3" follows Airflow 2.10's target through Airflow 3's own shims (``airflow.operators.bash`` ->
``airflow.providers.standard.operators.bash``), prefers the public ``airflow.sdk`` for what the Task
SDK exports, and is kept only when this Airflow 3 environment really imports it; it is null when the
name is gone or lives in a provider package that is not installed here, so that no unverified path
is ever offered as a fix. Printed as JSON with sorted keys and a 1-space indent.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import warnings

# The shared set-up of the oracle scripts (scripts/airflow/oracle_env.py).
sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".")))
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr  # noqa: E402

# The packages whose __init__.py lists deprecated modules, relative to the airflow package.
SHIM_PACKAGES = ["operators", "sensors", "hooks", "contrib/operators", "contrib/hooks", "contrib/sensors",
                 "contrib/secrets", "contrib/task_runner", "contrib/utils", "contrib/utils/log"]

# Runs inside the Airflow 2.10 interpreter: its tables, read from the source without importing them.
READ_SHIM_TABLES = r"""
import ast, json, os, sys
import importlib.util
root = os.path.dirname(importlib.util.find_spec("airflow").origin)
packages = json.loads(sys.argv[1])
tables = {}
for package in packages:
    path = os.path.join(root, package, "__init__.py")
    if not os.path.exists(path):
        continue
    for node in ast.parse(open(path, encoding="utf-8").read()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__deprecated_classes" for t in node.targets):
            for module, names in ast.literal_eval(node.value).items():
                tables["airflow." + package.replace("/", ".") + "." + module] = names
version = None
for line in open(os.path.join(root, "__init__.py"), encoding="utf-8"):
    if line.startswith("__version__"):
        version = ast.literal_eval(line.split("=", 1)[1].strip())
print(json.dumps({"airflow": version, "tables": tables}))
"""


def airflow2_tables(python: str) -> dict:
    result = subprocess.run([python, "-c", READ_SHIM_TABLES, json.dumps(SHIM_PACKAGES)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def own_shim_tables() -> dict[str, dict[str, str]]:
    """The same tables of this (Airflow 3) installation: where its remaining shims point."""
    import airflow

    root = os.path.dirname(airflow.__file__)
    tables: dict[str, dict[str, str]] = {}
    for package in ["operators", "sensors", "hooks"]:
        path = os.path.join(root, package, "__init__.py")
        for node in ast.parse(open(path, encoding="utf-8").read()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__deprecated_classes" for t in node.targets):
                for module, names in ast.literal_eval(node.value).items():
                    tables[f"airflow.{package}.{module}"] = names
    return tables


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def resolves(target: str) -> bool:
    """Whether `from <module> import <name>` works here."""
    module, _, name = target.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), name)
    except Exception:  # noqa: BLE001 - a provider or module that fails to import is not a usable target
        return False


def airflow3_target(target2: str, shims3: dict[str, dict[str, str]]) -> str | None:
    module, _, name = target2.rpartition(".")
    target = shims3.get(module, {}).get(name, target2)
    if target.startswith("airflow.sdk.") and resolves(f"airflow.sdk.{name}"):
        target = f"airflow.sdk.{name}"
    return target if resolves(target) else None


def main() -> None:
    out = redirect_stdout_to_stderr()
    with tempfile.TemporaryDirectory(prefix="preflight-moved-imports-") as home:
        prepare_airflow_env(home)
        warnings.simplefilter("ignore")
        import airflow

        old = airflow2_tables(sys.argv[1])
        shims3 = own_shim_tables()
        modules = {}
        for module, names in sorted(old["tables"].items()):
            if importable(module):
                continue
            modules[module] = {name: {"airflow2": target, "airflow3": airflow3_target(target, shims3)} for name, target in names.items()}
        table = {"airflow2": old["airflow"], "airflow3": airflow.__version__, "modules": modules}
    out.write(json.dumps(table, indent=1, sort_keys=True) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
