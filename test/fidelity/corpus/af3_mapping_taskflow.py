# Rule §7.4: dynamic task mapping over a literal list and over an upstream's list; the downstream
# gets every mapped value in map_index order.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow.sdk import dag, task


@dag(schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def af3_mapping_taskflow():
    @task
    def files():
        return ["a.csv", "b.csv", "c.csv"]

    @task
    def size(name, factor):
        return len(name) * factor

    @task
    def total(sizes):
        return sum(sizes)

    @task
    def double(x):
        return x * 2

    total(size.partial(factor=10).expand(name=files()))
    double.expand(x=[1, 2])


af3_mapping_taskflow()
