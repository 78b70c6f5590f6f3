# Rule §10.7: Airflow Variables in templates: var.value and var.json with attribute access.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_variables",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    BashOperator(
        task_id="configured",
        bash_command="echo {{ var.value.environment }} {{ var.json.settings.bucket }} {{ var.json.settings.limit + 1 }}",
        env={"MISSING": "{{ var.value.get('absent', 'fallback') }}"},
    )
