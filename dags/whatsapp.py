"""WhatsApp Business (webhook spool + BSP export) -> raw.whatsapp__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_WHATSAPP
from pipeline.defaults import LOAD_PARAMS, default_args

WHATSAPP_CONN_ID = "whatsapp_files"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="whatsapp",
    schedule="15 0 * * *",  # 07:15 WIB: yesterday's deliveries are all in the spool
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "whatsapp", "consultations", "chatbot"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=5)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean",
                              description="Read the whole spool and every export, and reconcile deletions"),
    },
    doc_md="""
### WhatsApp Business (Cloud API)

Meta keeps no message history we could download: the webhook receiver
(`python -m extractors.whatsapp.receiver`, a service of its own) appends every
signed delivery to a spool. This DAG reads the spool files received since the
run's data interval start minus a lookback (default 2 days; extra `lookback_days`)
and the BSP export files (`*.jsonl`, history from before the receiver) changed
since then, both named by connection `whatsapp_files` (extra `spool_dir`,
`export_dir`), and loads `raw.whatsapp__messages` (key wamid) and
`raw.whatsapp__statuses` (key wamid + status + timestamp) in one transaction,
each record once whichever way it came. Emits the `raw_whatsapp` asset.

`{"full_refresh": true}` reads everything. See docs/sources/whatsapp.md.
""",
)
def whatsapp():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from extractors.whatsapp.tasks import extract_whatsapp

        return extract_whatsapp(WHATSAPP_CONN_ID, data_interval_start, data_interval_end, params["full_refresh"])

    @task(outlets=[RAW_WHATSAPP])
    def load(manifest: str) -> dict:
        from extractors.whatsapp.tasks import prune_after_load
        from pipeline.tasks import load_manifest

        summary = load_manifest(WAREHOUSE_CONN_ID, manifest)
        prune_after_load(manifest)  # the spool's retention, once its contents are loaded
        return summary

    load(extract())


whatsapp()
