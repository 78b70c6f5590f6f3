"""``>>`` / ``<<`` for everything that can be wired: operators, XComArgs, TaskGroups, Labels (§7.1).

``a >> b`` is ``a.set_downstream(b)`` and returns ``b``; a list on the left goes through the right
operand's ``__rrshift__``. ``task_list`` flattens the other side into operators: a TaskGroup
contributes its leaves when it is upstream and its roots when it is downstream.
"""
from __future__ import annotations


class DependencyMixin:
    def set_upstream(self, other, edge_modifier=None):
        raise NotImplementedError

    def set_downstream(self, other, edge_modifier=None):
        raise NotImplementedError

    def __rshift__(self, other):
        self.set_downstream(other)
        return other

    def __lshift__(self, other):
        self.set_upstream(other)
        return other

    def __rrshift__(self, other):
        self.__lshift__(other)
        return self

    def __rlshift__(self, other):
        self.__rshift__(other)
        return self

    def update_relative(self, other, upstream=True, edge_modifier=None):
        pass


def task_list(other, upstream):
    """The operators ``other`` stands for; ``upstream`` says on which side of the edge it is."""
    from airflow.models.baseoperator import BaseOperator

    if isinstance(other, (list, tuple, set, frozenset)):
        return [task for item in other for task in task_list(item, upstream)]
    if isinstance(other, BaseOperator):
        return [other]
    if isinstance(other, DependencyMixin) and hasattr(other, "roots"):
        return [task for item in (other.leaves if upstream else other.roots) for task in task_list(item, upstream)]
    from airflow import _standin

    raise _standin.misuse(
        "AirflowException", f"Relationships can only be set between Operators; received {type(other).__name__}"
    )
