"""X API v2 (@DitjenPK) and the X analytics CSV export -> raw.x__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_X
from pipeline.defaults import LOAD_PARAMS, default_args

X_CONN_ID = "x_api"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="x",
    schedule="@daily",  # the follower count is a current value: one snapshot a day
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "x", "twitter", "social"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=15)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean",
                              description="Read the whole timeline (latest 3,200 posts) and reconcile deletions"),
    },
    doc_md="""
### X API v2: @DitjenPK

Extracts, from the X API v2 (connection `x_api`: password = the app's Bearer
token; extra `base_url`, `username`, `analytics_dir`): the daily follower snapshot
(`GET /2/users/by/username/:username`, one row per local day), the account's posts
for the run's interval plus a lookback (`GET /2/users/:id/tweets`, paged with
`pagination_token`) and the profile visits of the X analytics CSV exports dropped
into `analytics_dir` (not in the API). Loads `raw.x__*` in one transaction and
emits `raw_x`, on which `transform` runs.

Rate limits: waits for `x-rate-limit-reset` when `x-rate-limit-remaining` is 0
and after a 429. X bills per post read: the run logs its request count.
See docs/sources/x.md.
""",
)
def x():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from extractors.x import extract_with_connection
        from pipeline.tasks import landing_dir

        return extract_with_connection(X_CONN_ID, landing_dir(), data_interval_start, data_interval_end,
                                       params["full_refresh"])

    @task(outlets=[RAW_X])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


x()
