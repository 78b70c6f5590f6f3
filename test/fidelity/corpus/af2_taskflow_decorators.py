# Rule §10.14 (2.10): TaskFlow with airflow.decorators; @task.bash runs the command its function
# returns and pushes its last line.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow.decorators import dag, task


@dag(schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def af2_taskflow_decorators():
    @task
    def numbers():
        return [3, 4]

    @task
    def add(values):
        return sum(values)

    @task.bash
    def announce(total):
        return f"echo total is {total}"

    announce(add(numbers()))


af2_taskflow_decorators()
