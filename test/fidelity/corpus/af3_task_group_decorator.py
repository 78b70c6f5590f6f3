# Rule §7.3: @task_group prefixes the TaskFlow tasks called inside it and passes XComs through.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow.sdk import dag, task, task_group


@dag(schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def af3_task_group_decorator():
    @task
    def start():
        return 5

    @task_group
    def process(value):
        @task
        def square(x):
            return x * x

        @task
        def plus_one(x):
            return x + 1

        return plus_one(square(value))

    @task
    def finish(result):
        return f"result={result}"

    finish(process(start()))


af3_task_group_decorator()
