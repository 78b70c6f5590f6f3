"""``airflow.providers.standard.operators.empty``."""
from airflow.operators.empty import EmptyOperator  # noqa: F401
