"""``airflow.providers.standard.operators.python``: Airflow 3's home of PythonOperator & co."""
from airflow.operators.python import (  # noqa: F401
    BranchExternalPythonOperator,
    BranchPythonOperator,
    BranchPythonVirtualenvOperator,
    ExternalPythonOperator,
    PythonOperator,
    PythonVirtualenvOperator,
    ShortCircuitOperator,
    get_current_context,
)
