# Rule §10.7: Python string behaviour in templates: slices, split, % formatting and str methods.
# fidelity-date: 2024-03-05T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_slices_percent",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    BashOperator(
        task_id="strings",
        bash_command="echo {{ ds[:7] }} {{ ds_nodash[-4:] }} {{ ds.split('-')[0] }} {{ '%s-%05d' % (ds_nodash, 42) }}",
        env={
            "PADDED": "{{ '%-8s|' % 'ab' }}",
            "FLOAT": "{{ '%.3f' % 2.5 }}",
            "REPLACED": "{{ ds.replace('-', '/') }}",
            "TITLE": "{{ 'daily load'.title() }}",
        },
    )
