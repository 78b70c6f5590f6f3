# Rule §10.8: a string ending in one of the operator's template_ext (.sh, .bash) is loaded as a
# template file from the DAG's folder, its trailing newline stripped; ".sh " with a trailing space and
# a value ending in ".sql" (not a BashOperator extension) stay plain strings.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_file_ext",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    params={"limit": 10},
) as dag:
    BashOperator(task_id="from_file", bash_command="echo", env={"QUERY": "sql/report.sql"})
    BashOperator(task_id="script", bash_command="scripts/print_ds.sh")
    BashOperator(task_id="not_a_file", bash_command="echo scripts/print_ds.sh ")
