# Rule §10.8: render_template_as_native_obj=True renders to Python values (a list, an int) instead
# of strings.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator


def _types(numbers, total):
    return f"{type(numbers).__name__}:{type(total).__name__}:{sum(numbers) + total}"


with DAG(
    dag_id="any_templates_native",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    render_template_as_native_obj=True,
    params={"numbers": [1, 2, 3]},
) as dag:
    PythonOperator(
        task_id="types",
        python_callable=_types,
        op_kwargs={"numbers": "{{ params.numbers }}", "total": "{{ 40 + 2 }}"},
    )
