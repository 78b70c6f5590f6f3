"""TriggerDagRunOperator: described (kind ``mock``); triggering other DAGs has no local meaning."""
from __future__ import annotations

from airflow import _standin
from airflow.models.baseoperator import BaseOperator


class TriggerDagRunOperator(BaseOperator):
    template_fields = ("trigger_dag_id", "trigger_run_id", "logical_date", "conf", "wait_for_completion",
                       "skip_when_already_exists")
    ui_color = "#ffefeb"

    def __init__(self, *, trigger_dag_id, trigger_run_id=None, conf=None, logical_date=_standin.NOTSET if _standin.major() >= 3 else None,
                 reset_dag_run=False, wait_for_completion=False, poke_interval=60, allowed_states=None,
                 failed_states=None, skip_when_already_exists=False, deferrable=False, **kwargs):
        if _standin.major() == 2 and "execution_date" in kwargs:
            logical_date = kwargs.pop("execution_date")
        for name in ("fail_when_dag_is_paused", "note", "run_after", "openlineage_inject_parent_info"):
            if _standin.major() >= 3:
                setattr(self, name, kwargs.pop(name, None))
        super().__init__(**kwargs)
        self.trigger_dag_id = trigger_dag_id
        self.trigger_run_id = trigger_run_id
        self.conf = conf
        self.logical_date = logical_date
        self.reset_dag_run = reset_dag_run
        self.wait_for_completion = wait_for_completion
        self.poke_interval = poke_interval
        self.allowed_states = allowed_states or ["success"]
        self.failed_states = failed_states or ["failed"]
        self.skip_when_already_exists = skip_when_already_exists
        self.deferrable = deferrable

    def execute(self, context):
        self.log.info("Would trigger DAG %s (not simulated locally).", self.trigger_dag_id)
