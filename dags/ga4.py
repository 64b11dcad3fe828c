"""Google Analytics 4 (website traffic) -> raw.ga4__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_GA4
from pipeline.defaults import LOAD_PARAMS, default_args

GA4_CONN_ID = "ga4_api"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="ga4",
    schedule="@daily",
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "ga4", "website"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=10)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean",
                              description="Re-read every month from the connection's start_date and reconcile"),
    },
    doc_md="""
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
def ga4():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from airflow.sdk import Connection

        from extractors.ga4 import Ga4Config, run_extract
        from pipeline.tasks import landing_dir

        config = Ga4Config.from_connection(Connection.get(GA4_CONN_ID))
        return str(run_extract(config, landing_dir(), since=data_interval_start, until=data_interval_end,
                               full_refresh=params["full_refresh"]).folder)

    @task(outlets=[RAW_GA4])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


ga4()
