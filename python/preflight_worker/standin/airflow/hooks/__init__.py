"""``airflow.hooks``."""
