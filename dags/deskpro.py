"""Deskpro help desk -> raw.deskpro__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.defaults import LOAD_PARAMS, default_args
from pipeline.assets import RAW_DESKPRO

DESKPRO_CONN_ID = "deskpro_api"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="deskpro",
    schedule="@daily",
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "deskpro", "consultations"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=5)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean", description="Read every ticket and reconcile deletions"),
    },
    doc_md="""
### Deskpro help desk

Extracts tickets (with their linked people and organizations), departments and
agents from the Deskpro REST API v2 (connection `deskpro_api`: password = API key,
extra `base_url`) for the run's data interval plus a lookback (default 7 days;
extra `lookback_days`), and loads them into `raw.deskpro__*` in one transaction.
Emits the `raw_deskpro` asset, on which the `transform` DAG is scheduled.

Backfill a range with `airflow backfill create --dag-id deskpro --from-date ... --to-date ...`;
reconcile with a manual run and `{"full_refresh": true}`. See docs/operations.md.
""",
)
def deskpro():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from pipeline.tasks import extract_deskpro

        return extract_deskpro(DESKPRO_CONN_ID, data_interval_start, data_interval_end, params["full_refresh"])

    @task(outlets=[RAW_DESKPRO])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


deskpro()
