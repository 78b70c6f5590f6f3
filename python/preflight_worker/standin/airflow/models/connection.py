"""Connections from local sources: ``AIRFLOW_CONN_<ID>`` (URI or JSON) and
``.preflight/connections.json``, parsed like Airflow's URI form."""
from __future__ import annotations

import json
import os
from airflow._standin import runtime


class Connection:
    def __init__(self, conn_id=None, conn_type=None, description=None, host=None, login=None, password=None,
                 schema=None, port=None, extra=None, uri=None):
        self.conn_id = conn_id
        self.conn_type = conn_type
        self.description = description
        self.host = host
        self.login = login
        self.password = password
        self.schema = schema
        self.port = port
        self.extra = json.dumps(extra) if isinstance(extra, dict) else extra
        if uri:
            self._parse(uri)

    def _parse(self, uri):
        rt = runtime()
        fields = rt.connection_fields(uri) if rt is not None else {"conn_type": uri.split("://", 1)[0]}
        for name, value in fields.items():
            if value is not None:
                setattr(self, name, value)

    @property
    def extra_dejson(self):
        if not self.extra:
            return {}
        try:
            value = json.loads(self.extra)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def get_uri(self):
        auth = ""
        if self.login or self.password:
            auth = f"{self.login or ''}" + (f":{self.password}" if self.password else "") + "@"
        port = f":{self.port}" if self.port else ""
        schema = f"/{self.schema}" if self.schema else ""
        return f"{(self.conn_type or '').replace('_', '-')}://{auth}{self.host or ''}{port}{schema}"

    @classmethod
    def from_source(cls, conn_id, source):
        rt = runtime()
        if rt is None:
            return cls(conn_id=conn_id, uri=str(source))
        return cls(conn_id=conn_id, **rt.connection_fields(source))

    @classmethod
    def get_connection_from_secrets(cls, conn_id):
        rt = runtime()
        source = rt.get_connection_source(conn_id) if rt is not None else os.environ.get("AIRFLOW_CONN_" + conn_id.upper())
        if source is None:
            from airflow.exceptions import AirflowNotFoundException

            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
        return cls.from_source(conn_id, source)

    get = get_connection_from_secrets

    def __repr__(self):
        return self.conn_id or ""
