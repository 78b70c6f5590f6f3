"""Trigger rules as each version accepts them (§4.2): 3.x dropped ``dummy`` and
``none_failed_or_skipped``; ``all_done_min_one_success`` is 3.1+."""
from __future__ import annotations

from enum import Enum

from airflow import _standin


class _TriggerRuleBase(str, Enum):
    @classmethod
    def is_valid(cls, trigger_rule):
        return trigger_rule in cls.all_triggers()

    @classmethod
    def all_triggers(cls):
        return set(cls.__members__.values())

    def __str__(self):
        return self.value


if _standin.major() == 2:
    _RULES = ["all_success", "all_failed", "all_done", "all_done_setup_success", "one_success", "one_failed", "one_done",
              "none_failed", "none_failed_or_skipped", "none_skipped", "dummy", "always", "none_failed_min_one_success",
              "all_skipped"]
else:
    _RULES = ["all_success", "all_failed", "all_done", "all_done_min_one_success", "all_done_setup_success", "one_success",
              "one_failed", "one_done", "none_failed", "none_skipped", "always", "none_failed_min_one_success", "all_skipped"]

TriggerRule = _TriggerRuleBase("TriggerRule", [(rule.upper(), rule) for rule in _RULES], module=__name__)
