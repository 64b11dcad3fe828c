"""Google Analytics 4 Data API (website visitors and pages): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

REPORT = "rowCount of each runReport response, paged with offset/limit"


def extract(ctx: RunContext):
    from extractors.ga4 import Ga4Config, run_extract

    return ctx.run_window(Ga4Config, run_extract)


SOURCE = Source(
    name="ga4",
    conn_id="ga4_api",
    title="Google Analytics 4: website visitors and pages",
    schedule="@daily",
    streams=(
        StreamDecl("monthly_users", ("property_id", "month"), None, "incremental", REPORT),
        StreamDecl("daily_traffic", ("property_id", "date"), None, "incremental", REPORT),
        StreamDecl("top_pages", ("property_id", "month"), None, "incremental", REPORT),
    ),
    extract=extract,
    tags=("source", "ga4", "website"),
    retry_delay_minutes=10,
    full_refresh_help="Re-read every month from the connection's start_date and reconcile",
    description="""
### Google Analytics 4: website visitors and pages

Runs three reports of the GA4 Data API (`runReport`, connection `ga4_api`: extra
`property_id`, and either extra `keyfile_dict`, a service-account key, or a ready
access token as password) for the run's data interval plus a lookback (default 3
days; extra `lookback_days`): the unique users of each month touched (asked per
month: users are not additive), daily users/sessions/page views, and each month's
pages by views. Loads them into `raw.ga4__*` in one transaction and emits the
`raw_ga4` asset, on which the `transform` DAG is scheduled.

Reconcile with a manual run and `{"full_refresh": true}`. See docs/sources/ga4.md.
""",
)
