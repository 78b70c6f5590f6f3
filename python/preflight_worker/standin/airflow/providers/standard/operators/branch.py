"""``airflow.providers.standard.operators.branch``."""
from airflow.operators.branch import BaseBranchOperator  # noqa: F401
