"""Parameter catalogue: dump the parameters real Apache Airflow accepts, as JSON, for the extension.

Regenerate both committed catalogues (one-liner, from the repository root):

    sh scripts/airflow/provision.sh | while read v py; do "$py" scripts/airflow/catalog.py > src/core/airflow/catalog-$v.json; done

Usage (with a provisioned venv python, see scripts/airflow/provision.sh):

    python scripts/airflow/catalog.py > catalog.json

Prints exactly one JSON object (pretty-printed, 1-space indent, sorted keys) to stdout:

    {"airflow": "<airflow.__version__>",
     "dag": ParamMap,            # DAG constructor (2.x airflow.models.dag.DAG, 3.x airflow.sdk.DAG)
     "baseOperator": ParamMap,   # BaseOperator: valid in default_args and on every operator
     "operators": {"<Class>": {"module": <import path users write in this version>,
                               "params": ParamMap,   # accepted beyond BaseOperator's (own + bases')
                               "templateFields": [...], "templateExt": [...],  # sorted
                               "attributes": [...],  # public class attributes BaseOperator lacks, sorted
                               "bases": [<base classes up to BaseOperator, nearest first>]}},
     "taskDecorators": {"task": ParamMap, "task.bash": ParamMap, ...},  # beyond BaseOperator's
     "triggerRules": [...],      # TriggerRule values, in enum order
     "contextKeys": [...],       # template context keys (KNOWN_CONTEXT_KEYS), sorted
     "contextObjects": {"<context key>": [...]}}  # public attributes of the context's objects, sorted

    ParamMap = {"<name>": {"type": <annotation text, simplified> | null,
                           "default": <repr of the default> | null (required),
                           "required": bool,
                           "doc": <the ``:param name:`` text of the docstring, whitespace-collapsed>}}

"params" of an operator are all keyword parameters the class accepts that BaseOperator does not:
its own ``__init__`` parameters and those of its bases up to BaseOperator (the nearest definition
wins), minus those a subclass hard-codes in its ``super().__init__(...)`` call. A task decorator's
params are the decorator function's own (``multiple_outputs``, ``python``, ...) plus what its
decorated operator class accepts beyond BaseOperator, minus what the decorator fills in itself
(``python_callable``, ``op_args``, ``op_kwargs``, and e.g. ``bash_command`` for ``@task.bash``).

Defaults are ``repr()``s made deterministic: memory addresses are dropped, sets are sorted, str
enum members are shown by value, attrs factories are called (or named, when they need the
instance). Everything Airflow writes to stdout is redirected to stderr at the file-descriptor
level; AIRFLOW_HOME is a fresh temporary directory and inherited AIRFLOW__* settings are dropped,
so defaults read from the configuration are Airflow's own.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import json
import os
import re
import shutil
import sys
import tempfile
import textwrap
import time
import warnings

# The shared set-up of the oracle scripts (scripts/airflow/oracle_env.py).
sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".")))
from oracle_env import prepare_airflow_env, redirect_stdout_to_stderr  # noqa: E402

DOC_LIMIT = 400

# Operator class -> the module a DAG author imports it from, per Airflow major version.
OPERATORS_2 = {
    "BashOperator": "airflow.operators.bash",
    "PythonOperator": "airflow.operators.python",
    "BranchPythonOperator": "airflow.operators.python",
    "ShortCircuitOperator": "airflow.operators.python",
    "PythonVirtualenvOperator": "airflow.operators.python",
    "ExternalPythonOperator": "airflow.operators.python",
    "BranchExternalPythonOperator": "airflow.operators.python",
    "BranchPythonVirtualenvOperator": "airflow.operators.python",
    "EmptyOperator": "airflow.operators.empty",
    "TriggerDagRunOperator": "airflow.operators.trigger_dagrun",
    "LatestOnlyOperator": "airflow.operators.latest_only",
    "BranchDateTimeOperator": "airflow.operators.datetime",
    "BranchDayOfWeekOperator": "airflow.operators.weekday",
    "EmailOperator": "airflow.operators.email",
    "SQLExecuteQueryOperator": "airflow.providers.common.sql.operators.sql",
    "SQLCheckOperator": "airflow.providers.common.sql.operators.sql",
    "SQLValueCheckOperator": "airflow.providers.common.sql.operators.sql",
    "SlackWebhookOperator": "airflow.providers.slack.operators.slack_webhook",
    "SlackAPIPostOperator": "airflow.providers.slack.operators.slack",
    "ExternalTaskSensor": "airflow.sensors.external_task",
    "ExternalTaskMarker": "airflow.sensors.external_task",
    "TimeDeltaSensor": "airflow.sensors.time_delta",
    "DateTimeSensor": "airflow.sensors.date_time",
    "FileSensor": "airflow.sensors.filesystem",
    "PythonSensor": "airflow.sensors.python",
    "BashSensor": "airflow.sensors.bash",
    "BaseSensorOperator": "airflow.sensors.base",
}

_STD = "airflow.providers.standard"
OPERATORS_3 = {
    "BashOperator": f"{_STD}.operators.bash",
    "PythonOperator": f"{_STD}.operators.python",
    "BranchPythonOperator": f"{_STD}.operators.python",
    "ShortCircuitOperator": f"{_STD}.operators.python",
    "PythonVirtualenvOperator": f"{_STD}.operators.python",
    "ExternalPythonOperator": f"{_STD}.operators.python",
    "BranchExternalPythonOperator": f"{_STD}.operators.python",
    "BranchPythonVirtualenvOperator": f"{_STD}.operators.python",
    "EmptyOperator": f"{_STD}.operators.empty",
    "TriggerDagRunOperator": f"{_STD}.operators.trigger_dagrun",
    "LatestOnlyOperator": f"{_STD}.operators.latest_only",
    "BranchDateTimeOperator": f"{_STD}.operators.datetime",
    "BranchDayOfWeekOperator": f"{_STD}.operators.weekday",
    "EmailOperator": "airflow.providers.smtp.operators.smtp",
    "SQLExecuteQueryOperator": "airflow.providers.common.sql.operators.sql",
    "SQLCheckOperator": "airflow.providers.common.sql.operators.sql",
    "SQLValueCheckOperator": "airflow.providers.common.sql.operators.sql",
    "SlackWebhookOperator": "airflow.providers.slack.operators.slack_webhook",
    "SlackAPIPostOperator": "airflow.providers.slack.operators.slack",
    "ExternalTaskSensor": f"{_STD}.sensors.external_task",
    "ExternalTaskMarker": f"{_STD}.sensors.external_task",
    "TimeDeltaSensor": f"{_STD}.sensors.time_delta",
    "DateTimeSensor": f"{_STD}.sensors.date_time",
    "FileSensor": f"{_STD}.sensors.filesystem",
    "PythonSensor": f"{_STD}.sensors.python",
    "BashSensor": f"{_STD}.sensors.bash",
    "BaseSensorOperator": "airflow.sdk",
}

# Parameters a TaskFlow decorator fills in itself from the decorated function and its call.
DECORATOR_FILLED = {"python_callable", "op_args", "op_kwargs", "kwargs_to_upstream"}


def log(message: str) -> None:
    print(f"catalog: {message}", file=sys.stderr)


# --------------------------------------------------------------------------- environment






# --------------------------------------------------------------------------- text helpers

_DOTTED = re.compile(r"\b(?:[a-z_][A-Za-z0-9_]*\.)+(?=[A-Za-z_])")
def simplify_type(annotation) -> str | None:
    """Annotation as short text: no module qualifiers, no ``typing.``, collapsed whitespace."""
    if annotation is inspect.Parameter.empty or annotation is None:
        return None
    if isinstance(annotation, str):
        text = annotation
    else:
        try:
            text = inspect.formatannotation(annotation)
        except Exception:  # noqa: BLE001
            text = repr(annotation)
    text = re.sub(r"\s+", " ", text).strip()
    text = _DOTTED.sub("", text)
    text = re.sub(r"^Optional\[(.*)\]$", r"\1 | None", text)
    return text or None


def _det_repr(value) -> str:
    """A deterministic repr: sorted sets, enum members by value, no memory addresses."""
    if isinstance(value, enum.Enum):
        if isinstance(value, (str, int)):
            return repr(value.value)
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, (set, frozenset)):
        if not value:
            return "set()" if isinstance(value, set) else "frozenset()"
        inner = ", ".join(sorted(_det_repr(v) for v in value))
        return "{" + inner + "}" if isinstance(value, set) else "frozenset({" + inner + "})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_det_repr(k)}: {_det_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_det_repr(v) for v in value) + "]"
    if isinstance(value, tuple) and type(value) is tuple:
        if len(value) == 1:
            return f"({_det_repr(value[0])},)"
        return "(" + ", ".join(_det_repr(v) for v in value) + ")"
    if inspect.isclass(value):
        return f"<class '{value.__module__}.{value.__qualname__}'>"
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return f"<function {getattr(value, '__qualname__', getattr(value, '__name__', '?'))}>"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__} object>"
    if " at 0x" in text:
        text = re.sub(r" at 0x[0-9A-Fa-f]+", "", text)
        text = re.sub(r"^<(?:[\w]+\.)*(\w+) object>$", r"<\1 object>", text)
    return text


def _clean_rst(text: str) -> str:
    text = re.sub(r":[\w:+-]+:`([^`<]*?)\s*<[^`>]*>`", r"\1", text)  # :ref:`title <target>`
    text = re.sub(r":[\w:+-]+:`~?([^`]*)`", r"`\1`", text)  # :class:`~a.b.C`
    text = text.replace("``", "`")
    return text


def _truncate(text: str, limit: int = DOC_LIMIT) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "\u2026"


_PARAM_LINE = re.compile(r"^(\s*):param\s+(?:[^:]*\s)?\*{0,2}(\w+)\s*:(.*)$")


def parse_param_docs(doc: str | None) -> dict[str, str]:
    """``:param name: text`` blocks (with their indented continuation lines) of a docstring."""
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    result: dict[str, str] = {}
    i = 0
    while i < len(lines):
        match = _PARAM_LINE.match(lines[i])
        if not match:
            i += 1
            continue
        indent = len(match.group(1).expandtabs())
        name = match.group(2)
        parts = [match.group(3)]
        i += 1
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                # A blank line continues the block only if more indented text follows.
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and len(lines[j].expandtabs()) - len(lines[j].expandtabs().lstrip()) > indent:
                    parts.append("")
                    i = j
                    continue
                break
            if len(line.expandtabs()) - len(line.expandtabs().lstrip()) <= indent:
                break
            parts.append(line)
            i += 1
        text = " ".join(p.strip() for p in parts)
        text = _truncate(re.sub(r"\s+", " ", _clean_rst(text)).strip())
        result.setdefault(name, text)
    return result


_doc_cache: dict[object, dict[str, str]] = {}


def docs_of(obj) -> dict[str, str]:
    """Param docs of a class (its docstring, then its own ``__init__``'s) or a function."""
    key = obj
    if key in _doc_cache:
        return _doc_cache[key]
    docs: dict[str, str] = {}
    if inspect.isclass(obj):
        docs.update(parse_param_docs(obj.__dict__.get("__doc__")))
        init = obj.__dict__.get("__init__")
        if init is not None:
            for name, text in parse_param_docs(getattr(inspect.unwrap(init), "__doc__", None)).items():
                docs.setdefault(name, text)
    else:
        docs.update(parse_param_docs(getattr(inspect.unwrap(obj), "__doc__", None)))
    _doc_cache[key] = docs
    return docs


def find_doc(name: str, search: list) -> str:
    for obj in search:
        text = docs_of(obj).get(name)
        if text:
            return text
    return ""


def doc_search_order(mro: list[type], defined_in: type) -> list[type]:
    """Where the param is defined, then that class's bases, then (fallback) its subclasses."""
    at = mro.index(defined_in) if defined_in in mro else 0
    return mro[at:] + list(reversed(mro[:at]))


# --------------------------------------------------------------------------- parameters


def param_entry(param: inspect.Parameter, doc: str) -> dict:
    required = param.default is inspect.Parameter.empty
    return {
        "type": simplify_type(param.annotation),
        "default": None if required else _det_repr(param.default),
        "required": required,
        "doc": doc,
    }


def keyword_params(func) -> tuple[dict[str, inspect.Parameter], bool]:
    """Named parameters of a callable (no self/*args/**kwargs) and whether it takes **kwargs."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return {}, True
    params = {}
    var_kw = False
    for i, (name, p) in enumerate(sig.parameters.items()):
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind is p.VAR_POSITIONAL:
            continue
        elif i == 0 and name in ("self", "cls"):
            continue
        else:
            params[name] = p
    return params, var_kw


def hard_coded_kwargs(cls: type, own: set[str]) -> set[str]:
    """Keywords a class's ``__init__`` passes to its base ``__init__`` with a fixed value."""
    init = cls.__dict__.get("__init__")
    if init is None:
        return set()
    try:
        source = textwrap.dedent(inspect.getsource(inspect.unwrap(init)))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"):
            continue
        for kw in node.keywords:
            if kw.arg and kw.arg not in own:
                found.add(kw.arg)
    return found


def accepted_params(cls: type, stop: type) -> tuple[dict[str, tuple[inspect.Parameter, type]], list[type]]:
    """Keyword params ``cls`` accepts from its own ``__init__`` and its bases' up to ``stop``."""
    mro = [c for c in cls.__mro__ if c is not object]
    collected: dict[str, tuple[inspect.Parameter, type]] = {}
    blocked: set[str] = set()
    for klass in mro:
        if klass is stop:
            break
        if klass in stop.__mro__:
            continue  # BaseOperator's own ancestors: their params are BaseOperator's
        if "__init__" not in klass.__dict__:
            continue
        params, var_kw = keyword_params(klass.__dict__["__init__"])
        for name, p in params.items():
            if name not in collected and name not in blocked:
                collected[name] = (p, klass)
        blocked |= hard_coded_kwargs(klass, set(params))
        if not var_kw:
            break  # nothing else reaches the bases
    return collected, mro


def param_map(collected: dict[str, tuple[inspect.Parameter, type]], mro: list, extra_docs: list = ()) -> dict:
    result = {}
    for name in sorted(collected):
        p, defined_in = collected[name]
        doc = find_doc(name, list(extra_docs) + doc_search_order(mro, defined_in))
        result[name] = param_entry(p, doc)
    return result


def class_params(cls: type, stop: type) -> dict:
    collected, mro = accepted_params(cls, stop)
    return param_map(collected, mro)


# --------------------------------------------------------------------------- sections


def dag_params(major: int) -> dict:
    if major >= 3:
        from airflow.sdk import DAG
    else:
        from airflow.models.dag import DAG
    mro = [c for c in DAG.__mro__ if c is not object]
    sig_params, _ = keyword_params(DAG.__init__)
    try:
        import attrs

        fields = {(f.alias or f.name): f for f in attrs.fields(DAG) if f.init} if attrs.has(DAG) else {}
    except ImportError:
        fields = {}
    result = {}
    for name in sorted(sig_params):
        p = sig_params[name]
        field = fields.get(name)
        annotation = p.annotation
        if annotation is inspect.Parameter.empty and field is not None and field.type is not None:
            annotation = field.type
        required = p.default is inspect.Parameter.empty
        default = None
        if field is not None:
            import attrs

            required = field.default is attrs.NOTHING
            if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                factory = field.default.factory
                if field.default.takes_self:
                    default = f"<computed by {getattr(factory, '__name__', 'factory')}>"
                else:
                    try:
                        default = _det_repr(factory())
                    except Exception:  # noqa: BLE001
                        default = "<computed>"
            elif not required:
                default = _det_repr(field.default)
        elif not required:
            default = _det_repr(p.default)
        result[name] = {
            "type": simplify_type(annotation),
            "default": default,
            "required": required,
            "doc": find_doc(name, mro),
        }
    return result


def base_operator(major: int):
    if major >= 3:
        from airflow.sdk import BaseOperator
    else:
        from airflow.models.baseoperator import BaseOperator
    return BaseOperator


def base_operator_params(BaseOperator) -> dict:
    params, _ = keyword_params(BaseOperator.__init__)
    mro = [c for c in BaseOperator.__mro__ if c is not object]
    return param_map({n: (p, BaseOperator) for n, p in params.items()}, mro)


def operators(major: int, BaseOperator) -> dict:
    table = OPERATORS_3 if major >= 3 else OPERATORS_2
    result = {}
    for name, module_name in table.items():
        try:
            module = importlib.import_module(module_name)
            cls = getattr(module, name)
        except Exception as exc:  # noqa: BLE001
            log(f"skipping {name}: {type(exc).__name__}: {exc}")
            continue
        result[name] = {
            "module": module_name,
            "params": class_params(cls, BaseOperator),
            # Sorted: Airflow builds some of these from sets, so their order varies run to run.
            "templateFields": sorted(getattr(cls, "template_fields", ()) or ()),
            "templateExt": sorted(getattr(cls, "template_ext", ()) or ()),
            "attributes": sorted(set(public_names(cls)) - set(public_names(BaseOperator))),
            "bases": [c.__name__ for c in cls.__mro__[1:] if isinstance(c, type) and issubclass(c, BaseOperator)],
        }
    return result


def task_decorators(major: int, BaseOperator) -> dict:
    if major >= 3:
        from airflow.sdk import task
    else:
        from airflow.decorators import task
    names = {n for n in dir(type(task)) if not n.startswith("_")}
    try:
        from airflow.providers_manager import ProvidersManager

        names |= set(ProvidersManager().taskflow_decorators)
    except Exception as exc:  # noqa: BLE001
        log(f"no provider task decorators: {type(exc).__name__}: {exc}")
    base_names = set(keyword_params(BaseOperator.__init__)[0])
    result = {}
    for kind in sorted(names):
        try:
            factory = getattr(task, kind)
            if "python_callable" not in keyword_params(factory)[0]:
                continue  # run_if / skip_if: conditions, not task kinds
            decorator = factory()
            operator_class = inspect.getclosurevars(decorator).nonlocals.get("decorated_operator_class")
        except Exception as exc:  # noqa: BLE001 -- run_if/skip_if etc. are no task kinds
            log(f"skipping @task.{kind}: {type(exc).__name__}: {exc}")
            continue
        if not isinstance(operator_class, type):
            log(f"skipping @task.{kind}: no decorated operator class")
            continue
        own, _ = keyword_params(factory)
        own = {n: p for n, p in own.items() if n not in DECORATOR_FILLED}
        collected, mro = accepted_params(operator_class, BaseOperator)
        collected = {n: v for n, v in collected.items() if n not in DECORATOR_FILLED and n not in base_names}
        params = param_map(collected, mro)
        for name, p in own.items():
            doc = find_doc(name, [factory]) or params.get(name, {}).get("doc") or find_doc(name, mro)
            params[name] = param_entry(p, doc)
        params = {n: params[n] for n in sorted(params)}
        result[f"task.{kind}"] = params
        if kind == "python":
            result["task"] = params
    return {k: result[k] for k in sorted(result)}


def trigger_rules(major: int) -> list[str]:
    if major >= 3:
        from airflow.sdk import TriggerRule
    else:
        from airflow.utils.trigger_rule import TriggerRule
    return [r.value for r in TriggerRule]


def context_keys(major: int) -> list[str]:
    if major >= 3:
        from airflow.sdk.definitions.context import KNOWN_CONTEXT_KEYS
    else:
        from airflow.utils.context import KNOWN_CONTEXT_KEYS
    return sorted(KNOWN_CONTEXT_KEYS)


def public_names(*objects) -> list[str]:
    """The public attribute names of the objects: ``dir()``, and a pydantic model's declared fields."""
    names: set[str] = set()
    for obj in objects:
        names |= set(dir(obj))
        fields = getattr(obj if isinstance(obj, type) else type(obj), "model_fields", None)
        if isinstance(fields, dict):
            names |= set(fields)
    return sorted(n for n in names if not n.startswith("_"))


def context_objects(major: int) -> dict[str, list[str]]:
    """What templates can read of the objects in the context: ``dag``, ``dag_run``, ``task``,
    ``task_instance`` (also ``ti``), the ``connection`` that ``conn.ID`` gives and, on 2.x,
    ``conf``. The objects are made the way the worker has them (3.x: the execution API's DagRun and
    the task runner's RuntimeTaskInstance), without a metadata database; a template that reads
    another attribute fails with Jinja's UndefinedError."""
    if major >= 3:
        from airflow.api_fastapi.execution_api.datamodels.taskinstance import DagRun
        from airflow.sdk import DAG, BaseOperator, Connection
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        dag = DAG("catalog")
        return {
            "connection": public_names(Connection(conn_id="catalog")),
            "dag": public_names(dag),
            "dag_run": public_names(DagRun),
            "task": public_names(BaseOperator(task_id="catalog", dag=dag)),
            "task_instance": public_names(RuntimeTaskInstance),
        }
    from airflow.configuration import conf
    from airflow.models.baseoperator import BaseOperator
    from airflow.models.connection import Connection
    from airflow.models.dag import DAG
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance

    dag = DAG("catalog", schedule=None)
    task = BaseOperator(task_id="catalog", dag=dag)
    return {
        "conf": public_names(conf),
        "connection": public_names(Connection(conn_id="catalog")),
        "dag": public_names(dag),
        "dag_run": public_names(DagRun(dag_id="catalog", run_id="catalog")),
        "task": public_names(task),
        "task_instance": public_names(TaskInstance(task, run_id="catalog")),
    }


def _scrub_paths(value, replacements: list[tuple[str, str]]):
    """Replace machine-specific paths (scratch AIRFLOW_HOME, venv prefix) in every string."""
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_scrub_paths(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_paths(v, replacements) for k, v in value.items()}
    return value


def build_catalog(home: str) -> dict:
    import airflow

    major = int(airflow.__version__.split(".")[0])
    BaseOperator = base_operator(major)
    catalog = {
        "airflow": airflow.__version__,
        "dag": dag_params(major),
        "baseOperator": base_operator_params(BaseOperator),
        "operators": operators(major, BaseOperator),
        "taskDecorators": task_decorators(major, BaseOperator),
        "triggerRules": trigger_rules(major),
        "contextKeys": context_keys(major),
        "contextObjects": context_objects(major),
    }
    replacements = sorted(
        {(os.path.realpath(home), "$AIRFLOW_HOME"), (home, "$AIRFLOW_HOME"), (sys.prefix, "$VENV"),
         (sys.executable, "$PYTHON"), (tempfile.gettempdir(), "$TMPDIR")},
        key=lambda pair: -len(pair[0]),
    )
    return _scrub_paths(catalog, replacements)


def main(argv: list[str]) -> int:
    if argv:
        print("usage: catalog.py  (prints the catalogue JSON to stdout)", file=sys.stderr)
        return 2
    started = time.monotonic()
    # Don't let modules that sit next to this script shadow Airflow's own.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    out = redirect_stdout_to_stderr()
    home = tempfile.mkdtemp(prefix="preflight-airflow-home-")
    try:
        prepare_airflow_env(home)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            catalog = build_catalog(home)
        out.write(json.dumps(catalog, indent=1, sort_keys=True, ensure_ascii=False))
        out.write("\n")
        out.flush()
        log(f"Airflow {catalog['airflow']}: {len(catalog['operators'])} operators, "
            f"{len(catalog['taskDecorators'])} task decorators in {time.monotonic() - started:.1f}s")
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
