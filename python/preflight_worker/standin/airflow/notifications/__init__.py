"""``airflow.notifications``."""
