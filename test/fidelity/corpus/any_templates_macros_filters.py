# Rule §10.7: macros (ds_add, ds_format, datetime, timedelta) and Airflow's date filters as users
# write them in templates.
# fidelity-date: 2024-02-28T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_macros_filters",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    BashOperator(
        task_id="macros",
        bash_command="echo {{ macros.ds_add(ds, 2) }} {{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }} {{ logical_date | ds_nodash }}",
        env={
            "WEEK_AGO": "{{ (logical_date - macros.timedelta(days=7)).strftime('%Y-%m-%d') }}",
            "YEAR": "{{ macros.datetime(2024, 5, 17).year }}",
            "TS": "{{ logical_date | ts }}",
            "UPPER": "{{ dag.dag_id | upper | replace('_', '-') }}",
            "JOINED": "{{ ['a', 'b', ds] | join(',') }}",
        },
    )
