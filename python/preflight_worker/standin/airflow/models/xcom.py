"""``XCom`` constants; pulling and pushing go through ``ti.xcom_pull`` / ``ti.xcom_push``."""
from __future__ import annotations

from airflow.models.xcom_arg import XCOM_RETURN_KEY  # noqa: F401


class XCom:
    pass


BaseXCom = XCom
