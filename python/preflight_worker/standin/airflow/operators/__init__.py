"""``airflow.operators``: core operators (2.10), kept as deprecated aliases in 3.x."""
