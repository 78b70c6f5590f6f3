# Rule §10.7: values print as Python prints them: True/False, None, lists and dicts with quotes.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_booleans_none",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    params={"flag": True, "limit": None, "tables": ["a", "b"], "opts": {"k": 1}},
) as dag:
    BashOperator(
        task_id="printing",
        bash_command="echo {{ params.flag }} {{ not params.flag }} {{ params.limit }} {{ 1 == 1 }}",
        env={"TABLES": "{{ params.tables }}", "OPTS": "{{ params.opts }}", "RATIO": "{{ 7 / 2 }}", "INT": "{{ 7 // 2 }}"},
    )
