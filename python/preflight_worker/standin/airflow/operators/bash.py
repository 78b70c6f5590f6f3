"""BashOperator (§3.2). The simulator runs bash commands itself; ``execute`` here serves task code
that calls ``BashOperator(...).execute(context)`` directly."""
from __future__ import annotations

import os
import subprocess
import tempfile

from airflow import _standin
from airflow.models.baseoperator import BaseOperator


class BashOperator(BaseOperator):
    template_fields = ("bash_command", "env", "cwd")
    template_fields_renderers = {"bash_command": "bash", "env": "json"}
    template_ext = (".sh", ".bash")
    ui_color = "#f0ede4"

    def __init__(self, *, bash_command, env=None, append_env=False, output_encoding="utf-8",
                 skip_on_exit_code=99, cwd=None, output_processor=lambda output: output, **kwargs):
        skip_exit_code = kwargs.pop("skip_exit_code", None) if _standin.major() == 2 else None
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.append_env = append_env
        self.output_encoding = output_encoding
        self.skip_on_exit_code = skip_exit_code if skip_exit_code is not None else skip_on_exit_code
        self.cwd = cwd
        self.output_processor = output_processor

    def execute(self, context):
        from airflow.exceptions import AirflowException, AirflowSkipException

        env = os.environ.copy() if self.env is None else ({**os.environ, **self.env} if self.append_env else dict(self.env))
        with tempfile.TemporaryDirectory(prefix="airflowtmp") as tmp:
            proc = subprocess.Popen(["bash", "-c", self.bash_command], cwd=self.cwd or tmp, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=False)
            line = ""
            for raw in proc.stdout:
                line = raw.decode(self.output_encoding, errors="backslashreplace").rstrip()
                self.log.info("%s", line)
            proc.wait()
        skip = self.skip_on_exit_code
        skip = [skip] if isinstance(skip, int) else (skip or [])
        if proc.returncode in skip:
            raise AirflowSkipException(f"Bash command returned exit code {proc.returncode}. Skipping.")
        if proc.returncode != 0:
            raise AirflowException(f"Bash command failed. The command returned a non-zero exit code {proc.returncode}.")
        return self.output_processor(line)
