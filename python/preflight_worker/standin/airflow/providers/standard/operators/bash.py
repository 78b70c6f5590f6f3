"""``airflow.providers.standard.operators.bash``."""
from airflow.operators.bash import BashOperator  # noqa: F401
