"""Airflow 3 TaskFlow ETL DAG.

Demonstrates:
- ``@dag`` on a function that is called at module level to create the DAG,
- ``@task`` functions passing data to each other (XComs created for you),
- ``@task(multiple_outputs=True)`` and indexing its result,
- ``@task.bash`` returning the shell command to run.
"""
import json

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="af3_taskflow_etl",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "airflow3", "taskflow"],
)
def af3_taskflow_etl():
    @task
    def extract() -> dict:
        """Pretend to read orders from a source system."""
        data_string = '{"1001": 301.27, "1002": 433.21, "1003": 502.22}'
        return json.loads(data_string)

    @task(multiple_outputs=True)
    def transform(order_data: dict) -> dict:
        """Sum the order values."""
        total_order_value = round(sum(order_data.values()), 2)
        return {"total_order_value": total_order_value, "order_count": len(order_data)}

    @task
    def load(total_order_value: float) -> float:
        """Pretend to write the total to a warehouse."""
        print(f"Total order value is: {total_order_value:.2f}")
        return total_order_value

    @task.bash
    def announce(total_order_value: float) -> str:
        """Return the bash command that Airflow will run."""
        return f'echo "Loaded total order value {total_order_value}"'

    order_data = extract()
    order_summary = transform(order_data)
    loaded_total = load(order_summary["total_order_value"])
    announce(loaded_total)


af3_taskflow_etl()
