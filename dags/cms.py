"""The website's CMS (publications) -> raw.cms__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_CMS
from pipeline.defaults import LOAD_PARAMS, default_args

CMS_CONN_ID = "cms_api"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="cms",
    schedule="@daily",
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "cms", "website"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=5)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean",
                              description="Read every published post and delete what the site no longer publishes"),
    },
    doc_md="""
### Website publications (CMS)

Reads the site's posts and categories through the CMS's API (connection `cms_api`:
extra `kind`, default `wordpress`, and `base_url`, the site root; login/password
only if the site requires a WordPress application password): posts modified in
the run's data interval plus a lookback (default 7 days; extra `lookback_days`),
every category. Loads them into `raw.cms__*` in one transaction and emits the
`raw_cms` asset, on which the `transform` DAG is scheduled.

Reconcile (unpublished or trashed posts) with a manual run and
`{"full_refresh": true}`. See docs/sources/cms.md.
""",
)
def cms():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from airflow.sdk import Connection

        from extractors.cms import CmsConfig, run_extract
        from pipeline.tasks import landing_dir

        config = CmsConfig.from_connection(Connection.get(CMS_CONN_ID))
        return str(run_extract(config, landing_dir(), since=data_interval_start, until=data_interval_end,
                               full_refresh=params["full_refresh"]).folder)

    @task(outlets=[RAW_CMS])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


cms()
