"""Staff registers (Excel workbooks in a shared folder): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

SHEETS = "every workbook of the register read whole (the folder listing is the manifest)"
ROW = ("workbook", "sheet", "sheet_row")


def extract(ctx: RunContext):
    from extractors.registers import RegistersConfig, loaded_workbooks, run_extract

    loaded = {} if ctx.full_refresh else ctx.state(loaded_workbooks, {})
    batch, _ = run_extract(
        RegistersConfig.from_connection(ctx.connection), ctx.landing_dir, loaded, full_refresh=ctx.full_refresh
    )
    return batch


SOURCE = Source(
    name="registers",
    conn_id="registers_folder",
    title="Staff registers (Excel workbooks)",
    schedule="0 6 * * *",  # daily, 06:00 UTC (13:00 WIB): after the morning's register entries
    streams=(
        StreamDecl("video_conferences", ROW, None, "full_refresh", SHEETS),
        StreamDecl(
            "face_to_face_consultations",
            ROW,
            None,
            "full_refresh",
            SHEETS,
            {"name": "engineers_only", "phone": "engineers_only"},
        ),
        StreamDecl("webinars", ROW, None, "full_refresh", SHEETS),
        StreamDecl("ppid_requests", ROW, None, "full_refresh", SHEETS, {"requester": "counted"}),
        StreamDecl("complaints", ROW, None, "full_refresh", SHEETS, {"name": "engineers_only"}),
        StreamDecl("instagram_village_followers", ROW, None, "full_refresh", SHEETS),
        StreamDecl("workbooks", ("workbook",), None, "full_refresh", "the folder listing"),
    ),
    extract=extract,
    tags=("source", "registers", "publishing", "engagement"),
    retry_delay_minutes=10,
    full_refresh_help="Read every workbook and reconcile deletions",
    description="""
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
