"""Airflow's exceptions. Their class names are what the worker reports and what the engine reads
(AirflowSkipException skips, AirflowFailException/AirflowSensorTimeout fail without retry)."""
from __future__ import annotations


class AirflowException(Exception):
    status_code = 500


class AirflowBadRequest(AirflowException):
    status_code = 400


class AirflowNotFoundException(AirflowException):
    status_code = 404


class AirflowConfigException(AirflowException):
    pass


class AirflowSensorTimeout(AirflowException):
    """Fails the task without retries."""


class AirflowRescheduleException(AirflowException):
    pass


class AirflowSkipException(AirflowException):
    """Raised by task code to end the task instance as skipped."""


class AirflowFailException(AirflowException):
    """Fails the task without retries."""


class AirflowTaskTimeout(BaseException):
    """``execution_timeout`` exceeded; a BaseException so ``except Exception`` does not catch it."""


class AirflowTaskTerminated(BaseException):
    pass


class AirflowDagCycleException(AirflowException):
    pass


class AirflowDagDuplicatedIdException(AirflowException):
    pass


class AirflowTimetableInvalid(AirflowException):
    pass


class DuplicateTaskIdFound(AirflowException):
    pass


class TaskAlreadyInTaskGroup(AirflowException):
    pass


class TaskNotFound(AirflowNotFoundException):
    pass


class DagNotFound(AirflowNotFoundException):
    pass


class DagRunNotFound(AirflowNotFoundException):
    pass


class XComNotFound(AirflowException):
    pass


class ParamValidationError(AirflowException):
    pass


class DownstreamTasksSkipped(AirflowException):
    def __init__(self, *, tasks):
        super().__init__()
        self.tasks = tasks


class TaskDeferred(BaseException):
    pass


class RemovedInAirflow3Warning(DeprecationWarning):
    pass


class AirflowProviderDeprecationWarning(DeprecationWarning):
    pass


def __getattr__(name):
    # Rarer exceptions: any *Exception/*Error name is an AirflowException subclass.
    if name.endswith(("Exception", "Error", "Found")):
        cls = type(name, (AirflowException,), {"__module__": __name__})
    elif name.endswith("Warning"):
        cls = type(name, (DeprecationWarning,), {"__module__": __name__})
    else:
        raise AttributeError(f"module 'airflow.exceptions' has no attribute {name!r}")
    globals()[name] = cls
    return cls
