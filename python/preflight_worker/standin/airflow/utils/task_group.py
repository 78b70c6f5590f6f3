"""TaskGroups (§7.3): id prefixes, group default_args, and roots/leaves for edges and branching."""
from __future__ import annotations

import copy
import re

from airflow import _standin
from airflow._standin import DagContext, TaskGroupContext  # noqa: F401 - importable from here in Airflow
from airflow.models.taskmixin import DependencyMixin


class TaskGroup(DependencyMixin):
    def __init__(self, group_id=None, prefix_group_id=True, parent_group=None, dag=None, default_args=None,
                 tooltip="", ui_color="CornflowerBlue", ui_fgcolor="#000", add_suffix_on_collision=False,
                 group_display_name=""):
        from airflow.exceptions import AirflowException

        self.prefix_group_id = prefix_group_id
        self.default_args = copy.deepcopy(default_args or {})
        self.tooltip = tooltip
        self.ui_color = ui_color
        self.ui_fgcolor = ui_fgcolor
        self.children = {}
        self.task_group = None
        dag = dag or DagContext.current()
        if group_id is None:
            if parent_group is not None:
                raise AirflowException("Root TaskGroup cannot have parent_group")
            self.dag = dag
            self._group_id = None
            self.used_group_ids = set()
            return
        if prefix_group_id:
            _standin.validate_group_key(group_id)
        else:
            _standin.validate_key(group_id)
        parent_group = parent_group or TaskGroupContext.current(dag)
        if parent_group is None:
            raise AirflowException("TaskGroup can only be used inside a dag")
        self.dag = parent_group.dag
        self.used_group_ids = parent_group.used_group_ids
        self._group_id = group_id
        if group_id in self.used_group_ids:
            if not add_suffix_on_collision:
                from airflow.exceptions import DuplicateTaskIdFound

                raise DuplicateTaskIdFound(f"group_id '{group_id}' has already been added to the DAG")
            base = re.split(r"__\d+$", group_id)[0]
            suffixes = sorted(int(used.rsplit("__", 1)[1]) for used in self.used_group_ids
                              if used and re.match(rf"^{re.escape(base)}__\d+$", used))
            self._group_id = f"{base}__{suffixes[-1] + 1}" if suffixes else f"{group_id}__1"
        parent_group.add(self)
        if parent_group.default_args:
            self.default_args = {**parent_group.default_args, **self.default_args}
        self.used_group_ids.add(self.group_id)
        _standin.record_line(self)

    @classmethod
    def create_root(cls, dag):
        return cls(group_id=None, dag=dag)

    @property
    def group_id(self):
        parent = self.task_group
        if parent is not None and parent.prefix_group_id and parent._group_id:
            return parent.child_id(self._group_id)
        return self._group_id

    node_id = group_id

    @property
    def label(self):
        return self._group_id

    @property
    def is_root(self):
        return self._group_id is None

    @property
    def parent_group(self):
        return self.task_group

    def child_id(self, label):
        if self.prefix_group_id:
            group_id = self.group_id
            if group_id:
                return f"{group_id}.{label}"
        return label

    def add(self, node):
        key = node.node_id
        if key in self.children:
            from airflow.exceptions import DuplicateTaskIdFound

            kind = "Task" if hasattr(node, "task_id") else "Task Group"
            word = "DAG" if _standin.major() == 2 else "Dag"
            raise DuplicateTaskIdFound(f"{kind} id '{key}' has already been added to the {word}")
        node.task_group = self
        self.children[key] = node
        return node

    def __iter__(self):
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                yield from child
            else:
                yield child

    @property
    def roots(self):
        """The group's tasks with no upstream inside the group (what ``x >> group`` connects to)."""
        tasks = list(self)
        ids = {t.task_id for t in tasks}
        return [t for t in tasks if not (t.upstream_task_ids & ids)]

    @property
    def leaves(self):
        tasks = list(self)
        ids = {t.task_id for t in tasks}
        return [t for t in tasks if not (t.downstream_task_ids & ids)]

    def get_roots(self):
        return self.roots

    def get_leaves(self):
        return self.leaves

    def set_upstream(self, other, edge_modifier=None):
        for task in self.roots:
            task.set_upstream(other)

    def set_downstream(self, other, edge_modifier=None):
        for task in self.leaves:
            task.set_downstream(other)

    def get_task_group_dict(self):
        groups = {}

        def walk(group):
            groups[group.group_id] = group
            for child in group.children.values():
                if isinstance(child, TaskGroup):
                    walk(child)

        walk(self)
        return groups

    def get_child_by_label(self, label):
        return self.children[self.child_id(label)]

    def __enter__(self):
        TaskGroupContext.stack.append(self)
        return self

    def __exit__(self, *exc):
        TaskGroupContext.stack.pop()

    def __repr__(self):
        return f"<TaskGroup: {self.group_id}>"
