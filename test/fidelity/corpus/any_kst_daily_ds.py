# Rule §10.6: a 09:00 KST schedule's ds is the UTC date: a run at 00:00 UTC of Jan 2 in Seoul's
# morning has ds 2024-01-02, and the context's datetimes are UTC.
# fidelity-now: 2024-01-05T12:00:00+00:00
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="any_kst_daily_ds",
    schedule="0 9 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Seoul"),
    catchup=True,
) as dag:
    BashOperator(task_id="dates", bash_command="echo {{ ds }} {{ ts }} {{ logical_date }} {{ logical_date.in_timezone('Asia/Seoul') }}")
