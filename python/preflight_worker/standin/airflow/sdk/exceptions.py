"""``airflow.sdk.exceptions`` (3.x): the same exceptions as ``airflow.exceptions``."""
from airflow.exceptions import *  # noqa: F401,F403
from airflow.exceptions import __getattr__  # noqa: F401
