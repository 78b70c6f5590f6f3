"""``airflow.providers.standard.operators.trigger_dagrun``."""
from airflow.operators.trigger_dagrun import TriggerDagRunOperator  # noqa: F401
