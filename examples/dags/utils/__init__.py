"""Helpers shared by the example airflow dag files in this dags folder.

The dags folder itself is on ``sys.path`` when Airflow parses DAG files, so
DAG files can use ``from utils.slack_notifier import task_fail_slack_alert``.
"""
