"""Email Lapor mailbox (IMAP) -> raw.email_lapor__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_EMAIL_LAPOR
from pipeline.defaults import LOAD_PARAMS, default_args

IMAP_CONN_ID = "email_lapor_imap"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="email_lapor",
    schedule="@hourly",
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "email_lapor", "routine_reports"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=5)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean",
                              description="Re-read every message of the mailbox (merge; nothing is deleted)"),
    },
    doc_md="""
### Email Lapor mailbox (lapor.djpk@kemenkeu.go.id)

Pulls the routine reports local governments mail to the Email Lapor mailbox over
IMAP (connection `email_lapor_imap`: host, port, login, password; extra `mailbox`
(default INBOX) and `security` = ssl | starttls | none) and loads their metadata
(no body, no attachment content) into `raw.email_lapor__messages`, with the
mailbox cursor (UIDVALIDITY, last UID) in `raw.email_lapor__mailbox_state`, in one
transaction. Each run reads only the UIDs above the cursor; a changed UIDVALIDITY
re-reads the whole mailbox. The mailbox is opened read-only (EXAMINE, BODY.PEEK):
no message is marked read. Emits `raw_email_lapor`, on which `transform` runs.

`{"full_refresh": true}` re-reads every message (merge by key; history is never
deleted). See docs/sources/email_lapor.md.
""",
)
def email_lapor():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from extractors.email_lapor.task import extract_task

        return extract_task(IMAP_CONN_ID, WAREHOUSE_CONN_ID, params["full_refresh"],
                            data_interval_start, data_interval_end)

    @task(outlets=[RAW_EMAIL_LAPOR])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


email_lapor()
