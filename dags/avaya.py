"""Avaya call center (phone 150420) -> raw.avaya__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_AVAYA
from pipeline.defaults import LOAD_PARAMS, default_args

AVAYA_CONN_ID = "avaya_files"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="avaya",
    schedule="30 0 * * *",  # 07:30 WIB, after the nightly CMS export and the CDR collector's day file
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "avaya", "phone", "consultations"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=10)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean", description="Read every landing file again, loaded or not"),
    },
    doc_md="""
### Avaya call center (phone 150420)

Reads the landing folder of connection `avaya_files` (extra `path`; or `conn_type`
`sftp` with host/login/password and extra `path`): the CMS interval exports
`cms/hsplit_*.csv` and `cms/hagent_*.csv` and the CM CDR collector's files
`cdr/cdr_*.txt` (customized fixed-width layout, `#EOF records=<n>` trailer).
Files already loaded with the same sha256 (`raw.avaya__files`) are skipped; a
changed file is a new version. Malformed CDR/CSV lines go to `raw._quarantine`
with file and line; a truncated file fails the extract, naming the file.
Loads `raw.avaya__hsplit`, `raw.avaya__hagent`, `raw.avaya__cdr`,
`raw.avaya__files` in one transaction and emits the `raw_avaya` asset.

`{"full_refresh": true}` reads every file again. See docs/sources/avaya.md.
""",
)
def avaya():
    @task
    def extract(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from extractors.avaya.tasks import extract_avaya

        return extract_avaya(AVAYA_CONN_ID, WAREHOUSE_CONN_ID, data_interval_start, data_interval_end,
                             params["full_refresh"])

    @task(outlets=[RAW_AVAYA])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


avaya()
