# Rule §10.8: falsy fields are not rendered, dict keys are not rendered (only values), nested lists
# are rendered item by item.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator


def _show(*args, **kwargs):
    # kwargs also holds the whole context (the callable takes **kwargs); return only what op_kwargs gave.
    return {"args": list(args), "templated_key": kwargs["{{ ds }}"], "empty": kwargs["empty"]}


with DAG(
    dag_id="any_templates_falsy_and_keys",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    PythonOperator(
        task_id="show",
        python_callable=_show,
        op_args=["{{ ds }}", ["{{ ds_nodash }}", 3]],
        op_kwargs={"{{ ds }}": "{{ ds }}", "empty": ""},
        templates_dict={},
    )
