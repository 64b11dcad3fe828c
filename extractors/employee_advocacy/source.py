"""Employee advocacy DJPK (the programme platform's CSV exports in a drop folder): the declaration."""

from __future__ import annotations

from extractors.common.source import RunContext, Source, StreamDecl

FILES = "every file of the stream in the folder read to the end (the folder listing is the listing)"


def extract(ctx: RunContext):
    from extractors.employee_advocacy import EmployeeAdvocacyConfig, loaded_files, run_extract

    loaded = {} if ctx.full_refresh else ctx.state(loaded_files, {})
    batch, _ = run_extract(
        EmployeeAdvocacyConfig.from_connection(ctx.connection), ctx.landing_dir, ctx.full_refresh, loaded=loaded
    )
    return batch


SOURCE = Source(
    name="employee_advocacy",
    conn_id="employee_advocacy_folder",
    title="Employee advocacy DJPK (programme exports)",
    schedule="0 7 * * 1",  # weekly, Monday 07:00 UTC (14:00 WIB): after the secretariat's weekly export
    streams=(
        StreamDecl(
            "participations",
            ("submission_id",),
            None,
            "full_refresh",
            FILES,
            {"nip_hash": "hashed_at_extract", "evidence_url": "engineers_only"},
        ),
        StreamDecl("editions", ("edition_id",), None, "full_refresh", FILES),
        StreamDecl("targets", ("quarter", "ue1"), None, "full_refresh", FILES),
        StreamDecl("headcount", ("quarter", "ue1"), None, "full_refresh", FILES),
        StreamDecl("files", ("file",), None, "full_refresh", "the folder listing"),
    ),
    extract=extract,
    tags=("source", "employee_advocacy", "engagement"),
    retry_delay_minutes=10,
    full_refresh_help=(
        "Read every stream whole; without it a run skips the streams whose files are unchanged since the last load"
    ),
    description="""
### Employee advocacy DJPK (programme exports)

Reads the exports the employee-advocacy programme's secretariat drops in the folder
of connection `employee_advocacy_folder` (conn type `fs`, extra `path`; the
connection's password is the key of the NIP's keyed hash): `partisipasi_*.csv`,
one row per employee action (edition, NIP, UE1, unit, activation type, platform,
evidence link, submission time, validation status), and the reference files
`edisi.csv`, `target_ue1.csv` and `jumlah_pegawai_ue1.csv`. The NIP is replaced by
its HMAC-SHA256 in the extractor and never landed. Re-exports merge by submission
id; unknown UE1 codes, unknown types or platforms and malformed NIPs go to
`raw._quarantine` with the rule. Emits `raw_employee_advocacy`.

See docs/sources/employee_advocacy.md.
""",
)
