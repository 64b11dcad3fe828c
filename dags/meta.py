"""Meta Graph API (Instagram @ditjenpk, Facebook Page) -> raw.meta__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_META
from pipeline.defaults import LOAD_PARAMS, default_args

META_CONN_ID = "meta_graph_api"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="meta",
    # Every 6 hours: stories stay in the API for 24 hours only, and follower counts
    # exist only as current values, so the captures must never be a day apart.
    schedule="20 */6 * * *",
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "meta", "instagram", "facebook", "social"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=10)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean",
                              description="Read every media/post and the insights history; reconcile deletions"),
    },
    doc_md="""
### Meta Graph API: Instagram @ditjenpk and the Facebook Page

Extracts, from the Graph API (connection `meta_graph_api`: password = access token;
extra `base_url` with the API version, `ig_user_id`, `page_id`, the metric lists
`ig_user_metrics`, `ig_media_metrics`, `page_metrics`, `post_metrics`):
follower snapshots (one row per account and local day), Instagram media, the
last 24 hours of stories, media/post lifetime insights and daily account/Page
insights for the run's interval plus a lookback (default 7 days), and loads them
into `raw.meta__*` in one transaction. Emits `raw_meta`, on which `transform` runs.

Runs every 6 hours: stories disappear from the API after 24 hours. A metric the
API rejects as invalid is dropped for the run and reported in `raw._quarantine`
(and the log); the rest loads. Usage headers above 80 % slow the client down;
rate-limit errors (codes 4/17/32/613/80001) are waited out. See docs/sources/meta.md.
""",
)
def meta():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from extractors.meta import extract_with_connection
        from pipeline.tasks import landing_dir

        return extract_with_connection(META_CONN_ID, landing_dir(), data_interval_start, data_interval_end,
                                       params["full_refresh"])

    @task(outlets=[RAW_META])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


meta()
