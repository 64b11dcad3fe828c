"""The monthly report (laporan.html, laporan.pdf, summary.json) for the month before (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import CronTriggerTimetable, Param, dag, task

from pipeline.alerts import REPORT_WITHIN_HOURS, deadline
from pipeline.defaults import default_args

REPORT_CONN_ID = "warehouse_bi"  # the bi_reader role; falls back to "warehouse" when undefined


@dag(
    dag_id="monthly_report",
    schedule=CronTriggerTimetable("0 6 1 * *", timezone="Asia/Jakarta"),
    start_date=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["report"],
    default_args=default_args(retry_delay=dt.timedelta(hours=1)),
    params={"period": Param(None, type=["null", "string"], description="YYYY-MM; default: the month before the run")},
    # not rendered by 00:00 WIB on the 2nd (18 h after the run's 06:00 WIB): the alert webhook hears of it
    deadline=deadline(REPORT_WITHIN_HOURS, "the monthly report is not rendered by the 2nd (00:00 WIB)"),
    doc_md="""
### Monthly report

On the first day of each month (06:00 WIB) renders the previous month's
*Laporan Layanan Informasi* from the marts, as `bi_reader`: `out/reports/<YYYY-MM>/`
`laporan.html`, `laporan.pdf` and `summary.json`. `check_fresh` fails (and is
retried hourly) until every source has loaded after the month closed, so the
report never goes out on stale data. A deadline alert posts to the `alert_webhook`
connection when the report is not rendered by 00:00 WIB on the 2nd. Render any month on demand with
`python -m reporting render --month 2023-12` or a manual run with `{"period": "2023-12"}`.
""",
)
def monthly_report():
    @task
    def period_to_report(logical_date=None, params=None) -> str:
        from pipeline.tasks import report_period

        return report_period(logical_date, params.get("period"))

    @task
    def check_fresh(period: str) -> dict:
        from pipeline.tasks import check_sources_fresh

        return check_sources_fresh(REPORT_CONN_ID, period)

    @task
    def render(period: str) -> list[str]:
        from pipeline.tasks import render_report

        return render_report(REPORT_CONN_ID, period)

    period = period_to_report()
    check_fresh(period) >> render(period)


monthly_report()
