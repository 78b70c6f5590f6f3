"""Stand-in provider package (see airflow/providers/__init__.py)."""
