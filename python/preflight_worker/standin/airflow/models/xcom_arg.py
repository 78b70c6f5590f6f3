"""TaskFlow's XComArg: a reference to a value a task will push. Passing one to another task (as a
TaskFlow argument or in a templated field) creates the upstream edge; the worker describes it as
``{"__xcomarg__": {"task_id", "key"}}`` and the engine resolves it before the task runs."""
from __future__ import annotations

from airflow.models.taskmixin import DependencyMixin

XCOM_RETURN_KEY = "return_value"


class XComArg(DependencyMixin):
    def __new__(cls, *args, **kwargs):
        if cls is XComArg:
            return super().__new__(PlainXComArg)
        return super().__new__(cls)

    @staticmethod
    def iter_xcom_references(value):
        """Every PlainXComArg inside ``value`` (lists, tuples, sets and dict values)."""
        if isinstance(value, XComArg):
            yield from value.references()
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                yield from XComArg.iter_xcom_references(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from XComArg.iter_xcom_references(item)

    def references(self):
        return ()

    @property
    def roots(self):
        return [ref.operator for ref in self.references()]

    leaves = roots

    def set_upstream(self, other, edge_modifier=None):
        for op in self.roots:
            op.set_upstream(other)

    def set_downstream(self, other, edge_modifier=None):
        for op in self.roots:
            op.set_downstream(other)

    def __iter__(self):
        raise TypeError("'XComArg' object is not iterable")

    def map(self, f):
        return _DerivedXComArg(self, f"map({getattr(f, '__name__', f)!s})")

    def zip(self, *others, fillvalue=None):
        return _DerivedXComArg(self, "zip", others)

    def concat(self, *others):
        return _DerivedXComArg(self, "concat", others)


class PlainXComArg(XComArg):
    def __init__(self, operator, key=XCOM_RETURN_KEY):
        self.operator = operator
        self.key = key

    def references(self):
        return (self,)

    def __getitem__(self, key):
        return PlainXComArg(self.operator, key)

    def __eq__(self, other):
        return isinstance(other, PlainXComArg) and other.operator is self.operator and other.key == self.key

    def __hash__(self):
        return hash((id(self.operator), self.key))

    def __repr__(self):
        if self.key == XCOM_RETURN_KEY:
            return f"XComArg({self.operator!r})"
        return f"XComArg({self.operator!r}, {self.key!r})"

    def __str__(self):
        # As Airflow: an XComArg formatted into a string becomes the template that pulls it.
        kwargs = [f"task_ids='{self.operator.task_id}'", f"dag_id='{self.operator.dag_id}'"]
        if self.key is not None:
            kwargs.append(f"key='{self.key}'")
        return "{{ task_instance.xcom_pull(" + ", ".join(kwargs) + ") }}"

    def resolve(self, context):
        return context["ti"].xcom_pull(task_ids=self.operator.task_id, key=self.key)


class _DerivedXComArg(XComArg):
    """``.map()``, ``.zip()``, ``.concat()``: kept as a whole (opaque to the engine)."""

    def __init__(self, source, how, others=()):
        self.source = source
        self.how = how
        self.others = others

    def references(self):
        refs = list(self.source.references())
        for other in self.others:
            refs.extend(XComArg.iter_xcom_references(other))
        return tuple(refs)

    def __repr__(self):
        return f"{self.source!r}.{self.how}"
