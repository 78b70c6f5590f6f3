# Rule §10.7: params, with dag_run.conf overriding them ([core] dag_run_conf_overrides_params).
# fidelity-date: 2024-01-02T00:00:00+00:00
# fidelity-conf: {"table": "orders_v2"}
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_templates_params_conf",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    params={"table": "orders", "days": 3},
) as dag:
    BashOperator(
        task_id="load",
        bash_command="echo {{ params.table }} {{ params.days }} {{ dag_run.conf.get('table', 'none') }}",
        params={"days": 7},
    )
