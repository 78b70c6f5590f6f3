"""``Label``: ``a >> Label("why") >> b`` makes the edge a >> b (the label is only shown in the UI)."""
from __future__ import annotations

from airflow.models.taskmixin import DependencyMixin, task_list


class EdgeModifier(DependencyMixin):
    def __init__(self, label=None):
        self.label = label
        self._upstream = []
        self._downstream = []

    @property
    def roots(self):
        return list(self._downstream)

    @property
    def leaves(self):
        return list(self._upstream)

    def set_upstream(self, other, edge_modifier=None):
        for task in task_list(other, upstream=True):
            self._upstream.append(task)
            for down in self._downstream:
                task.set_downstream(down)

    def set_downstream(self, other, edge_modifier=None):
        for task in task_list(other, upstream=False):
            self._downstream.append(task)
            for up in self._upstream:
                up.set_downstream(task)


def Label(label):
    return EdgeModifier(label)
