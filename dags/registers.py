"""Staff registers (Excel workbooks on the shared drive) -> raw.registers__* (Airflow DAG)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from pipeline.assets import RAW_REGISTERS
from pipeline.defaults import LOAD_PARAMS, default_args

REGISTERS_CONN_ID = "registers_folder"
WAREHOUSE_CONN_ID = "warehouse"


@dag(
    dag_id="registers",
    schedule="0 6 * * *",  # daily, 06:00 UTC (13:00 WIB): after the morning's register entries
    start_date=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["source", "registers", "publishing", "engagement"],
    default_args=default_args(retry_delay=dt.timedelta(minutes=10)),
    params={
        **LOAD_PARAMS,
        "full_refresh": Param(False, type="boolean", description="Read every workbook and reconcile deletions"),
    },
    doc_md="""
### Staff registers (Excel workbooks)

Reads the registers staff keep in Excel — video conferences, face-to-face
consultations, webinars/FGD/workshops/sosialisasi, PPID data requests,
complaints and the village-government accounts following @ditjenpk on
Instagram — one workbook per register per year, one sheet per month, from the
folder of connection `registers_folder` (conn type `fs`, extra `path`; extra
`patterns` overrides the file-name globs). Workbooks already loaded with the same
sha256 are skipped; a new or corrected workbook rebuilds its register's rows in
one transaction. Rejected rows (bad dates, dates outside the sheet's month,
missing fields, negative guests, rows under the total) go to `raw._quarantine`
named by workbook, sheet and row. Emits `raw_registers`.

Reconcile with a manual run and `{"full_refresh": true}`. See docs/sources/registers.md.
""",
)
def registers():
    @task
    def extract(params=None) -> str:
        from extractors.registers.tasks import extract_registers

        return extract_registers(REGISTERS_CONN_ID, WAREHOUSE_CONN_ID, params["full_refresh"])

    @task(outlets=[RAW_REGISTERS])
    def load(manifest: str) -> dict:
        from pipeline.tasks import load_manifest

        return load_manifest(WAREHOUSE_CONN_ID, manifest)

    load(extract())


registers()
