# Rule §10.11: @task.branch returning a list follows several branches; the one left out is skipped.
# fidelity-date: 2024-01-02T00:00:00+00:00
import pendulum
from airflow.sdk import dag, task


@dag(schedule="@daily", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def af3_task_branch():
    @task.branch
    def route():
        return ["email", "sms"]

    @task
    def email():
        return "sent email"

    @task
    def sms():
        return "sent sms"

    @task
    def fax():
        return "sent fax"

    @task(trigger_rule="none_failed")
    def done():
        return "done"

    branches = [email(), sms(), fax()]
    route() >> branches
    branches >> done()


af3_task_branch()
