"""``airflow.providers``: the standard, Slack, SMTP and common-SQL providers are stood in; any other
provider module resolves to mocks (see ``airflow/_standin.py``)."""
