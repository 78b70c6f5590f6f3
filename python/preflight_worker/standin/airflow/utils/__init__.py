"""``airflow.utils``: trigger rules, dates, time zones, TaskGroups, e-mail."""
