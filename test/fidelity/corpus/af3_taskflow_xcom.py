# Rule §10.14: TaskFlow return values are XComs (a dict with multiple_outputs also pushes each key),
# None pushes nothing while 0 and "" are pushed.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow.sdk import dag, task


@dag(schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def af3_taskflow_xcom():
    @task(multiple_outputs=True)
    def extract():
        return {"rows": 3, "source": "orders"}

    @task
    def count(rows):
        return rows * 2

    @task
    def nothing(total):
        print(total)

    @task
    def zero():
        return 0

    @task
    def empty():
        return ""

    nothing(count(extract()["rows"]))
    zero() >> empty()


af3_taskflow_xcom()
