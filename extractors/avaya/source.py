"""Avaya call center (CMS exports and CM CDR files): the source declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

FILES = "each file whole: the CDR trailer '#EOF records=<n>', CSV read to its end"


def extract(ctx: RunContext):
    from extractors.avaya import AvayaConfig, loaded_files, run_extract

    loaded = {} if ctx.full_refresh else ctx.state(loaded_files, {})
    return run_extract(
        AvayaConfig.from_connection(ctx.connection),
        ctx.landing_dir,
        loaded,
        full_refresh=ctx.full_refresh,
        since=ctx.since,
        until=ctx.until,
    )


SOURCE = Source(
    name="avaya",
    conn_id="avaya_files",
    title="Avaya call center (phone 150420)",
    schedule="30 0 * * *",  # 07:30 WIB, after the nightly CMS export and the CDR collector's day file
    streams=(
        StreamDecl("hsplit", ("row_date", "starttime", "acd", "split"), None, "append", FILES),
        StreamDecl("hagent", ("row_date", "starttime", "acd", "split", "logid"), None, "append", FILES),
        StreamDecl(
            "cdr",
            ("ucid", "cond_code", "call_date", "call_time"),
            None,
            "append",
            FILES,
            {"calling_pty": "pseudonymised"},
        ),
        StreamDecl("files", ("file_name",), None, "append", "the landing folder's listing"),
    ),
    extract=extract,
    tags=("source", "avaya", "phone", "consultations"),
    retry_delay_minutes=10,
    full_refresh_help="Read every landing file again, loaded or not",
    description="""
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
